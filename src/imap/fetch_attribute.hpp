// The data items of FETCH (RFC 9051 6.4.5 and 9 "fetch-att"; RFC 3501's RFC822, RFC822.HEADER,
// RFC822.TEXT; RFC 3516 BINARY, BINARY.PEEK, BINARY.SIZE; RFC 7162 3.1.4 MODSEQ).
//
// The macros ALL, FAST and FULL are expanded by the parser (RFC 9051 6.4.5), so the session
// only ever sees the items. A body section keeps the client's header field names as sent: the
// response echoes them (append_section() in response_syntax.hpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tern::imap {

// section-spec (RFC 9051 9): part numbers, then an optional text part.
struct Section {
    enum class Text : std::uint8_t {
        None,             // the whole part ("BODY[]", "BODY[1.2]")
        Header,           // HEADER
        HeaderFields,     // HEADER.FIELDS (fields)
        HeaderFieldsNot,  // HEADER.FIELDS.NOT (fields)
        Text,             // TEXT
        Mime,             // MIME (only after part numbers)
    };
    std::vector<std::uint32_t> part;  // "1.2.3" -> {1, 2, 3}; empty: the message itself
    Text text = Text::None;
    std::vector<std::string> fields;  // HEADER.FIELDS[.NOT], as sent

    friend bool operator==(const Section&, const Section&) = default;
};

// "<offset.length>" (RFC 9051 6.4.5 BODY[]<>).
struct Partial {
    std::uint64_t offset = 0;
    std::uint64_t length = 0;  // > 0

    friend bool operator==(const Partial&, const Partial&) = default;
};

struct FetchAttribute {
    enum class Kind : std::uint8_t {
        Envelope, Flags, InternalDate, Rfc822Size, Uid, Modseq,
        Body,           // BODY without section: non-extensible BODYSTRUCTURE
        BodyStructure,
        Rfc822,         // = BODY[] (sets \Seen)
        Rfc822Header,   // = BODY.PEEK[HEADER]
        Rfc822Text,     // = BODY[TEXT] (sets \Seen)
        BodySection,    // BODY[section]<partial>, BODY.PEEK[...] (peek)
        Binary,         // BINARY[part]<partial>, BINARY.PEEK[...] (peek); section.text is None
        BinarySize,     // BINARY.SIZE[part]
    };
    Kind kind = Kind::Flags;
    bool peek = false;
    Section section;
    std::optional<Partial> partial;

    friend bool operator==(const FetchAttribute&, const FetchAttribute&) = default;
};

}  // namespace tern::imap
