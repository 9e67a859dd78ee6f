// Helpers shared by the mechanisms (not part of the sasl interface): identity checks and the
// few SHA-256 primitives SCRAM needs, on OpenSSL libcrypto.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace tern::sasl::detail {

using Digest = std::array<std::uint8_t, 32>;

// Non-empty, at most kMaxIdentity octets, valid UTF-8, no control characters.
bool valid_identity(std::string_view s);
// Non-empty, at most kMaxPassword octets, no NUL.
bool valid_password(std::string_view s);

// These throw std::runtime_error when libcrypto fails (it does not, short of memory).
Digest sha256(std::string_view data);
Digest hmac_sha256(std::string_view key, std::string_view data);
inline std::string_view view(const Digest& d) { return {reinterpret_cast<const char*>(d.data()), d.size()}; }
// CRYPTO_memcmp: the time taken does not depend on where the inputs differ.
bool equal_constant_time(const Digest& a, const Digest& b);

}  // namespace tern::sasl::detail
