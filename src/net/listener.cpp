#include "net/listener.hpp"

#include "net/awaitable.hpp"
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/strand.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/ip/v6_only.hpp>
#include <asio/write.hpp>
#include <chrono>
#include <system_error>

#include "net/endpoint.hpp"

namespace tern::net {

Listener::Listener(asio::io_context& io, asio::ip::tcp::endpoint endpoint,
                   ConnectionLimiter& limiter, std::string refusal, ConnectionHandler handler)
    : io_(io),
      endpoint_(endpoint),
      acceptor_(io),
      limiter_(limiter),
      refusal_(std::move(refusal)),
      handler_(std::move(handler)) {}

void Listener::open() {
    asio::error_code ec;
    acceptor_.open(endpoint_.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::ip::tcp::acceptor::reuse_address(true), ec);
    if (!ec && endpoint_.address().is_v6()) acceptor_.set_option(asio::ip::v6_only(true), ec);
    if (!ec) acceptor_.bind(endpoint_, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) throw std::system_error(ec, "cannot listen on " + to_string(endpoint_));
}

void Listener::start() {
    asio::co_spawn(acceptor_.get_executor(), accept_loop(), asio::detached);
}

void Listener::close() {
    asio::post(acceptor_.get_executor(), [this] {
        asio::error_code ec;
        acceptor_.close(ec);
    });
}

asio::ip::tcp::endpoint Listener::local_endpoint() const {
    asio::error_code ec;
    auto ep = acceptor_.local_endpoint(ec);
    return ec ? endpoint_ : ep;
}

asio::awaitable<void> Listener::accept_loop() {
    while (acceptor_.is_open()) {
        // Each connection gets its own strand: its coroutine and anything posted to it
        // (shutdown requests) never run concurrently, even with several I/O threads.
        auto strand = asio::make_strand(io_);
        asio::ip::tcp::socket socket(strand);
        auto [ec] = co_await acceptor_.async_accept(socket, use_tuple);
        if (ec) {
            if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
            // Out of file descriptors and the like: back off briefly instead of spinning.
            asio::steady_timer t(acceptor_.get_executor(), std::chrono::milliseconds(50));
            co_await t.async_wait(use_tuple);
            continue;
        }
        asio::error_code rec;
        auto remote = socket.remote_endpoint(rec);
        if (rec) continue;  // peer already gone
        socket.set_option(asio::ip::tcp::no_delay(true), rec);
        ConnectionLimiter::Refusal why;
        auto slot = limiter_.acquire(remote.address().to_string(), why);
        if (!slot) {
            // Best effort, never blocking the accept loop: the socket buffer takes it at once.
            socket.non_blocking(true, rec);
            socket.write_some(asio::buffer(refusal_), rec);
            socket.close(rec);
            continue;
        }
        asio::co_spawn(strand, handler_(std::move(socket), std::move(slot)), asio::detached);
    }
}

}  // namespace tern::net
