// Base64 (RFC 4648 section 4, the standard alphabet with '=' padding), shared by SMTP AUTH
// (RFC 4954 4), SASL mechanisms and the users file.
//
// decode() is strict, because it reads what a peer sends: no whitespace or line breaks, no
// characters outside the alphabet, length a multiple of 4, padding only at the very end
// ("=" or "=="), and the bits dropped by padding must be zero (canonical form, RFC 4648 3.5),
// so every byte string has exactly one accepted encoding. The empty string decodes to the
// empty string; "=" alone is not base64 (RFC 4954's "=" empty response is the caller's job).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tern {

std::string base64_encode(std::string_view data);
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace tern
