#include "dns/route.hpp"

#include <algorithm>
#include <set>

namespace tern::dns {

namespace {

std::string join(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts) out += (out.empty() ? "" : "; ") + p;
    return out;
}

// The addresses of one host in the order to try, limited as route.hpp describes.
std::vector<asio::ip::address> order_addresses(const std::vector<asio::ip::address>& found,
                                               std::set<asio::ip::address>& seen,
                                               std::mt19937_64& rng) {
    std::vector<asio::ip::address> v6, v4;
    for (const auto& a : found) {
        if (a.is_unspecified() || a.is_multicast()) continue;
        if (!seen.insert(a).second) continue;
        (a.is_v6() ? v6 : v4).push_back(a);
    }
    std::shuffle(v6.begin(), v6.end(), rng);
    std::shuffle(v4.begin(), v4.end(), rng);
    const std::size_t cap = kMaxAddressesPerHost;
    const std::size_t n6 = std::min(v6.size(), std::max(cap - std::min(v4.size(), cap), cap / 2));
    const std::size_t n4 = std::min(v4.size(), cap - n6);
    std::vector<asio::ip::address> out(v6.begin(), v6.begin() + static_cast<std::ptrdiff_t>(n6));
    out.insert(out.end(), v4.begin(), v4.begin() + static_cast<std::ptrdiff_t>(n4));
    return out;
}

}  // namespace

asio::awaitable<RouteLookup> lookup_domain(Resolver& resolver, std::string domain,
                                           std::mt19937_64& rng) {
    const MxAnswer mx = co_await resolver.mx(domain);
    MxPlan plan = plan_mx(domain, mx, rng);
    RouteLookup out;
    out.kind = plan.kind;
    out.error = plan.error;
    if (plan.kind != MxPlan::Kind::Hosts) co_return out;
    const bool implicit = mx.status != Status::Ok || mx.records.empty();  // as plan_mx decides
    std::string name = domain;  // for messages, as plan_mx writes it
    if (!name.empty() && name.back() == '.') name.pop_back();
    std::transform(name.begin(), name.end(), name.begin(),
                   [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; });

    std::vector<std::string> notes;
    if (plan.hosts.size() > kMaxMxHosts) {
        notes.push_back(std::to_string(plan.hosts.size() - kMaxMxHosts) +
                        " less preferred MX hosts of " + name + " ignored");
        plan.hosts.resize(kMaxMxHosts);
    }
    std::vector<std::string> hosts;
    for (const auto& h : plan.hosts) hosts.push_back(h.host);
    const std::vector<AddressAnswer> answers = co_await resolver.addresses_each(hosts);

    std::set<asio::ip::address> seen;
    bool temp_fail = false;
    for (std::size_t i = 0; i < plan.hosts.size(); ++i) {
        const MxHost& h = plan.hosts[i];
        if (i >= answers.size()) {
            temp_fail = true;
            notes.push_back(h.host + ": no answer");
            continue;
        }
        const AddressAnswer& a = answers[i];
        if (!a.error.empty()) notes.push_back(a.error);
        if (a.status != Status::Ok) {
            temp_fail = temp_fail || a.status == Status::TempFail;
            if (a.error.empty()) notes.push_back(h.host + ": " + std::string(to_string(a.status)));
            continue;
        }
        auto addresses = order_addresses(a.addresses, seen, rng);
        if (addresses.empty()) continue;  // all listed already under a more preferred host
        out.destinations.push_back({h.host, h.preference, std::move(addresses)});
    }

    if (!out.destinations.empty()) {
        out.error = join(notes);
        co_return out;
    }
    if (temp_fail) {
        out.kind = MxPlan::Kind::TempFail;
        out.error = (implicit ? "address lookup for " + name + " failed: "
                              : "no MX host of " + name + " could be resolved now: ") +
                    join(notes);
    } else {
        out.kind = MxPlan::Kind::NoSuchDomain;
        out.error = (implicit ? name + " has no MX and no A/AAAA record: "
                              : "no MX host of " + name + " has an address: ") +
                    join(notes);
    }
    co_return out;
}

}  // namespace tern::dns
