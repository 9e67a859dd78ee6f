#include "server/smtp_connection.hpp"

#include <asio/co_spawn.hpp>
#include <asio/post.hpp>
#include <asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>

#include "auth/user_directory.hpp"
#include "core/address.hpp"
#include "core/clock.hpp"
#include "net/stream.hpp"
#include "net/tls_context.hpp"
#include "policy/auth_throttle.hpp"
#include "policy/send_quota.hpp"
#include "queue/spool.hpp"
#include "server/connection_io.hpp"
#include "server/connection_registry.hpp"
#include "server/delivery_service.hpp"
#include "server/login_checks.hpp"
#include "server/smtp_checks.hpp"
#include "smtp/received_header.hpp"
#include "smtp/server_session.hpp"

namespace tern::server {
namespace {

// The read buffer starts small (most sessions are idle or exchange short commands: 10,000
// idle connections must fit in little memory) and doubles whenever a read fills it, up to
// kMaxReadChunk for message data.
constexpr std::size_t kFirstReadChunk = 1024;
constexpr std::size_t kMaxReadChunk = 64 * 1024;


smtp::SessionOptions session_options(const config::Config& c, SmtpListenerKind kind,
                                     const Services& s) {
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
    o.starttls_available = kind != SmtpListenerKind::Submissions && s.tls != nullptr;
    o.auth_available = true;
    o.auth_without_tls = c.submission.auth_without_tls;
    o.sasl = s.sasl;
    return o;
}

// Commits to the spool and resumes the coroutine on its own executor once the batch holding
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
                             asio::post(ex, [h, r = std::move(r)]() mutable { (*h)(std::move(r)); });
                         });
        },
        token, std::move(env), std::move(prefix), std::move(data));
}

// Everything one connection keeps between actions.
struct Connection {
    const Services& services;
    std::shared_ptr<const config::Config> cfg;
    net::Stream stream;
    smtp::ServerSession session;
    std::uint64_t sid;
    std::string peer_ip;
    std::size_t messages = 0;
    std::size_t rcpts_in_txn = 0;  // accepted recipients since the last MAIL (for the quota)
    std::string out;               // replies not yet written
    std::error_code ec;            // first write/handshake error: the connection is over

    asio::awaitable<void> flush() { co_await write_out(stream, out, ec); }

    asio::awaitable<void> perform(smtp::Action& action);
    asio::awaitable<void> commit(smtp::CommitMessage& m);
    asio::awaitable<void> start_tls();
    asio::awaitable<void> verify_password(const smtp::VerifyPassword& v);
};

asio::awaitable<void> Connection::start_tls() {
    co_await flush();  // the 220 goes out in plaintext first
    if (ec) co_return;
    // Not `if (!co_await ...)`: g++ 12 miscompiles a co_await in a condition.
    bool ok = co_await accept_tls(stream, services, sid, ec);
    if (!ok) co_return;
    auto info = stream.tls_info();
    session.tls_started(smtp::TlsInfo{info->version, info->cipher});
}

asio::awaitable<void> Connection::verify_password(const smtp::VerifyPassword& v) {
    // (Not `switch (co_await ...)`: g++ 12 miscompiles a co_await in a switch condition.)
    auto verdict = co_await check_password(services, peer_ip, v.user, v.password);
    switch (verdict) {
        case LoginVerdict::Ok: session.password_verified(smtp::AuthVerdict::Ok); break;
        case LoginVerdict::BadCredentials: session.password_verified(smtp::AuthVerdict::BadCredentials); break;
        case LoginVerdict::Throttled: session.password_verified(smtp::AuthVerdict::Throttled); break;
    }
}

asio::awaitable<void> Connection::commit(smtp::CommitMessage& m) {
    co_await flush();  // pipelined replies so far go out before the (possibly long) commit wait
    if (ec) co_return;
    auto now = unix_now();
    std::string prefix;
    const auto& auth_user = session.auth_user();
    if (!auth_user.empty()) {
        auto r = prepare_submission(services, *cfg, auth_user, m.data, now, prefix);
        if (!r.is_ok()) {
            spdlog::info("session={} user={} message refused: {}", sid, auth_user, r.str());
            session.message_committed(r);
            co_return;
        }
    }
    m.envelope.received_at = now;
    m.envelope.auth_user = auth_user;
    // The queue id is not known before the commit; the Received header carries the session
    // id instead, which the log ties to the queue id.
    auto trace_id = "S" + std::to_string(sid) + "." + std::to_string(messages + 1);
    smtp::ReceivedFacts facts;
    facts.helo = session.helo();
    facts.peer_address = peer_ip;
    facts.hostname = cfg->server.hostname;
    facts.protocol = session.protocol();
    if (auto info = stream.tls_info()) facts.tls = smtp::TlsInfo{info->version, info->cipher};
    facts.queue_id = trace_id;
    if (m.envelope.recipients.size() == 1) facts.recipient = m.envelope.recipients[0].address;
    facts.unix_time = now;
    prefix = smtp::compose_received(facts) + prefix;

    auto env = std::make_shared<const Envelope>(m.envelope);
    auto size = prefix.size() + m.data.size();
    // The message moves into the spool (no copy); delivery reads it back from the page cache.
    auto result = co_await async_commit(*services.spool, std::move(m.envelope), std::move(prefix),
                                        std::move(m.data), asio::use_awaitable);
    if (result.outcome.is_ok()) {
        ++messages;
        if (!auth_user.empty()) services.quota->record(auth_user, env->recipients.size(), now);
        spdlog::info("session={} queue={} from=<{}> nrcpt={} size={}{} accepted", sid, result.id,
                     env->mail_from, env->recipients.size(), size,
                     auth_user.empty() ? "" : " user=" + auth_user);
        services.delivery->submit(result.id, env);
    } else {
        spdlog::error("session={} commit failed: {}", sid, result.outcome.str());
    }
    session.message_committed(result.outcome);
}

asio::awaitable<void> Connection::perform(smtp::Action& action) {
    if (auto* r = std::get_if<smtp::SendReply>(&action)) {
        out += r->bytes;
    } else if (auto* c = std::get_if<smtp::CheckRecipient>(&action)) {
        auto r = check_recipient(services, *cfg, session.auth_user(), rcpts_in_txn, c->address, unix_now());
        if (r.is_ok()) ++rcpts_in_txn;
        session.recipient_checked(r);
    } else if (auto* c = std::get_if<smtp::CheckSender>(&action)) {
        rcpts_in_txn = 0;
        auto r = check_sender(services, *cfg, session.auth_user(), c->address, unix_now());
        if (!r.is_ok())
            spdlog::info("session={} user={} MAIL FROM:<{}> refused: {}", sid, session.auth_user(),
                         c->address, r.str());
        session.sender_checked(r);
    } else if (auto* m = std::get_if<smtp::CommitMessage>(&action)) {
        rcpts_in_txn = 0;
        co_await commit(*m);
    } else if (std::get_if<smtp::StartTls>(&action)) {
        co_await start_tls();
    } else if (auto* v = std::get_if<smtp::VerifyPassword>(&action)) {
        co_await verify_password(*v);
    } else if (auto* l = std::get_if<smtp::LookupScram>(&action)) {
        auto r = lookup_scram(services, peer_ip, l->user);
        if (r.verdict == LoginVerdict::Throttled) session.scram_credentials(std::nullopt, smtp::AuthVerdict::Throttled);
        else session.scram_credentials(std::move(r.credentials));
    } else if (auto* a = std::get_if<smtp::AuthAttempt>(&action)) {
        record_login(services, sid, peer_ip, a->user, a->mechanism, a->success, a->reason);
    }
    co_return;
}

}  // namespace

asio::awaitable<void> serve_smtp(asio::ip::tcp::socket socket, net::ConnectionLimiter::Slot slot,
                                 SmtpListenerKind kind, const Services& services) {
    auto cfg = services.config();
    asio::error_code rec;
    auto remote = socket.remote_endpoint(rec);
    smtp::PeerInfo peer{remote.address().to_string(), remote.port()};
    Connection conn{services, cfg, net::Stream(std::move(socket)),
                    smtp::ServerSession(session_options(*cfg, kind, services), peer),
                    next_session_id(), peer.address, 0, 0, {}, {}};
    ConnectionRegistry::Registration control(*services.registry, conn.stream.socket().get_executor(), &conn.stream);
    spdlog::info("session={} connect client=[{}]:{} listener={}", conn.sid, peer.address, peer.port,
                 kind == SmtpListenerKind::Mx ? "smtp" : kind == SmtpListenerKind::Submission ? "submission" : "submissions");

    if (kind == SmtpListenerKind::Submissions) co_await accept_tls(conn.stream, services, conn.sid, conn.ec);

    std::string in(kFirstReadChunk, '\0');
    if (!conn.ec) conn.session.start();
    while (!conn.ec) {
        // Completions performed here (checks, commits, handshakes) make the session emit more
        // actions at once: drain until it has nothing left to say.
        for (auto actions = conn.session.take_actions(); !actions.empty() && !conn.ec;
             actions = conn.session.take_actions()) {
            for (auto& action : actions) {
                co_await conn.perform(action);
                if (conn.ec) break;
            }
        }
        co_await conn.flush();
        if (conn.ec || conn.session.closed()) break;
        if (conn.session.parked()) continue;  // completions above already resumed it
        if (control->stopping) {
            conn.session.shutdown();
            continue;
        }
        std::error_code read_ec;
        control->reading = true;
        auto n = co_await conn.stream.read_some(asio::buffer(in), conn.session.read_timeout(), read_ec);
        control->reading = false;
        if (control->stopping) {
            conn.session.shutdown();
            continue;
        }
        if (read_ec == asio::error::timed_out) {
            spdlog::info("session={} timeout", conn.sid);
            conn.session.timeout();
            continue;
        }
        if (read_ec) break;  // peer closed or reset
        conn.session.feed(std::string_view(in.data(), n));
        if (n == in.size() && in.size() < kMaxReadChunk) in.resize(in.size() * 2);
    }
    control->stream = nullptr;
    if (conn.stream.is_tls() && !conn.ec) co_await conn.stream.shutdown(std::chrono::seconds(1));
    conn.stream.close();
    spdlog::info("session={} disconnect messages={}", conn.sid, conn.messages);
}

}  // namespace tern::server
