// The whole DNS part of routing one recipient domain (RFC 5321 5.1): MX lookup, ordering
// (mx_plan.hpp), then the addresses of each MX host, all hosts queried at once.
//
// Outcome rules:
// - MX TempFail → TempFail; Null MX → NullMx.
// - Hosts whose address lookup fails are dropped, each with a note in `error`.
// - Every host dropped: TempFail when any of those lookups was TempFail. Otherwise
//   NoSuchDomain — for an implicit MX "no MX and no A/AAAA record"; for explicit MX records
//   whose targets all have no address, too: this follows Postfix's default
//   (smtp_defer_if_no_mx_address_found = no), which returns such mail rather than retrying
//   for days against a DNS error the receiving side has to fix.
// - At most kMaxMxHosts hosts (the most preferred) and kMaxAddressesPerHost addresses per host;
//   an address already listed under a more preferred host is not repeated, and unspecified
//   or multicast addresses are dropped.
#pragma once

#include "dns/mx_plan.hpp"
#include "dns/resolver.hpp"

#include <asio/awaitable.hpp>
#include <asio/ip/address.hpp>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace tern::dns {

inline constexpr std::size_t kMaxMxHosts = 10;
inline constexpr std::size_t kMaxAddressesPerHost = 8;

struct Destination {
    std::string host;
    std::uint16_t preference = 0;
    // IPv6 first, then IPv4, each family in random order; callers try them in this order.
    // When a host has more than kMaxAddressesPerHost, both families keep at least half of the
    // places (if they have that many), so a broken IPv6 path still leaves IPv4 to try.
    std::vector<asio::ip::address> addresses;
};

struct RouteLookup {
    MxPlan::Kind kind = MxPlan::Kind::TempFail;
    std::vector<Destination> destinations;  // non-empty exactly when kind == Hosts
    std::string error;  // why (NullMx, NoSuchDomain, TempFail); with Hosts, notes on dropped hosts
};

// `resolver` and `rng` must outlive the returned awaitable.
asio::awaitable<RouteLookup> lookup_domain(Resolver& resolver, std::string domain,
                                           std::mt19937_64& rng);

}  // namespace tern::dns
