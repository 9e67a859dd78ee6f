#include "dns/mx_plan.hpp"

#include <algorithm>
#include <map>

namespace tern::dns {

namespace {

// Lowercase, without the trailing dot ("." becomes "", the Null MX target).
std::string canonical(std::string_view name) {
    std::string out(name);
    if (!out.empty() && out.back() == '.') out.pop_back();
    for (auto& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

}  // namespace

std::string_view to_string(MxPlan::Kind kind) {
    switch (kind) {
        case MxPlan::Kind::Hosts: return "hosts";
        case MxPlan::Kind::NullMx: return "null MX";
        case MxPlan::Kind::NoSuchDomain: return "no such domain";
        case MxPlan::Kind::TempFail: return "temporary failure";
    }
    return "?";
}

MxPlan plan_mx(std::string_view domain, const MxAnswer& answer, std::mt19937_64& rng) {
    const std::string name = canonical(domain);
    MxPlan plan;
    if (answer.status == Status::TempFail) {
        plan.kind = MxPlan::Kind::TempFail;
        plan.error = "MX lookup for " + name + " failed: " + answer.error;
        return plan;
    }
    if (answer.status == Status::NotFound || answer.records.empty()) {
        plan.kind = MxPlan::Kind::Hosts;  // RFC 5321 5.1: the domain is its own implicit MX
        plan.hosts.push_back({name, 0});
        return plan;
    }

    std::map<std::string, std::uint16_t> best;  // host → lowest preference seen
    bool null_mx = false;
    for (const auto& r : answer.records) {
        std::string host = canonical(r.host);
        if (host.empty()) {
            null_mx = true;
            continue;
        }
        auto [it, inserted] = best.try_emplace(std::move(host), r.preference);
        if (!inserted) it->second = std::min(it->second, r.preference);
    }
    if (best.empty() && null_mx) {
        plan.kind = MxPlan::Kind::NullMx;
        plan.error = name + " does not accept mail (null MX, RFC 7505)";
        return plan;
    }

    plan.kind = MxPlan::Kind::Hosts;
    for (auto& [host, pref] : best) plan.hosts.push_back({host, pref});
    // A shuffle then a stable sort: ordered by preference, uniformly random among equals.
    std::shuffle(plan.hosts.begin(), plan.hosts.end(), rng);
    std::stable_sort(plan.hosts.begin(), plan.hosts.end(),
                     [](const MxHost& a, const MxHost& b) { return a.preference < b.preference; });
    return plan;
}

}  // namespace tern::dns
