// SpoolQueueControl over a real spool in a temporary directory: the mapping of queue entries,
// and that flush/delete/hold/release change the spool durably (checked by reopening it).
#include "control/spool_queue_control.hpp"

#include <gtest/gtest.h>

#include <future>

#include "control/protocol.hpp"
#include "support/temp_dir.hpp"

using namespace tern;
using namespace tern::control;
using queue::RecipientState;
using queue::RecipientStatus;
using queue::Spool;

namespace {

Envelope envelope(std::string from, std::vector<std::string> to, std::int64_t at) {
    Envelope e;
    e.mail_from = std::move(from);
    for (auto& a : to) e.recipients.push_back({std::move(a), 0, ""});
    e.received_at = at;
    return e;
}

std::unique_ptr<Spool> open_spool(const std::filesystem::path& dir) {
    Spool::Options o;
    o.dir = dir;
    o.min_free_bytes = 0;
    std::string err;
    auto s = Spool::open(o, err);
    EXPECT_TRUE(s) << err;
    return s;
}

std::string commit(Spool& s, Envelope e, std::string body) {
    std::promise<queue::CommitResult> p;
    auto f = p.get_future();
    s.commit(std::move(e), "", std::move(body), [&p](queue::CommitResult r) { p.set_value(std::move(r)); });
    auto r = f.get();
    EXPECT_TRUE(r.outcome.is_ok());
    return r.id;
}

class SpoolControlTest : public ::testing::Test {
protected:
    void SetUp() override {
        spool = open_spool(dir());
        a = commit(*spool, envelope("alice@example.test", {"bob@example.org", "carol@example.test", "dan@example.net"}, 1700000000),
                   "Subject: a\r\n\r\nhello\r\n");
        b = commit(*spool, envelope("", {"erin@example.org"}, 1700000100), "bounce\r\n");
        spool->update(a, 0, {RecipientStatus::Deferred, 3, 1700000600, "451 4.4.1 refused"});
        spool->update(a, 1, {RecipientStatus::Delivered, 1, 0, ""});
        spool->update(b, 0, {RecipientStatus::Deferred, 1, 1700000200, "421 try later"});
    }
    std::filesystem::path dir() const { return tmp.path() / "queue"; }
    void reopen() {
        spool.reset();
        spool = open_spool(dir());
    }

    test::TempDir tmp;
    std::unique_ptr<Spool> spool;
    std::string a, b;
};

}  // namespace

TEST_F(SpoolControlTest, ListMapsEntries) {
    SpoolQueueControl c(*spool);
    auto all = c.list();
    ASSERT_EQ(all.size(), 2u);
    const MessageInfo& m = all[0];  // acceptance order: oldest first
    EXPECT_EQ(m.id, a);
    EXPECT_EQ(m.arrival, 1700000000);
    EXPECT_EQ(m.sender, "alice@example.test");
    EXPECT_EQ(m.size, std::string("Subject: a\r\n\r\nhello\r\n").size());
    EXPECT_FALSE(m.held);
    ASSERT_EQ(m.recipients.size(), 3u);
    EXPECT_EQ(m.recipients[0].address, "bob@example.org");
    EXPECT_EQ(m.recipients[0].state, "deferred");
    EXPECT_EQ(m.recipients[0].attempts, 3u);
    EXPECT_EQ(m.recipients[0].next_attempt, 1700000600);
    EXPECT_EQ(m.recipients[0].last_error, "451 4.4.1 refused");
    EXPECT_EQ(m.recipients[1].state, "delivered");
    EXPECT_EQ(m.recipients[2].state, "pending");
    EXPECT_EQ(all[1].sender, "");  // the null sender <>
    EXPECT_EQ(status_name(RecipientStatus::Failed), std::string("failed"));
}

TEST_F(SpoolControlTest, ShowKnownAndUnknown) {
    SpoolQueueControl c(*spool);
    auto m = c.show(b);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->id, b);
    EXPECT_EQ(m->recipients[0].address, "erin@example.org");
    EXPECT_FALSE(c.show("ffffffff-00000040"));
    EXPECT_FALSE(c.show("not an id"));
}

TEST_F(SpoolControlTest, FlushResetsNextAttemptKeepingTheRest) {
    {
        SpoolQueueControl c(*spool);
        EXPECT_EQ(c.flush(a), 1u);
        EXPECT_EQ(c.flush(std::string("ffffffff-00000040")), 0u);
    }
    reopen();  // durable
    auto e = spool->entry(a);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->recipients[0], (RecipientState{RecipientStatus::Deferred, 3, 0, "451 4.4.1 refused"}));
    EXPECT_EQ(e->recipients[1].status, RecipientStatus::Delivered);
    EXPECT_EQ(e->recipients[2], RecipientState{});
    EXPECT_EQ(spool->entry(b)->recipients[0].next_attempt, 1700000200);  // not asked

    SpoolQueueControl c(*spool);
    EXPECT_EQ(c.flush(std::nullopt), 2u);
    EXPECT_EQ(spool->entry(b)->recipients[0],
              (RecipientState{RecipientStatus::Deferred, 1, 0, "421 try later"}));
}

TEST_F(SpoolControlTest, FlushSkipsHeldMessages) {
    SpoolQueueControl c(*spool);
    ASSERT_TRUE(c.hold(b));
    EXPECT_EQ(c.flush(std::nullopt), 1u);
    EXPECT_EQ(c.flush(b), 0u);
    EXPECT_EQ(spool->entry(b)->recipients[0].next_attempt, 1700000200);
}

TEST_F(SpoolControlTest, HoldAndReleaseAreDurable) {
    {
        SpoolQueueControl c(*spool);
        EXPECT_TRUE(c.hold(a));
        EXPECT_TRUE(c.show(a)->held);
        EXPECT_FALSE(c.hold("ffffffff-00000040"));
        EXPECT_FALSE(c.release("ffffffff-00000040"));
    }
    reopen();
    {
        SpoolQueueControl c(*spool);
        EXPECT_TRUE(c.list()[0].held);
        EXPECT_FALSE(c.list()[1].held);
        EXPECT_TRUE(c.release(a));
    }
    reopen();
    EXPECT_FALSE(spool->entry(a)->held);
}

TEST_F(SpoolControlTest, RemoveIsDurable) {
    {
        SpoolQueueControl c(*spool);
        EXPECT_TRUE(c.remove(a));
        EXPECT_FALSE(c.remove(a));  // already gone
        EXPECT_FALSE(c.show(a));
        EXPECT_EQ(c.list().size(), 1u);
    }
    reopen();
    EXPECT_FALSE(spool->entry(a));
    EXPECT_TRUE(spool->entry(b));
}

TEST_F(SpoolControlTest, ThroughTheProtocol) {
    SpoolQueueControl c(*spool);
    auto r = handle_control_line(c, R"({"cmd":"list"})");
    ASSERT_EQ(r["messages"].size(), 2u);
    EXPECT_EQ(r["messages"][0]["recipients"][0]["state"], "deferred");
    r = handle_control_line(c, R"({"cmd":"delete","id":"ffffffff-00000040"})");
    EXPECT_EQ(r["error"], "no such message: ffffffff-00000040");
    r = handle_control_request(c, nlohmann::json{{"cmd", "hold"}, {"id", b}});
    EXPECT_EQ(r["ok"], true);
    EXPECT_TRUE(spool->entry(b)->held);
}
