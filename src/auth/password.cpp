// Argon2id password hashing: see password.hpp.
#include "auth/password.hpp"

#include <argon2.h>
#include <openssl/rand.h>

#include <stdexcept>

namespace tern::auth {

std::string hash_password(std::string_view password) {
    unsigned char salt[kArgon2SaltBytes];
    if (RAND_bytes(salt, sizeof salt) != 1) throw std::runtime_error("RAND_bytes failed");
    std::string encoded(argon2_encodedlen(kArgon2TimeCost, kArgon2MemoryKiB, kArgon2Parallelism,
                                          sizeof salt, kArgon2HashBytes, Argon2_id),
                        '\0');
    int rc = argon2id_hash_encoded(kArgon2TimeCost, kArgon2MemoryKiB, kArgon2Parallelism,
                                   password.data(), password.size(), salt, sizeof salt,
                                   kArgon2HashBytes, encoded.data(), encoded.size());
    if (rc != ARGON2_OK) throw std::runtime_error(std::string("argon2id: ") + argon2_error_message(rc));
    encoded.resize(encoded.find('\0'));
    return encoded;
}

bool verify_password_hash(std::string_view encoded, std::string_view password) {
    std::string z(encoded);  // argon2 wants a NUL-terminated string
    return argon2id_verify(z.c_str(), password.data(), password.size()) == ARGON2_OK;
}

std::string_view dummy_password_hash() {
    // argon2id of a throwaway password with a fixed salt, m=19456,t=2,p=1 (as hash_password).
    return "$argon2id$v=19$m=19456,t=2,p=1$dGVybi1kdW1teS1zYWx0IQ$oA88B1IuNzwoJarPVOo7neZapJbJI1XvwRCr47cLFk0";
}

std::string password_problem(std::string_view password) {
    if (password.empty()) return "password must not be empty";
    if (password.size() > kMaxPasswordBytes)
        return "password is longer than " + std::to_string(kMaxPasswordBytes) + " bytes";
    if (password.find_first_of(std::string_view("\0\r\n", 3)) != std::string_view::npos)
        return "password must not contain NUL, CR or LF";
    return {};
}

}  // namespace tern::auth
