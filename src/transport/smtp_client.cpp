#include "transport/smtp_client.hpp"

#include <asio/connect.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl/context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <openssl/ssl.h>

#include "net/awaitable.hpp"
#include "net/stream.hpp"

namespace tern::transport {
namespace {

using outbound::MessageResult;

// Every job gets the same connection-level outcome (nothing was said about it).
std::vector<MessageResult> fail_all(const std::vector<outbound::MessageJob>& jobs, const Outcome& why) {
    std::vector<MessageResult> out;
    for (std::size_t i = 0; i < jobs.size(); ++i) {
        MessageResult r;
        r.message = i;
        r.recipients.assign(jobs[i].recipients.size(), why);
        r.data = why;
        r.host_failure = why.is_temporary();
        out.push_back(std::move(r));
    }
    return out;
}

asio::awaitable<std::error_code> connect_with_timeout(asio::ip::tcp::socket& socket,
                                                      const asio::ip::tcp::endpoint& ep,
                                                      std::chrono::seconds timeout) {
    using namespace asio::experimental::awaitable_operators;
    asio::steady_timer timer(co_await asio::this_coro::executor, timeout);
    auto r = co_await (socket.async_connect(ep, net::use_tuple) || timer.async_wait(net::use_tuple));
    if (r.index() == 1) co_return asio::error::timed_out;
    co_return std::get<0>(std::get<0>(r));
}

std::string describe(const std::error_code& ec) {
    if (ec == asio::error::timed_out) return "timed out";
    return ec.message();
}

}  // namespace

std::string ConnectTarget::str() const {
    return host + "[" + address.to_string() + "]:" + std::to_string(port);
}

std::shared_ptr<asio::ssl::context> make_client_tls_context(const std::string& ca_file, std::string& error) {
    auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
    asio::error_code ec;
    if (ca_file.empty()) ctx->set_default_verify_paths(ec);
    else ctx->load_verify_file(ca_file, ec);
    if (ec) {
        error = (ca_file.empty() ? std::string("system CA store") : ca_file) + ": " + ec.message();
        return nullptr;
    }
    return ctx;
}

asio::awaitable<ClientRun> run_smtp_client(ClientRunOptions options, ConnectTarget target,
                                           std::vector<outbound::MessageJob> jobs) {
    ClientRun run;
    run.peer = target.str();
    auto ex = co_await asio::this_coro::executor;
    asio::ip::tcp::socket socket(ex);
    auto ec = co_await connect_with_timeout(socket, {target.address, target.port}, options.connect_timeout);
    if (ec) {
        run.error = "connect to " + run.peer + ": " + describe(ec);
        run.results = fail_all(jobs, Outcome::temporary("4.4.1", run.error, 451));
        co_return run;
    }
    net::Stream stream(std::move(socket));
    const auto handshake_timeout = options.client.timeouts.greeting;
    if (options.implicit_tls) {
        co_await stream.handshake_client(options.tls_context, target.host, options.verify, handshake_timeout, ec);
        if (ec) {
            std::string why = stream.verify_error().empty() ? describe(ec) : stream.verify_error();
            run.error = "TLS with " + run.peer + " failed: " + why;
            run.results = fail_all(jobs, Outcome::temporary("4.7.5", run.error, 451));
            stream.close();
            co_return run;
        }
        options.client.tls_active = true;
    }
    run.connected = true;
    outbound::ClientSession session(options.client);
    session.start();
    for (const auto& j : jobs) session.add_message(j);  // copies: recipients are small, data is a view
    session.no_more_messages();
    run.results.resize(jobs.size());
    std::string buffer(16 * 1024, '\0');
    bool closed = false;
    while (true) {
        auto actions = session.take_actions();
        for (auto& a : actions) {
            if (auto* send = std::get_if<outbound::Send>(&a)) {
                if (closed) continue;
                co_await stream.write_all(asio::buffer(send->bytes), session.write_timeout(), ec);
                if (ec) {
                    closed = true;
                    stream.close();
                    session.connection_lost();
                }
            } else if (std::holds_alternative<outbound::Close>(a)) {
                if (!closed) co_await stream.shutdown();
                closed = true;
            } else if (auto* r = std::get_if<MessageResult>(&a)) {
                if (r->message < run.results.size()) run.results[r->message] = std::move(*r);
            }
        }
        if (!actions.empty()) continue;  // take until nothing is left (data is streamed)
        if (session.closed()) break;
        if (session.waiting_for_tls()) {
            co_await stream.handshake_client(options.tls_context, target.host, options.verify,
                                             handshake_timeout, ec);
            if (ec) {
                std::string why = stream.verify_error().empty() ? describe(ec) : stream.verify_error();
                closed = true;
                stream.close();
                session.tls_failed(why);
            } else {
                auto info = stream.tls_info();
                run.tls = info ? info->version + " " + info->cipher : "";
                session.tls_started(outbound::TlsInfo{info ? info->version : "", info ? info->cipher : ""});
            }
            continue;
        }
        if (closed) {
            session.connection_lost();
            continue;
        }
        std::size_t n = co_await stream.read_some(asio::buffer(buffer), session.read_timeout(), ec);
        if (ec == asio::error::timed_out) {
            session.timeout();
        } else if (ec) {
            closed = true;
            stream.close();
            session.connection_lost();
        } else {
            session.feed(std::string_view(buffer.data(), n));
        }
    }
    if (!closed) stream.close();
    co_return run;
}

}  // namespace tern::transport
