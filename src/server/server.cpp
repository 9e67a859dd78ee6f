#include "server/server.hpp"

#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "auth/user_directory.hpp"
#include "core/address.hpp"
#include "delivery/recipient_resolver.hpp"
#include "net/connection_limiter.hpp"
#include "net/endpoint.hpp"
#include "net/listener.hpp"
#include "queue/spool.hpp"
#include "server/connection_registry.hpp"
#include "server/delivery_service.hpp"
#include "server/smtp_connection.hpp"

namespace tern::server {
namespace {

// Graceful stop budget: sessions get this long to finish before they are cut with 421.
constexpr auto kDrainTime = std::chrono::seconds(5);

// The running configuration: replaced whole on SIGHUP; readers keep the snapshot they took.
class ConfigHolder {
public:
    explicit ConfigHolder(config::Config c) : current_(std::make_shared<const config::Config>(std::move(c))) {}
    std::shared_ptr<const config::Config> get() const {
        std::lock_guard lock(mu_);
        return current_;
    }
    void set(config::Config c) {
        auto p = std::make_shared<const config::Config>(std::move(c));
        std::lock_guard lock(mu_);
        current_ = std::move(p);
    }

private:
    mutable std::mutex mu_;
    std::shared_ptr<const config::Config> current_;
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
                           const std::vector<std::unique_ptr<net::Listener>>& smtp) {
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

}  // namespace

int run_server(config::Config initial, std::optional<std::filesystem::path> config_path,
               std::string program) {
    std::error_code fec;
    std::filesystem::create_directories(initial.server.data_dir, fec);
    if (fec) {
        spdlog::critical("cannot create data directory {}: {}", initial.server.data_dir.string(), fec.message());
        return 1;
    }
    ConfigHolder config(initial);
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

    DeliveryService delivery({}, *spool, [&config] { return config.get(); }, lookup);
    delivery.start();
    auto recovered = delivery.recover();
    if (recovered) spdlog::info("resuming delivery of {} queued messages", recovered);

    asio::io_context io;
    ConnectionRegistry registry;
    net::ConnectionLimiter limiter(cfg0->limits.connections, cfg0->limits.connections_per_ip);

    SmtpServices services;
    services.config = [&config] { return config.get(); };
    services.check_recipient = [&lookup](const config::Config& c, const std::string& address) {
        return delivery::RecipientResolver(c, lookup).check_rcpt(address);
    };
    services.spool = spool.get();
    services.delivery = &delivery;
    services.registry = &registry;

    std::vector<std::unique_ptr<net::Listener>> listeners;
    try {
        for (const auto& addr : cfg0->listen.smtp) {
            std::string perr;
            auto ep = net::parse_endpoint(addr, perr);
            if (!ep) throw std::runtime_error("listen.smtp \"" + addr + "\": " + perr);
            auto l = std::make_unique<net::Listener>(
                io, *ep, limiter, "421 4.7.0 Too many connections, try again later\r\n",
                [&services](asio::ip::tcp::socket s, net::ConnectionLimiter::Slot slot) {
                    return serve_smtp(std::move(s), std::move(slot), SmtpListenerKind::Mx, services);
                });
            l->open();
            spdlog::info("listening for SMTP on {}", net::to_string(l->local_endpoint()));
            listeners.push_back(std::move(l));
        }
    } catch (const std::exception& e) {
        spdlog::critical("{}", e.what());
        delivery.stop();
        return 1;
    }
    for (auto [name, list] : {std::pair{"submission", &cfg0->listen.submission},
                              std::pair{"submissions", &cfg0->listen.submissions},
                              std::pair{"pop3", &cfg0->listen.pop3}, std::pair{"pop3s", &cfg0->listen.pop3s},
                              std::pair{"imap", &cfg0->listen.imap}, std::pair{"imaps", &cfg0->listen.imaps}}) {
        if (!list->empty())
            spdlog::info("listen.{} is configured but that protocol is not built yet; not listening", name);
    }
    for (auto& l : listeners) l->start();

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
                    config.set(std::move(next));
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

    print_first_mail_help(*cfg0, program, listeners);

    {
        std::unique_lock lock(sig_mu);
        sig_cv.wait(lock, [&] { return stop_requested; });
    }
    // Graceful stop: no new connections; sessions answer 421 at their next read (a message
    // being committed finishes first); then the delivery workers finish what they hold.
    for (auto& l : listeners) l->close();
    registry.stop_all();
    if (!registry.wait_empty(std::chrono::steady_clock::now() + kDrainTime))
        spdlog::warn("{} sessions still open after {}s; closing them", registry.size(), kDrainTime.count());
    io.stop();
    for (auto& t : threads) t.join();
    delivery.stop();
    spool->close();
    spdlog::info("stopped");
    return 0;
}

}  // namespace tern::server
