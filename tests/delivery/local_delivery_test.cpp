// The local delivery agent end to end: envelope + queued message -> files in Maildirs under a
// temp dir, with retries that must not duplicate.
#include "delivery/local_delivery.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "delivery/fake_users.hpp"
#include "support/temp_dir.hpp"

using namespace tern;
using namespace tern::delivery;
using tern::test::FakeUsers;
using tern::test::list_dir;
using tern::test::read_file;
using tern::test::TempDir;
using tern::test::write_file;

namespace {

using Strings = std::vector<std::string>;

const std::string kData = "From: s@remote.test\r\nSubject: hello\r\n\r\nHi.\r\n";

struct Lda : ::testing::Test {
    TempDir dir;
    config::Config config = [] {
        config::Config c;
        c.server.domains = {"example.test"};
        c.aliases = {
            {"team@example.test", {"alice@example.test", "carol@example.test"}},
            {"fwd@example.test", {"bob@remote.test"}},
            {"both@example.test", {"alice@example.test", "bob@remote.test"}},
        };
        return c;
    }();
    FakeUsers users{{"alice@example.test", "carol@example.test"}};
    RecipientResolver resolver{config, users};
    LocalDeliveryAgent agent{resolver, dir.path(), "mx.example.test"};

    Envelope envelope(std::vector<std::string> rcpts, std::string from = "s@remote.test") {
        Envelope e;
        e.mail_from = std::move(from);
        for (auto& r : rcpts) e.recipients.push_back({std::move(r), 0, {}});
        e.received_at = 1700000000;
        return e;
    }
    std::filesystem::path maildir(const std::string& user) {
        return dir.path() / "example.test" / user;
    }
    Strings in_new(const std::string& user) { return list_dir(maildir(user) / "new"); }
};

}  // namespace

TEST_F(Lda, DeliversWithReturnPathAndLfEndings) {
    auto e = envelope({"Alice+Tag@Example.TEST"});
    auto r = agent.deliver(e, "q123", 0, kData, false);
    ASSERT_TRUE(r.outcome.is_ok()) << r.outcome.str();
    EXPECT_EQ(r.delivered, Strings{"alice@example.test"});
    EXPECT_TRUE(r.remote.empty());

    auto names = in_new("alice");
    ASSERT_EQ(names.size(), 1u);
    EXPECT_EQ(names[0].rfind(delivery_unique_base(1700000000, "q123", 0, "mx.example.test") + ",S=", 0), 0u);
    EXPECT_EQ(names[0].rfind("1700000000.Rq123_0.mx.example.test,S=", 0), 0u);
    EXPECT_EQ(read_file(maildir("alice") / "new" / names[0]),
              "Return-Path: <s@remote.test>\nFrom: s@remote.test\nSubject: hello\n\nHi.\n");
}

TEST_F(Lda, NullSender) {
    auto e = envelope({"alice@example.test"}, "");
    ASSERT_TRUE(agent.deliver(e, "q1", 0, kData, false).outcome.is_ok());
    auto names = in_new("alice");
    ASSERT_EQ(names.size(), 1u);
    EXPECT_EQ(read_file(maildir("alice") / "new" / names[0]).rfind("Return-Path: <>\n", 0), 0u);
}

TEST_F(Lda, AliasToSeveralMailboxes) {
    auto e = envelope({"team@example.test"});
    auto r = agent.deliver(e, "q1", 0, kData, false);
    ASSERT_TRUE(r.outcome.is_ok());
    EXPECT_EQ(r.delivered, (Strings{"alice@example.test", "carol@example.test"}));
    EXPECT_EQ(in_new("alice").size(), 1u);
    EXPECT_EQ(in_new("carol").size(), 1u);
}

TEST_F(Lda, RetryAfterCrashDoesNotDuplicate) {
    auto e = envelope({"team@example.test"});
    ASSERT_TRUE(agent.deliver(e, "q1", 0, kData, false).outcome.is_ok());
    // The MUA picked up alice's copy and marked it seen.
    auto name = in_new("alice").at(0);
    std::filesystem::rename(maildir("alice") / "new" / name, maildir("alice") / "cur" / (name + ":2,S"));

    auto r = agent.deliver(e, "q1", 0, kData, /*maybe_duplicate=*/true);
    ASSERT_TRUE(r.outcome.is_ok());
    EXPECT_EQ(r.delivered.size(), 2u);
    EXPECT_TRUE(in_new("alice").empty());
    EXPECT_EQ(list_dir(maildir("alice") / "cur").size(), 1u);
    EXPECT_EQ(in_new("carol").size(), 1u);
}

TEST_F(Lda, DistinctRecipientsAndMessagesGetDistinctFiles) {
    auto e = envelope({"alice@example.test", "alice+x@example.test"});
    ASSERT_TRUE(agent.deliver(e, "q1", 0, kData, true).outcome.is_ok());
    ASSERT_TRUE(agent.deliver(e, "q1", 1, kData, true).outcome.is_ok());
    ASSERT_TRUE(agent.deliver(e, "q2", 0, kData, true).outcome.is_ok());
    EXPECT_EQ(in_new("alice").size(), 3u);
}

TEST_F(Lda, PartialFailureIsTemporaryAndRetryCompletes) {
    // carol's mailbox cannot be created: a file sits where her directory should be.
    std::filesystem::create_directories(dir.path() / "example.test");
    write_file(maildir("carol"), "in the way");

    auto e = envelope({"team@example.test"});
    auto r = agent.deliver(e, "q1", 0, kData, false);
    EXPECT_TRUE(r.outcome.is_temporary()) << r.outcome.str();
    EXPECT_EQ(r.outcome.enhanced, "4.3.0");
    EXPECT_EQ(r.delivered, Strings{"alice@example.test"});
    EXPECT_EQ(in_new("alice").size(), 1u);

    std::filesystem::remove(maildir("carol"));
    r = agent.deliver(e, "q1", 0, kData, true);
    ASSERT_TRUE(r.outcome.is_ok()) << r.outcome.str();
    EXPECT_EQ(in_new("alice").size(), 1u);
    EXPECT_EQ(in_new("carol").size(), 1u);
}

TEST_F(Lda, RemoteTargetsAreReturned) {
    auto r = agent.deliver(envelope({"fwd@example.test"}), "q1", 0, kData, false);
    EXPECT_TRUE(r.outcome.is_ok());
    EXPECT_TRUE(r.delivered.empty());
    EXPECT_EQ(r.remote, Strings{"bob@remote.test"});
    EXPECT_TRUE(list_dir(dir.path()).empty());

    r = agent.deliver(envelope({"both@example.test"}), "q1", 0, kData, false);
    EXPECT_TRUE(r.outcome.is_ok());
    EXPECT_EQ(r.delivered, Strings{"alice@example.test"});
    EXPECT_EQ(r.remote, Strings{"bob@remote.test"});
}

TEST_F(Lda, UnknownRecipientIsPermanent) {
    auto r = agent.deliver(envelope({"nobody@example.test"}), "q1", 0, kData, false);
    EXPECT_TRUE(r.outcome.is_permanent());
    EXPECT_EQ(r.outcome.enhanced, "5.1.1");
    EXPECT_TRUE(list_dir(dir.path()).empty());
}

TEST_F(Lda, BadIndexIsTemporary) {
    auto r = agent.deliver(envelope({"alice@example.test"}), "q1", 1, kData, false);
    EXPECT_TRUE(r.outcome.is_temporary());
}

TEST_F(Lda, HostileQueueIdAndHostStayInsideTheMaildir) {
    LocalDeliveryAgent odd{resolver, dir.path(), "evil/../host:2,S"};
    auto r = odd.deliver(envelope({"alice@example.test"}), "../../q,1:x", 0, kData, true);
    ASSERT_TRUE(r.outcome.is_ok()) << r.outcome.str();
    EXPECT_EQ(in_new("alice").size(), 1u);
    EXPECT_EQ(list_dir(dir.path()), Strings{"example.test"});
}

TEST_F(Lda, ConcurrentDeliveries) {
    std::vector<std::thread> threads;
    std::vector<Outcome> results(8);
    auto e = envelope({"team@example.test"});
    for (int i = 0; i < 8; ++i)
        threads.emplace_back([&, i] {
            results[i] = agent.deliver(e, "q" + std::to_string(i), 0, kData, i % 2 == 0).outcome;
        });
    for (auto& t : threads) t.join();
    for (const auto& r : results) EXPECT_TRUE(r.is_ok()) << r.str();
    EXPECT_EQ(in_new("alice").size(), 8u);
    EXPECT_EQ(in_new("carol").size(), 8u);
}

TEST(ReturnPath, Header) {
    EXPECT_EQ(return_path_header("a@b.test"), "Return-Path: <a@b.test>\r\n");
    EXPECT_EQ(return_path_header(""), "Return-Path: <>\r\n");
    EXPECT_EQ(return_path_header("a\r\nX-Evil: 1@b"), "Return-Path: <aX-Evil: 1@b>\r\n");
}
