// Decoding record data as the resolver library returns it (RFC 1035 3.3.9 MX, 3.4.1 A;
// RFC 3596 2.2 AAAA): the RDATA of one record, names uncompressed. Pure and bounds-checked:
// anything that does not parse is nullopt, which the resolver reports as TempFail.
#pragma once

#include "dns/answer.hpp"

#include <asio/ip/address.hpp>
#include <cstdint>
#include <optional>
#include <span>

namespace tern::dns {

// Preference (16 bits, network order) then the exchange name, with no bytes after it.
std::optional<MxRecord> decode_mx_rdata(std::span<const std::uint8_t> rdata);

// Exactly 4 octets.
std::optional<asio::ip::address> decode_a_rdata(std::span<const std::uint8_t> rdata);

// Exactly 16 octets.
std::optional<asio::ip::address> decode_aaaa_rdata(std::span<const std::uint8_t> rdata);

}  // namespace tern::dns
