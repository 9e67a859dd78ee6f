// Delivers a batch of messages for one destination (a RoutePlan): finds the hosts (MX lookup
// with Null MX and implicit MX, or the route's / relay's host), then tries them in order
// (RFC 5321 5.1: lowest preference first, every address of a host, IPv6 and IPv4), carrying
// at most `messages_per_connection` messages per connection. A recipient whose outcome came
// from the connection or host (MessageResult::host_failure) moves on to the next host; any
// reply about the recipient itself is final for this attempt.
//
// Outcomes (RFC 3463): Null MX 556 5.1.10 (RFC 7505 4.1); no such domain 550 5.1.2; DNS
// failure 451 4.4.3; no host reachable: the last connection error, 4.4.1. The greeting of a
// host whose name is ours means the mail would loop: 554 5.4.6 (like Postfix's "mail for
// <domain> loops back to myself").
#pragma once

#include <asio/awaitable.hpp>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "core/envelope.hpp"
#include "core/outcome.hpp"
#include "transport/route_plan.hpp"
#include "transport/smtp_client.hpp"

namespace tern::dns {
class Resolver;
}

namespace tern::transport {

// One message with the recipients of it that go to this destination.
struct DeliveryItem {
    std::string id;
    std::shared_ptr<const Envelope> envelope;
    std::vector<std::size_t> recipients;        // indices into envelope->recipients
    std::shared_ptr<const std::string> data;    // the queued message
};

struct RecipientResult {
    Outcome outcome;
    std::string remote_mta;   // the host that gave the outcome (empty when none was reached)
    bool relayed = false;     // delivered to a peer without DSN support (RFC 3461 "relayed")
};

struct RemoteDeliveryOptions {
    std::string hostname;                  // ours: EHLO, loop detection
    std::size_t messages_per_connection = 100;
    std::chrono::seconds connect_timeout{30};
    std::shared_ptr<asio::ssl::context> tls_context;
    bool auth_without_tls = false;         // tests only
    std::size_t max_hosts = 10;            // MX hosts tried per attempt
};

// results[i][k]: the outcome for items[i].recipients[k]. Never throws.
asio::awaitable<std::vector<std::vector<RecipientResult>>> deliver_remote(
    const RemoteDeliveryOptions& options, dns::Resolver& resolver, RoutePlan plan,
    std::vector<DeliveryItem> items, std::uint64_t seed);

}  // namespace tern::transport
