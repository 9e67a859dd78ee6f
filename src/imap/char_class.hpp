// The character classes of the IMAP formal syntax (RFC 9051 9), shared by the reader, the
// parser and the response writer so that what we accept and what we send agree.
//
//   atom-specials = "(" / ")" / "{" / SP / CTL / list-wildcards / quoted-specials / resp-specials
//   ATOM-CHAR     = <any CHAR except atom-specials>       (CHAR = %x01-7F)
//   ASTRING-CHAR  = ATOM-CHAR / resp-specials            (resp-specials = "]")
//   tag           = 1*<any ASTRING-CHAR except "+">
#pragma once

#include <cstddef>
#include <string_view>

namespace tern::imap {

inline bool is_atom_char(char ch) {
    auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7F) return false;
    switch (c) {
        case '(': case ')': case '{': case '%': case '*': case '"': case '\\': case ']': return false;
        default: return true;
    }
}

inline bool is_astring_char(char c) { return is_atom_char(c) || c == ']'; }

inline bool is_tag_char(char c) { return is_astring_char(c) && c != '+'; }

// ASCII case-insensitive comparison.
inline bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'a' && x <= 'z') x = static_cast<char>(x - 32);
        if (y >= 'a' && y <= 'z') y = static_cast<char>(y - 32);
        if (x != y) return false;
    }
    return true;
}

// The length of the well-formed UTF-8 sequence starting at s[i] (RFC 3629 4: no overlong
// forms, no surrogates, nothing above U+10FFFF), or 0 when there is none.
inline std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
    auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char c = b(i);
    std::size_t n = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c == 0xE0) {
        n = 3;
        lo = 0xA0;
    } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
        n = 3;
    } else if (c == 0xED) {
        n = 3;
        hi = 0x9F;
    } else if (c == 0xF0) {
        n = 4;
        lo = 0x90;
    } else if (c >= 0xF1 && c <= 0xF3) {
        n = 4;
    } else if (c == 0xF4) {
        n = 4;
        hi = 0x8F;
    } else {
        return 0;
    }
    if (i + n > s.size() || b(i + 1) < lo || b(i + 1) > hi) return 0;
    for (std::size_t k = 2; k < n; ++k) {
        if (b(i + k) < 0x80 || b(i + k) > 0xBF) return 0;
    }
    return n;
}

}  // namespace tern::imap
