// Hands accepted messages to the local delivery agent on worker threads, records each
// recipient's outcome in the spool, and retries temporary failures with exponential backoff
// and jitter. Remote recipients stay queued (Pending) for the outbound deliverer; so do the
// remote targets of aliases, which are queued as a new message (same sender, ORCPT = the
// alias) before the alias recipient is marked done.
//
// Exactly-once: a recipient is marked Delivered in the spool only after its Maildir file is
// fsynced. If the process dies in between, the retry after restart passes maybe_duplicate=true
// and the Maildir writer finds the file it already wrote (names are derived from the queue id),
// so the mailbox gets one copy.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <queue>
#include <string>
#include <thread>
#include <vector>

#include "core/envelope.hpp"
#include "core/outcome.hpp"
#include "delivery/local_delivery.hpp"
#include "server/delivery_report.hpp"

namespace tern::queue {
class Spool;
}
namespace tern::delivery {
struct UserLookup;
}
namespace tern::config {
struct Config;
}

namespace tern::server {

class DeliveryService {
public:
    struct Options {
        // Maildir delivery waits on fsync; concurrent workers let the file system merge their
        // journal commits (see bench/README.md for the figures).
        std::size_t workers = 8;
        // Remote recipients (and the remote targets of aliases, queued as a new message) go
        // to the outbound queue manager through this.
        std::function<void(const std::string& id, std::shared_ptr<const Envelope>)> remote;
        // Failed recipients (and delivered ones, for NOTIFY=SUCCESS): the bouncer.
        std::function<void(const std::string& id, const Envelope&, const std::vector<DeliveryReport>&,
                           const std::string& data)>
            report;
        // Per mailbox, before and after writing (quota; waking IMAP IDLE): see LocalDeliveryAgent.
        delivery::LocalDeliveryAgent::Admit admit;
        delivery::LocalDeliveryAgent::Delivered delivered;
    };
    using ConfigSource = std::function<std::shared_ptr<const config::Config>()>;
    // Each job reads the configuration current when it runs (aliases change on SIGHUP).
    DeliveryService(Options opts, queue::Spool& spool, ConfigSource config,
                    const delivery::UserLookup& users);
    ~DeliveryService();

    void start();
    // Finishes the deliveries in progress and stops the workers.
    void stop();

    // A freshly committed message; the worker reads its bytes back from the spool (page cache),
    // so the session never keeps a copy.
    void submit(std::string id, std::shared_ptr<const Envelope> envelope);
    // At start-up: schedules every queued message with local recipients still to deliver.
    std::size_t recover();

    // `tern queue flush`: deferred local recipients of one message (or all) are tried now.
    std::size_t retry_now(const std::optional<std::string>& id);
    void set_held(const std::string& id, bool held);
    // Deleted by the administrator: its waiting jobs are dropped (one already running finishes).
    void forget(const std::string& id);

private:
    struct Job {
        std::int64_t due = 0;  // unix seconds; 0 = now
        std::string id;
        std::shared_ptr<const Envelope> envelope;
        std::vector<std::size_t> recipients;      // indices still to deliver
        std::vector<std::uint32_t> attempts;      // per index above
        bool maybe_duplicate = false;
        bool operator>(const Job& o) const { return due > o.due; }
    };
    void worker();
    void run_job(Job job);
    std::int64_t backoff(const config::Config& config, std::uint32_t attempts);
    // Queues a copy of the message for the remote targets an alias of recipient `rcpt` points
    // to; Ok once that copy is durable in the spool.
    Outcome forward(const Envelope& env, std::size_t rcpt, const std::vector<std::string>& remote,
                    const std::string& data);

    Options opts_;
    queue::Spool& spool_;
    ConfigSource config_;
    const delivery::UserLookup& users_;

    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::deque<Job> ready_;
    std::priority_queue<Job, std::vector<Job>, std::greater<>> timed_;
    bool stopping_ = false;
    std::set<std::string> held_;  // on hold: jobs wait in timed_ until released
    std::vector<std::thread> threads_;
};

}  // namespace tern::server
