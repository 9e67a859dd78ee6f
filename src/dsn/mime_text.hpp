// Text helpers for composing DSN messages: RFC 5322 3.3 dates, 2.2.3 folding and the 998
// octet line limit (2.1.1), sanitising untrusted text, CRLF normalisation of an included
// message, RFC 6533 3 utf-8-addr-unitext. Pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/rfc5322_date.hpp"
#include <string_view>

namespace tern::dsn {

inline constexpr std::size_t kMaxLine = 998;  // RFC 5322 2.1.1, without CRLF


// Control octets (CR, LF, TAB, NUL, DEL...) become spaces; with !utf8 every non-ASCII octet
// becomes '?', with utf8 only octets that are not valid UTF-8 do. At most `max` octets.
std::string sanitize(std::string_view s, bool utf8, std::size_t max = 2000);

// "Name: value" CRLF, folded (CRLF SP) before a space so lines stay near 78 octets, and
// broken hard where a word alone would pass kMaxLine.
std::string fold_field(std::string_view name, std::string_view value);

// Word-wraps plain text to `width` columns, each line ended by CRLF; over-long words are
// split. `text` must hold no CR or LF.
std::string wrap_text(std::string_view text, std::size_t width = 76);

struct ContentInfo {
    bool eight_bit = false;     // an octet >= 0x80
    bool nul = false;           // a NUL octet
    std::size_t longest = 0;    // longest line without its line end
};
// Appends `in` with every CRLF, bare CR and bare LF as CRLF (a final line without one gets
// one) and reports what it saw.
ContentInfo append_crlf(std::string_view in, std::string& out);
// The header section of a message: up to and excluding the first empty line.
std::string_view header_section(std::string_view message);

bool is_ascii(std::string_view s);
// RFC 6533 3 utf-8-addr-unitext: UTF-8 kept, '+', '=', '\', controls and space as \x{HEX}.
std::string utf8_addr_unitext(std::string_view address);

}  // namespace tern::dsn
