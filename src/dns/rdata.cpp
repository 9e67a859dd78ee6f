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
