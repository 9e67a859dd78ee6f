// Password hashing for login (SASL PLAIN/LOGIN, POP3 USER/PASS, IMAP LOGIN) with Argon2id
// (RFC 9106), stored in the PHC string form "$argon2id$v=19$m=...,t=...,p=...$salt$hash".
//
// Parameters follow the OWASP minimum for Argon2id: m = 19 MiB, t = 2, p = 1, with a 16-byte
// random salt and a 32-byte tag. Verification reads the parameters from the stored string,
// so raising them later keeps old hashes valid.
#pragma once

#include <string>
#include <string_view>

namespace tern::auth {

inline constexpr unsigned kArgon2TimeCost = 2;
inline constexpr unsigned kArgon2MemoryKiB = 19456;
inline constexpr unsigned kArgon2Parallelism = 1;
inline constexpr std::size_t kArgon2SaltBytes = 16;
inline constexpr std::size_t kArgon2HashBytes = 32;

// Longest password accepted anywhere (a bound on hashing cost and on SASL buffers).
inline constexpr std::size_t kMaxPasswordBytes = 1024;

// Argon2id encoded hash of `password` with a fresh random salt. Throws on library failure.
std::string hash_password(std::string_view password);

// Constant-time check of `password` against an encoded Argon2id hash. False on mismatch
// or on a malformed hash.
bool verify_password_hash(std::string_view encoded, std::string_view password);

// A valid hash with the same parameters, for equal-cost checks of unknown users.
std::string_view dummy_password_hash();

// Why `password` may not be set, or empty when it is acceptable: non-empty, at most
// kMaxPasswordBytes, no NUL (SASL PLAIN's separator), CR or LF (line protocols).
std::string password_problem(std::string_view password);

}  // namespace tern::auth
