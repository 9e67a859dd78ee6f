// The structure of a stored message as IMAP needs it (RFC 9051 7.5.2 ENVELOPE, BODY,
// BODYSTRUCTURE), as plain data. mime/ builds it from the message bytes (with GMime); imap/
// renders it in IMAP syntax; mailbox/ may cache the rendering. Nothing here knows IMAP syntax.
//
// Strings hold the raw header text after unfolding, still RFC 2047-encoded where the message
// had encoded words: IMAP clients decode them (RFC 9051 7.5.2: "the fields ... are ... as they
// appear in the message"). nullopt is IMAP's NIL.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace tern::mime {

using NString = std::optional<std::string>;

// One address of an ENVELOPE address list (RFC 9051 7.5.2). A group is two entries: the start
// (name = nullopt, adl = nullopt, mailbox = group name, host = nullopt) and the end (all nullopt).
// mime/ guarantees (address.hpp): a mailbox entry always has mailbox and host (placeholders
// "MISSING_MAILBOX" / "MISSING_DOMAIN" when the message lacks them), so host == nullopt means
// a group marker and nothing else; start and end markers always pair up.
struct EnvelopeAddress {
    NString name;     // display name
    NString adl;      // source route: always nullopt today
    NString mailbox;  // local part
    NString host;     // domain

    friend bool operator==(const EnvelopeAddress&, const EnvelopeAddress&) = default;
};

struct Envelope {
    NString date;
    NString subject;
    std::vector<EnvelopeAddress> from;
    std::vector<EnvelopeAddress> sender;    // defaults to from when absent (RFC 9051 7.5.2)
    std::vector<EnvelopeAddress> reply_to;  // defaults to from when absent
    std::vector<EnvelopeAddress> to;
    std::vector<EnvelopeAddress> cc;
    std::vector<EnvelopeAddress> bcc;
    NString in_reply_to;
    NString message_id;

    friend bool operator==(const Envelope&, const Envelope&) = default;
};

// A parameter list: ("name" "value" ...), values decoded from RFC 2231 continuations.
using Parameters = std::vector<std::pair<std::string, std::string>>;

struct Disposition {
    std::string type;  // "inline", "attachment"
    Parameters parameters;

    friend bool operator==(const Disposition&, const Disposition&) = default;
};

// One body part. For multipart/*: children holds the parts and the single-part fields are
// unused. For message/rfc822 (and message/global): `message` holds the enclosed message's
// envelope and `children` its one body. Types and subtypes are as in the message (IMAP
// servers conventionally upper-case nothing; clients compare case-insensitively).
// mime/ guarantees (layout.hpp): a multipart always has at least one child (an empty one
// gets a single empty text/plain part, RFC 9051 requires 1*body); `message` is set exactly
// when the part must be rendered as body-type-msg, and then `children` has one entry; a
// multipart or message part nested beyond the depth limit arrives as an opaque
// application/octet-stream leaf.
struct BodyPart {
    std::string type = "text";        // default text/plain; charset=us-ascii (RFC 2045 5.2)
    std::string subtype = "plain";
    Parameters parameters;
    NString id;                       // Content-ID
    NString description;              // Content-Description
    std::string encoding = "7BIT";    // Content-Transfer-Encoding
    std::uint64_t size = 0;           // octets of the encoded body, CRLF line endings
    std::uint64_t lines = 0;          // text/* and message/rfc822: lines of the encoded body
    // Extension data (BODYSTRUCTURE only).
    NString md5;                      // Content-MD5
    std::optional<Disposition> disposition;
    std::vector<std::string> language;  // Content-Language; empty: NIL
    NString location;                   // Content-Location
    std::shared_ptr<Envelope> message;  // message/rfc822 only
    std::vector<BodyPart> children;     // multipart parts, or the enclosed message's body

    // Deep equality (the enclosed envelope is compared by value, not by pointer).
    friend bool operator==(const BodyPart& a, const BodyPart& b) {
        bool same_message = a.message == b.message ||
                            (a.message && b.message && *a.message == *b.message);
        return same_message && a.type == b.type && a.subtype == b.subtype &&
               a.parameters == b.parameters && a.id == b.id && a.description == b.description &&
               a.encoding == b.encoding && a.size == b.size && a.lines == b.lines &&
               a.md5 == b.md5 && a.disposition == b.disposition && a.language == b.language &&
               a.location == b.location && a.children == b.children;
    }
};

}  // namespace tern::mime
