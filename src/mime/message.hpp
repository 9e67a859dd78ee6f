// A stored message parsed for IMAP: BODYSTRUCTURE, ENVELOPE, FETCH BODY[...] and BINARY[...]
// (RFC 9051 6.4.5, 7.5.2; RFC 3516). Bytes in, data out: no files, sockets or clocks.
//
// ParsedMessage converts the stored bytes to CRLF once (crlf.hpp says why) and scans the MIME
// layout (layout.hpp); every size it reports and every section it returns is in that CRLF
// form. Parse once per message and ask it everything a FETCH needs; the free functions below
// are one-shot conveniences that parse each time.
//
// Cost of structure() plus parse_envelope(), measured when this was written (RelWithDebInfo,
// g++ 12, on the shared 2-core build machine while other builds ran): about 6-10 us for a
// 3 KB text/plain message with LF endings, about 30-55 us for a 100 KB multipart/mixed with a
// base64 attachment (the spread is the machine's load); 50,000 typical messages take well
// under a second. The conversion to CRLF and the scans are single passes (memchr); the rest
// is small allocations.
// tests/mime/perf_test.cpp prints the figures (it does not assert them).
//
// Hostile input: nesting and part count are bounded (layout.hpp), every lookup is linear in the
// message, nothing recurses deeper than the nesting bound.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mime/envelope.hpp"
#include "mime/section.hpp"
#include "mime/structure.hpp"

namespace tern::mime {

namespace detail {
class Layout;
}

class ParsedMessage {
public:
    // `stored`: the message as stored (LF, CRLF or mixed line endings). It is copied.
    explicit ParsedMessage(std::string_view stored);
    ParsedMessage(ParsedMessage&&) noexcept;
    ParsedMessage& operator=(ParsedMessage&&) noexcept;
    ~ParsedMessage();

    // The message in CRLF form: BODY[] and RFC822.SIZE (its size()).
    std::string_view crlf() const;

    // BODY / BODYSTRUCTURE (RFC 9051 7.5.2) of the message; the root is the message's own body
    // (a multipart, a message/rfc822 or a single part).
    BodyPart structure() const;
    // ENVELOPE of the message.
    Envelope envelope() const;

    // BODY[<section>] (section.hpp).
    SectionData section(const SectionSpec& spec) const;

    // BINARY[<part>] (RFC 3516): the part's body with its transfer encoding removed; 7bit,
    // 8bit and binary (or no Content-Transfer-Encoding) are served as they are; base64 and
    // quoted-printable are decoded (base64 per RFC 2045 6.8: characters outside the alphabet
    // are ignored, an incomplete final quantum dropped, so a damaged body still decodes to
    // what can be recovered); any other encoding gives UnknownEncoding. An empty path, a
    // multipart or a message/rfc822 part is served as BODY[...] would serve it (its own
    // encoding can only be an identity one); Dovecot instead decodes every leaf inside and
    // rewrites their headers, which we leave out. BINARY.SIZE is the size() of the result.
    SectionData binary(const std::vector<unsigned>& part) const;

    const detail::Layout& layout() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// One-shot conveniences.
BodyPart parse_structure(std::string_view stored);
std::string fetch_section(std::string_view stored, const SectionSpec& spec,
                          SectionStatus* status = nullptr);
std::string fetch_binary(std::string_view stored, const std::vector<unsigned>& part,
                         SectionStatus* status = nullptr);

}  // namespace tern::mime
