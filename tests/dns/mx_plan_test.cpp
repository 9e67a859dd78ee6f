#include "dns/mx_plan.hpp"

#include <gtest/gtest.h>

#include <set>

using namespace tern::dns;

namespace {

MxAnswer ok(std::vector<MxRecord> records) {
    MxAnswer a;
    a.status = Status::Ok;
    a.records = std::move(records);
    return a;
}

std::vector<std::string> hosts(const MxPlan& p) {
    std::vector<std::string> out;
    for (const auto& h : p.hosts) out.push_back(h.host);
    return out;
}

}  // namespace

TEST(PlanMx, OrdersByPreference) {
    std::mt19937_64 rng(1);
    auto p = plan_mx("example.test", ok({{30, "c.test"}, {10, "a.test"}, {20, "b.test"}}), rng);
    ASSERT_EQ(p.kind, MxPlan::Kind::Hosts);
    EXPECT_EQ(hosts(p), (std::vector<std::string>{"a.test", "b.test", "c.test"}));
    EXPECT_EQ(p.hosts[0].preference, 10);
    EXPECT_EQ(p.hosts[2].preference, 30);
    EXPECT_TRUE(p.error.empty());
}

TEST(PlanMx, EqualPreferencesInRandomOrder) {
    const auto answer = ok({{10, "a.test"}, {10, "b.test"}, {5, "first.test"}, {20, "last.test"}});
    std::set<std::vector<std::string>> seen;
    for (std::uint64_t seed = 0; seed < 200; ++seed) {
        std::mt19937_64 rng(seed);
        auto p = plan_mx("example.test", answer, rng);
        ASSERT_EQ(p.hosts.size(), 4u);
        EXPECT_EQ(p.hosts.front().host, "first.test");
        EXPECT_EQ(p.hosts.back().host, "last.test");
        seen.insert(hosts(p));
    }
    EXPECT_EQ(seen.size(), 2u) << "both orders of the two preference-10 hosts appear";

    // The same seed gives the same order: the randomness is only the caller's generator.
    std::mt19937_64 r1(7), r2(7);
    EXPECT_EQ(hosts(plan_mx("example.test", answer, r1)), hosts(plan_mx("example.test", answer, r2)));
}

TEST(PlanMx, RemovesDuplicatesKeepingTheBestPreference) {
    std::mt19937_64 rng(1);
    auto p = plan_mx("example.test",
                     ok({{20, "mx.test"}, {10, "MX.test."}, {15, "other.test"}, {10, "mx.test"}}),
                     rng);
    ASSERT_EQ(p.hosts.size(), 2u);
    EXPECT_EQ(p.hosts[0], (MxHost{"mx.test", 10}));
    EXPECT_EQ(p.hosts[1], (MxHost{"other.test", 15}));
}

TEST(PlanMx, NullMx) {
    std::mt19937_64 rng(1);
    for (auto host : {"", "."}) {
        auto p = plan_mx("Example.Test", ok({{0, host}}), rng);
        EXPECT_EQ(p.kind, MxPlan::Kind::NullMx);
        EXPECT_TRUE(p.hosts.empty());
        EXPECT_NE(p.error.find("example.test"), std::string::npos) << p.error;
    }
}

TEST(PlanMx, NullMxMixedWithRealRecordsIsIgnored) {
    std::mt19937_64 rng(1);
    auto p = plan_mx("example.test", ok({{0, ""}, {10, "mx.test"}}), rng);
    ASSERT_EQ(p.kind, MxPlan::Kind::Hosts);
    EXPECT_EQ(hosts(p), (std::vector<std::string>{"mx.test"}));
}

TEST(PlanMx, NotFoundIsAnImplicitMx) {
    std::mt19937_64 rng(1);
    MxAnswer a;
    a.status = Status::NotFound;
    a.error = "no MX record";
    auto p = plan_mx("Example.TEST.", a, rng);
    ASSERT_EQ(p.kind, MxPlan::Kind::Hosts);
    ASSERT_EQ(p.hosts.size(), 1u);
    EXPECT_EQ(p.hosts[0], (MxHost{"example.test", 0}));
}

TEST(PlanMx, TempFailNamesTheDomain) {
    std::mt19937_64 rng(1);
    MxAnswer a;
    a.status = Status::TempFail;
    a.error = "example.test MX: timed out after 30s";
    auto p = plan_mx("example.test", a, rng);
    EXPECT_EQ(p.kind, MxPlan::Kind::TempFail);
    EXPECT_TRUE(p.hosts.empty());
    EXPECT_NE(p.error.find("example.test"), std::string::npos);
    EXPECT_NE(p.error.find("timed out"), std::string::npos);
}
