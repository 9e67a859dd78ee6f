// Reads and writes bounded in time (RFC 5321 4.5.3.2 timeouts and the like). Works with any
// Asio stream, asio::ssl::stream included (its composed operations honour per-operation
// cancellation in Asio 1.22). Protocol drivers use net::Stream (net/stream.hpp), which applies
// the same pattern to plain and TLS connections and adds a reliable cancel().
#pragma once

#include "net/awaitable.hpp"
#include <asio/awaitable.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <chrono>
#include <system_error>

namespace tern::net {

// Reads some bytes; ec = asio::error::timed_out when `timeout` passes first.
template <class Stream>
asio::awaitable<std::size_t> read_some_for(Stream& stream, asio::mutable_buffer buf,
                                           std::chrono::steady_clock::duration timeout,
                                           std::error_code& ec) {
    using namespace asio::experimental::awaitable_operators;
    asio::steady_timer timer(co_await asio::this_coro::executor, timeout);
    auto r = co_await (stream.async_read_some(buf, use_tuple) ||
                       timer.async_wait(use_tuple));
    if (r.index() == 1) {
        ec = asio::error::timed_out;
        co_return 0;
    }
    auto [e, n] = std::get<0>(r);
    ec = e;
    co_return n;
}

// Writes all of `buf`; ec = asio::error::timed_out when `timeout` passes first (a client that
// stops reading must not hold a session forever).
template <class Stream>
asio::awaitable<void> write_all_for(Stream& stream, asio::const_buffer buf,
                                    std::chrono::steady_clock::duration timeout,
                                    std::error_code& ec) {
    using namespace asio::experimental::awaitable_operators;
    asio::steady_timer timer(co_await asio::this_coro::executor, timeout);
    auto r = co_await (asio::async_write(stream, buf, use_tuple) ||
                       timer.async_wait(use_tuple));
    if (r.index() == 1) {
        ec = asio::error::timed_out;
        co_return;
    }
    auto [e, n] = std::get<0>(r);
    ec = e;
}

}  // namespace tern::net
