#include <gtest/gtest.h>

#include <set>

#include "policy/auth_throttle.hpp"
#include "policy/send_quota.hpp"
#include "policy/sender_policy.hpp"

using namespace tern;
using namespace tern::policy;

namespace {
struct Users : delivery::UserLookup {
    std::set<std::string, std::less<>> names;
    bool exists(std::string_view key) const override { return names.count(key) > 0; }
};
}  // namespace

TEST(AuthThrottle, PerIpAndPerAccountInWindow) {
    AuthThrottle t({3, 2, 60});
    EXPECT_FALSE(t.blocked("1.1.1.1", "alice@x", 0));
    t.record_failure("1.1.1.1", "alice@x", 0);
    t.record_failure("1.1.1.1", "alice@x", 1);
    EXPECT_TRUE(t.blocked("2.2.2.2", "alice@x", 2));   // account limit 2 reached
    EXPECT_FALSE(t.blocked("1.1.1.1", "bob@x", 2));    // ip limit 3 not yet
    t.record_failure("1.1.1.1", "bob@x", 2);
    EXPECT_TRUE(t.blocked("1.1.1.1", "", 3));           // ip limit reached
    EXPECT_FALSE(t.blocked("1.1.1.1", "", 62));         // window moved on: first two expired
    EXPECT_FALSE(t.blocked("3.3.3.3", "alice@x", 61));
}

TEST(SendQuota, MessagesPerHourAndRecipientsPerDay) {
    SendQuota q({2, 5});
    EXPECT_TRUE(q.check_message("u", 0).is_ok());
    q.record("u", 2, 0);
    q.record("u", 2, 10);
    auto m = q.check_message("u", 20);
    EXPECT_TRUE(m.is_temporary());
    EXPECT_EQ(m.code, 450);
    EXPECT_EQ(m.enhanced, "4.7.1");
    EXPECT_TRUE(q.check_message("u", 3600).is_ok());    // first one left the hour
    EXPECT_TRUE(q.check_recipient("u", 0, 20).is_ok());  // 4 used, 5th ok
    EXPECT_TRUE(q.check_recipient("u", 1, 20).is_temporary());
    EXPECT_TRUE(q.check_recipient("u", 1, 86401).is_ok());  // day window: first record gone
    EXPECT_TRUE(q.check_message("other", 0).is_ok());
    SendQuota unlimited({0, 0});
    for (int i = 0; i < 100; ++i) unlimited.record("u", 100, 0);
    EXPECT_TRUE(unlimited.check_message("u", 0).is_ok());
    EXPECT_TRUE(unlimited.check_recipient("u", 1000, 0).is_ok());
}

TEST(SenderPolicy, OwnSubAddressAliasesAndExtras) {
    config::Config c;
    c.server.domains = {"example.test", "other.test"};
    c.aliases["sales@example.test"] = {"alice@example.test"};
    c.aliases["team@example.test"] = {"sales@example.test", "bob@example.test"};
    c.aliases["@example.test"] = {"alice@example.test"};
    Users u;
    u.names = {"alice@example.test", "bob@example.test"};
    auto ok = [&](std::string_view addr, const std::vector<std::string>* extra = nullptr) {
        return may_send_as(c, u, "alice@example.test", addr, extra);
    };
    EXPECT_TRUE(ok("alice@example.test"));
    EXPECT_TRUE(ok("Alice@EXAMPLE.test"));
    EXPECT_TRUE(ok("alice+news@example.test"));
    EXPECT_TRUE(ok("sales@example.test"));
    EXPECT_TRUE(ok("team@example.test"));  // nested alias reaching alice
    EXPECT_FALSE(ok("bob@example.test"));
    EXPECT_FALSE(ok("random@example.test"));  // catch-all does not grant sending
    EXPECT_FALSE(ok("alice@other.test"));
    EXPECT_FALSE(ok(""));
    EXPECT_FALSE(ok("not an address"));
    std::vector<std::string> extra = {"boss@example.test", "@other.test"};
    EXPECT_TRUE(ok("boss@example.test", &extra));
    EXPECT_TRUE(ok("anyone@other.test", &extra));
    EXPECT_FALSE(ok("carol@example.test", &extra));
}
