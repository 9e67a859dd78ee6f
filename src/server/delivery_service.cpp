#include "server/delivery_service.hpp"

#include <spdlog/spdlog.h>

#include <random>

#include "config/config.hpp"
#include "core/clock.hpp"
#include "delivery/local_delivery.hpp"
#include "delivery/recipient_resolver.hpp"
#include "queue/retry_policy.hpp"
#include "queue/spool.hpp"

namespace tern::server {

DeliveryService::DeliveryService(Options opts, queue::Spool& spool, ConfigSource config,
                                 const delivery::UserLookup& users)
    : opts_(opts), spool_(spool), config_(std::move(config)), users_(users) {}

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
        if (cfg->is_local_address(envelope->recipients[i].address)) {
            job.recipients.push_back(i);
            job.attempts.push_back(0);
        }
    }
    if (job.recipients.size() < envelope->recipients.size() && opts_.remote) opts_.remote(job.id, envelope);
    if (job.recipients.empty()) return;  // all remote: the outbound queue manager has them
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
            if (!cfg->is_local_address(e.envelope.recipients[i].address)) continue;
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
        if (e.held) {
            held_.insert(e.id);
            if (due == 0) job.due = due = unix_now();
        }
        if (due == 0) ready_.push_back(std::move(job));
        else timed_.push(std::move(job));
    }
    cv_.notify_all();
    return n;
}

std::int64_t DeliveryService::backoff(const config::Config& config, std::uint32_t attempts) {
    thread_local std::mt19937 rng{std::random_device{}()};
    return queue::RetryPolicy::from(config.queue).delay(attempts, rng);
}

std::size_t DeliveryService::retry_now(const std::optional<std::string>& id) {
    std::lock_guard lock(mu_);
    std::vector<Job> keep;
    std::size_t n = 0;
    while (!timed_.empty()) {
        Job j = timed_.top();
        timed_.pop();
        if ((!id || j.id == *id) && !held_.count(j.id)) {
            j.due = 0;
            ++n;
            ready_.push_back(std::move(j));
        } else {
            keep.push_back(std::move(j));
        }
    }
    for (auto& j : keep) timed_.push(std::move(j));
    cv_.notify_all();
    return n;
}

void DeliveryService::set_held(const std::string& id, bool held) {
    std::lock_guard lock(mu_);
    if (held) held_.insert(id);
    else held_.erase(id);
    cv_.notify_all();
}

void DeliveryService::forget(const std::string& id) {
    std::lock_guard lock(mu_);
    std::erase_if(ready_, [&](const Job& j) { return j.id == id; });
    std::vector<Job> keep;
    while (!timed_.empty()) {
        if (timed_.top().id != id) keep.push_back(timed_.top());
        timed_.pop();
    }
    for (auto& j : keep) timed_.push(std::move(j));
    held_.erase(id);
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
    auto r = spool_.commit_and_wait(copy, {}, data);
    if (!r.outcome.is_ok()) return r.outcome;
    if (opts_.remote) opts_.remote(r.id, std::make_shared<const Envelope>(std::move(copy)));
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
            if (due <= unix_now()) {
                Job j = timed_.top();
                timed_.pop();
                if (held_.count(j.id)) {
                    j.due = unix_now() + 60;  // looked at again later; release() wakes it
                    timed_.push(std::move(j));
                } else {
                    ready_.push_back(std::move(j));
                }
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
    delivery::LocalDeliveryAgent agent(resolver, cfg->mailboxes_dir(), cfg->server.hostname, opts_.admit,
                                       opts_.delivered);
    Job retry;
    std::int64_t now = unix_now();
    auto policy = queue::RetryPolicy::from(cfg->queue);
    std::vector<DeliveryReport> reports;
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
            if (env.recipients[idx].notify & kNotifySuccess)
                reports.push_back({idx, result.remote.empty() ? dsn::Action::Delivered : dsn::Action::Expanded,
                                   result.outcome, {}, 0});
            spdlog::info("queue={} to=<{}> status=delivered", job.id, rcpt);
        } else if (result.outcome.is_temporary() && !policy.expired(env.received_at, now)) {
            st.status = queue::RecipientStatus::Deferred;
            st.next_attempt = now + backoff(*cfg, st.attempts);
            st.last_error = result.outcome.str();
            spdlog::warn("queue={} to=<{}> status=deferred attempts={} error=\"{}\"", job.id, rcpt,
                         st.attempts, st.last_error);
            retry.recipients.push_back(idx);
            retry.attempts.push_back(st.attempts);
            retry.due = retry.due == 0 ? st.next_attempt : std::min(retry.due, st.next_attempt);
        } else {
            st.status = queue::RecipientStatus::Failed;
            st.last_error = result.outcome.str();
            reports.push_back({idx, dsn::Action::Failed, result.outcome, {}, 0});
            spdlog::warn("queue={} to=<{}> status=failed error=\"{}\"", job.id, rcpt, st.last_error);
        }
        spool_.update(job.id, idx, st);
    }
    if (!reports.empty() && opts_.report) opts_.report(job.id, env, reports, *data);
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
