#include "sasl/crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <stdexcept>

namespace tern::sasl {

Digest sha256(std::string_view data) {
    Digest d;
    if (!SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), d.data()))
        throw std::runtime_error("SHA-256 failed");
    return d;
}

Digest hmac_sha256(std::string_view key, std::string_view data) {
    Digest d;
    unsigned int len = 0;
    if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
              reinterpret_cast<const unsigned char*>(data.data()), data.size(), d.data(), &len) ||
        len != d.size())
        throw std::runtime_error("HMAC-SHA-256 failed");
    return d;
}

bool equal_constant_time(const Digest& a, const Digest& b) {
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace tern::sasl
