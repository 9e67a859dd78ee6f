// The MIME layout of a message: where every entity's header and body start and end, in the
// CRLF form of the message (RFC 2045 2.4 entities, RFC 2046 5.1.1 multipart bodies, RFC 2046
// 5.2.1 message/rfc822; RFC 6532 3.5 message/global). Internal to mime/: message.hpp, section
// and search build on it.
//
// Decision: our own scanner rather than GMime's parser. IMAP serves exact byte ranges
// (BODY[1.2.MIME], BODY[3.TEXT] including a multipart's preamble and epilogue...), and GMime's
// object tree does not expose where a multipart's body or a part's header starts and ends.
// The scanner is small, linear per level, and works top-down: an outer multipart's delimiters
// are found first, so an inner boundary that merely starts with the outer one's text (legal)
// cannot be mistaken for it.
//
// Rules (Dovecot's where RFCs are silent):
//  - a delimiter line is "--" boundary followed only by blanks; "--" boundary "--" closes;
//    the CRLF before a delimiter belongs to the delimiter (RFC 2046 5.1.1);
//  - the header ends at the first empty line (header.hpp);
//  - no usable Content-Type: text/plain; charset=us-ascii, or message/rfc822 inside
//    multipart/digest (RFC 2045 5.2, RFC 2046 5.1.5); text/* without charset gets
//    charset=us-ascii (RFC 2046 4.1.2), as Dovecot reports it;
//  - multipart without a boundary, or without any delimiter: a multipart with no parts
//    (BODYSTRUCTURE then shows one empty text/plain part, as Dovecot does);
//  - message/rfc822 and message/global are parsed whatever their transfer encoding claims.
//
// Limits (hostile input): kMaxDepth nested entities and kMaxParts entities per message. A
// multipart or message part that would go deeper, or arrive after the part budget is spent,
// becomes an opaque application/octet-stream leaf; a multipart stops adding parts once the
// budget is spent (the remaining bytes are still in its body). Recursion depth is bounded by
// kMaxDepth, so the stack is too.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "mime/structure.hpp"

namespace tern::mime::detail {

inline constexpr unsigned kMaxDepth = 100;         // as Dovecot's default
inline constexpr std::size_t kMaxParts = 10000;    // as Dovecot's default

enum class Kind : std::uint8_t { Leaf, Multipart, Message };

struct Entity {
    std::size_t begin = 0;       // first octet of the header
    std::size_t body_begin = 0;  // after the empty line (== end when there is none)
    std::size_t end = 0;         // end of the body
    bool has_empty_line = false;
    Kind kind = Kind::Leaf;
    BodyPart info;  // the Content-* fields; size, lines, message and children left empty
    std::vector<std::uint32_t> children;  // Multipart: its parts; Message: the enclosed message
};

class Layout {
public:
    // `crlf` must outlive the Layout.
    explicit Layout(std::string_view crlf);

    static constexpr std::uint32_t kRoot = 0;
    const Entity& at(std::uint32_t i) const { return nodes_[i]; }
    std::size_t size() const { return nodes_.size(); }
    std::string_view text() const { return text_; }
    std::string_view whole(const Entity& e) const { return slice(e.begin, e.end); }
    std::string_view header(const Entity& e) const { return slice(e.begin, e.body_begin); }
    std::string_view body(const Entity& e) const { return slice(e.body_begin, e.end); }

private:
    std::string_view slice(std::size_t b, std::size_t e) const { return text_.substr(b, e - b); }
    std::uint32_t parse(std::size_t begin, std::size_t end, unsigned depth, bool in_digest);
    void parse_multipart(std::uint32_t self, std::string_view boundary, unsigned depth, bool digest);
    const std::vector<std::size_t>& dash_lines();

    std::string_view text_;
    std::vector<Entity> nodes_;
    std::vector<std::size_t> dashes_;  // starts of lines beginning with "--", built on demand
    bool dashes_built_ = false;
};

// Lines in `body` as BODYSTRUCTURE counts them: line ends, plus a last line without one.
std::uint64_t count_lines(std::string_view body);

}  // namespace tern::mime::detail
