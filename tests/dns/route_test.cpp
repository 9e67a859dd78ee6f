#include "dns/route.hpp"

#include "dns/fake_resolver.hpp"

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <gtest/gtest.h>

#include <optional>
#include <set>

using namespace tern::dns;
using tern::dns::test::FakeResolver;

namespace {

// Runs lookup_domain to completion on a private io_context.
RouteLookup lookup(FakeResolver& r, const std::string& domain, std::uint64_t seed = 1) {
    asio::io_context io;
    std::mt19937_64 rng(seed);
    std::optional<RouteLookup> result;
    asio::co_spawn(io, lookup_domain(r, domain, rng),
                   [&](std::exception_ptr e, RouteLookup out) {
                       if (e) std::rethrow_exception(e);
                       result = std::move(out);
                   });
    io.run();
    EXPECT_TRUE(result);
    return result ? *result : RouteLookup{};
}

std::vector<std::string> strings(const std::vector<asio::ip::address>& v) {
    std::vector<std::string> out;
    for (const auto& a : v) out.push_back(a.to_string());
    return out;
}

}  // namespace

TEST(LookupDomain, ExplicitMxHostsInOrderWithTheirAddresses) {
    FakeResolver r;
    r.add_mx("example.test", {{20, "mx2.example.test"}, {10, "mx1.example.test"}});
    r.add_addresses("mx1.example.test", {"2001:db8::1", "192.0.2.1"});
    r.add_addresses("mx2.example.test", {"192.0.2.2"});
    auto route = lookup(r, "example.test");
    ASSERT_EQ(route.kind, MxPlan::Kind::Hosts) << route.error;
    ASSERT_EQ(route.destinations.size(), 2u);
    EXPECT_EQ(route.destinations[0].host, "mx1.example.test");
    EXPECT_EQ(route.destinations[0].preference, 10);
    EXPECT_EQ(strings(route.destinations[0].addresses),
              (std::vector<std::string>{"2001:db8::1", "192.0.2.1"}));
    EXPECT_EQ(route.destinations[1].host, "mx2.example.test");
    EXPECT_TRUE(route.error.empty()) << route.error;
}

TEST(LookupDomain, IPv6FirstEvenWhenListedLast) {
    FakeResolver r;
    r.add_mx("example.test", {{10, "mx.example.test"}});
    r.add_addresses("mx.example.test", {"192.0.2.1", "2001:db8::1"});
    auto route = lookup(r, "example.test");
    ASSERT_EQ(route.destinations.size(), 1u);
    EXPECT_EQ(strings(route.destinations[0].addresses),
              (std::vector<std::string>{"2001:db8::1", "192.0.2.1"}));
}

TEST(LookupDomain, HostsWithoutAddressesAreDroppedWithANote) {
    FakeResolver r;
    r.add_mx("example.test", {{10, "gone.example.test"}, {20, "mx.example.test"}});
    r.add_addresses("mx.example.test", {"192.0.2.1"});
    auto route = lookup(r, "example.test");
    ASSERT_EQ(route.kind, MxPlan::Kind::Hosts);
    ASSERT_EQ(route.destinations.size(), 1u);
    EXPECT_EQ(route.destinations[0].host, "mx.example.test");
    EXPECT_NE(route.error.find("gone.example.test"), std::string::npos) << route.error;
}

TEST(LookupDomain, AllHostsFailing) {
    {
        FakeResolver r;  // every target NotFound: permanent, as Postfix does by default
        r.add_mx("example.test", {{10, "a.example.test"}, {20, "b.example.test"}});
        auto route = lookup(r, "example.test");
        EXPECT_EQ(route.kind, MxPlan::Kind::NoSuchDomain);
        EXPECT_TRUE(route.destinations.empty());
        EXPECT_NE(route.error.find("no MX host of example.test has an address"), std::string::npos)
            << route.error;
        EXPECT_NE(route.error.find("b.example.test"), std::string::npos) << route.error;
    }
    {
        FakeResolver r;  // one TempFail among them: try again later
        r.add_mx("example.test", {{10, "a.example.test"}, {20, "b.example.test"}});
        r.fail("b.example.test", Status::TempFail);
        auto route = lookup(r, "example.test");
        EXPECT_EQ(route.kind, MxPlan::Kind::TempFail);
        EXPECT_TRUE(route.destinations.empty());
    }
}

TEST(LookupDomain, ImplicitMx) {
    FakeResolver r;
    r.add_addresses("example.test", {"192.0.2.9"});
    auto route = lookup(r, "Example.Test.");
    ASSERT_EQ(route.kind, MxPlan::Kind::Hosts) << route.error;
    ASSERT_EQ(route.destinations.size(), 1u);
    EXPECT_EQ(route.destinations[0].host, "example.test");
    EXPECT_EQ(route.destinations[0].preference, 0);
    EXPECT_EQ(strings(route.destinations[0].addresses), (std::vector<std::string>{"192.0.2.9"}));
}

TEST(LookupDomain, ImplicitMxWithoutAddress) {
    FakeResolver r;
    auto route = lookup(r, "nowhere.test");
    EXPECT_EQ(route.kind, MxPlan::Kind::NoSuchDomain);
    EXPECT_NE(route.error.find("nowhere.test has no MX and no A/AAAA record"), std::string::npos)
        << route.error;

    FakeResolver t;
    t.fail("flaky.test", Status::TempFail);
    EXPECT_EQ(lookup(t, "flaky.test").kind, MxPlan::Kind::TempFail);
}

TEST(LookupDomain, MxTempFailAndNullMxAskNoAddresses) {
    FakeResolver r;
    r.mx_answers["flaky.test"] = MxAnswer{Status::TempFail, {}, "flaky.test MX: SERVFAIL", false};
    r.add_mx("null.test", {{0, ""}});
    auto t = lookup(r, "flaky.test");
    EXPECT_EQ(t.kind, MxPlan::Kind::TempFail);
    EXPECT_NE(t.error.find("SERVFAIL"), std::string::npos);
    auto n = lookup(r, "null.test");
    EXPECT_EQ(n.kind, MxPlan::Kind::NullMx);
    EXPECT_EQ(r.asked, (std::vector<std::string>{"MX flaky.test", "MX null.test"}));
}

TEST(LookupDomain, AtMostTenMxHosts) {
    FakeResolver r;
    std::vector<MxRecord> records;
    for (int i = 0; i < 14; ++i) {
        std::string host = "mx" + std::to_string(i) + ".example.test";
        records.push_back({static_cast<std::uint16_t>(i), host});
        r.add_addresses(host, {"192.0.2." + std::to_string(i + 1)});
    }
    r.add_mx("example.test", records);
    auto route = lookup(r, "example.test");
    ASSERT_EQ(route.destinations.size(), kMaxMxHosts);
    EXPECT_EQ(route.destinations.back().host, "mx9.example.test");
    EXPECT_EQ(r.asked.size(), 1 + kMaxMxHosts);  // the MX query and ten address lookups
    EXPECT_NE(route.error.find("4 less preferred MX hosts"), std::string::npos) << route.error;
}

TEST(LookupDomain, AddressLimitKeepsBothFamilies) {
    FakeResolver r;
    r.add_mx("example.test", {{10, "v6heavy.test"}, {20, "v4heavy.test"}, {30, "both.test"}});
    std::vector<std::string> v6heavy, v4heavy, both;
    for (int i = 1; i <= 10; ++i) {
        v6heavy.push_back("2001:db8:1::" + std::to_string(i));
        both.push_back("2001:db8:3::" + std::to_string(i));
        both.push_back("198.51.100." + std::to_string(i));
        v4heavy.push_back("192.0.2." + std::to_string(i));
    }
    v6heavy.push_back("203.0.113.1");
    v4heavy.push_back("2001:db8:2::1");
    r.add_addresses("v6heavy.test", v6heavy);
    r.add_addresses("v4heavy.test", v4heavy);
    r.add_addresses("both.test", both);
    auto route = lookup(r, "example.test");
    ASSERT_EQ(route.destinations.size(), 3u);
    auto count = [](const Destination& d, bool v6) {
        int n = 0;
        for (const auto& a : d.addresses) n += a.is_v6() == v6;
        return n;
    };
    for (const auto& d : route.destinations) {
        EXPECT_EQ(d.addresses.size(), kMaxAddressesPerHost) << d.host;
        bool seen_v4 = false;
        for (const auto& a : d.addresses) {
            if (a.is_v4()) seen_v4 = true;
            EXPECT_FALSE(seen_v4 && a.is_v6()) << d.host << ": IPv6 before IPv4";
        }
    }
    EXPECT_EQ(count(route.destinations[0], true), 7);
    EXPECT_EQ(count(route.destinations[0], false), 1);
    EXPECT_EQ(count(route.destinations[1], true), 1);
    EXPECT_EQ(count(route.destinations[1], false), 7);
    EXPECT_EQ(count(route.destinations[2], true), 4);
    EXPECT_EQ(count(route.destinations[2], false), 4);
}

TEST(LookupDomain, AddressesRandomWithinAFamilyAndNotRepeated) {
    FakeResolver r;
    r.add_mx("example.test", {{10, "a.test"}, {20, "b.test"}, {30, "c.test"}});
    r.add_addresses("a.test", {"192.0.2.1", "192.0.2.2", "0.0.0.0", "224.0.0.1"});
    r.add_addresses("b.test", {"192.0.2.2", "192.0.2.3"});
    r.add_addresses("c.test", {"192.0.2.1"});  // only addresses listed already: not a destination
    std::set<std::vector<std::string>> orders;
    for (std::uint64_t seed = 0; seed < 50; ++seed) {
        auto route = lookup(r, "example.test", seed);
        ASSERT_EQ(route.kind, MxPlan::Kind::Hosts);
        ASSERT_EQ(route.destinations.size(), 2u);
        auto a = strings(route.destinations[0].addresses);
        orders.insert(a);
        std::sort(a.begin(), a.end());
        EXPECT_EQ(a, (std::vector<std::string>{"192.0.2.1", "192.0.2.2"}));
        EXPECT_EQ(strings(route.destinations[1].addresses), (std::vector<std::string>{"192.0.2.3"}));
    }
    EXPECT_EQ(orders.size(), 2u);
}
