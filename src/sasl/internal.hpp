// Helpers shared by the mechanisms (not part of the sasl interface): identity checks and the
// few SHA-256 primitives SCRAM needs, on OpenSSL libcrypto.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "sasl/crypto.hpp"

namespace tern::sasl::detail {

using sasl::Digest;

// Non-empty, at most kMaxIdentity octets, valid UTF-8, no control characters.
bool valid_identity(std::string_view s);
// Non-empty, at most kMaxPassword octets, no NUL.
bool valid_password(std::string_view s);

using sasl::equal_constant_time;
using sasl::hmac_sha256;
using sasl::sha256;
using sasl::view;

}  // namespace tern::sasl::detail
