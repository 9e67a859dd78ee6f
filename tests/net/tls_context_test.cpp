// Tests for net/tls_context: name matching, loading (self-signed and configured), errors that
// name the file, and reload keeping the old contexts on error.
#include "net/tls_context.hpp"

#include <asio/ssl/context.hpp>
#include <openssl/ssl.h>
#include <gtest/gtest.h>

#include "net/self_signed.hpp"
#include "tls_support.hpp"

namespace tern::net {
namespace {

using test::TempDir;

// Writes a certificate + key for `host` into dir/<file>.crt/.key; returns the pair.
config::Tls::Pair make_pair(const TempDir& dir, const std::string& host, const std::string& file) {
    config::Tls::Pair p{(dir / (file + ".crt")).string(), (dir / (file + ".key")).string()};
    std::string err;
    EXPECT_TRUE(write_self_signed(host, p.certificate, p.private_key, kSelfSignedValidity, err)) << err;
    return p;
}

TlsSettings configured(const config::Tls::Pair& main, std::vector<config::Tls::Pair> extra = {}) {
    TlsSettings s;
    s.tls.certificate = main.certificate;
    s.tls.private_key = main.private_key;
    s.tls.certificates = std::move(extra);
    s.hostname = "unused.test";
    s.data_dir = "/nonexistent-tern-data-dir";  // must not be touched when certificates are configured
    return s;
}

TEST(TlsNames, Matching) {
    EXPECT_TRUE(tls_name_matches("mx.example.test", "mx.example.test"));
    EXPECT_TRUE(tls_name_matches("mx.example.test", "MX.Example.TEST"));
    EXPECT_TRUE(tls_name_matches("mx.example.test", "mx.example.test."));
    EXPECT_FALSE(tls_name_matches("mx.example.test", "mx.example.tes"));
    EXPECT_FALSE(tls_name_matches("mx.example.test", ""));
    EXPECT_TRUE(tls_name_matches("*.example.test", "a.example.test"));
    EXPECT_TRUE(tls_name_matches("*.example.test", "A.EXAMPLE.test"));
    EXPECT_FALSE(tls_name_matches("*.example.test", "example.test"));
    EXPECT_FALSE(tls_name_matches("*.example.test", ".example.test"));
    EXPECT_FALSE(tls_name_matches("*.example.test", "a.b.example.test"));  // one label only
    EXPECT_FALSE(tls_name_matches("*.example.test", "aexample.test"));
    EXPECT_FALSE(tls_name_matches("*.", "a."));
    EXPECT_FALSE(tls_name_matches("a*.example.test", "ab.example.test"));  // no partial wildcards
}

TEST(TlsContextStore, EmptyUntilLoaded) {
    TlsContextStore store;
    EXPECT_EQ(store.context(), nullptr);
    EXPECT_TRUE(store.certificates().empty());
}

TEST(TlsContextStore, PolicyIsMozillaIntermediate) {
    TempDir tmp;
    TlsContextStore store;
    ASSERT_TRUE(store.load({{}, "localhost", tmp.path()}).ok());
    SSL_CTX* c = store.context()->native_handle();
    EXPECT_EQ(SSL_CTX_get_min_proto_version(c), TLS1_2_VERSION);
    auto options = SSL_CTX_get_options(c);
    EXPECT_TRUE(options & SSL_OP_NO_COMPRESSION);
    EXPECT_TRUE(options & SSL_OP_NO_RENEGOTIATION);
    EXPECT_FALSE(options & SSL_OP_CIPHER_SERVER_PREFERENCE);
    std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(c), &SSL_free);
    ASSERT_TRUE(ssl);
    STACK_OF(SSL_CIPHER)* ciphers = SSL_get_ciphers(ssl.get());
    int tls12 = 0;
    for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
        const SSL_CIPHER* cipher = sk_SSL_CIPHER_value(ciphers, i);
        std::string name = SSL_CIPHER_get_name(cipher);
        if (name.rfind("TLS_", 0) == 0) continue;  // TLS 1.3 suites: OpenSSL's defaults, all AEAD
        ++tls12;
        EXPECT_EQ(name.rfind("ECDHE-", 0), 0u) << name;
        EXPECT_TRUE(name.find("-GCM-") != std::string::npos || name.find("CHACHA20-POLY1305") != std::string::npos)
            << name;
    }
    EXPECT_EQ(tls12, 6);
}

TEST(TlsContextStore, SelfSignedWhenNoneConfigured) {
    TempDir tmp;
    TlsContextStore store;
    TlsSettings s{{}, "mx.example.test", tmp.path()};
    auto r = store.load(s);
    ASSERT_TRUE(r.ok()) << r.error;
    ASSERT_EQ(r.log.size(), 1u);
    EXPECT_EQ(r.log[0].rfind("generated a self-signed certificate for mx.example.test in " +
                             (tmp / "tls").string(), 0), 0u) << r.log[0];
    EXPECT_TRUE(r.warnings.empty());
    ASSERT_NE(store.context(), nullptr);
    auto certs = store.certificates();
    ASSERT_EQ(certs.size(), 1u);
    EXPECT_EQ(certs[0].names, std::vector<std::string>{"mx.example.test"});
    EXPECT_EQ(certs[0].certificate_file, (tmp / "tls/selfsigned.crt").string());

    TlsContextStore again;  // the next start reuses it
    auto r2 = again.load(s);
    ASSERT_TRUE(r2.ok()) << r2.error;
    ASSERT_EQ(r2.log.size(), 1u);
    EXPECT_EQ(r2.log[0].rfind("using the self-signed certificate for mx.example.test", 0), 0u) << r2.log[0];
}

TEST(TlsContextStore, ConfiguredCertificatesAndTheirLog) {
    TempDir tmp;
    auto a = make_pair(tmp, "a.test", "a");
    auto b = make_pair(tmp, "b.test", "b");
    TlsContextStore store;
    auto r = store.load(configured(a, {b}));
    ASSERT_TRUE(r.ok()) << r.error;
    ASSERT_EQ(r.log.size(), 2u);
    EXPECT_EQ(r.log[0].rfind("using certificate " + a.certificate + " for a.test (until ", 0), 0u) << r.log[0];
    EXPECT_EQ(r.log[1].rfind("using SNI certificate " + b.certificate + " for b.test", 0), 0u) << r.log[1];
    auto certs = store.certificates();
    ASSERT_EQ(certs.size(), 2u);
    EXPECT_EQ(certs[1].names, std::vector<std::string>{"b.test"});
    EXPECT_FALSE(std::filesystem::exists("/nonexistent-tern-data-dir"));
}

TEST(TlsContextStore, ErrorsNameTheKeyAndFile) {
    TempDir tmp;
    auto a = make_pair(tmp, "a.test", "a");
    auto b = make_pair(tmp, "b.test", "b");
    auto garbage = (tmp / "garbage.pem").string();
    std::ofstream(garbage) << "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n";
    struct Case {
        TlsSettings settings;
        std::string expected_prefix;
    };
    std::vector<Case> cases = {
        {configured({(tmp / "missing.crt").string(), a.private_key}),
         "tls.certificate " + (tmp / "missing.crt").string() + ": cannot read: No such file or directory"},
        {configured({garbage, a.private_key}), "tls.certificate " + garbage + ": not a PEM certificate"},
        {configured({a.certificate, (tmp / "missing.key").string()}),
         "tls.private_key " + (tmp / "missing.key").string() + ": cannot read"},
        {configured({a.certificate, garbage}), "tls.private_key " + garbage + ": not an unencrypted PEM private key"},
        {configured({a.certificate, b.private_key}),
         "tls.private_key " + b.private_key + ": does not match the certificate " + a.certificate},
        {configured(a, {{b.certificate, a.private_key}}),
         "tls.certificates[0].private_key " + a.private_key + ": does not match the certificate " + b.certificate},
    };
    for (auto& c : cases) {
        TlsContextStore store;
        auto r = store.load(c.settings);
        EXPECT_FALSE(r.ok());
        EXPECT_EQ(r.error.rfind(c.expected_prefix, 0), 0u) << r.error << "\nexpected: " << c.expected_prefix;
        EXPECT_EQ(store.context(), nullptr);
    }
}

TEST(TlsContextStore, EncryptedKeyIsRefusedWithoutPrompting) {
    TempDir tmp;
    auto a = make_pair(tmp, "a.test", "a");
    std::string err;
    auto key = ossl::read_private_key(a.private_key, err);
    ASSERT_TRUE(key);
    auto enc = (tmp / "enc.key").string();
    {
        ossl::FilePtr f(std::fopen(enc.c_str(), "wb"));
        ASSERT_TRUE(f);
        ASSERT_EQ(PEM_write_PKCS8PrivateKey(f.get(), key.get(), EVP_aes_256_cbc(), nullptr, 0, nullptr,
                                            const_cast<char*>("secret")), 1);
    }
    TlsContextStore store;
    auto r = store.load(configured({a.certificate, enc}));
    EXPECT_EQ(r.error.rfind("tls.private_key " + enc + ": not an unencrypted PEM private key", 0), 0u) << r.error;
}

TEST(TlsContextStore, WarnsAboutExpiredCertificateAndWorldReadableKey) {
    TempDir tmp;
    config::Tls::Pair p{(tmp / "old.crt").string(), (tmp / "old.key").string()};
    std::string err;
    ASSERT_TRUE(write_self_signed("old.test", p.certificate, p.private_key, -std::chrono::hours(1), err));
    std::filesystem::permissions(p.private_key, std::filesystem::perms::others_read,
                                 std::filesystem::perm_options::add);
    TlsContextStore store;
    auto r = store.load(configured(p));
    ASSERT_TRUE(r.ok()) << r.error;  // still usable for opportunistic TLS; the log says so
    ASSERT_EQ(r.warnings.size(), 2u);
    EXPECT_NE(r.warnings[0].find("expired on"), std::string::npos) << r.warnings[0];
    EXPECT_NE(r.warnings[1].find("readable by every user"), std::string::npos) << r.warnings[1];
}

TEST(TlsContextStore, ReloadSwapsOrKeepsTheOldContexts) {
    TempDir tmp;
    auto a = make_pair(tmp, "a.test", "a");
    auto b = make_pair(tmp, "b.test", "b");
    TlsContextStore store;
    ASSERT_TRUE(store.load(configured(a)).ok());
    auto ctx_a = store.context();
    ASSERT_NE(ctx_a, nullptr);
    EXPECT_EQ(store.context(), ctx_a);  // the same generation until a reload

    auto r = store.reload(configured(b));
    ASSERT_TRUE(r.ok()) << r.error;
    auto ctx_b = store.context();
    EXPECT_NE(ctx_b, ctx_a);
    EXPECT_EQ(store.certificates()[0].names, std::vector<std::string>{"b.test"});
    // A connection that started before the reload still holds a working context.
    EXPECT_NE(SSL_CTX_get0_certificate(ctx_a->native_handle()), nullptr);

    // A broken file: error, and the current generation stays.
    std::ofstream(b.certificate, std::ios::trunc) << "broken\n";
    auto bad = store.reload(configured(b));
    EXPECT_FALSE(bad.ok());
    EXPECT_EQ(bad.error.rfind("tls.certificate " + b.certificate + ": not a PEM certificate", 0), 0u) << bad.error;
    EXPECT_EQ(store.context(), ctx_b);
    EXPECT_EQ(store.certificates()[0].names, std::vector<std::string>{"b.test"});
}

}  // namespace
}  // namespace tern::net
