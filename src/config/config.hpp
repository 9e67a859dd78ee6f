// The effective configuration: parsed once from TOML into this immutable, typed struct.
// Every key is documented in README.md ("Configuration reference"); unknown keys are errors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tern::config {

struct Server {
    std::string hostname = "localhost";          // greeting, EHLO, Received headers
    std::filesystem::path data_dir = "var";      // relative paths are relative to the CWD
    std::vector<std::string> domains = {"localhost"};  // local domains, lower-cased

    friend bool operator==(const Server&, const Server&) = default;
};

// Each list holds "address:port" strings ("[::1]:25" for IPv6). Empty = listener off.
struct Listen {
    std::vector<std::string> smtp;
    std::vector<std::string> submission;
    std::vector<std::string> submissions;
    std::vector<std::string> pop3;
    std::vector<std::string> pop3s;
    std::vector<std::string> imap;
    std::vector<std::string> imaps;

    friend bool operator==(const Listen&, const Listen&) = default;
};

// Every limit a peer controls, named, with the RFC that sets its floor.
struct Limits {
    std::size_t message_size = 36700160;   // RFC 1870 SIZE, bytes
    std::size_t recipients = 100;          // RFC 5321 4.5.3.1.8 (at least 100)
    std::size_t command_line = 512;        // RFC 5321 4.5.3.1.4, including CRLF
    std::size_t text_line = 1000;          // RFC 5321 4.5.3.1.6, including CRLF
    std::size_t errors = 10;               // protocol errors per session before 421 + close
    std::size_t connections = 1000;        // concurrent connections, all listeners
    std::size_t connections_per_ip = 20;   // concurrent connections from one client IP
    std::size_t received_headers = 100;    // loop detection (RFC 5321 6.3)
    // Timeouts in seconds, RFC 5321 4.5.3.2 (server side).
    unsigned timeout_command = 300;        // waiting for the next command (4.5.3.2.7)
    unsigned timeout_data = 180;           // waiting for the next block of DATA/BDAT

    friend bool operator==(const Limits&, const Limits&) = default;
};

// [tls]: the certificates for every TLS-capable listener — STARTTLS on smtp/submission (RFC
// 3207; later POP3 STLS and IMAP STARTTLS) and implicit TLS on submissions/pop3s/imaps (RFC
// 8314). Paths are kept as given (relative paths are relative to the CWD). `tern config check`
// checks only presence and syntax; the server reports unreadable or mismatched files at start.
//
//   [tls]
//   certificate = "/etc/tern/fullchain.pem"  # PEM, leaf first, then the intermediates
//   private_key = "/etc/tern/key.pem"        # PEM private key of `certificate`
//   [[tls.certificates]]                     # optional, repeatable: more certificates, chosen
//   certificate = "/etc/tern/other.pem"      # when the client's SNI name matches one of their
//   private_key = "/etc/tern/other.key"      # names (SAN DNS, else CN; "*.d.test" = one label)
//
// certificate and private_key come together or not at all. Without them the server uses a
// self-signed certificate for server.hostname, generated once in <data_dir>/tls/ (fine for
// opportunistic STARTTLS between MTAs, which rarely verify; clients of submission will warn).
// [[tls.certificates]] needs the main pair: it is the default for clients without (or with an
// unmatched) SNI name.
struct Tls {
    struct Pair {
        std::string certificate;   // PEM file, full chain
        std::string private_key;   // PEM file, the certificate's key

        friend bool operator==(const Pair&, const Pair&) = default;
    };
    std::string certificate;       // empty = none configured (self-signed is generated)
    std::string private_key;       // empty exactly when `certificate` is empty
    std::vector<Pair> certificates;  // extra certificates chosen by SNI, in file order

    bool configured() const { return !certificate.empty(); }
    friend bool operator==(const Tls&, const Tls&) = default;
};

// [submission]: rules for users' mail clients (RFC 6409), on any listener once authenticated.
struct Submission {
    bool check_from_header = true;        // From: addresses must be the user's too (553 5.7.1)
    std::size_t messages_per_hour = 200;  // per user, then 450 4.7.1; 0 = unlimited
    std::size_t recipients_per_day = 2000;  // per user, then 450 4.7.1; 0 = unlimited
    bool auth_without_tls = false;        // offer AUTH before TLS (only for trusted networks)

    friend bool operator==(const Submission&, const Submission&) = default;
};

// [auth]: throttling of failed logins (per client IP and per account, sliding window).
// [retrieval]: POP3 and IMAP (RFC 1939, RFC 9051).
struct Retrieval {
    // Accept logins (USER/PASS, LOGIN, AUTH/AUTHENTICATE) before TLS. Off: RFC 8314 and what
    // Dovecot does by default (disable_plaintext_auth); only for tests or trusted networks.
    bool plaintext_auth = false;
    // Per-user mailbox quota in bytes over all folders; 0 = none. A mailbox at or above it gets
    // no more mail: 452 4.2.2 at RCPT, and queued mail waits (retried until it fits or expires).
    std::uint64_t quota = 0;

    friend bool operator==(const Retrieval&, const Retrieval&) = default;
};

// [dkim]: DKIM signing of mail submitted by users (RFC 6376, RFC 8463). A message whose From:
// domain is local is signed once per algorithm, with the key of selector "<selector>-<alg>"
// (published at <selector>-<alg>._domainkey.<domain>; `tern dns records DOMAIN` prints it).
// Keys live in <data_dir>/dkim/<domain>/<selector>-<alg>.pem and are made on first start.
// Rotation: `tern dkim keygen DOMAIN --selector NEW`, publish the new records, then set
// selector = "NEW" and reload (SIGHUP); keep the old records published for a few days.
struct Dkim {
    bool sign = true;
    std::string selector = "tern";                            // a DNS label
    std::vector<std::string> algorithms = {"rsa", "ed25519"};  // "rsa" (2048-bit), "ed25519"

    friend bool operator==(const Dkim&, const Dkim&) = default;
};

struct Auth {
    std::size_t max_failures_per_ip = 10;
    std::size_t max_failures_per_account = 10;
    unsigned failure_window = 60;  // seconds

    friend bool operator==(const Auth&, const Auth&) = default;
};

// Where a connection goes: a host name or IP literal and a TCP port. Written "host",
// "host:port", "[IPv6]" or "[IPv6]:port" (port 25 when absent).
struct NextHop {
    std::string host;          // lower-cased name, or an IP address without brackets
    std::uint16_t port = 25;

    std::string str() const;   // back in the written form
    friend bool operator==(const NextHop&, const NextHop&) = default;
};

// TLS for outbound SMTP (RFC 3207): none; opportunistic (STARTTLS when offered, unverified,
// the Internet default); required (STARTTLS must succeed, certificate not checked); verify
// (STARTTLS must succeed and the certificate must chain to a trusted CA and name the host).
enum class OutboundTls { None, Opportunistic, Required, Verify };
std::string_view to_string(OutboundTls t);

// [dns]: the resolver used for MX and address lookups.
struct Dns {
    std::vector<std::string> nameservers;  // "ip" or "ip:port" ("[v6]:port"); empty = system
    unsigned timeout = 30;                 // seconds per lookup

    friend bool operator==(const Dns&, const Dns&) = default;
};

// [outbound]: the SMTP client that delivers to other servers.
struct Outbound {
    OutboundTls tls = OutboundTls::Opportunistic;
    std::size_t connections = 50;                 // concurrent connections, all destinations
    std::size_t connections_per_destination = 5;  // per next hop (domain, route or relay)
    std::size_t messages_per_connection = 100;    // then QUIT and reconnect
    unsigned connect_timeout = 30;                // seconds per address tried
    std::string ca_file;                          // PEM trust anchors for "verify"; empty = system
    std::uint16_t mx_port = 25;                   // port of MX hosts (other values: tests only)

    friend bool operator==(const Outbound&, const Outbound&) = default;
};

// [queue]: retries and giving up (RFC 5321 4.5.4.1: retry >= 30 min is customary, give-up
// 4-5 days; we retry sooner at first because most failures are short).
struct Queue {
    unsigned first_retry = 300;      // seconds until the first retry; then doubling, +-20% jitter
    unsigned max_retry = 3600;       // the longest wait between attempts
    unsigned lifetime = 432000;      // seconds after arrival: give up and bounce (5 days)
    unsigned delay_warning = 0;      // seconds after arrival: warn the sender once; 0 = never

    friend bool operator==(const Queue&, const Queue&) = default;
};

// [routes]: a fixed next hop for a recipient domain, or "*" for every remote domain, instead
// of its MX records (Postfix's transport map).
struct Route {
    NextHop next_hop;
    std::optional<OutboundTls> tls;  // unset: [outbound] tls

    friend bool operator==(const Route&, const Route&) = default;
};

// [relay]: a smarthost for all remote mail without a [routes] entry.
struct Relay {
    enum class Mode { Starttls, Implicit, None };
    std::string host;                // empty = no relay
    std::uint16_t port = 587;
    Mode tls = Mode::Starttls;       // starttls (required) | implicit (port 465) | none
    bool verify = true;              // check the relay's certificate against the CA store
    std::string username;            // AUTH PLAIN/LOGIN when set
    std::string password;

    bool configured() const { return !host.empty(); }
    friend bool operator==(const Relay&, const Relay&) = default;
};

struct Config {
    Server server;
    Listen listen;
    Limits limits;
    Tls tls;
    Submission submission;
    Retrieval retrieval;
    Dkim dkim;
    Auth auth;
    Dns dns;
    Outbound outbound;
    Queue queue;
    Relay relay;
    std::map<std::string, Route> routes;  // lower-cased domain or "*" -> route
    // [senders]: user key -> extra addresses the user may send as ("@domain" = whole domain).
    std::map<std::string, std::vector<std::string>> senders;
    // Alias key (lower-cased "local@domain", or "@domain" for a catch-all) -> targets.
    std::map<std::string, std::vector<std::string>> aliases;
    std::string source;  // file the config came from, or "<embedded default>"

    bool is_local_domain(std::string_view domain) const;  // case-insensitive
    // The domain after the last '@' is local; an address without one ("postmaster") is too.
    bool is_local_address(std::string_view address) const;
    std::filesystem::path users_file() const { return server.data_dir / "users"; }
    std::filesystem::path queue_dir() const { return server.data_dir / "queue"; }
    std::filesystem::path mailboxes_dir() const { return server.data_dir / "mailboxes"; }
    // Where the generated self-signed certificate lives when [tls] names none.
    std::filesystem::path tls_dir() const { return server.data_dir / "tls"; }
    // DKIM private keys: <dkim_dir>/<domain>/<selector>.pem.
    std::filesystem::path dkim_dir() const { return server.data_dir / "dkim"; }
    // The targets of alias `key` (exact, case-insensitive match: "bob@example.test" or the
    // catch-all "@example.test"), or nullptr. Catch-all fallback is left to the caller.
    const std::vector<std::string>* alias_targets(std::string_view key) const;
    // The [routes] entry for a recipient domain (exact, then "*"), or nullptr.
    const Route* route_for(std::string_view domain) const;
    std::filesystem::path control_socket() const { return server.data_dir / "control.sock"; }

    friend bool operator==(const Config&, const Config&) = default;
};

struct LoadResult {
    std::optional<Config> config;          // set when there were no errors
    std::vector<std::string> errors;       // "FILE:LINE:COL: key 'limits.recipients': must be ..."
};

// The embedded default used by `tern serve` without --config: data in ./var, domain
// localhost, loopback listeners on unprivileged ports.
std::string_view embedded_default();

LoadResult load_file(const std::filesystem::path& path);
LoadResult load_string(std::string_view toml_text, std::string_view source_name);
// Loads `path` when given, else the embedded default.
LoadResult load(const std::optional<std::filesystem::path>& path);

// Parses "host", "host:port", "[v6]" or "[v6]:port"; nullopt + error when invalid.
std::optional<NextHop> parse_next_hop(std::string_view text, std::string& error);

// The effective configuration rendered back as TOML (for `tern config check`).
std::string render(const Config& config);

}  // namespace tern::config
