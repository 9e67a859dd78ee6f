// One outbound SMTP connection: connects to one address, runs the pure client session
// (outbound/client_session.hpp) over a net::Stream — STARTTLS or implicit TLS included —
// and returns one MessageResult per job. The session decides everything about the protocol;
// this file only moves bytes, performs the TLS handshake and applies the timeouts.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/address.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "outbound/client_session.hpp"

namespace asio::ssl {
class context;
}

namespace tern::transport {

struct ConnectTarget {
    std::string host;             // the name we connect to (SNI, verification, logs)
    asio::ip::address address;
    std::uint16_t port = 25;
    std::string str() const;      // "host[address]:port"
};

struct ClientRunOptions {
    outbound::ClientOptions client;      // hostname, TLS policy, credentials, timeouts
    bool implicit_tls = false;           // handshake before the greeting (port 465)
    bool verify = false;                 // verify the certificate and that it names `host`
    std::chrono::seconds connect_timeout{30};
    std::shared_ptr<asio::ssl::context> tls_context;  // client context (trust store)
};

struct ClientRun {
    bool connected = false;       // the TCP connection (and implicit TLS) was established
    std::string peer;             // ConnectTarget::str()
    std::string error;            // why it did not connect
    std::string tls;              // "TLSv1.3 TLS_AES_256_GCM_SHA384" when TLS was used
    std::vector<outbound::MessageResult> results;  // one per job, in job order
};

// The jobs' data must stay valid until the coroutine returns. Never throws.
asio::awaitable<ClientRun> run_smtp_client(ClientRunOptions options, ConnectTarget target,
                                           std::vector<outbound::MessageJob> jobs);

// A client TLS context: TLS 1.2 or later, trust anchors from `ca_file` or the system store.
std::shared_ptr<asio::ssl::context> make_client_tls_context(const std::string& ca_file, std::string& error);

}  // namespace tern::transport
