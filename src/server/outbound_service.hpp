// The queue manager for remote recipients: keeps every queued remote recipient with its next
// attempt time, groups the due ones by destination (transport/route_plan.hpp), opens
// connections within the global and per-destination limits ([outbound] connections,
// connections_per_destination), and records each outcome in the spool:
//   2xx from the peer     -> Delivered (a success DSN when NOTIFY=SUCCESS asked for one)
//   5xx / Null MX / ...   -> Failed, bounce to the sender
//   4xx / no connection   -> Deferred with exponential backoff and jitter ([queue]); past
//                            [queue] lifetime -> Failed, bounce; past delay_warning -> one
//                            delay DSN per recipient (recorded in the spool, so a restart
//                            neither repeats nor skips it)
// Loops: messages with too many Received headers were already refused at reception
// ([limits] received_headers); a peer that greets with our own name is a loop (5.4.6).
//
// Threads: one I/O thread runs every connection, the DNS resolver and the scheduler.
// submit(), retry_now(), set_held() and forget() may be called from any thread.
// Start-up with a large queue: recover() only indexes the spool's in-memory entries; nothing is
// read from disk until a message is due. Scheduling looks only at recipients that are due
// (an index by due time), so a large deferred queue costs nothing per event; due recipients
// wait in one queue per destination, so a backlog for a busy destination (all its connections
// in use) is not walked again on every event either.
#pragma once

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "core/envelope.hpp"
#include "server/delivery_report.hpp"
#include "transport/remote_delivery.hpp"
#include "transport/route_plan.hpp"

namespace tern::queue {
class Spool;
}
namespace tern::config {
struct Config;
}
namespace tern::dns {
class Resolver;
}

namespace tern::server {

class Bouncer;

class OutboundService {
public:
    using ConfigSource = std::function<std::shared_ptr<const config::Config>()>;
    OutboundService(queue::Spool& spool, ConfigSource config, Bouncer& bouncer);
    ~OutboundService();

    // Creates the resolver and TLS context; false + error when the configuration cannot work.
    bool start(std::string& error);
    // Ends the connections in progress (their recipients stay queued) and the thread.
    void stop();

    // A message in the spool; its remote recipients are scheduled now.
    void submit(const std::string& id, std::shared_ptr<const Envelope> envelope);
    // At start-up: every queued message with remote recipients, due at its recorded time.
    std::size_t recover();
    // `tern queue flush`: due now (one message or all). Returns how many messages it touched.
    std::size_t retry_now(const std::optional<std::string>& id);
    void set_held(const std::string& id, bool held);
    void forget(const std::string& id);  // deleted by the administrator


private:
    // Where a recipient is: Waiting in due_ for its time, Ready in its destination's queue in
    // ready_, InFlight in a connection, or Idle (on hold).
    enum class Where : std::uint8_t { Idle, Waiting, Ready, InFlight };
    struct Recipient {
        std::int64_t due = 0;       // unix seconds
        std::uint32_t attempts = 0;
        Where where = Where::Idle;
        bool warned = false;        // a delay DSN went out
    };
    // The due recipients of one destination, oldest first. Entries whose recipient is no
    // longer Ready (held, deleted, already taken) are skipped when met.
    struct ReadyQueue {
        transport::RoutePlan plan;
        std::deque<std::pair<std::string, std::size_t>> recipients;  // (message id, index)
    };
    struct Tracked {
        std::shared_ptr<const Envelope> envelope;
        std::map<std::size_t, Recipient> recipients;  // remote, not final
        bool held = false;
    };
    struct Batch;

    void track(const std::string& id, std::shared_ptr<const Envelope> env,
               std::map<std::size_t, Recipient> rcpts, bool held);
    // Queues a recipient for its due time (Waiting), or takes it out of the queues (Idle).
    void wait(const std::string& id, std::size_t k, Recipient& r);
    void unwait(const std::string& id, std::size_t k, Recipient& r);
    // On the I/O thread: moves the recipients that have come due into their destination's
    // ready queue, then opens connections for ready destinations within the limits.
    void schedule();
    void promote_due(const config::Config& cfg, std::int64_t now);
    void dispatch(const config::Config& cfg);
    void finish(Batch& batch, const std::vector<std::vector<transport::RecipientResult>>& results);
    static asio::awaitable<void> run_batch(OutboundService* self, std::shared_ptr<Batch> batch);

    queue::Spool& spool_;
    ConfigSource config_;
    Bouncer& bouncer_;

    asio::io_context io_;
    std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
    asio::steady_timer timer_;
    std::thread thread_;
    std::unique_ptr<dns::Resolver> resolver_;
    transport::RemoteDeliveryOptions delivery_options_;  // the TLS context; the rest is per connection
    std::mt19937_64 rng_;

    // Touched only on the I/O thread.
    std::map<std::string, Tracked> tracked_;
    std::set<std::tuple<std::int64_t, std::string, std::size_t>> due_;  // (due, id, recipient)
    std::map<std::string, ReadyQueue> ready_;  // by destination key (RoutePlan::key)
    std::string last_served_;                  // round-robin position in ready_
    std::size_t active_ = 0;
    std::map<std::string, std::size_t> active_per_key_;
    bool stopping_ = false;

};

}  // namespace tern::server
