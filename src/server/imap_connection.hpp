// The thin I/O driver around imap::ServerSession: reads bytes with the RFC 9051 autologout
// timer, and performs the session's actions (replies, TLS, credential checks, opening the
// user's mail store). The session executes commands against the mailbox store synchronously,
// so every call into it (feed and completions) runs on the mailbox pool, never on an I/O
// thread; the I/O thread only reads and writes. While the client IDLEs, the driver looks for
// folder changes once a second (new mail shows up within a second of delivery).
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

#include "net/connection_limiter.hpp"
#include "server/services.hpp"

namespace tern::server {

enum class ImapListenerKind {
    Imap,   // port 143: STARTTLS; LOGINDISABLED before TLS (unless retrieval.plaintext_auth)
    Imaps,  // port 993 (RFC 8314): implicit TLS
};

asio::awaitable<void> serve_imap(asio::ip::tcp::socket socket, net::ConnectionLimiter::Slot slot,
                                 ImapListenerKind kind, const Services& services);

}  // namespace tern::server
