// Tests for net/self_signed: generation, file modes, reuse, and every reason to regenerate.
#include "net/self_signed.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "net/openssl_util.hpp"
#include "net/tls_context.hpp"
#include "tls_support.hpp"

namespace tern::net {
namespace {

using test::read_file;
using test::TempDir;

unsigned mode_of(const std::filesystem::path& p) {
    struct stat st{};
    EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
    return st.st_mode & 07777;
}

std::vector<std::string> names_in(const std::filesystem::path& cert) {
    std::string err;
    auto x = ossl::read_certificate(cert, err);
    EXPECT_TRUE(x) << err;
    return x ? ossl::certificate_names(x.get()) : std::vector<std::string>{};
}

TEST(SelfSigned, GeneratesKeyWithMode0600AndNoTempFiles) {
    TempDir tmp;
    auto dir = tmp / "data/tls";  // parent missing too
    auto s = ensure_self_signed("mx.example.test", dir);
    ASSERT_EQ(s.error, "");
    EXPECT_TRUE(s.generated);
    EXPECT_EQ(s.certificate, dir / "selfsigned.crt");
    EXPECT_EQ(s.private_key, dir / "selfsigned.key");
    EXPECT_EQ(s.message.rfind("generated a self-signed certificate for mx.example.test in " + dir.string(), 0), 0u)
        << s.message;
    EXPECT_EQ(mode_of(s.private_key), 0600u);
    EXPECT_EQ(mode_of(dir), 0700u);
    EXPECT_EQ(names_in(s.certificate), std::vector<std::string>{"mx.example.test"});
    std::size_t files = 0;
    for (auto& e : std::filesystem::directory_iterator(dir)) {
        (void)e;
        ++files;
    }
    EXPECT_EQ(files, 2u);  // no temp file left behind

    std::string err;
    auto cert = ossl::read_certificate(s.certificate, err);
    ASSERT_TRUE(cert);
    auto key = ossl::read_private_key(s.private_key, err);
    ASSERT_TRUE(key);
    EXPECT_EQ(X509_check_private_key(cert.get(), key.get()), 1);
    EXPECT_EQ(X509_check_host(cert.get(), "mx.example.test", 0, 0, nullptr), 1);
    EXPECT_EQ(X509_check_purpose(cert.get(), X509_PURPOSE_SSL_SERVER, 0), 1);
    // About a year, and already valid.
    std::time_t in_300_days = std::time(nullptr) + 300L * 86400, in_400_days = std::time(nullptr) + 400L * 86400;
    EXPECT_GT(X509_cmp_time(X509_get0_notAfter(cert.get()), &in_300_days), 0);
    EXPECT_LT(X509_cmp_time(X509_get0_notAfter(cert.get()), &in_400_days), 0);
    EXPECT_LT(X509_cmp_current_time(X509_get0_notBefore(cert.get())), 0);
}

TEST(SelfSigned, ReusedOnSecondStart) {
    TempDir tmp;
    auto first = ensure_self_signed("mx.example.test", tmp.path());
    ASSERT_EQ(first.error, "");
    auto cert = read_file(first.certificate), key = read_file(first.private_key);
    auto second = ensure_self_signed("MX.example.test", tmp.path());  // names ignore case
    ASSERT_EQ(second.error, "");
    EXPECT_FALSE(second.generated);
    EXPECT_EQ(second.message.rfind("using the self-signed certificate for MX.example.test in", 0), 0u)
        << second.message;
    EXPECT_EQ(read_file(second.certificate), cert);
    EXPECT_EQ(read_file(second.private_key), key);
}

TEST(SelfSigned, RegeneratedWhenTheHostnameChanges) {
    TempDir tmp;
    auto first = ensure_self_signed("old.example.test", tmp.path());
    ASSERT_EQ(first.error, "");
    std::string err;
    auto old_cert = ossl::read_certificate(first.certificate, err);
    auto again = ensure_self_signed("new.example.test", tmp.path());
    ASSERT_EQ(again.error, "");
    EXPECT_TRUE(again.generated);
    EXPECT_NE(again.message.find("the existing one is for old.example.test, not new.example.test"),
              std::string::npos) << again.message;
    EXPECT_EQ(names_in(again.certificate), std::vector<std::string>{"new.example.test"});
    auto new_cert = ossl::read_certificate(again.certificate, err);
    ASSERT_TRUE(old_cert && new_cert);
    EXPECT_NE(ASN1_INTEGER_cmp(X509_get0_serialNumber(old_cert.get()),
                               X509_get0_serialNumber(new_cert.get())), 0);  // random serials
}

TEST(SelfSigned, RegeneratedWhenExpiringUnreadableOrMismatched) {
    TempDir tmp;
    auto crt = tmp / "selfsigned.crt", key = tmp / "selfsigned.key";
    std::string err;

    // Expires in 10 days (< 30): renewed.
    ASSERT_TRUE(write_self_signed("h.test", crt, key, std::chrono::hours(24 * 10), err)) << err;
    auto s = ensure_self_signed("h.test", tmp.path());
    EXPECT_TRUE(s.generated);
    EXPECT_NE(s.message.find("the existing one ends"), std::string::npos) << s.message;

    // Already expired.
    ASSERT_TRUE(write_self_signed("h.test", crt, key, -std::chrono::hours(24), err)) << err;
    s = ensure_self_signed("h.test", tmp.path());
    EXPECT_TRUE(s.generated) << s.message;

    // Garbage key.
    std::ofstream(key, std::ios::trunc) << "not a key\n";
    s = ensure_self_signed("h.test", tmp.path());
    EXPECT_TRUE(s.generated);
    EXPECT_NE(s.message.find("is unusable"), std::string::npos) << s.message;
    EXPECT_EQ(mode_of(key), 0600u);

    // The key of another pair (a crash between the two renames looks like this).
    ASSERT_TRUE(write_self_signed("h.test", tmp / "o.crt", tmp / "o.key", kSelfSignedValidity, err));
    std::filesystem::copy_file(tmp / "o.key", key, std::filesystem::copy_options::overwrite_existing);
    s = ensure_self_signed("h.test", tmp.path());
    EXPECT_TRUE(s.generated);
    EXPECT_NE(s.message.find("does not match"), std::string::npos) << s.message;

    // Only the certificate left.
    std::filesystem::remove(key);
    s = ensure_self_signed("h.test", tmp.path());
    EXPECT_TRUE(s.generated) << s.message;
    EXPECT_FALSE(ensure_self_signed("h.test", tmp.path()).generated);
}

TEST(SelfSigned, ReportsADirectoryThatCannotBeCreated) {
    TempDir tmp;
    std::ofstream(tmp / "file") << "x";  // even root cannot make a directory under a file
    auto s = ensure_self_signed("h.test", tmp / "file/tls");
    EXPECT_FALSE(s.generated);
    EXPECT_EQ(s.error.rfind("cannot create " + (tmp / "file/tls").string() + ": ", 0), 0u) << s.error;

    TlsContextStore store;
    auto r = store.load({{}, "h.test", tmp / "file"});
    EXPECT_EQ(r.error.rfind("self-signed certificate in " + (tmp / "file/tls").string() + ": cannot create", 0), 0u)
        << r.error;
    EXPECT_EQ(store.context(), nullptr);
}

}  // namespace
}  // namespace tern::net
