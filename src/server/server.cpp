#include "server/server.hpp"

#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <asio/thread_pool.hpp>
#include <fcntl.h>
#include <openssl/rand.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <thread>
#include <tuple>
#include <vector>

#include "auth/user_directory.hpp"
#include "core/address.hpp"
#include "delivery/recipient_resolver.hpp"
#include "net/connection_limiter.hpp"
#include "net/endpoint.hpp"
#include "net/listener.hpp"
#include "net/tls_context.hpp"
#include "policy/auth_throttle.hpp"
#include "policy/send_quota.hpp"
#include "queue/spool.hpp"
#include "server/connection_registry.hpp"
#include "control/control_server.hpp"
#include "server/bouncer.hpp"
#include "server/delivery_service.hpp"
#include "server/dkim_keyring.hpp"
#include "server/outbound_service.hpp"
#include "server/queue_control_impl.hpp"
#include "server/imap_connection.hpp"
#include "server/pop3_connection.hpp"
#include "server/quota_check.hpp"
#include "server/smtp_connection.hpp"
#include "mailbox/store.hpp"

namespace tern::server {
namespace {

// Graceful stop budget: sessions get this long to finish before they are cut with 421.
constexpr auto kDrainTime = std::chrono::seconds(5);

// What SIGHUP replaces whole (the configuration, the DKIM keys): readers keep the snapshot they
// took, so a reload never changes anything under a running session.
template <class T>
class SnapshotHolder {
public:
    explicit SnapshotHolder(std::shared_ptr<const T> initial) : current_(std::move(initial)) {}
    std::shared_ptr<const T> get() const {
        std::lock_guard lock(mu_);
        return current_;
    }
    void set(std::shared_ptr<const T> next) {
        std::lock_guard lock(mu_);
        current_ = std::move(next);
    }

private:
    mutable std::mutex mu_;
    std::shared_ptr<const T> current_;
};

// Adapts the auth user directory (reloaded when the users file changes) to delivery's lookup.
class DirectoryLookup : public delivery::UserLookup {
public:
    explicit DirectoryLookup(auth::UserDirectory& dir) : dir_(dir) {}
    bool exists(std::string_view key) const override { return dir_.current()->contains(key); }

private:
    auth::UserDirectory& dir_;
};

void print_first_mail_help(const config::Config& c, const std::string& program,
                           const std::vector<net::Listener*>& smtp) {
    if (smtp.empty()) return;
    auto ep = smtp.front()->local_endpoint();
    auto domain = c.server.domains.empty() ? std::string("localhost") : c.server.domains.front();
    auto port = ep.port();
    auto host = ep.address().is_unspecified() ? std::string("127.0.0.1") : ep.address().to_string();
    std::string cfg = c.source == "<embedded default>" ? "" : " --config " + c.source;
    std::fprintf(stdout,
                 "\nTern is running. Send it a first mail:\n"
                 "  1. create a user:   echo 'secret' | %s user add you@%s --password-stdin%s\n"
                 "  2. send a message:  swaks --server %s --port %u --to you@%s\n"
                 "     (or: python3 -c \"import smtplib; smtplib.SMTP('%s', %u).sendmail("
                 "'me@example.org', ['you@%s'], 'Subject: hi\\r\\n\\r\\nhello\\r\\n')\")\n"
                 "  3. it lands in:     %s/%s/you/new/\n"
                 "Stop with Ctrl-C (SIGTERM); SIGHUP reloads the configuration.\n\n",
                 program.c_str(), domain.c_str(), cfg.c_str(), host.c_str(), port, domain.c_str(), host.c_str(), port,
                 domain.c_str(), c.mailboxes_dir().string().c_str(), domain.c_str());
    std::fflush(stdout);
}

// A per-installation secret (32 random bytes in <data_dir>/secret, mode 0600), stable across
// restarts: it keys the made-up SCRAM salts of unknown users so they cannot be told apart.
std::string installation_secret(const std::filesystem::path& data_dir, std::string& error) {
    auto path = data_dir / "secret";
    std::ifstream in(path, std::ios::binary);
    std::string secret((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (secret.size() == 32) return secret;
    secret.assign(32, '\0');
    RAND_bytes(reinterpret_cast<unsigned char*>(secret.data()), 32);
    auto tmp = data_dir / "secret.tmp";
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || ::write(fd, secret.data(), secret.size()) != 32 || ::fsync(fd) != 0) {
        error = "cannot write " + tmp.string() + ": " + std::strerror(errno);
        if (fd >= 0) ::close(fd);
        return {};
    }
    ::close(fd);
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        error = "cannot create " + path.string() + ": " + ec.message();
        return {};
    }
    return secret;
}

policy::AuthThrottleLimits throttle_limits(const config::Config& c) {
    return {c.auth.max_failures_per_ip, c.auth.max_failures_per_account,
            static_cast<std::int64_t>(c.auth.failure_window)};
}

policy::SendQuotaLimits quota_limits(const config::Config& c) {
    return {c.submission.messages_per_hour, c.submission.recipients_per_day};
}

// The DKIM keys for `c`, missing ones made now; what happened goes to the log.
std::shared_ptr<const DkimKeyring> load_dkim(const config::Config& c) {
    std::vector<std::string> errors, made;
    auto ring = DkimKeyring::load(c, true, &errors, &made);
    for (const auto& m : made) spdlog::info("dkim: {}", m);
    for (const auto& e : errors) spdlog::error("dkim: {}; that mail goes out unsigned", e);
    return ring;
}

}  // namespace

int run_server(config::Config initial, std::optional<std::filesystem::path> config_path,
               std::string program) {
    std::error_code fec;
    std::filesystem::create_directories(initial.server.data_dir, fec);
    if (fec) {
        spdlog::critical("cannot create data directory {}: {}", initial.server.data_dir.string(), fec.message());
        return 1;
    }
    SnapshotHolder<config::Config> config(std::make_shared<const config::Config>(std::move(initial)));
    auto cfg0 = config.get();

    std::string error;
    queue::Spool::Options sopts;
    sopts.dir = cfg0->queue_dir();
    auto spool = queue::Spool::open(sopts, error);
    if (!spool) {
        spdlog::critical("cannot open the queue in {}: {}", sopts.dir.string(), error);
        return 1;
    }
    spdlog::info("queue {} opened with {} messages", sopts.dir.string(), spool->size());

    auth::UserDirectory users(cfg0->users_file());
    DirectoryLookup lookup(users);

    // Local delivery, remote delivery and bounces hand messages to each other: a bounce goes
    // wherever its recipient is; a local alias may point to remote addresses.
    DeliveryService* local_ptr = nullptr;
    Bouncer bouncer(*spool, [&config] { return config.get()->server.hostname; }, [&local_ptr](const std::string& id, std::shared_ptr<const Envelope> env) {
        local_ptr->submit(id, std::move(env));  // local recipients here, remote ones to outbound
    });
    OutboundService outbound(*spool, [&config] { return config.get(); }, bouncer);
    DeliveryService::Options dopts;
    dopts.remote = [&outbound](const std::string& id, std::shared_ptr<const Envelope> env) {
        outbound.submit(id, std::move(env));
    };
    dopts.report = [&bouncer](const std::string& id, const Envelope& env, const std::vector<DeliveryReport>& reports,
                              const std::string& data) { bouncer.report(id, env, reports, data); };
    // The mailbox store: POP3/IMAP sessions, and the quota check and IDLE wake-up of delivery.
    mailbox::Store mailboxes(mailbox::Store::Options{cfg0->server.hostname, {}, 64});
    dopts.admit = [&mailboxes, &config](const std::filesystem::path& maildir) {
        return check_quota(mailboxes, *config.get(), maildir);
    };
    dopts.delivered = [&mailboxes](const std::filesystem::path& maildir) { mailboxes.notify_delivered(maildir); };
    DeliveryService delivery(dopts, *spool, [&config] { return config.get(); }, lookup);
    local_ptr = &delivery;
    if (std::string oerr; !outbound.start(oerr)) {
        spdlog::critical("{}", oerr);
        return 1;
    }
    delivery.start();
    auto recovered = delivery.recover();
    auto recovered_remote = outbound.recover();
    if (recovered || recovered_remote)
        spdlog::info("resuming delivery of queued messages: {} with local recipients, {} with remote ones",
                     recovered, recovered_remote);
    ServerQueueControl queue_control(*spool, delivery, outbound);

    net::TlsContextStore tls;
    {
        auto r = tls.load(net::TlsSettings::from(*cfg0));
        for (const auto& line : r.log) spdlog::info("{}", line);
        for (const auto& w : r.warnings) spdlog::warn("{}", w);
        if (!r.ok()) {
            spdlog::critical("{}", r.error);
            delivery.stop();
            return 1;
        }
    }
    std::string secret_error;
    auto secret = installation_secret(cfg0->server.data_dir, secret_error);
    if (secret.empty()) {
        spdlog::critical("{}", secret_error);
        delivery.stop();
        return 1;
    }
    policy::AuthThrottle throttle(throttle_limits(*cfg0));
    policy::SendQuota quota(quota_limits(*cfg0));
    asio::thread_pool blocking(2);
    // POP3/IMAP folder work (index loads, syncs, message reads) is file I/O: its own pool, so
    // a large folder being opened never waits behind password checks, or the other way round.
    asio::thread_pool mailbox_io(4);

    asio::io_context io;
    ConnectionRegistry registry;
    net::ConnectionLimiter limiter(cfg0->limits.connections, cfg0->limits.connections_per_ip);

    Services services;
    services.config = [&config] { return config.get(); };
    services.users = &users;
    services.user_lookup = &lookup;
    services.spool = spool.get();
    services.delivery = &delivery;
    services.registry = &registry;
    services.tls = &tls;
    services.throttle = &throttle;
    services.quota = &quota;
    services.blocking = &blocking;
    services.mailboxes = &mailboxes;
    services.mailbox_io = &mailbox_io;
    services.sasl.fake_secret = secret;
    SnapshotHolder<DkimKeyring> dkim(load_dkim(*cfg0));
    services.dkim = [&dkim] { return dkim.get(); };

    std::vector<std::unique_ptr<net::Listener>> listeners;
    std::vector<net::Listener*> mx_listeners;
    try {
        for (auto [key, list, kind] :
             {std::tuple{"smtp", &cfg0->listen.smtp, SmtpListenerKind::Mx},
              std::tuple{"submission", &cfg0->listen.submission, SmtpListenerKind::Submission},
              std::tuple{"submissions", &cfg0->listen.submissions, SmtpListenerKind::Submissions}}) {
            for (const auto& addr : *list) {
                std::string perr;
                auto ep = net::parse_endpoint(addr, perr);
                if (!ep) throw std::runtime_error(std::string("listen.") + key + " \"" + addr + "\": " + perr);
                auto l = std::make_unique<net::Listener>(
                    io, *ep, limiter, "421 4.7.0 Too many connections, try again later\r\n",
                    [&services, kind](asio::ip::tcp::socket s, net::ConnectionLimiter::Slot slot) {
                        return serve_smtp(std::move(s), std::move(slot), kind, services);
                    });
                l->open();
                spdlog::info("listening for {} on {}", key, net::to_string(l->local_endpoint()));
                if (kind == SmtpListenerKind::Mx) mx_listeners.push_back(l.get());
                listeners.push_back(std::move(l));
            }
        }
        for (auto [key, list, kind] : {std::tuple{"pop3", &cfg0->listen.pop3, Pop3ListenerKind::Pop3},
                                       std::tuple{"pop3s", &cfg0->listen.pop3s, Pop3ListenerKind::Pop3s}}) {
            for (const auto& addr : *list) {
                std::string perr;
                auto ep = net::parse_endpoint(addr, perr);
                if (!ep) throw std::runtime_error(std::string("listen.") + key + " \"" + addr + "\": " + perr);
                auto l = std::make_unique<net::Listener>(
                    io, *ep, limiter, "-ERR [SYS/TEMP] Too many connections, try again later\r\n",
                    [&services, kind](asio::ip::tcp::socket s, net::ConnectionLimiter::Slot slot) {
                        return serve_pop3(std::move(s), std::move(slot), kind, services);
                    });
                l->open();
                spdlog::info("listening for {} on {}", key, net::to_string(l->local_endpoint()));
                listeners.push_back(std::move(l));
            }
        }
        for (auto [key, list, kind] : {std::tuple{"imap", &cfg0->listen.imap, ImapListenerKind::Imap},
                                       std::tuple{"imaps", &cfg0->listen.imaps, ImapListenerKind::Imaps}}) {
            for (const auto& addr : *list) {
                std::string perr;
                auto ep = net::parse_endpoint(addr, perr);
                if (!ep) throw std::runtime_error(std::string("listen.") + key + " \"" + addr + "\": " + perr);
                auto l = std::make_unique<net::Listener>(
                    io, *ep, limiter, "* BYE [UNAVAILABLE] Too many connections, try again later\r\n",
                    [&services, kind](asio::ip::tcp::socket s, net::ConnectionLimiter::Slot slot) {
                        return serve_imap(std::move(s), std::move(slot), kind, services);
                    });
                l->open();
                spdlog::info("listening for {} on {}", key, net::to_string(l->local_endpoint()));
                listeners.push_back(std::move(l));
            }
        }
    } catch (const std::exception& e) {
        spdlog::critical("{}", e.what());
        delivery.stop();
        return 1;
    }
    for (auto& l : listeners) l->start();
    control::ControlServer control_server(io.get_executor(), cfg0->control_socket(), queue_control,
                                          blocking.get_executor(), {});
    if (std::string cerr; !control_server.start(cerr))
        spdlog::warn("control socket: {}; `tern queue` will not reach this server", cerr);
    else
        spdlog::info("control socket {}", cfg0->control_socket().string());

    // Signals: handled on the I/O threads, acted on by this (main) thread.
    std::mutex sig_mu;
    std::condition_variable sig_cv;
    bool stop_requested = false;
    asio::signal_set stop_signals(io, SIGTERM, SIGINT);
    asio::signal_set hup(io, SIGHUP);
    stop_signals.async_wait([&](const asio::error_code& ec, int sig) {
        if (ec) return;
        spdlog::info("signal {}: stopping", sig);
        std::lock_guard lock(sig_mu);
        stop_requested = true;
        sig_cv.notify_all();
    });
    std::function<void()> wait_hup = [&] {
        hup.async_wait([&](const asio::error_code& ec, int) {
            if (ec) return;
            if (config_path) {
                auto r = config::load_file(*config_path);
                if (r.config) {
                    if (!(r.config->listen == cfg0->listen))
                        spdlog::warn("SIGHUP: [listen] changes need a restart; keeping the old listeners");
                    if (r.config->server.data_dir != cfg0->server.data_dir)
                        spdlog::warn("SIGHUP: server.data_dir changes need a restart; keeping the old one");
                    auto next = *r.config;
                    next.server.data_dir = cfg0->server.data_dir;
                    limiter.set_limits(next.limits.connections, next.limits.connections_per_ip);
                    throttle.set_limits(throttle_limits(next));
                    quota.set_limits(quota_limits(next));
                    auto tr = tls.reload(net::TlsSettings::from(next));
                    for (const auto& line : tr.log) spdlog::info("SIGHUP: {}", line);
                    if (!tr.ok()) spdlog::error("SIGHUP: {}; keeping the current certificates", tr.error);
                    dkim.set(load_dkim(next));
                    config.set(std::make_shared<const config::Config>(std::move(next)));
                    spdlog::info("SIGHUP: configuration reloaded from {}", config_path->string());
                } else {
                    for (auto& e : r.errors) spdlog::error("SIGHUP: {}", e);
                    spdlog::error("SIGHUP: configuration has errors; keeping the running one");
                }
            }
            users.reload_now();
            spdlog::info("SIGHUP: users reloaded");
            wait_hup();
        });
    };
    wait_hup();

    unsigned nthreads = std::max(1u, std::min(4u, std::thread::hardware_concurrency()));
    std::vector<std::thread> threads;
    for (unsigned i = 0; i < nthreads; ++i) threads.emplace_back([&io] { io.run(); });

    print_first_mail_help(*cfg0, program, mx_listeners);

    {
        std::unique_lock lock(sig_mu);
        sig_cv.wait(lock, [&] { return stop_requested; });
    }
    // Graceful stop: no new connections; sessions answer 421 at their next read (a message
    // being committed finishes first); then the delivery workers finish what they hold.
    for (auto& l : listeners) l->close();
    control_server.stop();
    registry.stop_all();
    if (!registry.wait_empty(std::chrono::steady_clock::now() + kDrainTime))
        spdlog::warn("{} sessions still open after {}s; closing them", registry.size(), kDrainTime.count());
    io.stop();
    for (auto& t : threads) t.join();
    blocking.join();
    mailbox_io.join();
    delivery.stop();
    outbound.stop();
    spool->close();
    spdlog::info("stopped");
    return 0;
}

}  // namespace tern::server
