// Unpredictable hex tokens (OpenSSL's CSPRNG) for Message-IDs, DSN boundaries and the like.
#pragma once

#include <cstddef>
#include <string>

namespace tern::server {

std::string random_hex(std::size_t bytes);  // 2 * bytes hex digits

}  // namespace tern::server
