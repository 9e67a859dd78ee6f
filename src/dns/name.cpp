#include "dns/name.hpp"

namespace tern::dns {

namespace {

bool host_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '_';
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// The name for an error message: control and non-ASCII bytes escaped, so a hostile name
// cannot forge log lines.
std::string printable(std::string_view name) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned char c : name.substr(0, 300)) {
        if (c < 0x20 || c >= 0x7f || c == '\\') {
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

}  // namespace

std::optional<std::string> normalize_name(std::string_view name, std::string& error) {
    std::string_view n = name;
    if (!n.empty() && n.back() == '.') n.remove_suffix(1);
    if (n.empty()) {
        error = "empty domain name";
        return std::nullopt;
    }
    if (n.size() > kMaxNameLength) {
        error = "domain name longer than 253 characters: \"" + printable(n.substr(0, 40)) + "...\"";
        return std::nullopt;
    }
    std::string out;
    out.reserve(n.size());
    std::size_t label = 0;
    for (char c : n) {
        if (c == '.') {
            if (label == 0) {
                error = "empty label in domain name \"" + printable(name) + "\"";
                return std::nullopt;
            }
            label = 0;
            out += c;
            continue;
        }
        if (!host_char(c)) {
            error = "invalid character in domain name \"" + printable(name) + "\"";
            return std::nullopt;
        }
        if (++label > kMaxLabelLength) {
            error = "label longer than 63 characters in domain name \"" + printable(name) + "\"";
            return std::nullopt;
        }
        out += lower(c);
    }
    if (label == 0) {  // "a..", or a name ending in "..": an empty last label
        error = "empty label in domain name \"" + printable(name) + "\"";
        return std::nullopt;
    }
    return out;
}

std::optional<std::string> decode_wire_name(std::span<const std::uint8_t> data,
                                            std::size_t& consumed) {
    std::string out;
    std::size_t pos = 0;
    while (true) {
        if (pos >= data.size()) return std::nullopt;  // truncated before the root label
        std::size_t len = data[pos];
        if (len == 0) {
            ++pos;
            break;
        }
        // 0xC0 is a compression pointer, 0x40/0x80 are obsolete extended label types.
        if (len > kMaxLabelLength) return std::nullopt;
        if (pos + 1 + len > data.size()) return std::nullopt;
        if (!out.empty()) out += '.';
        for (std::size_t i = pos + 1; i <= pos + len; ++i) {
            auto c = static_cast<char>(data[i]);
            if (data[i] <= 0x20 || data[i] >= 0x7f || c == '.' || c == '\\') return std::nullopt;
            out += lower(c);
        }
        pos += 1 + len;
        if (pos + 1 > kMaxWireNameLength) return std::nullopt;  // +1 for the root label
    }
    consumed = pos;
    return out;
}

std::string reverse_name(const asio::ip::address& address) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    auto v4 = [&](const asio::ip::address_v4& a) {
        const auto b = a.to_bytes();
        for (int i = 3; i >= 0; --i) out += std::to_string(b[i]) + '.';
        out += "in-addr.arpa";
    };
    if (address.is_v4()) {
        v4(address.to_v4());
        return out;
    }
    const auto a6 = address.to_v6();
    if (a6.is_v4_mapped()) {
        v4(asio::ip::make_address_v4(asio::ip::v4_mapped, a6));
        return out;
    }
    const auto b = a6.to_bytes();
    for (int i = 15; i >= 0; --i) {
        out += hex[b[i] & 15];
        out += '.';
        out += hex[b[i] >> 4];
        out += '.';
    }
    out += "ip6.arpa";
    return out;
}

}  // namespace tern::dns
