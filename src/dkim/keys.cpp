#include "dkim/keys.hpp"
#include "core/address.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <stdexcept>

#include "core/base64.hpp"
#include "dkim/canonical.hpp"

namespace tern::dkim {
namespace {

struct MdCtxFree {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct BioFree {
    void operator()(BIO* b) const { BIO_free(b); }
};

constexpr int kMinRsaBits = 1024;  // RFC 8301 3.2

}  // namespace

void PkeyFree::operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }

std::string_view algorithm_name(Algorithm a) {
    return a == Algorithm::RsaSha256 ? "rsa-sha256" : "ed25519-sha256";
}

std::optional<Algorithm> parse_algorithm(std::string_view name) {
    std::string n = ascii_lower(name);
    if (n == "rsa-sha256") return Algorithm::RsaSha256;
    if (n == "ed25519-sha256") return Algorithm::Ed25519Sha256;
    return std::nullopt;
}

std::string_view key_type_name(Algorithm a) { return a == Algorithm::RsaSha256 ? "rsa" : "ed25519"; }

std::optional<Algorithm> parse_key_type(std::string_view name) {
    std::string n = ascii_lower(name);
    if (n == "rsa") return Algorithm::RsaSha256;
    if (n == "ed25519") return Algorithm::Ed25519Sha256;
    return std::nullopt;
}

std::string sha256(std::string_view data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) != 1)
        throw std::runtime_error("SHA-256 failed");
    return std::string(reinterpret_cast<char*>(md), len);
}

PrivateKey PrivateKey::generate(Algorithm a) {
    EVP_PKEY* k = a == Algorithm::RsaSha256 ? EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048))
                                           : EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
    if (!k) throw std::runtime_error("DKIM key generation failed");
    return PrivateKey(a, PkeyPtr(k));
}

std::optional<PrivateKey> PrivateKey::from_pem(std::string_view pem, std::string* error) {
    std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    EVP_PKEY* k = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr;
    if (!k) {
        if (error) *error = "not a PEM private key";
        return std::nullopt;
    }
    PkeyPtr key(k);
    if (EVP_PKEY_is_a(k, "RSA")) {
        if (EVP_PKEY_get_bits(k) < kMinRsaBits) {
            if (error) *error = "RSA key shorter than 1024 bits";
            return std::nullopt;
        }
        return PrivateKey(Algorithm::RsaSha256, std::move(key));
    }
    if (EVP_PKEY_is_a(k, "ED25519")) return PrivateKey(Algorithm::Ed25519Sha256, std::move(key));
    if (error) *error = "key is neither RSA nor Ed25519";
    return std::nullopt;
}

std::string PrivateKey::to_pem() const {
    std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
        throw std::runtime_error("cannot write the DKIM key");
    char* data = nullptr;
    long n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(n));
}

std::string PrivateKey::dns_record() const {
    std::string p;
    if (alg_ == Algorithm::RsaSha256) {
        unsigned char* der = nullptr;
        int n = i2d_PUBKEY(key_.get(), &der);
        if (n <= 0) throw std::runtime_error("cannot encode the DKIM public key");
        p = base64_encode(std::string_view(reinterpret_cast<char*>(der), static_cast<std::size_t>(n)));
        OPENSSL_free(der);
    } else {
        unsigned char raw[32];
        size_t n = sizeof raw;
        if (EVP_PKEY_get_raw_public_key(key_.get(), raw, &n) != 1) throw std::runtime_error("cannot encode the DKIM public key");
        p = base64_encode(std::string_view(reinterpret_cast<char*>(raw), n));
    }
    return "v=DKIM1; k=" + std::string(key_type_name(alg_)) + "; p=" + p;
}

std::string PrivateKey::sign(std::string_view data) const {
    std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
    std::string input;
    const EVP_MD* md = EVP_sha256();
    if (alg_ == Algorithm::Ed25519Sha256) {
        input = sha256(data);  // RFC 8463 3: Ed25519 signs the SHA-256 of the data
        data = input;
        md = nullptr;
    }
    size_t len = 0;
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, key_.get()) != 1 ||
        EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1)
        throw std::runtime_error("DKIM signing failed");
    std::string sig(len, '\0');
    if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                       reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1)
        throw std::runtime_error("DKIM signing failed");
    sig.resize(len);
    return sig;
}

std::optional<PublicKey> PublicKey::from_record_key(Algorithm a, std::string_view der, std::string* error) {
    auto fail = [&](const char* why) -> std::optional<PublicKey> {
        if (error) *error = why;
        return std::nullopt;
    };
    EVP_PKEY* k = nullptr;
    if (a == Algorithm::Ed25519Sha256) {
        if (der.size() != 32) return fail("ed25519 key is not 32 octets");
        k = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(der.data()), 32);
        if (!k) return fail("bad ed25519 key");
    } else {
        const auto* p = reinterpret_cast<const unsigned char*>(der.data());
        k = d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size()));
        if (!k) {
            p = reinterpret_cast<const unsigned char*>(der.data());
            k = d2i_PublicKey(EVP_PKEY_RSA, nullptr, &p, static_cast<long>(der.size()));
        }
        if (!k) return fail("bad RSA key");
        if (!EVP_PKEY_is_a(k, "RSA")) {
            EVP_PKEY_free(k);
            return fail("key is not RSA");
        }
        if (EVP_PKEY_get_bits(k) < kMinRsaBits) {
            EVP_PKEY_free(k);
            return fail("RSA key shorter than 1024 bits");
        }
    }
    return PublicKey(a, std::shared_ptr<EVP_PKEY>(k, EVP_PKEY_free));
}

bool PublicKey::verify(std::string_view data, std::string_view signature) const {
    std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
    std::string input;
    const EVP_MD* md = EVP_sha256();
    if (alg_ == Algorithm::Ed25519Sha256) {
        input = sha256(data);
        data = input;
        md = nullptr;
    }
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key_.get()) != 1) return false;
    return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                            reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
}

}  // namespace tern::dkim
