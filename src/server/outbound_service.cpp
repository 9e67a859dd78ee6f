#include "server/outbound_service.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/post.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <future>

#include "config/config.hpp"
#include "core/clock.hpp"
#include "dns/resolver.hpp"
#include "queue/retry_policy.hpp"
#include "queue/spool.hpp"
#include "server/bouncer.hpp"
#include "transport/route_plan.hpp"

namespace tern::server {

struct OutboundService::Batch {
    transport::RoutePlan plan;
    std::vector<transport::DeliveryItem> items;
};

OutboundService::OutboundService(queue::Spool& spool, ConfigSource config, Bouncer& bouncer)
    : spool_(spool), config_(std::move(config)), bouncer_(bouncer), timer_(io_), rng_(std::random_device{}()) {}

OutboundService::~OutboundService() { stop(); }

bool OutboundService::start(std::string& error) {
    auto cfg = config_();
    dns::ResolverOptions ro;
    ro.nameservers = cfg->dns.nameservers;
    ro.timeout = std::chrono::seconds(cfg->dns.timeout);
    resolver_ = dns::Resolver::create(io_.get_executor(), ro, error);
    if (!resolver_) {
        error = "dns: " + error;
        return false;
    }
    delivery_options_.tls_context = transport::make_client_tls_context(cfg->outbound.ca_file, error);
    if (!delivery_options_.tls_context) {
        error = "outbound.ca_file: " + error;
        return false;
    }
    work_.emplace(io_.get_executor());
    thread_ = std::thread([this] { io_.run(); });
    return true;
}

void OutboundService::stop() {
    if (!thread_.joinable()) return;
    asio::post(io_, [this] {
        stopping_ = true;
        timer_.cancel();
        if (resolver_) resolver_->stop();
    });
    work_.reset();
    // Connections in progress end at their next timeout at worst; do not wait for that.
    io_.stop();
    thread_.join();
}

void OutboundService::track(const std::string& id, std::shared_ptr<const Envelope> env,
                            std::map<std::size_t, Recipient> rcpts, bool held) {
    if (rcpts.empty()) return;
    asio::post(io_, [this, id, env = std::move(env), rcpts = std::move(rcpts), held]() mutable {
        auto& t = tracked_[id];
        t.envelope = std::move(env);
        if (held && !t.held) {
            for (auto& [k, r] : t.recipients)
                if (r.where != Where::InFlight) unwait(id, k, r);
            t.held = true;
        }
        for (auto& [k, r] : rcpts) {
            auto [it, fresh] = t.recipients.emplace(k, r);
            if (fresh && !t.held) wait(id, k, it->second);
        }
        schedule();
    });
}

void OutboundService::submit(const std::string& id, std::shared_ptr<const Envelope> envelope) {
    auto cfg = config_();
    std::map<std::size_t, Recipient> rcpts;
    for (std::size_t i = 0; i < envelope->recipients.size(); ++i)
        if (!cfg->is_local_address(envelope->recipients[i].address)) rcpts[i] = Recipient{};
    track(id, std::move(envelope), std::move(rcpts), false);
}

std::size_t OutboundService::recover() {
    auto cfg = config_();
    std::size_t n = 0;
    for (auto& e : spool_.entries()) {
        std::map<std::size_t, Recipient> rcpts;
        for (std::size_t i = 0; i < e.recipients.size(); ++i) {
            const auto& st = e.recipients[i];
            if (queue::is_final(st.status) || cfg->is_local_address(e.envelope.recipients[i].address)) continue;
            Recipient r;
            r.attempts = st.attempts;
            r.due = st.status == queue::RecipientStatus::Deferred ? st.next_attempt : 0;
            r.warned = st.delay_notified;
            rcpts[i] = r;
        }
        if (rcpts.empty()) continue;
        ++n;
        track(e.id, std::make_shared<const Envelope>(std::move(e.envelope)), std::move(rcpts), e.held);
    }
    return n;
}

std::size_t OutboundService::retry_now(const std::optional<std::string>& id) {
    std::promise<std::size_t> done;
    auto f = done.get_future();
    asio::post(io_, [this, id, &done] {
        std::size_t n = 0;
        for (auto& [mid, t] : tracked_) {
            if (id && mid != *id) continue;
            if (t.held) continue;
            ++n;
            for (auto& [k, r] : t.recipients) {
                if (r.where != Where::Waiting) continue;  // Ready ones are due already
                unwait(mid, k, r);
                r.due = 0;
                wait(mid, k, r);
            }
        }
        schedule();
        done.set_value(n);
    });
    return f.get();
}

void OutboundService::set_held(const std::string& id, bool held) {
    asio::post(io_, [this, id, held] {
        auto it = tracked_.find(id);
        if (it == tracked_.end() || it->second.held == held) return;
        it->second.held = held;
        for (auto& [k, r] : it->second.recipients) {
            if (r.where == Where::InFlight) continue;
            if (held) unwait(id, k, r);
            else wait(id, k, r);
        }
        if (!held) schedule();
    });
}

void OutboundService::forget(const std::string& id) {
    asio::post(io_, [this, id] {
        auto it = tracked_.find(id);
        if (it == tracked_.end()) return;
        for (auto& [k, r] : it->second.recipients)
            if (r.where != Where::InFlight) unwait(id, k, r);
        tracked_.erase(it);
    });
}

void OutboundService::wait(const std::string& id, std::size_t k, Recipient& r) {
    if (r.where == Where::Waiting) due_.erase({r.due, id, k});
    r.where = Where::Waiting;
    due_.emplace(r.due, id, k);
}

void OutboundService::unwait(const std::string& id, std::size_t k, Recipient& r) {
    if (r.where == Where::Waiting) due_.erase({r.due, id, k});
    // A Ready entry stays in its queue and is skipped when met.
    if (r.where != Where::InFlight) r.where = Where::Idle;
}

void OutboundService::schedule() {
    if (stopping_) return;
    auto cfg = config_();
    std::int64_t now = unix_now();
    promote_due(*cfg, now);
    dispatch(*cfg);
    if (!due_.empty()) {
        timer_.expires_after(std::chrono::seconds(std::max<std::int64_t>(1, std::get<0>(*due_.begin()) - now)));
        timer_.async_wait([this](std::error_code ec) {
            if (!ec) schedule();
        });
    }
}

void OutboundService::promote_due(const config::Config& cfg, std::int64_t now) {
    auto end = due_.lower_bound({now + 1, std::string(), 0});
    for (auto e = due_.begin(); e != end; e = due_.erase(e)) {
        const auto& [due, id, k] = *e;
        auto t = tracked_.find(id);
        if (t == tracked_.end()) continue;
        auto r = t->second.recipients.find(k);
        if (r == t->second.recipients.end() || r->second.where != Where::Waiting) continue;
        auto plan = transport::plan_route(cfg, transport::domain_of(t->second.envelope->recipients[k].address));
        auto [q, fresh] = ready_.try_emplace(plan.key);
        if (fresh) q->second.plan = std::move(plan);
        q->second.recipients.emplace_back(id, k);
        r->second.where = Where::Ready;
    }
}

void OutboundService::dispatch(const config::Config& cfg) {
    // Destinations take turns (round robin from where the last call stopped), so one busy
    // destination cannot keep the global connection limit to itself.
    bool progress = true;
    while (progress && active_ < cfg.outbound.connections && !ready_.empty()) {
        progress = false;
        auto start = ready_.upper_bound(last_served_);
        for (std::size_t n = ready_.size(), i = 0; i < n && active_ < cfg.outbound.connections; ++i) {
            if (start == ready_.end()) start = ready_.begin();
            auto qi = start++;
            auto& [key, q] = *qi;
            auto active = active_per_key_.find(key);
            if (active != active_per_key_.end() && active->second >= cfg.outbound.connections_per_destination)
                continue;  // waits for one of its connections to finish
            auto batch = std::make_shared<Batch>();
            batch->plan = q.plan;
            std::map<std::string, std::size_t> item_of;  // message id -> its item in the batch
            while (!q.recipients.empty()) {
                auto& [id, k] = q.recipients.front();
                auto t = tracked_.find(id);
                Recipient* r = nullptr;
                if (t != tracked_.end()) {
                    auto ri = t->second.recipients.find(k);
                    if (ri != t->second.recipients.end() && ri->second.where == Where::Ready) r = &ri->second;
                }
                if (!r) {
                    q.recipients.pop_front();  // held, deleted or taken meanwhile
                    continue;
                }
                auto [slot, fresh] = item_of.emplace(id, batch->items.size());
                if (fresh) {
                    if (batch->items.size() >= cfg.outbound.messages_per_connection) break;
                    transport::DeliveryItem item;
                    item.id = id;
                    item.envelope = t->second.envelope;
                    batch->items.push_back(std::move(item));
                }
                batch->items[slot->second].recipients.push_back(k);
                r->where = Where::InFlight;
                q.recipients.pop_front();
            }
            last_served_ = key;
            if (q.recipients.empty()) ready_.erase(qi);
            if (batch->items.empty()) continue;
            progress = true;
            ++active_;
            ++active_per_key_[batch->plan.key];
            asio::co_spawn(io_, run_batch(this, batch), asio::detached);
        }
    }
}

asio::awaitable<void> OutboundService::run_batch(OutboundService* self, std::shared_ptr<Batch> batch) {
    // Read the messages now (page cache, usually): nothing is held in memory while queued.
    std::vector<transport::DeliveryItem> items;
    std::vector<std::vector<transport::RecipientResult>> unreadable(batch->items.size());
    for (std::size_t i = 0; i < batch->items.size(); ++i) {
        auto& item = batch->items[i];
        std::string error;
        auto data = self->spool_.load(item.id, error);
        if (!data) {
            spdlog::error("queue={} cannot read message from the spool: {}", item.id, error);
            unreadable[i].assign(item.recipients.size(),
                                 {Outcome::temporary("4.3.0", "cannot read the queued message: " + error, 451), {}, false});
            continue;
        }
        item.data = std::make_shared<const std::string>(std::move(*data));
        items.push_back(item);
    }
    std::vector<std::vector<transport::RecipientResult>> results = std::move(unreadable);
    if (!items.empty()) {
        // The options of this connection: the configuration may be reloaded (SIGHUP) meanwhile.
        auto cfg = self->config_();
        auto options = self->delivery_options_;
        options.hostname = cfg->server.hostname;
        options.messages_per_connection = cfg->outbound.messages_per_connection;
        options.connect_timeout = std::chrono::seconds(cfg->outbound.connect_timeout);
        auto delivered = co_await transport::deliver_remote(options, *self->resolver_, batch->plan,
                                                            items, self->rng_());
        for (std::size_t i = 0, j = 0; i < batch->items.size(); ++i)
            if (batch->items[i].data) results[i] = std::move(delivered[j++]);
    }
    self->finish(*batch, results);
    --self->active_;
    if (--self->active_per_key_[batch->plan.key] == 0) self->active_per_key_.erase(batch->plan.key);
    self->schedule();
}

void OutboundService::finish(Batch& batch, const std::vector<std::vector<transport::RecipientResult>>& results) {
    auto cfg = config_();
    auto policy = queue::RetryPolicy::from(cfg->queue);
    std::int64_t now = unix_now();
    for (std::size_t i = 0; i < batch.items.size(); ++i) {
        const auto& item = batch.items[i];
        const Envelope& env = *item.envelope;
        auto it = tracked_.find(item.id);
        std::vector<DeliveryReport> reports;
        std::vector<DeliveryReport> delays;
        for (std::size_t n = 0; n < item.recipients.size() && n < results[i].size(); ++n) {
            std::size_t k = item.recipients[n];
            const auto& rr = results[i][n];
            const std::string& rcpt = env.recipients[k].address;
            Recipient* tr = nullptr;
            if (it != tracked_.end()) {
                auto ri = it->second.recipients.find(k);
                if (ri != it->second.recipients.end()) tr = &ri->second;
            }
            if (!tr) continue;  // deleted by the administrator meanwhile
            tr->where = Where::Idle;
            queue::RecipientState st;
            st.attempts = tr->attempts + 1;
            st.delay_notified = tr->warned;
            st.last_error = rr.outcome.is_ok() ? std::string() : rr.outcome.str();
            DeliveryReport report{k, dsn::Action::Failed, rr.outcome, rr.remote_mta, 0};
            if (rr.outcome.is_ok()) {
                st.status = queue::RecipientStatus::Delivered;
                report.action = rr.relayed ? dsn::Action::Relayed : dsn::Action::Delivered;
                reports.push_back(report);
                spdlog::info("queue={} to=<{}> relay={} status=sent ({})", item.id, rcpt, rr.remote_mta, rr.outcome.str());
            } else if (rr.outcome.is_temporary() && !policy.expired(env.received_at, now)) {
                st.status = queue::RecipientStatus::Deferred;
                st.next_attempt = now + policy.delay(st.attempts, rng_);
                tr->due = st.next_attempt;
                tr->attempts = st.attempts;
                if (!it->second.held) wait(item.id, k, *tr);
                spdlog::warn("queue={} to=<{}> status=deferred attempts={} next_in={}s error=\"{}\"", item.id, rcpt,
                             st.attempts, st.next_attempt - now, st.last_error);
                if (cfg->queue.delay_warning > 0 && !tr->warned &&
                    now - env.received_at >= static_cast<std::int64_t>(cfg->queue.delay_warning)) {
                    tr->warned = true;
                    st.delay_notified = true;
                    report.action = dsn::Action::Delayed;
                    report.will_retry_until = env.received_at + policy.lifetime;
                    delays.push_back(report);
                }
            } else {
                st.status = queue::RecipientStatus::Failed;
                if (rr.outcome.is_temporary()) {
                    // Given up: RFC 3463 keeps the detail, the class becomes permanent.
                    report.outcome = Outcome::permanent(
                        "5" + rr.outcome.enhanced.substr(rr.outcome.enhanced.empty() ? 0 : 1),
                        "Gave up after " + std::to_string((now - env.received_at) / 3600) + " hours: " + rr.outcome.str(),
                        550);
                    st.last_error = report.outcome.str();
                }
                reports.push_back(report);
                spdlog::warn("queue={} to=<{}> status=bounced error=\"{}\"", item.id, rcpt, st.last_error);
            }
            spool_.update(item.id, k, st);
            if (queue::is_final(st.status)) it->second.recipients.erase(k);
        }
        if (!reports.empty() || !delays.empty()) {
            if (item.data) {
                if (!reports.empty()) bouncer_.report(item.id, env, reports, *item.data);
                if (!delays.empty()) bouncer_.report(item.id, env, delays, *item.data, true);
            }
        }
        if (it != tracked_.end() && it->second.recipients.empty()) tracked_.erase(it);
    }
}

}  // namespace tern::server
