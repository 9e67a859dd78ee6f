// Domain names as the resolver sees them: checking a name before it is queried, and decoding
// an uncompressed wire-format name from record data (RFC 1035 3.1). Pure: no I/O.
//
// Mail domains are host names (RFC 5321 2.3.5: letters, digits, hyphens); "_" is accepted as
// well because it occurs in the wild. U-labels (SMTPUTF8) must be converted to A-labels by the
// caller: a non-ASCII byte is refused here rather than sent to the DNS as raw UTF-8.
#pragma once

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

}  // namespace tern::dns
