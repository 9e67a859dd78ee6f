// TLS server contexts: policy, certificate loading with clear errors, SNI selection, reload.
#include "net/tls_context.hpp"

#include <sys/stat.h>

#include <asio/ssl/context.hpp>
#include <openssl/ssl.h>

#include <algorithm>
#include <exception>

#include "net/openssl_util.hpp"
#include "net/self_signed.hpp"

namespace tern::net {
namespace {

// Mozilla "intermediate" for TLS 1.2, without the DHE suites (they need DH parameters and add
// nothing over ECDHE for clients that speak TLS 1.2).
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

constexpr unsigned char kSessionIdContext[] = "tern";

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequal(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return ascii_lower(x) == ascii_lower(y); });
}

// Certificate + key files -> one configured context. `cert_key`/`key_key` are the config key
// paths named in errors ("tls.certificate", "tls.certificates[0].private_key").
struct Loaded {
    std::unique_ptr<asio::ssl::context> context;
    TlsCertificateInfo info;
};

Loaded load_pair(const std::string& cert_file, const std::string& key_file,
                 const std::string& cert_key, const std::string& key_key, TlsLoadResult& result) {
    Loaded out;
    auto fail = [&](const std::string& key, const std::string& file, const std::string& what) {
        result.error = key + " " + file + ": " + what;
        return Loaded{};
    };
    ERR_clear_error();
    auto ctx = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    SSL_CTX* c = ctx->native_handle();
    if (SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION) != 1 ||
        SSL_CTX_set_cipher_list(c, kTls12Ciphers) != 1 ||
        SSL_CTX_set_session_id_context(c, kSessionIdContext, sizeof kSessionIdContext - 1) != 1)
        return fail(cert_key, cert_file, "cannot set up the TLS context (" + ossl::take_errors() + ")");
    SSL_CTX_set_options(c, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
    SSL_CTX_clear_options(c, SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_verify(c, SSL_VERIFY_NONE, nullptr);
    // Never prompt on a terminal for a passphrase.
    SSL_CTX_set_default_passwd_cb(c, [](char*, int, int, void*) { return 0; });

    std::string err;
    auto leaf = ossl::read_certificate(cert_file, err);
    if (!leaf) return fail(cert_key, cert_file, err);
    ERR_clear_error();
    if (SSL_CTX_use_certificate_chain_file(c, cert_file.c_str()) != 1)
        return fail(cert_key, cert_file, "bad certificate chain (" + ossl::take_errors() + ")");
    auto key = ossl::read_private_key(key_file, err);
    if (!key) return fail(key_key, key_file, err);
    if (SSL_CTX_use_PrivateKey(c, key.get()) != 1 || SSL_CTX_check_private_key(c) != 1) {
        ERR_clear_error();
        return fail(key_key, key_file, "does not match the certificate " + cert_file);
    }

    out.info.certificate_file = cert_file;
    out.info.names = ossl::certificate_names(leaf.get());
    out.info.not_after = ossl::date_text(X509_get0_notAfter(leaf.get()));
    if (X509_cmp_current_time(X509_get0_notAfter(leaf.get())) <= 0)
        result.warnings.push_back(cert_key + " " + cert_file + " expired on " + out.info.not_after);
    if (out.info.names.empty())
        result.warnings.push_back(cert_key + " " + cert_file + " names no host (no SAN, no CN)");
    struct stat st{};
    if (::stat(key_file.c_str(), &st) == 0 && (st.st_mode & S_IROTH))
        result.warnings.push_back(key_key + " " + key_file +
                                  " is readable by every user; chmod o-r it");
    out.context = std::move(ctx);
    return out;
}

std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (auto& s : v) out += (out.empty() ? "" : ", ") + s;
    return out.empty() ? std::string("no name") : out;
}

}  // namespace

// One generation of contexts, replaced as a whole on reload. entries[0] is the default; its
// SNI callback points back at this object, which the shared_ptr handed to connections (an
// alias of the Generation's own) keeps alive.
struct TlsContextStore::Generation {
    struct Entry {
        std::unique_ptr<asio::ssl::context> context;
        TlsCertificateInfo info;
    };
    std::vector<Entry> entries;

    const Entry* select(std::string_view server_name) const {
        for (auto& e : entries)  // exact names first: they are more specific than any wildcard
            for (auto& n : e.info.names)
                if (n.rfind("*.", 0) != 0 && tls_name_matches(n, server_name)) return &e;
        for (auto& e : entries)
            for (auto& n : e.info.names)
                if (n.rfind("*.", 0) == 0 && tls_name_matches(n, server_name)) return &e;
        return &entries.front();
    }
};

TlsContextStore::TlsContextStore() = default;
TlsContextStore::~TlsContextStore() = default;

TlsLoadResult TlsContextStore::load(const TlsSettings& settings) {
    std::lock_guard load_lock(load_mu_);
    TlsLoadResult result;
    auto gen = std::make_shared<Generation>();
    try {
        auto add = [&](const std::string& cert, const std::string& key, const std::string& prefix,
                       std::string_view what) {
            auto loaded = load_pair(cert, key, prefix + "certificate", prefix + "private_key", result);
            if (!loaded.context) return false;
            result.log.push_back(std::string(what) + " " + cert + " for " + join(loaded.info.names) +
                                 " (until " + loaded.info.not_after + ")");
            gen->entries.push_back({std::move(loaded.context), std::move(loaded.info)});
            return true;
        };
        if (settings.tls.configured()) {
            if (!add(settings.tls.certificate, settings.tls.private_key, "tls.", "using certificate"))
                return result;
        } else {
            auto dir = settings.data_dir / "tls";
            auto s = ensure_self_signed(settings.hostname, dir);
            if (!s.error.empty()) {
                result.error = "self-signed certificate in " + dir.string() + ": " + s.error;
                return result;
            }
            auto loaded = load_pair(s.certificate.string(), s.private_key.string(),
                                    "self-signed certificate", "self-signed key", result);
            if (!loaded.context) return result;
            result.log.push_back(s.message);
            gen->entries.push_back({std::move(loaded.context), std::move(loaded.info)});
        }
        for (std::size_t i = 0; i < settings.tls.certificates.size(); ++i) {
            auto& pair = settings.tls.certificates[i];
            if (!add(pair.certificate, pair.private_key,
                     "tls.certificates[" + std::to_string(i) + "].", "using SNI certificate"))
                return result;
        }
    } catch (const std::exception& e) {
        result.error = std::string("cannot set up TLS: ") + e.what();
        return result;
    }

    // SNI: only the default context is ever handed to SSL_new, so only it needs the callback.
    // It runs during the ClientHello, on the connection's strand.
    SSL_CTX* main = gen->entries.front().context->native_handle();
    auto on_server_name = [](SSL* ssl, int*, void* arg) -> int {
        auto* g = static_cast<const Generation*>(arg);
        const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
        if (!name) return SSL_TLSEXT_ERR_OK;
        const Generation::Entry* e = g->select(name);
        if (e != &g->entries.front() && !SSL_set_SSL_CTX(ssl, e->context->native_handle()))
            return SSL_TLSEXT_ERR_ALERT_FATAL;
        return SSL_TLSEXT_ERR_OK;
    };
    SSL_CTX_set_tlsext_servername_callback(main, +on_server_name);
    SSL_CTX_set_tlsext_servername_arg(main, gen.get());

    std::lock_guard lock(mu_);
    current_ = std::move(gen);
    return result;
}

std::shared_ptr<asio::ssl::context> TlsContextStore::context() const {
    std::lock_guard lock(mu_);
    if (!current_) return nullptr;
    // Aliasing constructor: points at the default context, owns the whole generation.
    return std::shared_ptr<asio::ssl::context>(current_, current_->entries.front().context.get());
}

std::vector<TlsCertificateInfo> TlsContextStore::certificates() const {
    std::lock_guard lock(mu_);
    std::vector<TlsCertificateInfo> out;
    if (current_)
        for (auto& e : current_->entries) out.push_back(e.info);
    return out;
}

bool tls_name_matches(std::string_view pattern, std::string_view name) {
    if (!name.empty() && name.back() == '.') name.remove_suffix(1);
    if (name.empty() || pattern.empty()) return false;
    if (pattern.rfind("*.", 0) == 0) {
        std::string_view suffix = pattern.substr(1);  // ".example.test"
        if (suffix.size() < 3 || name.size() <= suffix.size()) return false;
        std::string_view label = name.substr(0, name.size() - suffix.size());
        return label.find('.') == std::string_view::npos &&
               iequal(name.substr(label.size()), suffix);
    }
    return iequal(pattern, name);
}

}  // namespace tern::net
