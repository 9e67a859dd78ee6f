// The self-signed certificate: generation with OpenSSL 3 and the reuse-or-regenerate decision.
#include "net/self_signed.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <system_error>

#include "net/openssl_util.hpp"

namespace tern::net {
namespace {

using namespace ossl;

std::string errno_text(int err) { return std::strerror(err); }

// Writes `data` to `path` atomically: a temp file in the same directory (created with `mode`,
// never wider), fsync, rename over `path`, fsync of the directory. Either the old or the new
// content is there after a crash, never a torn key.
bool write_file_atomic(const std::filesystem::path& path, const std::string& data, mode_t mode,
                       std::string& error) {
    std::string tmpl = path.string() + ".tmp.XXXXXX";
    int fd = ::mkostemp(tmpl.data(), O_CLOEXEC);  // mode 0600 from the start
    if (fd < 0) {
        error = "cannot create a temporary file next to " + path.string() + ": " + errno_text(errno);
        return false;
    }
    auto fail = [&](const char* what) {
        error = std::string(what) + " " + tmpl + ": " + errno_text(errno);
        ::close(fd);
        ::unlink(tmpl.c_str());
        return false;
    };
    if (::fchmod(fd, mode) != 0) return fail("cannot chmod");
    const char* p = data.data();
    std::size_t left = data.size();
    while (left > 0) {
        ssize_t n = ::write(fd, p, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return fail("cannot write");
        p += n;
        left -= static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) return fail("cannot fsync");
    if (::close(fd) != 0) {
        error = "cannot close " + tmpl + ": " + errno_text(errno);
        ::unlink(tmpl.c_str());
        return false;
    }
    if (::rename(tmpl.c_str(), path.c_str()) != 0) {
        error = "cannot rename " + tmpl + " to " + path.string() + ": " + errno_text(errno);
        ::unlink(tmpl.c_str());
        return false;
    }
    auto dir = path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
    int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0 || ::fsync(dfd) != 0) {
        error = "cannot fsync directory " + dir.string() + ": " + errno_text(errno);
        if (dfd >= 0) ::close(dfd);
        return false;
    }
    ::close(dfd);
    return true;
}

bool add_extension(X509* x, int nid, const std::string& value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
    if (!ext) return false;
    int ok = X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    return ok == 1;
}

std::string bio_text(BIO* bio) {
    char* data = nullptr;
    long n = BIO_get_mem_data(bio, &data);
    return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

// Why the existing pair cannot be reused, or "" when it can.
std::string reuse_problem(const std::string& hostname, const SelfSigned& s) {
    std::error_code ec;
    bool have_cert = std::filesystem::exists(s.certificate, ec);
    bool have_key = std::filesystem::exists(s.private_key, ec);
    if (!have_cert && !have_key) return "there was none yet";
    std::string err;
    auto cert = read_certificate(s.certificate, err);
    if (!cert) return "the existing " + s.certificate.string() + " is unusable: " + err;
    auto key = read_private_key(s.private_key, err);
    if (!key) return "the existing " + s.private_key.string() + " is unusable: " + err;
    if (X509_check_private_key(cert.get(), key.get()) != 1) {
        ERR_clear_error();
        return "the existing key does not match the certificate";
    }
    auto names = certificate_names(cert.get());
    std::string want = hostname;
    std::transform(want.begin(), want.end(), want.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (std::find(names.begin(), names.end(), want) == names.end())
        return "the existing one is for " + (names.empty() ? std::string("no name") : names.front()) +
               ", not " + hostname;
    std::time_t renew_at = std::time(nullptr) + kSelfSignedRenewBefore.count();
    if (X509_cmp_time(X509_get0_notAfter(cert.get()), &renew_at) <= 0)
        return "the existing one ends " + date_text(X509_get0_notAfter(cert.get()));
    return "";
}

}  // namespace

bool write_self_signed(const std::string& hostname, const std::filesystem::path& certificate,
                       const std::filesystem::path& private_key, std::chrono::seconds valid_for,
                       std::string& error) {
    ERR_clear_error();
    auto openssl_fail = [&](const std::string& what) {
        error = "cannot generate the self-signed certificate: " + what + " (" + take_errors() + ")";
        return false;
    };
    // EC P-256: small, fast, supported by every TLS 1.2+ client (ECDHE-ECDSA suites).
    PkeyPtr key(EVP_EC_gen("P-256"));
    if (!key) return openssl_fail("key generation failed");
    X509Ptr x(X509_new());
    if (!x || X509_set_version(x.get(), X509_VERSION_3) != 1) return openssl_fail("X509_new");

    // A random positive 127-bit serial (RFC 5280 4.1.2.2: positive, at most 20 octets):
    // browsers refuse two certificates with the same issuer and serial.
    unsigned char serial[16];
    if (RAND_bytes(serial, sizeof serial) != 1) return openssl_fail("RAND_bytes");
    serial[0] &= 0x7F;
    serial[0] |= 0x40;
    BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
    bool serial_ok = bn && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x.get()));
    BN_free(bn);
    if (!serial_ok) return openssl_fail("serial");

    // Valid from a day ago (clients with a clock slightly behind), for `valid_for`.
    long before = -24L * 3600 + std::min<long>(0, static_cast<long>(valid_for.count()));
    if (!X509_gmtime_adj(X509_getm_notBefore(x.get()), before) ||
        !X509_gmtime_adj(X509_getm_notAfter(x.get()), static_cast<long>(valid_for.count())))
        return openssl_fail("validity");
    if (X509_set_pubkey(x.get(), key.get()) != 1) return openssl_fail("public key");

    // The CN is limited to 64 characters (RFC 5280 ub-common-name); the SAN carries the name
    // that counts, so a longer hostname gets a generic CN.
    X509_NAME* name = X509_get_subject_name(x.get());
    std::string cn = hostname.size() <= 64 ? hostname : std::string("Tern self-signed");
    if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0) != 1 ||
        X509_set_issuer_name(x.get(), name) != 1)
        return openssl_fail("subject");
    if (!add_extension(x.get(), NID_basic_constraints, "critical,CA:FALSE") ||
        !add_extension(x.get(), NID_key_usage, "critical,digitalSignature") ||
        !add_extension(x.get(), NID_ext_key_usage, "serverAuth") ||
        !add_extension(x.get(), NID_subject_key_identifier, "hash") ||
        !add_extension(x.get(), NID_subject_alt_name, "DNS:" + hostname))
        return openssl_fail("extensions for '" + hostname + "'");
    if (X509_sign(x.get(), key.get(), EVP_sha256()) <= 0) return openssl_fail("signing");

    // The key's PEM goes through a "secure memory" BIO, which is wiped when freed.
    BioPtr key_bio(BIO_new(BIO_s_secmem())), cert_bio(BIO_new(BIO_s_mem()));
    if (!key_bio || !cert_bio ||
        PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1 ||
        PEM_write_bio_X509(cert_bio.get(), x.get()) != 1)
        return openssl_fail("PEM encoding");
    std::string key_pem = bio_text(key_bio.get());
    // Key first: a crash between the two renames leaves a mismatched pair, which the next start
    // detects and regenerates.
    bool ok = write_file_atomic(private_key, key_pem, 0600, error) &&
              write_file_atomic(certificate, bio_text(cert_bio.get()), 0644, error);
    OPENSSL_cleanse(key_pem.data(), key_pem.size());
    return ok;
}

SelfSigned ensure_self_signed(const std::string& hostname, const std::filesystem::path& dir) {
    SelfSigned s;
    s.certificate = dir / "selfsigned.crt";
    s.private_key = dir / "selfsigned.key";
    std::string why = reuse_problem(hostname, s);
    if (why.empty()) {
        std::string err;
        auto cert = ossl::read_certificate(s.certificate, err);
        s.message = "using the self-signed certificate for " + hostname + " in " + dir.string() +
                    " (valid until " + (cert ? date_text(X509_get0_notAfter(cert.get())) : "?") + ")";
        return s;
    }
    std::error_code ec;
    if (!std::filesystem::exists(dir, ec)) {
        std::filesystem::create_directories(dir, ec);
        if (ec) {
            s.error = "cannot create " + dir.string() + ": " + ec.message();
            return s;
        }
        std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
    }
    if (!write_self_signed(hostname, s.certificate, s.private_key, kSelfSignedValidity, s.error))
        return s;
    s.generated = true;
    s.message = "generated a self-signed certificate for " + hostname + " in " + dir.string() +
                " (" + why + ")";
    return s;
}

}  // namespace tern::net
