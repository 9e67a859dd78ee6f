// Which hosts to try for a domain, from its MX answer: RFC 5321 5.1 (lowest preference first,
// random order among equal preferences, implicit MX when there is none) and RFC 7505 (Null MX:
// the domain accepts no mail). Pure: the randomness comes from the caller's generator.
//
// Left out: the RFC 5321 5.1 rule that a host finding itself in the list drops its own and
// every less preferred entry (it needs our own names; the delivery code applies it).
#pragma once

#include "dns/answer.hpp"

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace tern::dns {

struct MxHost {
    std::string host;  // lowercase, no trailing dot
    std::uint16_t preference = 0;
    bool operator==(const MxHost&) const = default;
};

struct MxPlan {
    enum class Kind {
        Hosts,         // try `hosts` in order
        NullMx,        // RFC 7505: the domain does not accept mail (permanent)
        NoSuchDomain,  // not produced by plan_mx; lookup_domain's "no host has an address"
        TempFail,      // the MX lookup failed; try again later
    } kind = Kind::TempFail;
    std::vector<MxHost> hosts;  // lowest preference first, random among equals, no duplicates
    std::string error;          // for NullMx / NoSuchDomain / TempFail: why, naming the domain
};

std::string_view to_string(MxPlan::Kind kind);

// NotFound (NXDOMAIN or NODATA) → implicit MX: {domain, 0}; the caller's A/AAAA lookup of it
// then decides (NotFound there means the domain has no mail server: NoSuchDomain).
// Only Null MX records (host "" or ".", whatever their preference) → NullMx; Null MX mixed with
// real records: the null ones are ignored. A host listed twice keeps its lowest preference.
MxPlan plan_mx(std::string_view domain, const MxAnswer& answer, std::mt19937_64& rng);

}  // namespace tern::dns
