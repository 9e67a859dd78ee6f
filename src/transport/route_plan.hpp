// Where mail for a remote domain goes (pure: configuration in, plan out). Precedence:
//   1. [routes] entry for the exact domain,
//   2. [routes] "*",
//   3. [relay] (a smarthost, with its TLS mode and credentials),
//   4. the domain's MX records (RFC 5321 5.1).
// Recipients whose plans have the same `key` share connections and the per-destination
// connection limit.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "outbound/client_session.hpp"

namespace tern::transport {

struct RoutePlan {
    enum class Kind { Mx, Route, Relay };
    Kind kind = Kind::Mx;
    std::string key;             // "mx:<domain>", "route:<host:port>", "relay"
    std::string domain;          // Mx: the domain whose MX records to look up
    config::NextHop next_hop;    // Route / Relay: where to connect (port 25 for Mx)
    outbound::TlsPolicy tls = outbound::TlsPolicy::Opportunistic;
    bool verify = false;         // the certificate must verify and name the host
    bool implicit_tls = false;   // TLS from the first byte (relay on port 465)
    std::optional<outbound::ClientCredentials> auth;

    std::string describe() const;  // for logs: "MX of b.test", "route 127.0.0.1:2526", "relay ..."
};

RoutePlan plan_route(const config::Config& config, std::string_view domain);

// The domain part of an address (after the last '@'), lower-cased; "" when there is none.
std::string domain_of(std::string_view address);

}  // namespace tern::transport
