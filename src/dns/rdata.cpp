#include "dns/rdata.hpp"

#include "dns/name.hpp"

#include <algorithm>

namespace tern::dns {

std::optional<MxRecord> decode_mx_rdata(std::span<const std::uint8_t> rdata) {
    if (rdata.size() < 3) return std::nullopt;  // preference + at least the root label
    MxRecord r;
    r.preference = static_cast<std::uint16_t>((rdata[0] << 8) | rdata[1]);
    std::size_t consumed = 0;
    auto host = decode_wire_name(rdata.subspan(2), consumed);
    if (!host || 2 + consumed != rdata.size()) return std::nullopt;
    r.host = std::move(*host);
    return r;
}

std::optional<std::string> decode_txt_rdata(std::span<const std::uint8_t> rdata) {
    if (rdata.empty()) return std::nullopt;  // RFC 1035 3.3.14: one or more strings
    std::string out;
    std::size_t pos = 0;
    while (pos < rdata.size()) {
        const std::size_t len = rdata[pos];
        if (pos + 1 + len > rdata.size()) return std::nullopt;  // string runs past the end
        out.append(reinterpret_cast<const char*>(rdata.data() + pos + 1), len);
        pos += 1 + len;
    }
    return out;
}

std::optional<std::string> decode_ptr_rdata(std::span<const std::uint8_t> rdata) {
    std::size_t consumed = 0;
    auto host = decode_wire_name(rdata, consumed);
    if (!host || consumed != rdata.size() || host->empty()) return std::nullopt;
    return host;
}

std::optional<asio::ip::address> decode_a_rdata(std::span<const std::uint8_t> rdata) {
    if (rdata.size() != 4) return std::nullopt;
    asio::ip::address_v4::bytes_type b;
    std::copy(rdata.begin(), rdata.end(), b.begin());
    return asio::ip::address(asio::ip::address_v4(b));
}

std::optional<asio::ip::address> decode_aaaa_rdata(std::span<const std::uint8_t> rdata) {
    if (rdata.size() != 16) return std::nullopt;
    asio::ip::address_v6::bytes_type b;
    std::copy(rdata.begin(), rdata.end(), b.begin());
    return asio::ip::address(asio::ip::address_v6(b));
}

}  // namespace tern::dns
