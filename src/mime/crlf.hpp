// Line endings. Messages are stored with LF line endings (delivery converted SMTP's CRLF);
// IMAP serves them with CRLF, and every size and offset it reports (RFC822.SIZE, body part
// octets, <partial> offsets, BINARY.SIZE) counts the CRLF form (RFC 9051 2.3.4, 6.4.5).
//
// Decision: the parser converts the stored bytes to CRLF once, up front, and works on that
// copy. Then every size is a difference of two offsets and every FETCH section is a plain
// substring, so sizes and served bytes cannot disagree. The copy costs one pass and one
// allocation per parse, small next to the parse itself (see the report in message.hpp).
//
// The conversion: an LF not preceded by CR becomes CRLF; CRLF stays; a bare CR stays as it is
// (IMAP literals may carry it). Input that is LF-only, CRLF-only or mixed gives the same
// result wherever it has no bare CR.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tern::mime {

// The CRLF form of `bytes`.
std::string to_crlf(std::string_view bytes);

// The size of to_crlf(bytes) without building it: RFC822.SIZE of a stored message.
std::uint64_t crlf_size(std::string_view bytes);

// True when every LF in `bytes` is preceded by CR (to_crlf would return a copy).
bool is_crlf(std::string_view bytes);

// FETCH <start.length> (RFC 9051 6.4.5): the octets from `start`, at most `length` of them
// (all the rest when nullopt). A start beyond the end gives an empty string.
std::string_view partial(std::string_view data, std::uint64_t start,
                         std::optional<std::uint64_t> length = std::nullopt);

}  // namespace tern::mime
