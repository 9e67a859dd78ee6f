// The search criteria of SEARCH, SORT and THREAD as a tree (RFC 9051 6.4.4 and 9 "search-key";
// the IMAP4rev1 keys RFC 9051 dropped, NEW, OLD and RECENT, from RFC 3501 6.4.4; RFC 7162 3.1.5
// MODSEQ; RFC 5182 "$"; RFC 4731 RETURN options).
//
// One node type with a kind rather than a variant of forty structs: the evaluator is a single
// switch, and each kind uses the fields its comment names. The parser bounds the depth of the
// tree (ParserOptions::max_search_depth), so recursive evaluation is safe.
//
// Strings are raw bytes in the command's CHARSET (US-ASCII or UTF-8); matching is the
// session's job (RFC 9051 6.4.4: case-insensitive substring).
//
// Left out: RFC 5032 OLDER/YOUNGER, RFC 8514 SAVEDBEFORE..., RFC 8474 EMAILID/THREADID, RFC 6203
// FUZZY, RFC 5466 FILTER, RFC 5267 CONTEXT/UPDATE/PARTIAL return options: all give a syntax error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "imap/date_time.hpp"
#include "imap/sequence_set.hpp"

namespace tern::imap {

struct SearchKey {
    enum class Kind : std::uint8_t {
        And,         // children: all must match ("(" ... ")" and the top level)
        Or,          // children[0] or children[1]
        Not,         // children[0] must not match
        All,
        Answered, Deleted, Draft, Flagged, Seen, Recent, New, Old,
        Unanswered, Undeleted, Undraft, Unflagged, Unseen,
        Keyword, Unkeyword,                        // text: the flag keyword
        Bcc, Body, Cc, From, Subject, Text, To,    // text: the string to find
        Header,                                    // field: the header name; text: the string
        Before, On, Since,                         // date: against the internal date
        SentBefore, SentOn, SentSince,             // date: against the Date: header
        Larger, Smaller,                           // number: RFC822.SIZE
        SequenceNumbers,                           // set: message sequence numbers (or "$")
        Uid,                                       // set: UIDs (or "$")
        Modseq,                                    // number: mod-sequence (>=); field: entry name
                                                   // ("/flags/\\Seen") or ""; text: "priv",
                                                   // "shared" or "all" when field is set
    };
    Kind kind = Kind::All;
    std::string text;
    std::string field;
    Date date;
    std::uint64_t number = 0;
    SequenceSet set;
    std::vector<SearchKey> children;

    friend bool operator==(const SearchKey&, const SearchKey&) = default;
};

// RFC 4731 search-return-opts; RFC 9051 6.4.4.1. `RETURN ()` means ALL.
struct SearchReturn {
    bool min = false;
    bool max = false;
    bool all = false;
    bool count = false;
    bool save = false;  // RFC 5182: keep the result for "$"

    friend bool operator==(const SearchReturn&, const SearchReturn&) = default;
};

}  // namespace tern::imap
