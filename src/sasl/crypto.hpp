// The SHA-256 primitives SCRAM-SHA-256 is built from (RFC 5802 2.2, RFC 7677), on OpenSSL
// libcrypto. Shared by the SCRAM mechanism and by the users file, which derives the stored
// secrets from a password.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace tern::sasl {

using Digest = std::array<std::uint8_t, 32>;

// These throw std::runtime_error when libcrypto fails (it does not, short of memory).
Digest sha256(std::string_view data);
Digest hmac_sha256(std::string_view key, std::string_view data);
inline std::string_view view(const Digest& d) { return {reinterpret_cast<const char*>(d.data()), d.size()}; }
// CRYPTO_memcmp: the time taken does not depend on where the inputs differ.
bool equal_constant_time(const Digest& a, const Digest& b);

}  // namespace tern::sasl
