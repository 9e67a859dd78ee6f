// Decoding record data as the resolver library returns it (RFC 1035 3.3.9 MX, 3.4.1 A,
// 3.3.12 PTR, 3.3.14 TXT; RFC 3596 2.2 AAAA): the RDATA of one record, names uncompressed. Pure and bounds-checked:
// anything that does not parse is nullopt, which the resolver reports as TempFail.
#pragma once

#include "dns/answer.hpp"

#include <asio/ip/address.hpp>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace tern::dns {

// Preference (16 bits, network order) then the exchange name, with no bytes after it.
std::optional<MxRecord> decode_mx_rdata(std::span<const std::uint8_t> rdata);

// One or more character-strings (a length octet, then that many octets), concatenated, with
// no bytes after the last. The octets are kept as they are (any value, NUL included).
std::optional<std::string> decode_txt_rdata(std::span<const std::uint8_t> rdata);

// One name filling the whole rdata; the root name (no host) is malformed here.
std::optional<std::string> decode_ptr_rdata(std::span<const std::uint8_t> rdata);

// Exactly 4 octets.
std::optional<asio::ip::address> decode_a_rdata(std::span<const std::uint8_t> rdata);

// Exactly 16 octets.
std::optional<asio::ip::address> decode_aaaa_rdata(std::span<const std::uint8_t> rdata);

}  // namespace tern::dns
