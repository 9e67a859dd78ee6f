// Domain names as the resolver sees them: checking a name before it is queried, decoding
// an uncompressed wire-format name from record data (RFC 1035 3.1), and the reverse-lookup
// name of an address. Pure: no I/O.
//
// Mail domains are host names (RFC 5321 2.3.5: letters, digits, hyphens); "_" is accepted as
// well because it occurs in the wild and in the TXT names of mail authentication
// ("_dmarc.example.com", "sel._domainkey.example.com"). U-labels (SMTPUTF8) must be converted to A-labels by the
// caller: a non-ASCII byte is refused here rather than sent to the DNS as raw UTF-8.
#pragma once

#include <asio/ip/address.hpp>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace tern::dns {

// RFC 1035 2.3.4: 255 octets in wire form, i.e. 253 characters of text without the final dot.
inline constexpr std::size_t kMaxNameLength = 253;
inline constexpr std::size_t kMaxLabelLength = 63;
inline constexpr std::size_t kMaxWireNameLength = 255;

// The name lowercased, without a trailing dot; nullopt (and `error`, naming the name) when it
// is empty, too long, has an empty or too long label, or a byte outside [A-Za-z0-9-_].
std::optional<std::string> normalize_name(std::string_view name, std::string& error);

// Decodes the wire-format name at the start of `data` (a sequence of length-prefixed labels
// ending with the root label). `consumed` is set to its length in octets. The root name
// decodes to "". nullopt when it is truncated, uses compression (the resolver library hands
// names back uncompressed, so a pointer here is malformed), exceeds 255 octets, or holds a
// label byte that cannot be written as text unambiguously ('.', '\\', space, control or
// non-ASCII). Labels are lowercased.
std::optional<std::string> decode_wire_name(std::span<const std::uint8_t> data,
                                            std::size_t& consumed);

// The PTR name of `address` (RFC 1035 3.5, RFC 3596 2.5): "4.3.2.1.in-addr.arpa" for
// 1.2.3.4, 32 nibbles then "ip6.arpa" for IPv6. An IPv4-mapped IPv6 address (::ffff:1.2.3.4)
// is named as the IPv4 address it stands for.
std::string reverse_name(const asio::ip::address& address);

}  // namespace tern::dns
