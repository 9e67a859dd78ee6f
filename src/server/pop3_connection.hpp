// The thin I/O driver around pop3::ServerSession: reads bytes with the RFC 1939 autologout
// timer, feeds them to the session, and performs its actions — replies, TLS handshakes,
// credential checks, and the maildrop operations (lock, list, read, delete) on the mailbox
// store, whose file I/O runs on the mailbox pool, never on an I/O thread.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

#include "net/connection_limiter.hpp"
#include "server/services.hpp"

namespace tern::server {

enum class Pop3ListenerKind {
    Pop3,   // port 110: STLS offered; logins only after TLS (unless retrieval.plaintext_auth)
    Pop3s,  // port 995 (RFC 8314): implicit TLS
};

asio::awaitable<void> serve_pop3(asio::ip::tcp::socket socket, net::ConnectionLimiter::Slot slot,
                                 Pop3ListenerKind kind, const Services& services);

}  // namespace tern::server
