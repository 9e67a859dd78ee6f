// IMAP commands as typed values (RFC 9051 6 and RFC 3501 6, with the extensions listed per
// struct). The parser (command_parser.hpp) produces them; the session checks state and
// executes them. Nothing here knows sockets or storage.
//
// Conventions:
//  - Mailbox names are the raw bytes the client sent (astring): modified UTF-7 unless the
//    client enabled UTF8=ACCEPT or IMAP4rev2. Decoding and INBOX case-insensitivity are the
//    session's job; is_inbox() helps with the latter.
//  - Flags, keywords and capability names keep the client's spelling; compare them
//    case-insensitively where the RFC says so.
//  - A number the client may omit is std::optional; a parenthesised option list the client
//    may omit is a bool per option.
//  - SECURITY: Login::password and Authenticate::initial_response carry credentials: never
//    log a Command (or the raw command text) without redacting them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "imap/date_time.hpp"
#include "imap/fetch_attribute.hpp"
#include "imap/search_key.hpp"
#include "imap/sequence_set.hpp"

namespace tern::imap {

// "INBOX" in any case (RFC 9051 5.1: INBOX is case-insensitive; other names are not).
bool is_inbox(std::string_view mailbox);

// ---- any state --------------------------------------------------------------------------
struct Capability {};
struct Noop {};
struct Logout {};
struct Id {  // RFC 2971; nullopt: "ID NIL"
    std::optional<std::vector<std::pair<std::string, std::optional<std::string>>>> fields;
};

// ---- not authenticated ------------------------------------------------------------------
struct StartTls {};
struct Authenticate {  // RFC 9051 6.2.2, RFC 4959 SASL-IR
    std::string mechanism;
    // Base64 as sent (checked for the base64 alphabet only); "" for "=" (an empty initial
    // response); nullopt when absent. SECURITY: credentials.
    std::optional<std::string> initial_response;
};
struct Login {
    std::string user;
    std::string password;  // SECURITY: never log
};

// ---- authenticated ----------------------------------------------------------------------
struct Enable {  // RFC 9051 6.3.1, RFC 5161
    std::vector<std::string> capabilities;
};
struct QresyncParams {  // RFC 7162 3.2.5
    std::uint32_t uidvalidity = 0;
    std::uint64_t modseq = 0;
    std::optional<SequenceSet> known_uids;          // never holds '*'
    std::optional<SequenceSet> known_sequence_set;  // seq-match-data, both or neither
    std::optional<SequenceSet> known_uid_set;

    friend bool operator==(const QresyncParams&, const QresyncParams&) = default;
};
struct Select {  // SELECT and EXAMINE (RFC 9051 6.3.2, 6.3.3), RFC 7162 CONDSTORE/QRESYNC
    std::string mailbox;
    bool read_only = false;  // EXAMINE
    bool condstore = false;
    std::optional<QresyncParams> qresync;
};
struct Create {  // RFC 9051 6.3.4, RFC 6154 5.2 USE
    std::string mailbox;
    std::vector<std::string> special_use;  // "\\Archive", "\\Drafts", ...
};
struct Delete { std::string mailbox; };
struct Rename { std::string from; std::string to; };
struct Subscribe { std::string mailbox; };
struct Unsubscribe { std::string mailbox; };

enum class StatusItem : std::uint8_t {
    Messages, UidNext, UidValidity, Unseen, Deleted, Size, Recent, HighestModseq, AppendLimit,
};

struct ListSelection {  // RFC 5258 3.1, RFC 6154 5.1
    bool subscribed = false;
    bool remote = false;
    bool recursive_match = false;
    bool special_use = false;
};
struct ListReturn {  // RFC 5258 3.2, RFC 6154 5.1, RFC 5819
    bool subscribed = false;
    bool children = false;
    bool special_use = false;
    bool status = false;
    std::vector<StatusItem> status_items;
};
struct List {  // RFC 9051 6.3.9, RFC 5258 LIST-EXTENDED
    std::string reference;
    std::vector<std::string> patterns;  // one for basic LIST; may be "" (hierarchy delimiter)
    // Selection options, RETURN or a pattern list was given: answer in LIST-EXTENDED form.
    bool extended = false;
    ListSelection selection;
    ListReturn return_options;
};
struct Lsub {  // RFC 3501 6.3.9
    std::string reference;
    std::string pattern;
};
struct Namespace {};  // RFC 9051 6.3.10, RFC 2342
struct Status {       // RFC 9051 6.3.11, RFC 7889 APPENDLIMIT, RFC 8438 SIZE, RFC 7162
    std::string mailbox;
    std::vector<StatusItem> items;  // at least one, as sent (duplicates kept)
};
struct AppendMessage {
    std::vector<std::string> flags;
    std::optional<DateTime> internal_date;
    std::string data;
    bool binary = false;  // sent as literal8 (RFC 3516 4.4): may hold NUL and 8-bit
    bool utf8 = false;    // "UTF8 (~{n}...)" (RFC 6855 4)

    friend bool operator==(const AppendMessage&, const AppendMessage&) = default;
};
struct Append {  // RFC 9051 6.3.12; more than one message is RFC 3502 MULTIAPPEND
    std::string mailbox;
    std::vector<AppendMessage> messages;  // at least one
};
struct Idle {};  // RFC 9051 6.3.13
struct GetQuota { std::string root; };            // RFC 9208 4.2
struct GetQuotaRoot { std::string mailbox; };     // RFC 9208 4.3
struct QuotaLimit {
    std::string resource;  // "STORAGE", "MESSAGE", ... as sent
    std::uint64_t limit = 0;

    friend bool operator==(const QuotaLimit&, const QuotaLimit&) = default;
};
struct SetQuota {  // RFC 9208 4.1
    std::string root;
    std::vector<QuotaLimit> limits;  // may be empty (remove all limits)
};
struct Compress { std::string mechanism; };  // RFC 4978: "DEFLATE", as sent

// ---- selected ---------------------------------------------------------------------------
struct Check {};    // RFC 3501 6.4.1
struct Close {};    // RFC 9051 6.4.1
struct Unselect {}; // RFC 9051 6.4.2, RFC 3691
struct Expunge {    // RFC 9051 6.4.3; "UID EXPUNGE set" (RFC 4315 2.1) sets uids
    std::optional<SequenceSet> uids;
};
struct Search {  // RFC 9051 6.4.4, RFC 4731 ESEARCH
    std::optional<std::string> charset;
    std::optional<SearchReturn> return_options;  // set: answer with ESEARCH
    SearchKey criteria;                          // Kind::And of the keys given
};
struct Fetch {  // RFC 9051 6.4.5, RFC 7162 3.1.4.1 CHANGEDSINCE, 3.2.6 VANISHED
    SequenceSet set;
    std::vector<FetchAttribute> attributes;  // ALL/FAST/FULL expanded
    std::optional<std::uint64_t> changed_since;
    bool vanished = false;  // only with UID FETCH and CHANGEDSINCE (checked by the parser)
};
enum class StoreMode : std::uint8_t { Replace, Add, Remove };  // FLAGS, +FLAGS, -FLAGS
struct Store {  // RFC 9051 6.4.6, RFC 7162 3.1.3 UNCHANGEDSINCE
    SequenceSet set;
    StoreMode mode = StoreMode::Replace;
    bool silent = false;
    std::vector<std::string> flags;  // may be empty
    std::optional<std::uint64_t> unchanged_since;
};
struct Copy { SequenceSet set; std::string mailbox; };  // RFC 9051 6.4.7
struct Move { SequenceSet set; std::string mailbox; };  // RFC 9051 6.4.8, RFC 6851

enum class SortKey : std::uint8_t { Arrival, Cc, Date, From, Size, Subject, To, DisplayFrom, DisplayTo };
struct SortCriterion {
    SortKey key = SortKey::Arrival;
    bool reverse = false;

    friend bool operator==(const SortCriterion&, const SortCriterion&) = default;
};
struct Sort {  // RFC 5256 3, RFC 5957 DISPLAYFROM/DISPLAYTO, RFC 5267 ESORT
    std::vector<SortCriterion> order;  // at least one, most significant first
    std::string charset;
    SearchKey criteria;  // Kind::And
    std::optional<SearchReturn> return_options;
};
enum class ThreadAlgorithm : std::uint8_t { OrderedSubject, References };
struct Thread {  // RFC 5256 3
    ThreadAlgorithm algorithm = ThreadAlgorithm::References;
    std::string charset;
    SearchKey criteria;  // Kind::And
};

using CommandBody = std::variant<
    Capability, Noop, Logout, Id,
    StartTls, Authenticate, Login,
    Enable, Select, Create, Delete, Rename, Subscribe, Unsubscribe, List, Lsub, Namespace, Status,
    Append, Idle, GetQuota, GetQuotaRoot, SetQuota, Compress,
    Check, Close, Unselect, Expunge, Search, Fetch, Store, Copy, Move, Sort, Thread>;

struct Command {
    std::string tag;
    bool uid = false;  // "UID" prefix: COPY, MOVE, FETCH, STORE, SEARCH, EXPUNGE, SORT, THREAD
    CommandBody body;
};

// The command's name in upper case ("FETCH", "EXAMINE"; without "UID"), for logs and replies.
std::string_view command_name(const Command& command);

}  // namespace tern::imap
