#include "server/random_hex.hpp"

#include <openssl/rand.h>

namespace tern::server {

std::string random_hex(std::size_t bytes) {
    std::string raw(bytes, '\0');
    RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(raw.size()));
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned char ch : raw) {
        out.push_back(hex[ch >> 4]);
        out.push_back(hex[ch & 15]);
    }
    return out;
}

}  // namespace tern::server
