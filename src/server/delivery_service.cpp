#include "server/delivery_service.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <future>
#include <random>

#include "config/config.hpp"
#include "delivery/local_delivery.hpp"
#include "delivery/recipient_resolver.hpp"
#include "queue/spool.hpp"

namespace tern::server {
namespace {
std::int64_t now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}
}  // namespace

DeliveryService::DeliveryService(Options opts, queue::Spool& spool, ConfigSource config,
                                 const delivery::UserLookup& users)
    : opts_(opts), spool_(spool), config_(std::move(config)), users_(users) {}

bool DeliveryService::is_local(const config::Config& config, const std::string& address) {
    auto at = address.rfind('@');
    if (at == std::string::npos) return true;  // "postmaster"
    return config.is_local_domain(std::string_view(address).substr(at + 1));
}

DeliveryService::~DeliveryService() { stop(); }

void DeliveryService::start() {
    for (std::size_t i = 0; i < opts_.workers; ++i) threads_.emplace_back([this] { worker(); });
}

void DeliveryService::stop() {
    {
        std::lock_guard lock(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_)
        if (t.joinable()) t.join();
    threads_.clear();
}

void DeliveryService::submit(std::string id, std::shared_ptr<const Envelope> envelope) {
    Job job;
    job.id = std::move(id);
    auto cfg = config_();
    for (std::size_t i = 0; i < envelope->recipients.size(); ++i) {
        if (is_local(*cfg, envelope->recipients[i].address)) {
            job.recipients.push_back(i);
            job.attempts.push_back(0);
        }
    }
    if (job.recipients.empty()) return;  // all remote: they wait for outbound delivery
    job.envelope = std::move(envelope);
    {
        std::lock_guard lock(mu_);
        ready_.push_back(std::move(job));
    }
    cv_.notify_one();
}

std::size_t DeliveryService::recover() {
    std::size_t n = 0;
    auto cfg = config_();
    for (auto& e : spool_.entries()) {
        Job job;
        job.id = e.id;
        job.maybe_duplicate = true;
        std::int64_t due = 0;
        for (std::size_t i = 0; i < e.recipients.size(); ++i) {
            const auto& st = e.recipients[i];
            if (st.status != queue::RecipientStatus::Pending &&
                st.status != queue::RecipientStatus::Deferred)
                continue;
            if (!is_local(*cfg, e.envelope.recipients[i].address)) continue;
            job.recipients.push_back(i);
            job.attempts.push_back(st.attempts);
            if (st.status == queue::RecipientStatus::Deferred)
                due = std::max(due, st.next_attempt);
        }
        if (job.recipients.empty()) continue;
        job.envelope = std::make_shared<const Envelope>(std::move(e.envelope));
        job.due = due;
        ++n;
        std::lock_guard lock(mu_);
        if (due == 0) ready_.push_back(std::move(job));
        else timed_.push(std::move(job));
    }
    cv_.notify_all();
    return n;
}

DeliveryService::Stats DeliveryService::stats() const {
    std::lock_guard lock(mu_);
    return stats_;
}

std::int64_t DeliveryService::backoff(std::uint32_t attempts) {
    std::int64_t d = opts_.first_retry_seconds;
    for (std::uint32_t i = 1; i < attempts && d < opts_.max_retry_seconds; ++i) d *= 2;
    d = std::min(d, opts_.max_retry_seconds);
    thread_local std::mt19937 rng{std::random_device{}()};
    std::uniform_int_distribution<std::int64_t> jitter(-d / 5, d / 5);
    return std::max<std::int64_t>(1, d + jitter(rng));
}

Outcome DeliveryService::forward(const Envelope& env, std::size_t rcpt,
                                 const std::vector<std::string>& remote, const std::string& data) {
    Envelope copy = env;
    const auto& original = env.recipients[rcpt];
    copy.recipients.clear();
    for (const auto& address : remote) {
        EnvelopeRecipient r;
        r.address = address;
        r.notify = original.notify;
        // RFC 3461 4.2: the original recipient, so a DSN names the address the sender used.
        r.orcpt = original.orcpt.empty() ? "rfc822;" + original.address : original.orcpt;
        copy.recipients.push_back(std::move(r));
    }
    std::promise<queue::CommitResult> done;
    auto result = done.get_future();
    spool_.commit(std::move(copy), {}, data,
                  [&done](queue::CommitResult r) { done.set_value(std::move(r)); });
    auto r = result.get();
    if (!r.outcome.is_ok()) return r.outcome;
    return Outcome::ok("queued as " + r.id);
}

void DeliveryService::worker() {
    std::unique_lock lock(mu_);
    while (true) {
        if (stopping_) return;
        if (!ready_.empty()) {
            Job job = std::move(ready_.front());
            ready_.pop_front();
            lock.unlock();
            run_job(std::move(job));
            lock.lock();
            continue;
        }
        if (!timed_.empty()) {
            auto due = timed_.top().due;
            if (due <= now_seconds()) {
                ready_.push_back(timed_.top());
                timed_.pop();
                continue;
            }
            cv_.wait_until(lock, std::chrono::system_clock::time_point(std::chrono::seconds(due)));
        } else {
            cv_.wait(lock);
        }
    }
}

void DeliveryService::run_job(Job job) {
    std::string error;
    auto data = spool_.load(job.id, error);
    if (!data) {
        spdlog::error("queue={} cannot read message from the spool: {}", job.id, error);
        return;  // stays queued; retried at the next start
    }
    const auto& env = *job.envelope;
    auto cfg = config_();
    delivery::RecipientResolver resolver(*cfg, users_);
    delivery::LocalDeliveryAgent agent(resolver, cfg->mailboxes_dir(), cfg->server.hostname);
    Job retry;
    std::int64_t now = now_seconds();
    for (std::size_t k = 0; k < job.recipients.size(); ++k) {
        auto idx = job.recipients[k];
        const auto& rcpt = env.recipients[idx].address;
        auto result = agent.deliver(env, job.id, idx, *data, job.maybe_duplicate);
        queue::RecipientState st;
        st.attempts = job.attempts[k] + 1;
        for (const auto& d : result.dropped)
            spdlog::warn("queue={} to=<{}> alias branch dropped: {}", job.id, rcpt, d);
        if (result.outcome.is_ok() && !result.remote.empty()) {
            auto fwd = forward(env, idx, result.remote, *data);
            if (!fwd.is_ok()) result.outcome = fwd;
            else spdlog::info("queue={} to=<{}> forwarded to {} remote addresses ({})", job.id,
                              rcpt, result.remote.size(), fwd.text);
        }
        if (result.outcome.is_ok()) {
            st.status = queue::RecipientStatus::Delivered;
            spdlog::info("queue={} to=<{}> status=delivered", job.id, rcpt);
            std::lock_guard lock(mu_);
            ++stats_.delivered;
        } else if (result.outcome.is_temporary() &&
                   now - env.received_at < opts_.max_lifetime_seconds) {
            st.status = queue::RecipientStatus::Deferred;
            st.next_attempt = now + backoff(st.attempts);
            st.last_error = result.outcome.str();
            spdlog::warn("queue={} to=<{}> status=deferred attempts={} error=\"{}\"", job.id, rcpt,
                         st.attempts, st.last_error);
            retry.recipients.push_back(idx);
            retry.attempts.push_back(st.attempts);
            retry.due = retry.due == 0 ? st.next_attempt : std::min(retry.due, st.next_attempt);
            std::lock_guard lock(mu_);
            ++stats_.deferred;
        } else {
            st.status = queue::RecipientStatus::Failed;
            st.last_error = result.outcome.str();
            spdlog::warn("queue={} to=<{}> status=failed error=\"{}\"", job.id, rcpt, st.last_error);
            std::lock_guard lock(mu_);
            ++stats_.failed;
        }
        spool_.update(job.id, idx, st);
    }
    if (!retry.recipients.empty()) {
        retry.id = job.id;
        retry.envelope = job.envelope;
        retry.maybe_duplicate = true;  // a temporary failure may have left some mailboxes done
        std::lock_guard lock(mu_);
        timed_.push(std::move(retry));
        cv_.notify_one();
    }
}

}  // namespace tern::server
