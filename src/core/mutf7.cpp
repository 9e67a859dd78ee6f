// Modified UTF-7 (RFC 3501 5.1.3, RFC 9051 5.1.3): see mutf7.hpp.
#include "core/mutf7.hpp"

#include <cstdint>

namespace tern {
namespace {

// RFC 3501 5.1.3: base64 with ',' instead of '/'.
constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

int decode_char(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == ',') return 63;
    return -1;
}

bool is_direct(std::uint32_t cp) { return cp >= 0x20 && cp <= 0x7E; }

// Reads one code point from well-formed UTF-8 at `i`; -1 when the bytes are not UTF-8.
std::int64_t next_code_point(std::string_view s, std::size_t& i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
        ++i;
        return c;
    }
    std::size_t n;
    std::uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
        n = 1;
        cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        n = 2;
        cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        n = 3;
        cp = c & 0x07;
    } else {
        return -1;
    }
    if (i + n >= s.size()) return -1;
    for (std::size_t k = 1; k <= n; ++k) {
        auto cc = static_cast<unsigned char>(s[i + k]);
        if ((cc & 0xC0) != 0x80) return -1;
        cp = (cp << 6) | (cc & 0x3F);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000)) return -1;
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
    i += n + 1;
    return cp;
}

void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

// Accumulates UTF-16 units and writes them as modified base64.
class ShiftWriter {
public:
    explicit ShiftWriter(std::string& out) : out_(out) {}
    void unit(std::uint32_t u) {
        if (!open_) {
            out_ += '&';
            open_ = true;
        }
        acc_ = (acc_ << 16) | u;
        bits_ += 16;
        while (bits_ >= 6) {
            bits_ -= 6;
            out_ += kAlphabet[(acc_ >> bits_) & 63];
        }
        acc_ &= (1u << bits_) - 1;
    }
    void close() {
        if (!open_) return;
        if (bits_ > 0) out_ += kAlphabet[(acc_ << (6 - bits_)) & 63];
        out_ += '-';
        open_ = false;
        acc_ = 0;
        bits_ = 0;
    }

private:
    std::string& out_;
    bool open_ = false;
    std::uint32_t acc_ = 0;
    int bits_ = 0;
};

}  // namespace

std::optional<std::string> mutf7_encode(std::string_view utf8) {
    std::string out;
    out.reserve(utf8.size());
    ShiftWriter shift(out);
    std::size_t i = 0;
    while (i < utf8.size()) {
        auto cp = next_code_point(utf8, i);
        if (cp < 0) return std::nullopt;
        auto c = static_cast<std::uint32_t>(cp);
        if (is_direct(c)) {
            shift.close();
            if (c == '&')
                out += "&-";
            else
                out += static_cast<char>(c);
        } else if (c >= 0x10000) {
            c -= 0x10000;
            shift.unit(0xD800 | (c >> 10));
            shift.unit(0xDC00 | (c & 0x3FF));
        } else {
            shift.unit(c);
        }
    }
    shift.close();
    return out;
}

std::optional<std::string> mutf7_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    bool after_shift = false;  // the previous token was a base64 shift
    std::size_t i = 0;
    while (i < text.size()) {
        const char c = text[i];
        if (!is_direct(static_cast<unsigned char>(c))) return std::nullopt;
        if (c != '&') {
            out += c;
            ++i;
            after_shift = false;
            continue;
        }
        if (i + 1 < text.size() && text[i + 1] == '-') {  // "&-" is '&'
            out += '&';
            i += 2;
            after_shift = false;
            continue;
        }
        if (after_shift) return std::nullopt;  // "-&..." : two shifts that must be one
        std::uint32_t acc = 0;
        int bits = 0;
        std::uint32_t high = 0;  // a high surrogate waiting for its low half
        std::size_t j = i + 1;
        for (; j < text.size() && text[j] != '-'; ++j) {
            int v = decode_char(text[j]);
            if (v < 0) return std::nullopt;
            acc = (acc << 6) | static_cast<std::uint32_t>(v);
            bits += 6;
            if (bits < 16) continue;
            bits -= 16;
            const std::uint32_t u = (acc >> bits) & 0xFFFF;
            acc &= (1u << bits) - 1;
            if (u >= 0xD800 && u <= 0xDBFF) {
                if (high != 0) return std::nullopt;
                high = u;
            } else if (u >= 0xDC00 && u <= 0xDFFF) {
                if (high == 0) return std::nullopt;
                append_utf8(out, 0x10000 + ((high - 0xD800) << 10) + (u - 0xDC00));
                high = 0;
            } else {
                if (high != 0 || is_direct(u)) return std::nullopt;
                append_utf8(out, u);
            }
        }
        if (j == text.size()) return std::nullopt;       // '&' never closed
        if (j == i + 1 || bits >= 6 || acc != 0) return std::nullopt;  // partial unit / junk bits
        if (high != 0) return std::nullopt;             // unpaired high surrogate
        i = j + 1;
        after_shift = true;
    }
    return out;
}

}  // namespace tern
