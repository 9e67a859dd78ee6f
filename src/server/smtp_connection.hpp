// The thin I/O driver around smtp::ServerSession: reads bytes with the RFC 5321 timeouts,
// feeds them to the session, and performs its actions — replies, recipient checks, queue
// commits — on one connection's strand. All protocol decisions live in the session.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <functional>
#include <memory>
#include <string>

#include "config/config.hpp"
#include "core/outcome.hpp"
#include "net/connection_limiter.hpp"

namespace tern::queue {
class Spool;
}

namespace tern::server {

class ConnectionRegistry;
class DeliveryService;

// What an SMTP connection needs from the rest of the server: narrow, no Server&.
struct SmtpServices {
    std::function<std::shared_ptr<const config::Config>()> config;   // current snapshot
    std::function<Outcome(const config::Config&, const std::string&)> check_recipient;
    queue::Spool* spool = nullptr;
    DeliveryService* delivery = nullptr;
    ConnectionRegistry* registry = nullptr;
};

enum class SmtpListenerKind { Mx, Submission, Submissions };

asio::awaitable<void> serve_smtp(asio::ip::tcp::socket socket, net::ConnectionLimiter::Slot slot,
                                 SmtpListenerKind kind, const SmtpServices& services);

}  // namespace tern::server
