#include "transport/route_plan.hpp"

#include "core/address.hpp"

namespace tern::transport {
namespace {

void apply_tls(RoutePlan& p, config::OutboundTls mode) {
    switch (mode) {
        case config::OutboundTls::None: p.tls = outbound::TlsPolicy::None; break;
        case config::OutboundTls::Opportunistic: p.tls = outbound::TlsPolicy::Opportunistic; break;
        case config::OutboundTls::Required: p.tls = outbound::TlsPolicy::Required; break;
        case config::OutboundTls::Verify:
            p.tls = outbound::TlsPolicy::Required;
            p.verify = true;
            break;
    }
}

}  // namespace

std::string domain_of(std::string_view address) {
    auto at = address.rfind('@');
    if (at == std::string_view::npos) return {};
    return ascii_lower(address.substr(at + 1));
}

std::string RoutePlan::describe() const {
    switch (kind) {
        case Kind::Mx: return "MX of " + domain;
        case Kind::Route: return "route " + next_hop.str();
        case Kind::Relay: return "relay " + next_hop.str();
    }
    return key;
}

RoutePlan plan_route(const config::Config& config, std::string_view domain) {
    RoutePlan p;
    if (const config::Route* r = config.route_for(domain)) {
        p.kind = RoutePlan::Kind::Route;
        p.next_hop = r->next_hop;
        apply_tls(p, r->tls.value_or(config.outbound.tls));
        p.key = "route:" + p.next_hop.str() + ":" + std::string(config::to_string(r->tls.value_or(config.outbound.tls)));
        return p;
    }
    if (config.relay.configured()) {
        const config::Relay& r = config.relay;
        p.kind = RoutePlan::Kind::Relay;
        p.key = "relay";
        p.next_hop = {r.host, r.port};
        switch (r.tls) {
            case config::Relay::Mode::Starttls: p.tls = outbound::TlsPolicy::Required; break;
            case config::Relay::Mode::Implicit:
                p.tls = outbound::TlsPolicy::Required;
                p.implicit_tls = true;
                break;
            case config::Relay::Mode::None: p.tls = outbound::TlsPolicy::None; break;
        }
        p.verify = r.verify && r.tls != config::Relay::Mode::None;
        if (!r.username.empty()) p.auth = outbound::ClientCredentials{r.username, r.password};
        return p;
    }
    p.kind = RoutePlan::Kind::Mx;
    p.domain = ascii_lower(domain);
    p.key = "mx:" + p.domain;
    p.next_hop = {p.domain, config.outbound.mx_port};
    apply_tls(p, config.outbound.tls);
    return p;
}

}  // namespace tern::transport
