// SCRAM-SHA-256 stored credentials (RFC 5802 section 3, RFC 7677) and the primitives a
// SCRAM server needs: SHA-256, HMAC-SHA-256, PBKDF2 (Hi()); base64 comes from core/base64.
//
// Only the server-side secret is kept: salt, iteration count, StoredKey and ServerKey.
// Neither the password nor SaltedPassword/ClientKey is stored, so a stolen users file does
// not let anyone log in with SCRAM (RFC 5802 section 9). Left out: SASLprep (RFC 4013) of
// the password; Tern uses the password bytes as given (identical for ASCII passwords).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/base64.hpp"
#include "sasl/crypto.hpp"
#include "sasl/mechanism.hpp"

namespace tern::auth {

// The primitives and the secret's shape are the SCRAM mechanism's own (src/sasl): the users
// file stores exactly what the mechanism consumes.
using Sha256Digest = sasl::Digest;
using sasl::hmac_sha256;
using sasl::sha256;

// RFC 7677 section 4: at least 4096 iterations; we derive new secrets with more.
inline constexpr unsigned kScramMinIterations = 4096;
inline constexpr unsigned kScramMaxIterations = 10'000'000;
inline constexpr unsigned kScramDefaultIterations = 10'000;
inline constexpr std::size_t kScramSaltBytes = 16;

using ScramSecret = sasl::ScramCredentials;

// SaltedPassword = Hi(password, salt, i); ClientKey = HMAC(SaltedPassword, "Client Key");
// StoredKey = H(ClientKey); ServerKey = HMAC(SaltedPassword, "Server Key").
ScramSecret derive_scram_sha256(std::string_view password, std::string_view salt, unsigned iterations);
// With a fresh random salt (RAND_bytes) and kScramDefaultIterations.
ScramSecret make_scram_sha256(std::string_view password);

// Users-file form: "salt(base64):iterations:StoredKey(base64):ServerKey(base64)".
std::string format_scram_secret(const ScramSecret& s);
std::optional<ScramSecret> parse_scram_secret(std::string_view text);

inline std::string_view as_view(const Sha256Digest& d) { return sasl::view(d); }

// RFC 4648 base64 with padding (strict decode): the one implementation in core/base64.
using tern::base64_decode;
using tern::base64_encode;

}  // namespace tern::auth
