// DKIM keys on OpenSSL 3: rsa-sha256 (RFC 6376 3.3.1, at least 1024 bits to verify as RFC
// 8301 requires; we generate 2048) and ed25519-sha256 (RFC 8463: Ed25519 over the SHA-256 of
// the data, the public key published as its raw 32 octets).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

typedef struct evp_pkey_st EVP_PKEY;

namespace tern::dkim {

enum class Algorithm { RsaSha256, Ed25519Sha256 };

std::string_view algorithm_name(Algorithm a);                  // "rsa-sha256", "ed25519-sha256"
std::optional<Algorithm> parse_algorithm(std::string_view name);  // case-insensitive
std::string_view key_type_name(Algorithm a);                   // "rsa", "ed25519" (the k= tag)
std::optional<Algorithm> parse_key_type(std::string_view name);   // the inverse, case-insensitive

struct PkeyFree {
    void operator()(EVP_PKEY* k) const;
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

class PrivateKey {
public:
    static PrivateKey generate(Algorithm a);  // RSA 2048 or Ed25519; throws on failure
    // nullopt and *error set when the PEM is not an RSA or Ed25519 private key.
    static std::optional<PrivateKey> from_pem(std::string_view pem, std::string* error);

    Algorithm algorithm() const { return alg_; }
    std::string to_pem() const;  // PKCS#8
    // The DNS TXT record for the selector: "v=DKIM1; k=...; p=..." (RFC 6376 3.6.1).
    std::string dns_record() const;
    // The signature of `data` (the header hash input): the b= value before base64.
    std::string sign(std::string_view data) const;

private:
    PrivateKey(Algorithm a, PkeyPtr k) : alg_(a), key_(std::move(k)) {}
    Algorithm alg_;
    PkeyPtr key_;
};

class PublicKey {
public:
    // `der` is the decoded p= value: a SubjectPublicKeyInfo or an RSAPublicKey for rsa, the
    // 32 raw octets for ed25519. nullopt and *error set otherwise (or an RSA key under 1024 bits).
    static std::optional<PublicKey> from_record_key(Algorithm a, std::string_view der, std::string* error);

    Algorithm algorithm() const { return alg_; }
    bool verify(std::string_view data, std::string_view signature) const;

private:
    PublicKey(Algorithm a, std::shared_ptr<EVP_PKEY> k) : alg_(a), key_(std::move(k)) {}
    Algorithm alg_;
    std::shared_ptr<EVP_PKEY> key_;
};

// SHA-256 of `data`, raw octets.
std::string sha256(std::string_view data);

}  // namespace tern::dkim
