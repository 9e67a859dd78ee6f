// A TCP listener: binds one endpoint, accepts connections, enforces the connection limits,
// and starts one coroutine per accepted connection on its own strand.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <functional>
#include <memory>
#include <string>

#include "net/connection_limiter.hpp"

namespace tern::net {

using ConnectionHandler =
    std::function<asio::awaitable<void>(asio::ip::tcp::socket, ConnectionLimiter::Slot)>;

class Listener {
public:
    // `refusal` is written to a client turned away by a limit (e.g. "421 4.7.0 ...\r\n").
    Listener(asio::io_context& io, asio::ip::tcp::endpoint endpoint, ConnectionLimiter& limiter,
             std::string refusal, ConnectionHandler handler);

    // Binds and listens; throws std::system_error with a clear message on failure.
    void open();
    // Starts the accept loop.
    void start();
    // Stops accepting; connections already accepted carry on.
    void close();
    asio::ip::tcp::endpoint local_endpoint() const;

private:
    asio::awaitable<void> accept_loop();

    asio::io_context& io_;
    asio::ip::tcp::endpoint endpoint_;
    asio::ip::tcp::acceptor acceptor_;
    ConnectionLimiter& limiter_;
    std::string refusal_;
    ConnectionHandler handler_;
};

}  // namespace tern::net
