#include "server/pop3_connection.hpp"

#include <asio/co_spawn.hpp>
#include <asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <optional>
#include <set>

#include "core/address.hpp"
#include "mailbox/store.hpp"
#include "net/stream.hpp"
#include "net/tls_context.hpp"
#include "pop3/server_session.hpp"
#include "server/connection_io.hpp"
#include "server/connection_registry.hpp"
#include "server/login_checks.hpp"
#include "store/mailbox_path.hpp"

namespace tern::server {
namespace {

// Commands are short; only AUTH lines are long (the session bounds them, pop3::kAuthLineLimit).
constexpr std::size_t kReadChunk = 4096;

pop3::SessionOptions session_options(const config::Config& c, Pop3ListenerKind kind, const Services& s) {
    pop3::SessionOptions o;
    o.hostname = c.server.hostname;
    o.limits.errors = c.limits.errors;
    o.tls_active = kind == Pop3ListenerKind::Pop3s;
    o.stls_available = kind == Pop3ListenerKind::Pop3 && s.tls != nullptr;
    o.plaintext_auth = c.retrieval.plaintext_auth;
    o.sasl = s.sasl;
    return o;
}

// The maildrop of one session: INBOX and the listing it gave the client.
struct Maildrop {
    std::shared_ptr<mailbox::Folder> inbox;
    std::uint32_t uidvalidity = 0;    // the UIDs below mean nothing under another one
    std::vector<std::uint32_t> uids;  // listing index -> UID
    std::vector<pop3::MessageInfo> listing;
};

// RFC 1939 7: unique-ids must be unique in the maildrop. Two Maildir names can map to the same
// UIDL (they differ only in Dovecot's size fields); the later ones get "-<uid>" appended rather
// than the whole maildrop being refused.
void make_uidls_unique(Maildrop& m) {
    std::set<std::string> seen;
    for (std::size_t i = 0; i < m.listing.size(); ++i) {
        auto& uid = m.listing[i].uid;
        if (seen.insert(uid).second) continue;
        auto suffix = "-" + std::to_string(m.uids[i]);
        uid = uid.substr(0, pop3::kMaxUidLength - suffix.size()) + suffix;
        seen.insert(uid);
    }
}

bool same_generation(const std::shared_ptr<mailbox::Folder>& inbox, std::uint32_t uidvalidity) {
    auto snap = inbox->snapshot();
    return snap && snap->uidvalidity == uidvalidity;
}

// The blocking parts run on the mailbox pool. Plain coroutine functions (see login_checks.cpp
// for why not lambdas), returning default-constructible values as co_spawn requires.
struct Opened {
    std::optional<Maildrop> maildrop;
    mailbox::Error error;  // when maildrop is empty
};

asio::awaitable<Opened> open_maildrop(mailbox::Store* store, std::filesystem::path root) {
    if (auto r = store->ensure_user(root); !r) co_return Opened{std::nullopt, r.error()};
    auto folder = store->open(root, "INBOX");
    if (!folder) co_return Opened{std::nullopt, folder.error()};
    auto snap = (*folder)->sync();
    if (!snap) co_return Opened{std::nullopt, snap.error()};
    Maildrop m;
    m.inbox = std::move(*folder);
    m.uidvalidity = (*snap)->uidvalidity;
    m.uids.reserve((*snap)->messages.size());
    m.listing.reserve((*snap)->messages.size());
    for (const auto& rec : (*snap)->messages) {
        m.uids.push_back(rec.uid);
        m.listing.push_back({mailbox::pop3_uidl(rec), rec.rfc822_size});
    }
    make_uidls_unique(m);
    co_return Opened{std::move(m), {}};
}

asio::awaitable<std::optional<std::string>> read_message(std::shared_ptr<mailbox::Folder> inbox,
                                                        std::uint32_t uidvalidity, std::uint32_t uid) {
    // The index was rebuilt meanwhile (by another process): the UID may name another message.
    if (!same_generation(inbox, uidvalidity)) co_return std::nullopt;
    // The stored LF form: the session converts to CRLF and byte-stuffs in one pass.
    auto r = inbox->read_message(uid, false);
    if (!r) co_return std::nullopt;
    co_return std::move(*r);
}

// True only when every message is gone afterwards (RFC 1939 6: otherwise the client must hear
// "-ERR some deleted messages not removed").
asio::awaitable<bool> expunge(std::shared_ptr<mailbox::Folder> inbox, std::uint32_t uidvalidity,
                              std::vector<std::uint32_t> uids) {
    if (!same_generation(inbox, uidvalidity)) {
        spdlog::error("pop3: {} was re-indexed during the session; deleting nothing", inbox->dir().string());
        co_return false;
    }
    auto r = inbox->expunge(uids);
    if (!r) {
        spdlog::error("pop3: cannot remove deleted messages from {}: {}", inbox->dir().string(), r.error().text);
        co_return false;
    }
    for (auto uid : uids)
        if (r->snapshot && r->snapshot->messages.find(uid)) co_return false;
    co_return true;
}

struct Connection {
    const Services& services;
    std::shared_ptr<const config::Config> cfg;
    net::Stream stream;
    pop3::ServerSession session;
    std::uint64_t sid;
    std::string peer_ip;
    std::optional<mailbox::Pop3Lock> lock;  // held from the login to the end of the connection
    Maildrop maildrop;
    std::size_t retrieved = 0;
    std::size_t deleted = 0;
    std::string out;
    std::error_code ec;

    asio::awaitable<void> flush() { co_await write_out(stream, out, ec); }

    template <class T>
    asio::awaitable<T> on_mailbox_pool(asio::awaitable<T> work) {
        co_return co_await asio::co_spawn(*services.mailbox_io, std::move(work), asio::use_awaitable);
    }

    asio::awaitable<void> perform(pop3::Action& action);
    asio::awaitable<void> start_tls();
    asio::awaitable<void> open(const std::string& user);
};

asio::awaitable<void> Connection::start_tls() {
    co_await flush();  // the +OK goes out in plaintext first
    if (ec) co_return;
    // Not `if (!co_await ...)`: g++ 12 miscompiles a co_await in a condition: the server died with SIGILL.
    bool ok = co_await accept_tls(stream, services, sid, ec);
    if (!ok) co_return;
    session.tls_started();
}

asio::awaitable<void> Connection::open(const std::string& user) {
    auto key = ascii_lower(user);
    auto root = store::mailbox_path(cfg->mailboxes_dir(), key);
    if (!root) {
        spdlog::error("session={} user={} has no valid mailbox path", sid, key);
        session.maildrop_opened(pop3::MaildropError::TemporaryFailure);
        co_return;
    }
    lock = services.mailboxes->try_lock_pop3(*root);
    if (!lock) {
        spdlog::info("session={} user={} maildrop in use", sid, key);
        session.maildrop_opened(pop3::MaildropError::InUse);
        co_return;
    }
    auto r = co_await on_mailbox_pool(open_maildrop(services.mailboxes, *root));
    if (!r.maildrop) {
        spdlog::error("session={} user={} cannot open the maildrop: {}", sid, key, r.error.text);
        lock.reset();
        session.maildrop_opened(pop3::MaildropError::TemporaryFailure);
        co_return;
    }
    maildrop = std::move(*r.maildrop);
    spdlog::info("session={} user={} maildrop messages={}", sid, key, maildrop.listing.size());
    session.maildrop_opened(std::move(maildrop.listing));
    maildrop.listing = {};
}

asio::awaitable<void> Connection::perform(pop3::Action& action) {
    if (auto* r = std::get_if<pop3::SendReply>(&action)) {
        // A RETR of a large message is one reply: take it over rather than copy it, and write
        // it out at once.
        if (out.empty()) out = std::move(r->bytes);
        else out += r->bytes;
        if (out.size() >= kWriteChunk) co_await flush();
    } else if (std::get_if<pop3::StartTls>(&action)) {
        co_await start_tls();
    } else if (auto* v = std::get_if<pop3::VerifyPassword>(&action)) {
        auto verdict = co_await check_password(services, peer_ip, v->user, std::move(v->password));
        session.password_verified(verdict == LoginVerdict::Ok               ? pop3::AuthVerdict::Ok
                                  : verdict == LoginVerdict::BadCredentials ? pop3::AuthVerdict::BadCredentials
                                                                            : pop3::AuthVerdict::Throttled);
    } else if (auto* l = std::get_if<pop3::LookupScram>(&action)) {
        auto r = lookup_scram(services, peer_ip, l->user);
        if (r.verdict == LoginVerdict::Throttled) session.scram_credentials(std::nullopt, pop3::AuthVerdict::Throttled);
        else session.scram_credentials(std::move(r.credentials));
    } else if (auto* a = std::get_if<pop3::AuthAttempt>(&action)) {
        record_login(services, sid, peer_ip, a->user, a->mechanism, a->success, a->reason);
    } else if (auto* o = std::get_if<pop3::OpenMaildrop>(&action)) {
        co_await open(o->user);
    } else if (auto* m = std::get_if<pop3::ReadMessage>(&action)) {
        if (m->index >= maildrop.uids.size()) {
            session.message_read(std::nullopt);
        } else {
            auto content = co_await on_mailbox_pool(
                read_message(maildrop.inbox, maildrop.uidvalidity, maildrop.uids[m->index]));
            if (content && !m->top) ++retrieved;
            session.message_read(std::move(content));
        }
    } else if (auto* c = std::get_if<pop3::CommitDeletes>(&action)) {
        std::vector<std::uint32_t> uids;
        for (auto i : c->indexes)
            if (i < maildrop.uids.size()) uids.push_back(maildrop.uids[i]);
        bool ok = co_await on_mailbox_pool(expunge(maildrop.inbox, maildrop.uidvalidity, std::move(uids)));
        if (ok) deleted = c->indexes.size();
        session.update_done(ok);
    }
    co_return;
}

}  // namespace

asio::awaitable<void> serve_pop3(asio::ip::tcp::socket socket, net::ConnectionLimiter::Slot slot,
                                 Pop3ListenerKind kind, const Services& services) {
    auto cfg = services.config();
    asio::error_code rec;
    auto remote = socket.remote_endpoint(rec);
    Connection conn{services, cfg, net::Stream(std::move(socket)),
                    pop3::ServerSession(session_options(*cfg, kind, services)),
                    next_session_id(), remote.address().to_string(), std::nullopt, {}, 0, 0, {}, {}};
    ConnectionRegistry::Registration control(*services.registry, conn.stream.socket().get_executor(), &conn.stream);
    spdlog::info("session={} connect client=[{}]:{} listener={}", conn.sid, conn.peer_ip, remote.port(),
                 kind == Pop3ListenerKind::Pop3 ? "pop3" : "pop3s");

    if (kind == Pop3ListenerKind::Pop3s) {
        co_await accept_tls(conn.stream, services, conn.sid, conn.ec);
    }
    std::string in(kReadChunk, '\0');
    if (!conn.ec) conn.session.start();
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
            spdlog::info("session={} autologout", conn.sid);
            conn.session.timeout();
            continue;
        }
        if (read_ec) break;
        conn.session.feed(std::string_view(in.data(), n));
    }
    control->stream = nullptr;
    if (conn.stream.is_tls() && !conn.ec) co_await conn.stream.shutdown(std::chrono::seconds(1));
    conn.stream.close();
    spdlog::info("session={} disconnect user={} retrieved={} deleted={}", conn.sid, conn.session.user(),
                 conn.retrieved, conn.deleted);
}

}  // namespace tern::server
