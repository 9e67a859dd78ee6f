// The server's TLS contexts, built once in net/ for every TLS use: SMTP STARTTLS (RFC 3207),
// implicit TLS (RFC 8314: submissions, pop3s, imaps) and later POP3 STLS / IMAP STARTTLS.
//
// Policy (Mozilla "intermediate"): TLS 1.2 minimum; for TLS 1.2 only ECDHE key exchange with
// AES-GCM or ChaCha20-Poly1305; TLS 1.3 with OpenSSL's default suites; the client's cipher
// preference (all offered suites are strong); no compression (CRIME); no renegotiation;
// session tickets and the session cache on; no client certificates.
//
// Certificates: the [tls] pair is the default; [[tls.certificates]] are chosen by the
// client's SNI name (RFC 6066 3) when it matches one of their names (SAN dNSName, else CN;
// "*.example.test" covers exactly one label). An exact name wins over a wildcard; otherwise the
// first match in file order; no match or no SNI: the default. Without [tls] certificates a
// self-signed one for server.hostname is generated/reused (net/self_signed.hpp).
//
// Reload (SIGHUP): load() builds a complete new generation of contexts; only when every file
// loads and every key matches is it swapped in (under a mutex). New connections get the new
// generation; a connection keeps the shared_ptr it started with, which keeps its whole
// generation (all SNI contexts) alive until it ends.
//
// Deliberately left out: client certificates, OCSP stapling, ALPN, encrypted private keys
// (refused with a clear error rather than prompting for a passphrase).
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace asio::ssl {
class context;
}

namespace tern::net {

// What the store is built from: the [tls] section, and for the self-signed fallback the
// hostname it is for and the data directory it lives in (<data_dir>/tls/).
struct TlsSettings {
    config::Tls tls;
    std::string hostname;
    std::filesystem::path data_dir;

    static TlsSettings from(const config::Config& c) {
        return {c.tls, c.server.hostname, c.server.data_dir};
    }
};

// One loaded certificate, for logs and tests.
struct TlsCertificateInfo {
    std::string certificate_file;     // as configured (or the generated self-signed file)
    std::vector<std::string> names;   // SAN dNSNames (else the CN), lower-cased
    std::string not_after;            // "2026-05-01 12:00:00 UTC"
};

// The outcome of load(). On success `error` is empty and `log` says what is in use, e.g.
// "generated a self-signed certificate for mx.example.test in var/tls (there was none yet)"
// or "using certificate /etc/tern/fullchain.pem for mx.example.test (until ...)".
struct TlsLoadResult {
    std::string error;                  // names the key and file: "tls.private_key k.pem: ..."
    std::vector<std::string> log;       // info lines for the server log
    std::vector<std::string> warnings;  // expired certificate, key readable by everyone, ...
    bool ok() const { return error.empty(); }
};

class TlsContextStore {
public:
    TlsContextStore();
    ~TlsContextStore();
    TlsContextStore(const TlsContextStore&) = delete;
    TlsContextStore& operator=(const TlsContextStore&) = delete;

    // Builds a new generation of contexts from `settings` (generating or reusing the
    // self-signed certificate when none is configured) and makes it current. On failure the
    // current generation stays (at first there is none: context() returns nullptr) and the
    // result's error says which file is wrong. Thread-safe; never throws.
    TlsLoadResult load(const TlsSettings& settings);
    // The same, named for SIGHUP call sites.
    TlsLoadResult reload(const TlsSettings& settings) { return load(settings); }

    // The context for a new connection's server handshake (Stream::handshake): the default
    // certificate's, whose SNI callback switches to the others. nullptr before a successful
    // load. Thread-safe.
    std::shared_ptr<asio::ssl::context> context() const;

    // The certificates of the current generation, the default first.
    std::vector<TlsCertificateInfo> certificates() const;

private:
    struct Generation;
    mutable std::mutex mu_;          // guards current_
    std::mutex load_mu_;             // one load at a time (the self-signed files)
    std::shared_ptr<Generation> current_;
};

// Whether certificate name `pattern` ("mx.example.test" or "*.example.test") covers the
// client's SNI `name` (RFC 6125 6.4.3): ASCII case-insensitive, a trailing dot of `name`
// ignored, "*" only as the whole left-most label and matching exactly one non-empty label.
bool tls_name_matches(std::string_view pattern, std::string_view name);

}  // namespace tern::net
