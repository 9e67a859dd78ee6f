// Recipient resolution: the RCPT TO table, and alias expansion (nesting, loops, remote
// targets, duplicates, sub-addresses, catch-all, postmaster).
#include "delivery/recipient_resolver.hpp"

#include <gtest/gtest.h>

#include "delivery/fake_users.hpp"

using namespace tern;
using namespace tern::delivery;
using tern::test::FakeUsers;

namespace {

using Strings = std::vector<std::string>;

config::Config make_config() {
    config::Config c;
    c.server.domains = {"example.test", "other.test", "catchall.test"};
    c.aliases = {
        {"info@example.test", {"alice@example.test"}},
        {"team@example.test", {"info@example.test", "Carol@Example.TEST", "bob@remote.test"}},
        {"fwd@example.test", {"Bob.Smith@Remote.TEST"}},
        {"loop1@example.test", {"loop2@example.test"}},
        {"loop2@example.test", {"loop1@example.test"}},
        {"dangling@example.test", {"nobody@example.test"}},
        {"alice+lists@example.test", {"carol@example.test"}},
        {"@catchall.test", {"carol@example.test"}},
    };
    return c;
}

struct Fixture : ::testing::Test {
    config::Config config = make_config();
    FakeUsers users{{"alice@example.test", "carol@example.test", "dave@other.test",
                     "dave@catchall.test"}};
    RecipientResolver resolver{config, users};
};

struct RcptCase {
    const char* address;
    OutcomeKind kind;
    const char* enhanced;
    int code;
};

}  // namespace

using CheckRcpt = Fixture;

TEST_F(CheckRcpt, Table) {
    const RcptCase cases[] = {
        {"alice@example.test", OutcomeKind::Ok, "2.1.5", 250},
        {"ALICE@Example.TEST", OutcomeKind::Ok, "2.1.5", 250},      // mixed case, both parts
        {"alice+tag@example.test", OutcomeKind::Ok, "2.1.5", 250},  // sub-address
        {"alice+@example.test", OutcomeKind::Ok, "2.1.5", 250},     // empty tag
        {"bob@example.test", OutcomeKind::Permanent, "5.1.1", 550},
        {"bob+alice@example.test", OutcomeKind::Permanent, "5.1.1", 550},
        {"info@example.test", OutcomeKind::Ok, "2.1.5", 250},       // alias
        {"Info+x@EXAMPLE.test", OutcomeKind::Ok, "2.1.5", 250},     // alias after stripping
        {"team@example.test", OutcomeKind::Ok, "2.1.5", 250},
        {"fwd@example.test", OutcomeKind::Ok, "2.1.5", 250},        // remote-only alias
        {"anyone@catchall.test", OutcomeKind::Ok, "2.1.5", 250},    // catch-all
        {"dave@catchall.test", OutcomeKind::Ok, "2.1.5", 250},
        {"dave@other.test", OutcomeKind::Ok, "2.1.5", 250},
        {"alice@other.test", OutcomeKind::Permanent, "5.1.1", 550}, // domains are separate
        {"postmaster", OutcomeKind::Ok, "2.1.5", 250},
        {"PostMaster", OutcomeKind::Ok, "2.1.5", 250},
        {"postmaster@example.test", OutcomeKind::Ok, "2.1.5", 250},
        {"POSTMASTER@Other.Test", OutcomeKind::Ok, "2.1.5", 250},
        {"postmaster@remote.test", OutcomeKind::Permanent, "5.7.1", 550},
        {"alice@remote.test", OutcomeKind::Permanent, "5.7.1", 550},
        {"alice@example.test.evil", OutcomeKind::Permanent, "5.7.1", 550},
        {"alice@[127.0.0.1]", OutcomeKind::Permanent, "5.7.1", 550},
        {"loop1@example.test", OutcomeKind::Permanent, "5.4.6", 550},
        {"dangling@example.test", OutcomeKind::Permanent, "5.1.1", 550},
        {"not an address", OutcomeKind::Permanent, "5.1.3", 501},
        {"alice", OutcomeKind::Permanent, "5.1.3", 501},
        {"", OutcomeKind::Permanent, "5.1.3", 501},
    };
    for (const auto& c : cases) {
        auto r = resolver.check_rcpt(c.address);
        EXPECT_EQ(r.kind, c.kind) << c.address << " -> " << r.str();
        EXPECT_EQ(r.enhanced, c.enhanced) << c.address;
        EXPECT_EQ(r.code, c.code) << c.address;
    }
    EXPECT_EQ(resolver.check_rcpt("alice@remote.test").text, "Relay access denied");
    EXPECT_EQ(resolver.check_rcpt("bob@example.test").text, "User unknown");
}

using Expand = Fixture;

TEST_F(Expand, UserAndSubAddress) {
    auto r = resolver.expand("Alice+Tag@EXAMPLE.TEST");
    EXPECT_EQ(r.mailboxes, Strings{"alice@example.test"});
    EXPECT_TRUE(r.remote.empty());
    EXPECT_TRUE(r.error.is_ok());
}

TEST_F(Expand, NestedAliasesWithRemoteTargets) {
    auto r = resolver.expand("team@example.test");
    EXPECT_EQ(r.mailboxes, (Strings{"alice@example.test", "carol@example.test"}));
    EXPECT_EQ(r.remote, Strings{"bob@remote.test"});
    EXPECT_TRUE(r.error.is_ok());
    EXPECT_TRUE(r.dropped.empty());
}

TEST_F(Expand, RemoteTargetKeepsLocalPartCase) {
    auto r = resolver.expand("fwd@example.test");
    EXPECT_TRUE(r.mailboxes.empty());
    EXPECT_EQ(r.remote, Strings{"Bob.Smith@remote.test"});
    EXPECT_TRUE(r.deliverable());
    EXPECT_TRUE(r.error.is_ok());
}

TEST_F(Expand, ExactAliasBeatsSubAddress) {
    EXPECT_EQ(resolver.expand("alice+lists@example.test").mailboxes, Strings{"carol@example.test"});
    EXPECT_EQ(resolver.expand("alice+other@example.test").mailboxes, Strings{"alice@example.test"});
}

TEST_F(Expand, DuplicatesRemoved) {
    config.aliases["all@example.test"] = {"alice@example.test", "info@example.test",
                                          "ALICE+x@example.test", "team@example.test",
                                          "bob@remote.test", "bob@REMOTE.test"};
    auto r = resolver.expand("all@example.test");
    EXPECT_EQ(r.mailboxes, (Strings{"alice@example.test", "carol@example.test"}));
    EXPECT_EQ(r.remote, Strings{"bob@remote.test"});
}

TEST_F(Expand, DiamondIsNotALoop) {
    config.aliases["a@example.test"] = {"b@example.test", "c@example.test"};
    config.aliases["b@example.test"] = {"d@example.test"};
    config.aliases["c@example.test"] = {"d@example.test"};
    config.aliases["d@example.test"] = {"alice@example.test"};
    auto r = resolver.expand("a@example.test");
    EXPECT_EQ(r.mailboxes, Strings{"alice@example.test"});
    EXPECT_TRUE(r.dropped.empty());
    EXPECT_TRUE(r.error.is_ok());
}

TEST_F(Expand, PureLoopFails) {
    auto r = resolver.expand("loop1@example.test");
    EXPECT_FALSE(r.deliverable());
    EXPECT_TRUE(r.error.is_permanent());
    EXPECT_EQ(r.error.enhanced, "5.4.6");
    EXPECT_EQ(r.error.text, "Alias loop");
    EXPECT_FALSE(r.dropped.empty());
}

TEST_F(Expand, LoopingBranchDroppedWhenOthersDeliver) {
    config.aliases["a@example.test"] = {"b@example.test", "alice@example.test"};
    config.aliases["b@example.test"] = {"a@example.test"};
    auto r = resolver.expand("a@example.test");
    EXPECT_EQ(r.mailboxes, Strings{"alice@example.test"});
    EXPECT_TRUE(r.error.is_ok());
    ASSERT_EQ(r.dropped.size(), 1u);
    EXPECT_NE(r.dropped[0].find("5.4.6"), std::string::npos);
}

TEST_F(Expand, AliasToItselfKeepsACopy) {
    // Copy-and-forward: the alias reaching its own name delivers to the user of that name.
    config.aliases["alice@example.test"] = {"alice@example.test", "alice@remote.test"};
    auto r = resolver.expand("alice@example.test");
    EXPECT_EQ(r.mailboxes, Strings{"alice@example.test"});
    EXPECT_EQ(r.remote, Strings{"alice@remote.test"});
    EXPECT_TRUE(r.dropped.empty());
}

TEST_F(Expand, CatchAllLoopFails) {
    config.aliases["@catchall.test"] = {"nobody@catchall.test"};
    auto r = resolver.expand("x@catchall.test");
    EXPECT_FALSE(r.deliverable());
    EXPECT_EQ(r.error.enhanced, "5.4.6");
}

TEST_F(Expand, DepthCap) {
    auto chain = [&](std::size_t n) {
        config.aliases.clear();
        for (std::size_t i = 0; i < n; ++i)
            config.aliases["c" + std::to_string(i) + "@example.test"] = {
                i + 1 < n ? "c" + std::to_string(i + 1) + "@example.test" : "alice@example.test"};
        return resolver.expand("c0@example.test");
    };
    EXPECT_EQ(chain(kMaxAliasDepth).mailboxes, Strings{"alice@example.test"});
    auto r = chain(kMaxAliasDepth + 1);
    EXPECT_FALSE(r.deliverable());
    EXPECT_EQ(r.error.enhanced, "5.4.6");
    EXPECT_EQ(r.error.text, "Alias nesting too deep");
}

TEST_F(Expand, CatchAllOnlyWhenNothingElseMatches) {
    EXPECT_EQ(resolver.expand("dave@catchall.test").mailboxes, Strings{"dave@catchall.test"});
    EXPECT_EQ(resolver.expand("dave+x@catchall.test").mailboxes, Strings{"dave@catchall.test"});
    EXPECT_EQ(resolver.expand("zed@catchall.test").mailboxes, Strings{"carol@example.test"});
}

TEST_F(Expand, UnknownUser) {
    auto r = resolver.expand("bob@example.test");
    EXPECT_FALSE(r.deliverable());
    EXPECT_EQ(r.error.enhanced, "5.1.1");
    auto d = resolver.expand("dangling@example.test");
    EXPECT_EQ(d.error.enhanced, "5.1.1");
}

TEST_F(Expand, PostmasterRouting) {
    // No postmaster anywhere: accepted at RCPT (RFC 5321 4.5.1) but undeliverable -> bounce.
    EXPECT_TRUE(resolver.check_rcpt("postmaster@other.test").is_ok());
    auto none = resolver.expand("postmaster@other.test");
    EXPECT_FALSE(none.deliverable());
    EXPECT_TRUE(none.error.is_permanent());

    // An alias at the first local domain serves every domain without its own.
    config.aliases["postmaster@example.test"] = {"alice@example.test"};
    EXPECT_EQ(resolver.expand("postmaster").mailboxes, Strings{"alice@example.test"});
    EXPECT_EQ(resolver.expand("PostMaster@Other.Test").mailboxes, Strings{"alice@example.test"});
    EXPECT_EQ(resolver.expand("postmaster@example.test").mailboxes, Strings{"alice@example.test"});

    // A domain's own user named postmaster comes first...
    users.keys.insert("postmaster@other.test");
    EXPECT_EQ(resolver.expand("postmaster@other.test").mailboxes, Strings{"postmaster@other.test"});
    // ...and a catch-all counts as the domain's own.
    EXPECT_EQ(resolver.expand("postmaster@catchall.test").mailboxes, Strings{"carol@example.test"});
}

TEST_F(Expand, BareTargetIsInTheAliasDomain) {
    config.aliases["short@other.test"] = {"dave"};
    EXPECT_EQ(resolver.expand("short@other.test").mailboxes, Strings{"dave@other.test"});
}
