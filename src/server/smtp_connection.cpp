#include "server/smtp_connection.hpp"

#include <asio/dispatch.hpp>
#include <asio/post.hpp>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <ctime>

#include "net/awaitable.hpp"
#include "net/timed_io.hpp"
#include "queue/spool.hpp"
#include "server/connection_registry.hpp"
#include "server/delivery_service.hpp"
#include "smtp/received_header.hpp"
#include "smtp/server_session.hpp"

namespace tern::server {
namespace {

// A client that does not read our replies gets this long before we give up on it.
constexpr auto kWriteTimeout = std::chrono::seconds(120);
constexpr std::size_t kReadChunk = 16 * 1024;

std::atomic<std::uint64_t> g_session_counter{0};

smtp::SessionOptions session_options(const config::Config& c, SmtpListenerKind kind) {
    smtp::SessionOptions o;
    o.hostname = c.server.hostname;
    o.limits.message_size = c.limits.message_size;
    o.limits.recipients = c.limits.recipients;
    o.limits.command_line = c.limits.command_line;
    o.limits.text_line = c.limits.text_line;
    o.limits.errors = c.limits.errors;
    o.limits.received_headers = c.limits.received_headers;
    o.limits.timeout_command = std::chrono::seconds(c.limits.timeout_command);
    o.limits.timeout_data = std::chrono::seconds(c.limits.timeout_data);
    o.submission = kind != SmtpListenerKind::Mx;
    o.tls_active = kind == SmtpListenerKind::Submissions;
    return o;
}

// Commits to the spool and resumes the coroutine on its own executor when the batch holding
// this message is durable.
template <class Token>
auto async_commit(queue::Spool& spool, Envelope env, std::string prefix, std::string data,
                  Token&& token) {
    return asio::async_initiate<Token, void(queue::CommitResult)>(
        [&spool](auto handler, Envelope env, std::string prefix, std::string data) {
            auto h = std::make_shared<decltype(handler)>(std::move(handler));
            spool.commit(std::move(env), std::move(prefix), std::move(data),
                         [h](queue::CommitResult r) {
                             auto ex = asio::get_associated_executor(*h);
                             asio::post(ex, [h, r = std::move(r)]() mutable {
                                 (*h)(std::move(r));
                             });
                         });
        },
        token, std::move(env), std::move(prefix), std::move(data));
}

std::int64_t now_unix() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

asio::awaitable<void> serve_smtp(asio::ip::tcp::socket socket, net::ConnectionLimiter::Slot slot,
                                 SmtpListenerKind kind, const SmtpServices& services) {
    auto cfg = services.config();
    auto sid = ++g_session_counter;
    asio::error_code ec;
    auto remote = socket.remote_endpoint(ec);
    smtp::PeerInfo peer{remote.address().to_string(), remote.port()};
    auto control = services.registry->add(socket.get_executor(), &socket);
    spdlog::info("session={} connect client=[{}]:{}", sid, peer.address, peer.port);

    smtp::ServerSession session(session_options(*cfg, kind), peer);
    session.start();
    std::string out;
    std::string in(kReadChunk, '\0');
    std::size_t messages = 0;

    while (true) {
        // Completions performed here (recipient checks, commits) make the session emit more
        // actions at once: drain until it has nothing left to say.
        for (auto actions = session.take_actions(); !actions.empty() && !ec;
             actions = session.take_actions()) {
          for (auto& action : actions) {
            if (auto* r = std::get_if<smtp::SendReply>(&action)) {
                out += r->bytes;
            } else if (auto* c = std::get_if<smtp::CheckRecipient>(&action)) {
                session.recipient_checked(services.check_recipient(*cfg, c->address));
            } else if (auto* m = std::get_if<smtp::CommitMessage>(&action)) {
                // Pipelined replies so far go out before the (possibly long) commit wait.
                if (!out.empty()) {
                    co_await net::write_all_for(socket, asio::buffer(out), kWriteTimeout, ec);
                    out.clear();
                    if (ec) break;
                }
                m->envelope.received_at = now_unix();
                // The queue id is not known before the commit; the Received header carries the
                // session id instead, which the log ties to the queue id.
                auto trace_id = "S" + std::to_string(sid) + "." + std::to_string(messages + 1);
                smtp::ReceivedFacts facts;
                facts.helo = session.helo();
                facts.peer_address = peer.address;
                facts.hostname = cfg->server.hostname;
                facts.protocol = session.protocol();
                facts.tls = session.tls_info();
                facts.queue_id = trace_id;
                if (m->envelope.recipients.size() == 1) facts.recipient = m->envelope.recipients[0].address;
                facts.unix_time = m->envelope.received_at;
                auto received = smtp::compose_received(facts);
                auto env = std::make_shared<const Envelope>(m->envelope);
                auto size = received.size() + m->data.size();
                // The message moves into the spool (no copy); delivery reads it back from there,
                // from the page cache.
                auto result = co_await async_commit(*services.spool, std::move(m->envelope),
                                                    std::move(received), std::move(m->data),
                                                    asio::use_awaitable);
                if (result.outcome.is_ok()) {
                    ++messages;
                    spdlog::info("session={} queue={} from=<{}> nrcpt={} size={} accepted", sid,
                                 result.id, env->mail_from, env->recipients.size(), size);
                    services.delivery->submit(result.id, env, nullptr);
                } else {
                    spdlog::error("session={} commit failed: {}", sid, result.outcome.str());
                }
                session.message_committed(result.outcome);
            } else if (std::get_if<smtp::StartTls>(&action)) {
                // No certificate is configured for this listener yet: the session does not
                // offer STARTTLS, so it never asks for it.
                session.shutdown();
            } else if (std::get_if<smtp::Close>(&action)) {
                // handled below, after the replies are flushed
            }
          }
        }
        if (ec) break;
        if (!out.empty()) {
            co_await net::write_all_for(socket, asio::buffer(out), kWriteTimeout, ec);
            out.clear();
            if (ec) break;
        }
        if (session.closed()) break;
        if (session.parked()) continue;  // completions above already resumed it
        if (control->stopping) {
            session.shutdown();
            continue;
        }
        std::error_code rec;
        auto n = co_await net::read_some_for(socket, asio::buffer(in), session.read_timeout(), rec);
        if (control->stopping) {
            session.shutdown();
            continue;
        }
        if (rec == asio::error::timed_out) {
            spdlog::info("session={} timeout", sid);
            session.timeout();
            continue;
        }
        if (rec) break;  // peer closed or reset
        session.feed(std::string_view(in.data(), n));
    }
    control->socket = nullptr;
    socket.close(ec);
    services.registry->remove(control->id);
    spdlog::info("session={} disconnect messages={}", sid, messages);
}

}  // namespace tern::server
