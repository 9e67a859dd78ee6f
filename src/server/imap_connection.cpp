// The IMAP network driver: runs imap::ServerSession over a net::Stream (see the session's
// header for the loop). It writes everything the session produced before it reads again, and
// answers Drain by writing (each chunk bounded in time: connection_io.hpp), so output waiting
// for a slow client stays around SessionLimits::output_batch. After COMPRESS=DEFLATE (RFC 4978)
// writes go through a net::Deflater (a sync flush per batch) and reads through a net::Inflater
// whose output is fed in pieces of kMaxReadChunk, one piece per turn of the loop, like a read.
// Timers: the session's read_timeout() (autologout, RFC 9051 5.4: 30 minutes once
// authenticated; IDLE polls the folder every kIdlePoll within it).
#include "server/imap_connection.hpp"

#include <asio/co_spawn.hpp>
#include <asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <functional>
#include <optional>

#include "core/address.hpp"
#include "imap/server_session.hpp"
#include "mailbox/store.hpp"
#include "net/deflate_stream.hpp"
#include "net/stream.hpp"
#include "net/tls_context.hpp"
#include "server/connection_io.hpp"
#include "server/connection_registry.hpp"
#include "server/imap_backend.hpp"
#include "server/login_checks.hpp"
#include "store/mailbox_path.hpp"

namespace tern::server {
namespace {

constexpr std::size_t kFirstReadChunk = 1024;
constexpr std::size_t kMaxReadChunk = 64 * 1024;
// While idling: how often the folder is looked at (RFC 2177 asks for prompt updates).
constexpr auto kIdlePoll = std::chrono::seconds(1);

imap::SessionOptions session_options(const config::Config& c, ImapListenerKind kind, const Services& s) {
    imap::SessionOptions o;
    o.hostname = c.server.hostname;
    o.limits.errors = c.limits.errors;
    o.tls_active = kind == ImapListenerKind::Imaps;
    o.starttls_available = kind == ImapListenerKind::Imap && s.tls != nullptr;
    o.plaintext_auth = c.retrieval.plaintext_auth;
    o.sasl = s.sasl;
    return o;
}

// A plain coroutine function (g++ 12 and capturing lambda coroutines do not mix); the
// std::function holds an ordinary lambda.
asio::awaitable<void> invoke(std::function<void()> f) {
    f();
    co_return;
}

asio::awaitable<std::shared_ptr<imap::Backend>> open_backend(mailbox::Store* store, std::filesystem::path root,
                                                              std::uint64_t quota) {
    if (auto r = store->ensure_user(root); !r) {
        spdlog::error("imap: cannot prepare the mailbox {}: {}", root.string(), r.error().text);
        co_return nullptr;
    }
    co_return make_imap_backend(*store, std::move(root), quota);
}

struct Connection {
    const Services& services;
    std::shared_ptr<const config::Config> cfg;
    net::Stream stream;
    imap::ServerSession session;
    std::uint64_t sid;
    std::string peer_ip;
    std::string out;
    std::error_code ec;
    std::shared_ptr<imap::Backend> opened;  // on its way to the session (see open())
    // COMPRESS=DEFLATE, once the session started it.
    std::unique_ptr<net::Deflater> deflater;
    std::unique_ptr<net::Inflater> inflater;
    std::string wire;   // compressed output on its way out
    std::string plain;  // inflated input on its way to the session

    asio::awaitable<void> flush();

    // Runs `f` (a call into the session) on the mailbox pool and comes back.
    asio::awaitable<void> on_pool(std::function<void()> f) {
        co_await asio::co_spawn(*services.mailbox_io, invoke(std::move(f)), asio::use_awaitable);
    }

    asio::awaitable<void> perform(imap::Action& action);
    asio::awaitable<void> start_tls();
    asio::awaitable<void> open(const std::string& user);
};

asio::awaitable<void> Connection::flush() {
    if (!deflater) {
        co_await write_out(stream, out, ec);
        co_return;
    }
    // Deflated a chunk at a time so the compressed copy stays small; one sync flush at the end.
    for (std::size_t at = 0; at < out.size() && !ec; at += kWriteChunk) {
        const std::size_t n = std::min(kWriteChunk, out.size() - at);
        deflater->compress(std::string_view(out).substr(at, n), wire, at + n == out.size());
        co_await write_out(stream, wire, ec);
    }
    out.clear();
}

asio::awaitable<void> Connection::start_tls() {
    co_await flush();  // the OK goes out in plaintext first
    if (ec) co_return;
    // Not `if (!co_await ...)`: g++ 12 miscompiles a co_await in a condition: the server died with SIGILL.
    bool ok = co_await accept_tls(stream, services, sid, ec);
    if (!ok) co_return;
    co_await on_pool([this] { session.tls_started(); });
}

asio::awaitable<void> Connection::open(const std::string& user) {
    auto key = ascii_lower(user);
    auto root = store::mailbox_path(cfg->mailboxes_dir(), key);
    std::shared_ptr<imap::Backend> backend;
    if (root) backend = co_await asio::co_spawn(*services.mailbox_io, open_backend(services.mailboxes, *root, cfg->retrieval.quota),
                                                asio::use_awaitable);
    if (!backend) {
        co_await on_pool([this] { session.mailboxes_failed(imap::OpenError::TemporaryFailure); });
        co_return;
    }
    spdlog::info("session={} user={} logged in", sid, key);
    // Handed over through a member, not a lambda capture: with g++ 12, a shared_ptr captured
    // by a lambda temporary inside this co_await expression lost one reference too many (ASan:
    // the backend freed while the session held it).
    opened = std::move(backend);
    co_await on_pool([this] { session.mailboxes_opened(std::move(opened)); });
}

asio::awaitable<void> Connection::perform(imap::Action& action) {
    if (auto* r = std::get_if<imap::action::SendReply>(&action)) {
        if (out.empty()) out = std::move(r->bytes);
        else out += r->bytes;
        if (out.size() >= kWriteChunk) co_await flush();
    } else if (std::get_if<imap::action::StartTls>(&action)) {
        co_await start_tls();
    } else if (std::get_if<imap::action::Drain>(&action)) {
        co_await flush();
        if (!ec) co_await on_pool([this] { session.drained(); });
    } else if (auto* c = std::get_if<imap::action::StartCompression>(&action)) {
        co_await flush();  // RFC 4978 3: the tagged OK goes out uncompressed, all after it compressed
        deflater = std::make_unique<net::Deflater>();
        inflater = std::make_unique<net::Inflater>();
        inflater->add(c->compressed_input);
        spdlog::info("session={} COMPRESS=DEFLATE", sid);
    } else if (auto* v = std::get_if<imap::action::VerifyPassword>(&action)) {
        auto verdict = co_await check_password(services, peer_ip, v->user, std::move(v->password));
        auto answer = verdict == LoginVerdict::Ok               ? imap::AuthVerdict::Ok
                      : verdict == LoginVerdict::BadCredentials ? imap::AuthVerdict::BadCredentials
                                                                : imap::AuthVerdict::Throttled;
        co_await on_pool([this, answer] { session.password_verified(answer); });
    } else if (auto* l = std::get_if<imap::action::LookupScram>(&action)) {
        auto r = lookup_scram(services, peer_ip, l->user);
        co_await on_pool([this, &r] {
            if (r.verdict == LoginVerdict::Throttled) session.scram_credentials(std::nullopt, imap::AuthVerdict::Throttled);
            else session.scram_credentials(std::move(r.credentials));
        });
    } else if (auto* a = std::get_if<imap::action::AuthAttempt>(&action)) {
        record_login(services, sid, peer_ip, a->user, a->mechanism, a->success, a->reason);
    } else if (auto* o = std::get_if<imap::action::OpenMailboxes>(&action)) {
        co_await open(o->user);
    }
    co_return;
}

}  // namespace

asio::awaitable<void> serve_imap(asio::ip::tcp::socket socket, net::ConnectionLimiter::Slot slot,
                                 ImapListenerKind kind, const Services& services) {
    auto cfg = services.config();
    asio::error_code rec;
    auto remote = socket.remote_endpoint(rec);
    Connection conn{services, cfg, net::Stream(std::move(socket)),
                    imap::ServerSession(session_options(*cfg, kind, services)), next_session_id(),
                    remote.address().to_string(), {}, {}, {}, {}, {}, {}, {}};
    ConnectionRegistry::Registration control(*services.registry, conn.stream.socket().get_executor(), &conn.stream);
    spdlog::info("session={} connect client=[{}]:{} listener={}", conn.sid, conn.peer_ip, remote.port(),
                 kind == ImapListenerKind::Imap ? "imap" : "imaps");

    if (kind == ImapListenerKind::Imaps) {
        co_await accept_tls(conn.stream, services, conn.sid, conn.ec);
    }
    std::string in(kFirstReadChunk, '\0');
    if (!conn.ec) conn.session.start();
    std::optional<std::chrono::steady_clock::time_point> idle_deadline;
    while (!conn.ec) {
        for (auto actions = conn.session.take_actions(); !actions.empty() && !conn.ec;
             actions = conn.session.take_actions()) {
            for (auto& action : actions) {
                co_await conn.perform(action);
                if (conn.ec) break;
            }
        }
        co_await conn.flush();
        if (conn.ec || conn.session.closed()) break;
        if (conn.session.parked()) continue;
        if (control->stopping) {
            co_await conn.on_pool([&conn] { conn.session.shutdown(); });
            continue;
        }
        // IDLE: short reads, and a look at the folder after each quiet second.
        auto timeout = conn.session.read_timeout();
        if (conn.session.idling()) {
            if (!idle_deadline) idle_deadline = std::chrono::steady_clock::now() + timeout;
            timeout = std::chrono::duration_cast<std::chrono::seconds>(kIdlePoll);
        } else {
            idle_deadline.reset();
        }
        // Input inflated from an earlier read goes first, one bounded piece per turn.
        if (conn.inflater && conn.inflater->pending()) {
            if (!conn.inflater->next(conn.plain, kMaxReadChunk)) {
                spdlog::info("session={} corrupt compressed input: {}", conn.sid, conn.inflater->error());
                break;
            }
            if (!conn.plain.empty()) co_await conn.on_pool([&conn] { conn.session.feed(conn.plain); });
            continue;
        }
        std::error_code read_ec;
        control->reading = true;
        auto n = co_await conn.stream.read_some(asio::buffer(in), timeout, read_ec);
        control->reading = false;
        if (control->stopping) {
            co_await conn.on_pool([&conn] { conn.session.shutdown(); });
            continue;
        }
        if (read_ec == asio::error::timed_out) {
            if (idle_deadline && std::chrono::steady_clock::now() < *idle_deadline) {
                co_await conn.on_pool([&conn] { conn.session.folder_changed(); });
                continue;
            }
            spdlog::info("session={} autologout", conn.sid);
            co_await conn.on_pool([&conn] { conn.session.timeout(); });
            continue;
        }
        if (read_ec) break;
        std::string_view chunk(in.data(), n);
        if (conn.inflater) {
            conn.inflater->add(chunk);
            if (!conn.inflater->next(conn.plain, kMaxReadChunk)) {
                spdlog::info("session={} corrupt compressed input: {}", conn.sid, conn.inflater->error());
                break;
            }
            chunk = conn.plain;
        }
        if (!chunk.empty()) co_await conn.on_pool([&conn, chunk] { conn.session.feed(chunk); });
        if (n == in.size() && in.size() < kMaxReadChunk) in.resize(in.size() * 2);
    }
    control->stream = nullptr;
    if (conn.stream.is_tls() && !conn.ec) co_await conn.stream.shutdown(std::chrono::seconds(1));
    conn.stream.close();
    spdlog::info("session={} disconnect user={}", conn.sid, conn.session.user());
}

}  // namespace tern::server
