#include "server/connection_io.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "net/tls_context.hpp"

namespace tern::server {

asio::awaitable<void> write_out(net::Stream& stream, std::string& out, std::error_code& ec) {
    for (std::size_t at = 0; at < out.size() && !ec; at += kWriteChunk)
        co_await stream.write_all(asio::buffer(out.data() + at, std::min(kWriteChunk, out.size() - at)),
                                  kWriteTimeout, ec);
    out.clear();
}

asio::awaitable<bool> accept_tls(net::Stream& stream, const Services& services, std::uint64_t session,
                                 std::error_code& ec) {
    co_await stream.handshake(services.tls->context(), kHandshakeTimeout, ec);
    if (ec) {
        spdlog::info("session={} TLS handshake failed: {}", session, ec.message());
        co_return false;
    }
    auto info = stream.tls_info();
    spdlog::info("session={} TLS {} {}{}", session, info->version, info->cipher,
                 info->server_name.empty() ? "" : " sni=" + info->server_name);
    co_return true;
}

}  // namespace tern::server
