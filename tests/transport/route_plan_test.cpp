// Route precedence: exact [routes] entry, then "*", then [relay], then MX.
#include <gtest/gtest.h>

#include "transport/route_plan.hpp"

namespace tern::transport {
namespace {

config::Config load(std::string_view text) {
    auto r = config::load_string(text, "t.toml");
    EXPECT_TRUE(r.config) << (r.errors.empty() ? "" : r.errors[0]);
    return r.config ? *r.config : config::Config{};
}

TEST(RoutePlan, MxByDefaultWithOutboundTls) {
    auto c = load("[outbound]\ntls = \"verify\"\nmx_port = 2525\n");
    auto p = plan_route(c, "B.Test");
    EXPECT_EQ(p.kind, RoutePlan::Kind::Mx);
    EXPECT_EQ(p.domain, "b.test");
    EXPECT_EQ(p.key, "mx:b.test");
    EXPECT_EQ(p.next_hop.port, 2525);
    EXPECT_EQ(p.tls, outbound::TlsPolicy::Required);
    EXPECT_TRUE(p.verify);
    EXPECT_FALSE(p.auth);
}

TEST(RoutePlan, RoutesBeatRelayAndRelayBeatsMx) {
    auto c = load(R"(
[relay]
host = "smarthost.test"
port = 465
tls = "implicit"
username = "u"
password = "p"
[routes]
"b.test" = { next_hop = "127.0.0.1:2526", tls = "none" }
)");
    auto b = plan_route(c, "b.test");
    EXPECT_EQ(b.kind, RoutePlan::Kind::Route);
    EXPECT_EQ(b.next_hop, (config::NextHop{"127.0.0.1", 2526}));
    EXPECT_EQ(b.tls, outbound::TlsPolicy::None);
    EXPECT_FALSE(b.auth);
    auto other = plan_route(c, "other.test");
    EXPECT_EQ(other.kind, RoutePlan::Kind::Relay);
    EXPECT_EQ(other.key, "relay");
    EXPECT_EQ(other.next_hop, (config::NextHop{"smarthost.test", 465}));
    EXPECT_TRUE(other.implicit_tls);
    EXPECT_TRUE(other.verify);
    ASSERT_TRUE(other.auth);
    EXPECT_EQ(other.auth->username, "u");
    // Two domains through the relay share its connections.
    EXPECT_EQ(plan_route(c, "third.test").key, other.key);

    auto star = load("[routes]\n\"*\" = \"gw.test:2500\"\n[relay]\nhost = \"smarthost.test\"\n");
    EXPECT_EQ(plan_route(star, "x.test").kind, RoutePlan::Kind::Route);
    EXPECT_EQ(plan_route(star, "x.test").next_hop, (config::NextHop{"gw.test", 2500}));
}

TEST(RoutePlan, DomainOf) {
    EXPECT_EQ(domain_of("Bob@B.Test"), "b.test");
    EXPECT_EQ(domain_of("\"a@b\"@c.test"), "c.test");
    EXPECT_EQ(domain_of("postmaster"), "");
}

}  // namespace
}  // namespace tern::transport
