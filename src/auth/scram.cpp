// SCRAM-SHA-256 secrets and primitives: see scram.hpp.
#include "auth/scram.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <charconv>
#include <stdexcept>

namespace tern::auth {
namespace {

std::optional<Sha256Digest> decode_digest(std::string_view b64) {
    auto raw = base64_decode(b64);
    if (!raw || raw->size() != 32) return std::nullopt;
    Sha256Digest d;
    std::copy(raw->begin(), raw->end(), d.begin());
    return d;
}

}  // namespace

ScramSecret derive_scram_sha256(std::string_view password, std::string_view salt, unsigned iterations) {
    Sha256Digest salted;
    if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                          reinterpret_cast<const unsigned char*>(salt.data()), static_cast<int>(salt.size()),
                          static_cast<int>(iterations), EVP_sha256(), static_cast<int>(salted.size()),
                          salted.data()) != 1)
        throw std::runtime_error("PBKDF2-HMAC-SHA-256 failed");
    ScramSecret s;
    s.salt = std::string(salt);
    s.iterations = iterations;
    auto client_key = hmac_sha256(as_view(salted), "Client Key");
    s.stored_key = sha256(as_view(client_key));
    s.server_key = hmac_sha256(as_view(salted), "Server Key");
    OPENSSL_cleanse(salted.data(), salted.size());
    OPENSSL_cleanse(client_key.data(), client_key.size());
    return s;
}

ScramSecret make_scram_sha256(std::string_view password) {
    std::string salt(kScramSaltBytes, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(salt.data()), static_cast<int>(salt.size())) != 1)
        throw std::runtime_error("RAND_bytes failed");
    return derive_scram_sha256(password, salt, kScramDefaultIterations);
}

std::string format_scram_secret(const ScramSecret& s) {
    return base64_encode(s.salt) + ":" + std::to_string(s.iterations) + ":" +
           base64_encode(as_view(s.stored_key)) + ":" + base64_encode(as_view(s.server_key));
}

std::optional<ScramSecret> parse_scram_secret(std::string_view text) {
    std::string_view parts[4];
    for (int i = 0; i < 3; ++i) {
        auto colon = text.find(':');
        if (colon == std::string_view::npos) return std::nullopt;
        parts[i] = text.substr(0, colon);
        text.remove_prefix(colon + 1);
    }
    parts[3] = text;
    ScramSecret s;
    auto salt = base64_decode(parts[0]);
    if (!salt || salt->empty()) return std::nullopt;
    s.salt = std::move(*salt);
    auto [end, ec] = std::from_chars(parts[1].data(), parts[1].data() + parts[1].size(), s.iterations);
    if (ec != std::errc{} || end != parts[1].data() + parts[1].size() || parts[1].empty() ||
        parts[1].front() == '0' || s.iterations < kScramMinIterations || s.iterations > kScramMaxIterations)
        return std::nullopt;
    auto stored = decode_digest(parts[2]);
    auto server = decode_digest(parts[3]);
    if (!stored || !server) return std::nullopt;
    s.stored_key = *stored;
    s.server_key = *server;
    return s;
}

}  // namespace tern::auth
