// FETCH body sections (RFC 9051 6.4.5) and BINARY (RFC 3516 4.2, RFC 9051 6.4.5): what to
// fetch, and the result. The lookups themselves are ParsedMessage::section() and ::binary()
// (message.hpp), or fetch_section() / fetch_binary() for a one-off.
//
// Part numbers (RFC 9051 6.4.5), resolved exactly as Dovecot resolves them:
//  - the parts of a multipart are numbered from 1; a non-multipart entity has only part 1,
//    which is itself (so BODY[1] of a single-part message is its body);
//  - a number may follow a non-multipart entity's 1 only when it is a message/rfc822 (or
//    message/global) part: it then numbers the enclosed message's parts. Hence BODY[1.1] of a
//    single-part message is not found, while BODY[1.1] of a multipart whose part 1 is text
//    is part 1 again (the last number may always be the 1 of a non-multipart entity).
// Results:
//  - whole (no specifier): BODY[] is the whole message; BODY[n...] is the part's body
//    (for a message/rfc822 part: the enclosed message, header and all);
//  - HEADER, HEADER.FIELDS, HEADER.FIELDS.NOT, TEXT: of the message itself (empty path) or of
//    the message enclosed in a message/rfc822 part; for any other part: not found;
//  - HEADER and MIME include the empty line that ends the header; HEADER.FIELDS[.NOT] keep
//    the matching (or non-matching) fields in message order, each with its folding, and then
//    the empty line, unless the header had none (RFC 3501 6.4.5: "except in the case of a
//    message which has no body and no blank line");
//  - MIME: the header of the part (for part 1 of a single-part message, the message header);
//  - a part that does not exist: NotFound, which IMAP answers with an empty string, as
//    Dovecot does (RFC 9051 does not say); MIME without a part number, or a part number 0:
//    Invalid (a syntax error the command parser should already have caught: BAD).
// <partial> is applied by the caller with partial() (crlf.hpp), to the section's bytes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tern::mime {

struct SectionSpec {
    enum class Kind { Whole, Header, HeaderFields, HeaderFieldsNot, Text, Mime };
    std::vector<unsigned> part;       // e.g. {4, 2, 1}; empty: the message itself
    Kind kind = Kind::Whole;
    std::vector<std::string> fields;  // HEADER.FIELDS[.NOT] field names, any case
};

enum class SectionStatus {
    Ok,
    NotFound,         // no such part: serve ""
    Invalid,          // malformed spec: BAD
    UnknownEncoding,  // BINARY only: NO [UNKNOWN-CTE] (RFC 3516 4.3)
};

// The octets of a section, CRLF line endings. For BODY sections they usually point into the
// ParsedMessage they came from (valid while it lives); decoded or filtered results own them.
class SectionData {
public:
    SectionData() = default;
    static SectionData view(std::string_view bytes) {
        SectionData d;
        d.view_ = bytes;
        return d;
    }
    static SectionData owned(std::string bytes) {
        SectionData d;
        d.storage_ = std::move(bytes);
        d.owned_ = true;
        return d;
    }
    static SectionData failed(SectionStatus s) {
        SectionData d;
        d.status_ = s;
        return d;
    }

    SectionStatus status() const { return status_; }
    bool ok() const { return status_ == SectionStatus::Ok; }
    // Empty unless ok().
    std::string_view bytes() const { return owned_ ? std::string_view(storage_) : view_; }
    std::size_t size() const { return bytes().size(); }

private:
    SectionStatus status_ = SectionStatus::Ok;
    std::string_view view_;
    std::string storage_;
    bool owned_ = false;
};

}  // namespace tern::mime
