// Text helpers for DSN composition (RFC 5322 2.1.1, 2.2.3, 3.3; RFC 6533 3): see
// mime_text.hpp.
#include "dsn/mime_text.hpp"

#include <algorithm>
#include <vector>

#include "core/address.hpp"

namespace tern::dsn {
namespace {

// The length of the valid UTF-8 sequence at s[i], or 0 when it is not one.
std::size_t utf8_length(std::string_view s, std::size_t i) {
    auto b = static_cast<unsigned char>(s[i]);
    std::size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return 0;
    return is_valid_utf8(s.substr(i, n)) ? n : 0;
}

std::vector<std::string_view> words(std::string_view s, std::size_t max_word) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && s[i] == ' ') ++i;
        std::size_t start = i;
        while (i < s.size() && s[i] != ' ') ++i;
        for (std::string_view w = s.substr(start, i - start); !w.empty();) {
            std::size_t n = std::min(w.size(), max_word);
            out.push_back(w.substr(0, n));
            w.remove_prefix(n);
        }
    }
    return out;
}

}  // namespace

std::string sanitize(std::string_view s, bool utf8, std::size_t max) {
    std::string out;
    std::size_t i = 0;
    while (i < s.size()) {
        auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = 1;
        std::string_view piece;
        if (c < 0x20 || c == 0x7F) piece = " ";
        else if (c < 0x80) piece = s.substr(i, 1);
        else if (utf8 && (n = utf8_length(s, i)) != 0) piece = s.substr(i, n);
        else { piece = "?"; n = 1; }
        if (out.size() + piece.size() > max) break;
        out.append(piece);
        i += n;
    }
    return out;
}

std::string fold_field(std::string_view name, std::string_view value) {
    std::string out(name);
    out += ":";
    std::size_t line = out.size();
    bool first = true;
    for (std::string_view w : words(value, 900)) {
        if (!first && line + 1 + w.size() > 78) {
            out += "\r\n ";
            line = 1;
        } else {
            out.push_back(' ');
            ++line;
        }
        out.append(w);
        line += w.size();
        first = false;
    }
    out += "\r\n";
    return out;
}

std::string wrap_text(std::string_view text, std::size_t width) {
    std::string out;
    std::size_t line = 0;
    for (std::string_view w : words(text, width)) {
        if (line > 0 && line + 1 + w.size() > width) {
            out += "\r\n";
            line = 0;
        }
        if (line > 0) {
            out.push_back(' ');
            ++line;
        }
        out.append(w);
        line += w.size();
    }
    out += "\r\n";
    return out;
}

ContentInfo append_crlf(std::string_view in, std::string& out) {
    ContentInfo info;
    out.reserve(out.size() + in.size() + in.size() / 32 + 2);
    std::size_t line = 0;
    std::size_t i = 0;
    while (i < in.size()) {
        std::size_t end = in.find_first_of("\r\n", i);
        if (end == std::string_view::npos) end = in.size();
        for (std::size_t k = i; k < end; ++k) {
            auto c = static_cast<unsigned char>(in[k]);
            if (c >= 0x80) info.eight_bit = true;
            else if (c == 0) info.nul = true;
        }
        out.append(in.substr(i, end - i));
        line += end - i;
        info.longest = std::max(info.longest, line);
        if (end == in.size()) break;
        out += "\r\n";
        line = 0;
        i = end + 1;
        if (in[end] == '\r' && i < in.size() && in[i] == '\n') ++i;
    }
    if (line > 0) out += "\r\n";
    return info;
}

std::string_view header_section(std::string_view message) {
    std::size_t start = 0;
    while (start < message.size()) {
        std::size_t lf = message.find('\n', start);
        std::size_t end = lf == std::string_view::npos ? message.size() : lf;
        std::string_view line = message.substr(start, end - start);
        if (line.empty() || line == "\r") return message.substr(0, start);
        if (lf == std::string_view::npos) break;
        start = lf + 1;
    }
    return message;
}

bool is_ascii(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

std::string utf8_addr_unitext(std::string_view s) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    std::size_t i = 0;
    while (i < s.size()) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x80) {
            std::size_t n = utf8_length(s, i);
            if (n == 0) {
                out.push_back('?');
                ++i;
            } else {
                out.append(s.substr(i, n));
                i += n;
            }
            continue;
        }
        if (c > 0x20 && c < 0x7F && c != '+' && c != '=' && c != '\\') out.push_back(static_cast<char>(c));
        else out += std::string("\\x{") + kHex[c >> 4] + kHex[c & 0xF] + "}";
        ++i;
    }
    return out;
}

}  // namespace tern::dsn
