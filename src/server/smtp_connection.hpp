// The thin I/O driver around smtp::ServerSession: reads bytes with the RFC 5321 timeouts,
// feeds them to the session, and performs its actions — replies, TLS handshakes, credential
// checks, recipient and sender checks, queue commits — on one connection's strand. Protocol
// decisions live in the session; server policy lives in smtp_checks.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

#include "net/connection_limiter.hpp"
#include "server/services.hpp"

namespace tern::server {

enum class SmtpListenerKind {
    Mx,           // port 25: mail for local domains; STARTTLS offered; AUTH after TLS
    Submission,   // port 587 (RFC 6409): STARTTLS, AUTH required for MAIL
    Submissions,  // port 465 (RFC 8314): implicit TLS, AUTH required for MAIL
};

asio::awaitable<void> serve_smtp(asio::ip::tcp::socket socket, net::ConnectionLimiter::Slot slot,
                                 SmtpListenerKind kind, const Services& services);

}  // namespace tern::server
