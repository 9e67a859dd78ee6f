// Mail address parsing: see address.hpp.
#include "core/address.hpp"

#include <algorithm>
#include <cstdint>

namespace tern {
namespace {

bool is_atext(unsigned char c, bool allow_utf8) {
    if (c >= 0x80) return allow_utf8;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    switch (c) {
        case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
        case '-': case '/': case '=': case '?': case '^': case '_': case '`': case '{':
        case '|': case '}': case '~':
            return true;
        default:
            return false;
    }
}

bool is_dot_string(std::string_view s, bool allow_utf8) {
    if (s.empty() || s.front() == '.' || s.back() == '.') return false;
    char prev = 0;
    for (char ch : s) {
        if (ch == '.') {
            if (prev == '.') return false;
        } else if (!is_atext(static_cast<unsigned char>(ch), allow_utf8)) {
            return false;
        }
        prev = ch;
    }
    return true;
}

// Quoted-string: DQUOTE *QcontentSMTP DQUOTE, where quoted-pair is "\" %d32-126.
std::optional<std::string> unquote(std::string_view s, bool allow_utf8) {
    if (s.size() < 2 || s.front() != '"' || s.back() != '"') return std::nullopt;
    std::string out;
    for (std::size_t i = 1; i + 1 < s.size(); ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c == '\\') {
            if (i + 2 >= s.size()) return std::nullopt;
            auto n = static_cast<unsigned char>(s[++i]);
            if (n < 32 || n > 126) return std::nullopt;
            out.push_back(static_cast<char>(n));
        } else if (c == '"') {
            return std::nullopt;
        } else if ((c >= 32 && c <= 126) || (c >= 0x80 && allow_utf8)) {
            out.push_back(static_cast<char>(c));
        } else {
            return std::nullopt;
        }
    }
    return out;
}

bool is_address_literal(std::string_view d) {
    if (d.size() < 3 || d.front() != '[' || d.back() != ']') return false;
    for (std::size_t i = 1; i + 1 < d.size(); ++i) {
        auto c = static_cast<unsigned char>(d[i]);
        // dcontent: %d33-90 / %d94-126 (no '[', '\', ']').
        if (c < 33 || c > 126 || c == '[' || c == '\\' || c == ']') return false;
    }
    return true;
}

}  // namespace

bool is_valid_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) { ++i; continue; }
        std::size_t n;
        std::uint32_t cp;
        if ((c & 0xE0) == 0xC0) { n = 1; cp = c & 0x1F; }
        else if ((c & 0xF0) == 0xE0) { n = 2; cp = c & 0x0F; }
        else if ((c & 0xF8) == 0xF0) { n = 3; cp = c & 0x07; }
        else return false;
        if (i + n >= s.size()) return false;
        for (std::size_t k = 1; k <= n; ++k) {
            auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000)) return false;
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
        i += n + 1;
    }
    return true;
}

bool is_valid_domain(std::string_view d, bool allow_utf8) {
    if (d.empty() || d.size() > kMaxDomain) return false;
    if (allow_utf8 && !is_valid_utf8(d)) return false;
    std::size_t start = 0;
    while (true) {
        auto dot = d.find('.', start);
        auto label = d.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
        if (label.empty() || label.size() > 63) return false;
        if (label.front() == '-' || label.back() == '-') return false;
        for (char ch : label) {
            auto c = static_cast<unsigned char>(ch);
            bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || (c >= 0x80 && allow_utf8);
            if (!ok) return false;
        }
        if (dot == std::string_view::npos) break;
        start = dot + 1;
    }
    return true;
}

std::optional<Address> parse_mailbox(std::string_view text, bool allow_utf8) {
    if (text.empty() || text.size() > kMaxPath) return std::nullopt;
    if (allow_utf8 && !is_valid_utf8(text)) return std::nullopt;
    auto at = text.rfind('@');
    if (at == std::string_view::npos || at == 0 || at + 1 == text.size()) return std::nullopt;
    auto local = text.substr(0, at);
    auto domain = text.substr(at + 1);
    Address a;
    if (local.front() == '"') {
        auto u = unquote(local, allow_utf8);
        if (!u) return std::nullopt;
        a.local = std::move(*u);
    } else {
        if (!is_dot_string(local, allow_utf8)) return std::nullopt;
        a.local = std::string(local);
    }
    if (local.size() > kMaxLocalPart && !allow_utf8) return std::nullopt;
    if (a.local.size() > kMaxLocalPart * 4) return std::nullopt;  // UTF-8: up to 4 bytes a char
    if (!is_valid_domain(domain, allow_utf8) && !is_address_literal(domain)) return std::nullopt;
    a.domain = std::string(domain);
    return a;
}

std::string Address::str() const {
    if (is_dot_string(local, true)) return local + "@" + domain;
    std::string out = "\"";
    for (char c : local) {
        if (c == '"' || c == '\\') out.push_back('\\');
        out.push_back(c);
    }
    out += "\"@";
    out += domain;
    return out;
}

std::string Address::key() const { return ascii_lower(local) + "@" + ascii_lower(domain); }

std::string ascii_lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

SubAddress split_subaddress(std::string_view local, char separator) {
    auto p = local.find(separator);
    // A leading separator ("+tag") is a whole name, not a sub-address of "".
    if (p == std::string_view::npos || p == 0) return {local, {}};
    return {local.substr(0, p), local.substr(p + 1)};
}

bool is_safe_path_component(std::string_view s) {
    if (s.empty() || s.size() > 255 || s.front() == '.') return false;
    return std::none_of(s.begin(), s.end(), [](char ch) {
        auto c = static_cast<unsigned char>(ch);
        return c == '/' || c < 0x20 || c == 0x7F || c == '\\';
    });
}

}  // namespace tern
