#include "transport/remote_delivery.hpp"

#include <asio/ip/address.hpp>

#include "core/address.hpp"
#include "dns/resolver.hpp"
#include "dns/route.hpp"

namespace tern::transport {
namespace {

struct Host {
    std::string name;
    std::vector<asio::ip::address> addresses;
};

struct HostList {
    std::vector<Host> hosts;
    std::optional<Outcome> failure;  // no host to try: this outcome for everyone
};

std::optional<asio::ip::address> ip_literal(std::string_view s) {
    if (s.size() >= 2 && s.front() == '[' && s.back() == ']') {
        s = s.substr(1, s.size() - 2);
        if (s.size() > 5 && iequals(s.substr(0, 5), "IPv6:")) s.remove_prefix(5);
    }
    asio::error_code ec;
    auto a = asio::ip::make_address(std::string(s), ec);
    if (ec) return std::nullopt;
    return a;
}

asio::awaitable<HostList> find_hosts(dns::Resolver& resolver, const RoutePlan& plan, std::uint64_t seed,
                                     std::size_t max_hosts) {
    HostList out;
    if (plan.kind != RoutePlan::Kind::Mx || plan.domain.starts_with("[")) {
        // A fixed host (route, relay) or an address-literal recipient domain (RFC 5321 4.1.3).
        const std::string& name = plan.kind == RoutePlan::Kind::Mx ? plan.domain : plan.next_hop.host;
        if (auto ip = ip_literal(name)) {
            out.hosts.push_back({name, {*ip}});
            co_return out;
        }
        auto a = co_await resolver.addresses(name);
        if (a.status != dns::Status::Ok || a.addresses.empty()) {
            // A configured next hop that does not resolve is the operator's to fix: keep the
            // mail queued rather than bounce it.
            out.failure = Outcome::temporary("4.4.3", "cannot resolve " + plan.describe() + ": " + a.error, 451);
            co_return out;
        }
        out.hosts.push_back({name, a.addresses});
        co_return out;
    }
    std::mt19937_64 rng(seed);
    auto r = co_await dns::lookup_domain(resolver, plan.domain, rng);
    switch (r.kind) {
        case dns::MxPlan::Kind::NullMx:
            out.failure = Outcome::permanent("5.1.10", "Domain " + plan.domain + " does not accept mail (null MX)", 556);
            co_return out;
        case dns::MxPlan::Kind::NoSuchDomain:
            out.failure = Outcome::permanent("5.1.2", "Host or domain name not found: " + r.error, 550);
            co_return out;
        case dns::MxPlan::Kind::TempFail:
            out.failure = Outcome::temporary("4.4.3", "DNS lookup failed: " + r.error, 451);
            co_return out;
        case dns::MxPlan::Kind::Hosts: break;
    }
    for (auto& d : r.destinations) {
        if (out.hosts.size() >= max_hosts) break;
        if (!d.addresses.empty()) out.hosts.push_back({d.host, d.addresses});
    }
    if (out.hosts.empty())
        out.failure = Outcome::temporary("4.4.3", "no address for any MX host of " + plan.domain +
                                                      (r.error.empty() ? "" : ": " + r.error), 451);
    co_return out;
}

}  // namespace

asio::awaitable<std::vector<std::vector<RecipientResult>>> deliver_remote(
    const RemoteDeliveryOptions& options, dns::Resolver& resolver, RoutePlan plan,
    std::vector<DeliveryItem> items, std::uint64_t seed) {
    std::vector<std::vector<RecipientResult>> results(items.size());
    // pending[i][k]: still to be tried on another host.
    std::vector<std::vector<bool>> pending(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
        results[i].assign(items[i].recipients.size(),
                          RecipientResult{Outcome::temporary("4.4.1", "no host reached", 451), {}, false});
        pending[i].assign(items[i].recipients.size(), true);
    }
    auto hosts = co_await find_hosts(resolver, plan, seed, options.max_hosts);
    if (hosts.failure) {
        for (auto& r : results)
            for (auto& x : r) x.outcome = *hosts.failure;
        co_return results;
    }
    ClientRunOptions run_opts;
    run_opts.client.hostname = options.hostname;
    run_opts.client.tls = plan.tls;
    run_opts.client.auth = plan.auth;
    run_opts.client.auth_without_tls = options.auth_without_tls;
    run_opts.implicit_tls = plan.implicit_tls;
    run_opts.verify = plan.verify;
    run_opts.connect_timeout = options.connect_timeout;
    run_opts.tls_context = options.tls_context;

    auto any_pending = [&] {
        for (auto& p : pending)
            for (bool b : p)
                if (b) return true;
        return false;
    };
    for (const Host& host : hosts.hosts) {
        for (const auto& address : host.addresses) {
            if (!any_pending()) co_return results;
            ConnectTarget target{host.name, address, plan.next_hop.port};
            // Batches of messages_per_connection messages, each on its own connection.
            std::vector<std::size_t> todo;
            for (std::size_t i = 0; i < items.size(); ++i)
                for (bool b : pending[i])
                    if (b) {
                        todo.push_back(i);
                        break;
                    }
            bool unreachable = false;
            for (std::size_t start = 0; start < todo.size() && !unreachable;
                 start += options.messages_per_connection) {
                std::size_t end = std::min(todo.size(), start + options.messages_per_connection);
                std::vector<outbound::MessageJob> jobs;
                std::vector<std::vector<std::size_t>> job_rcpts;  // k indices per job
                for (std::size_t t = start; t < end; ++t) {
                    const DeliveryItem& item = items[todo[t]];
                    const Envelope& env = *item.envelope;
                    outbound::MessageJob job;
                    job.mail_from = env.mail_from;
                    job.ret = env.ret;
                    job.envid = env.envid;
                    job.body = env.body;
                    job.smtputf8 = env.smtputf8;
                    job.data = *item.data;
                    std::vector<std::size_t> ks;
                    for (std::size_t k = 0; k < item.recipients.size(); ++k) {
                        if (!pending[todo[t]][k]) continue;
                        job.recipients.push_back(env.recipients[item.recipients[k]]);
                        ks.push_back(k);
                    }
                    jobs.push_back(std::move(job));
                    job_rcpts.push_back(std::move(ks));
                }
                ClientRun run = co_await run_smtp_client(run_opts, target, std::move(jobs));
                if (!run.connected) unreachable = true;
                for (std::size_t j = 0; j < run.results.size() && j < job_rcpts.size(); ++j) {
                    const auto& mr = run.results[j];
                    std::size_t i = todo[start + j];
                    for (std::size_t n = 0; n < job_rcpts[j].size() && n < mr.recipients.size(); ++n) {
                        std::size_t k = job_rcpts[j][n];
                        RecipientResult rr{mr.recipients[n], run.connected ? host.name : std::string(), false};
                        if (rr.outcome.is_ok()) rr.relayed = !mr.peer_dsn;
                        results[i][k] = rr;
                        // Connection-level trouble: the next host may do better.
                        if (!(mr.host_failure && rr.outcome.is_temporary())) pending[i][k] = false;
                    }
                }
            }
        }
    }
    co_return results;
}

}  // namespace tern::transport
