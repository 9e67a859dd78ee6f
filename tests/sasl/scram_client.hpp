// A minimal SCRAM-SHA-256 client for tests (RFC 5802 3): computes the client-final message
// and the expected server signature from the password, so tests can run exchanges with any
// nonce, gs2 header or user. Straight from the RFC formulas, on OpenSSL, independent of the
// server code under test.
#pragma once

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <array>
#include <string>
#include <string_view>

#include "core/base64.hpp"
#include "sasl/mechanism.hpp"

namespace tern::sasl::test {

using Bytes = std::array<std::uint8_t, 32>;

inline std::string_view view(const Bytes& b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

inline Bytes hmac(std::string_view key, std::string_view data) {
    Bytes d{};
    unsigned len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
         data.size(), d.data(), &len);
    return d;
}

inline Bytes sha(std::string_view data) {
    Bytes d{};
    SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), d.data());
    return d;
}

inline Bytes salted_password(std::string_view password, std::string_view salt, unsigned iterations) {
    Bytes d{};
    PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                      reinterpret_cast<const unsigned char*>(salt.data()), static_cast<int>(salt.size()),
                      static_cast<int>(iterations), EVP_sha256(), static_cast<int>(d.size()), d.data());
    return d;
}

// What the server stores for `password`.
inline ScramCredentials credentials(std::string_view password, std::string_view salt, unsigned iterations) {
    auto sp = salted_password(password, salt, iterations);
    ScramCredentials c;
    c.salt = std::string(salt);
    c.iterations = iterations;
    c.stored_key = sha(view(hmac(view(sp), "Client Key")));
    c.server_key = hmac(view(sp), "Server Key");
    return c;
}

// RFC 7677 3 example: user "user", password "pencil".
inline const std::string kRfcClientFirst = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
inline const std::string kRfcServerNonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
inline const std::string kRfcSaltB64 = "W22ZaJ0SNY7soEsUEjb6gQ==";
inline const std::string kRfcServerFirst =
    "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
inline const std::string kRfcClientFinal =
    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
inline const std::string kRfcServerFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

inline ScramCredentials rfc_credentials() { return credentials("pencil", *base64_decode(kRfcSaltB64), 4096); }

struct ClientFinal {
    std::string message;          // client-final-message
    std::string server_final;     // what the server must answer: "v=..."
};

// `client_first` is the whole client-first message, `server_first` the server's answer.
// `extra` is inserted before the proof (extensions), `gs2_echo` overrides the c= content.
inline ClientFinal client_final(std::string_view password, const std::string& client_first,
                                const std::string& server_first, const std::string& extra = "",
                                const std::string* gs2_echo = nullptr) {
    auto bare_at = client_first.find(',', client_first.find(',') + 1) + 1;
    std::string gs2 = client_first.substr(0, bare_at);
    std::string bare = client_first.substr(bare_at);
    std::string nonce, salt_b64;
    unsigned iterations = 0;
    std::string_view rest(server_first);
    while (!rest.empty()) {
        auto comma = rest.find(',');
        auto attr = rest.substr(0, comma);
        if (attr.starts_with("r=")) nonce = std::string(attr.substr(2));
        if (attr.starts_with("s=")) salt_b64 = std::string(attr.substr(2));
        if (attr.starts_with("i=")) iterations = static_cast<unsigned>(std::stoul(std::string(attr.substr(2))));
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    }
    auto sp = salted_password(password, *base64_decode(salt_b64), iterations);
    std::string without_proof = "c=" + base64_encode(gs2_echo ? *gs2_echo : gs2) + ",r=" + nonce + extra;
    std::string auth_message = bare + "," + server_first + "," + without_proof;
    auto client_key = hmac(view(sp), "Client Key");
    auto signature = hmac(view(sha(view(client_key))), auth_message);
    Bytes proof{};
    for (std::size_t i = 0; i < proof.size(); ++i) proof[i] = client_key[i] ^ signature[i];
    auto server_signature = hmac(view(hmac(view(sp), "Server Key")), auth_message);
    return {without_proof + ",p=" + base64_encode(view(proof)), "v=" + base64_encode(view(server_signature))};
}

}  // namespace tern::sasl::test
