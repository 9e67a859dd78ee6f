// Several sessions on one folder while the SMTP side delivers: every file ends up with exactly
// one UID, no UID twice, and the state on disk agrees with memory.
#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <thread>

#include "mailbox/folder.hpp"
#include "support.hpp"

namespace tern::mailbox::test {
namespace {

TEST(Concurrency, SyncsFlagsAndDeliveriesAgree) {
    TempDir t;
    const auto root = t.path() / "u";
    Store store;
    auto inbox = open_ok(store, root);
    constexpr int kMessages = 300;
    std::atomic<bool> done{false};
    std::atomic<int> errors{0};
    std::vector<std::thread> sessions;
    for (int s = 0; s < 3; ++s) {
        sessions.emplace_back([&, s] {
            std::mt19937 rng(static_cast<unsigned>(s));
            SnapshotPtr last = inbox->snapshot();
            while (!done) {
                auto snap = inbox->sync(s == 0 ? SyncMode::Full : SyncMode::IfChanged);
                if (!snap.ok()) {
                    ++errors;
                    continue;
                }
                // What a session does with it: diff, and check UIDs never go backwards.
                auto d = diff_snapshots(*last, **snap);
                if (!d.added.empty() && d.added.front() < last->uidnext) ++errors;
                last = *snap;
                if (!last->messages.empty()) {
                    auto uid = last->messages[rng() % last->messages.size()].uid;
                    auto r = inbox->store_flags({uid}, rng() % 2 ? FlagMode::Add : FlagMode::Remove,
                                                flags(flag::kSeen, {"$k" + std::to_string(s)}));
                    if (!r.ok()) ++errors;
                }
            }
        });
    }
    std::thread delivery([&] {
        for (int i = 0; i < kMessages; ++i) deliver(root, i);
    });
    delivery.join();
    done = true;
    for (auto& th : sessions) th.join();
    EXPECT_EQ(errors, 0);
    auto final_snap = sync_ok(*inbox, SyncMode::Full);
    ASSERT_EQ(final_snap->messages.size(), static_cast<std::size_t>(kMessages));
    expect_consistent(root, *final_snap);
    auto map = base_map(*final_snap);
    // A restart reads the same state back.
    inbox.reset();
    Store again;
    auto reopened = open_ok(again, root)->snapshot();
    EXPECT_EQ(reopened->uidvalidity, final_snap->uidvalidity);
    EXPECT_EQ(base_map(*reopened), map);
    for (const auto& m : final_snap->messages) EXPECT_EQ(*reopened->messages.find(m.uid), m);
}

// Two Store objects on one Maildir behave like two server processes: flock() serializes them
// and each reloads what the other wrote.
TEST(Concurrency, TwoProcessesOnOneFolder) {
    TempDir t;
    const auto root = t.path() / "u";
    Store a, b;
    auto fa = open_ok(a, root);
    auto fb = open_ok(b, root);
    ASSERT_NE(fa.get(), fb.get());
    std::atomic<bool> done{false};
    std::atomic<int> errors{0};
    auto session = [&](std::shared_ptr<Folder> f) {
        while (!done)
            if (!f->sync().ok()) ++errors;
    };
    std::thread ta(session, fa), tb(session, fb);
    std::thread appender([&] {
        for (int i = 0; i < 50; ++i)
            if (!(i % 2 ? fa : fb)->append(message_text(i), {}, 0).ok()) ++errors;
    });
    for (int i = 0; i < 100; ++i) deliver(root, 1000 + i);
    appender.join();
    done = true;
    ta.join();
    tb.join();
    EXPECT_EQ(errors, 0);
    auto sa = sync_ok(*fa, SyncMode::Full);
    auto sb = sync_ok(*fb, SyncMode::Full);
    ASSERT_EQ(sa->messages.size(), 150u);
    expect_consistent(root, *sa);
    EXPECT_EQ(sa->uidvalidity, sb->uidvalidity);
    EXPECT_EQ(base_map(*sa), base_map(*sb));
}

TEST(Concurrency, ParallelAppendsGetDistinctUids) {
    TempDir t;
    const auto root = t.path() / "u";
    Store store;
    auto inbox = open_ok(store, root);
    std::vector<std::thread> threads;
    std::mutex mu;
    std::vector<std::uint32_t> uids;
    for (int th = 0; th < 4; ++th) {
        threads.emplace_back([&, th] {
            for (int i = 0; i < 25; ++i) {
                auto r = inbox->append(message_text(th * 100 + i), {}, 0);
                ASSERT_TRUE(r.ok());
                std::lock_guard lock(mu);
                uids.push_back(r->uid);
            }
        });
    }
    for (auto& th : threads) th.join();
    std::sort(uids.begin(), uids.end());
    ASSERT_EQ(uids.size(), 100u);
    for (std::size_t i = 0; i < uids.size(); ++i) EXPECT_EQ(uids[i], i + 1);
    expect_consistent(root, *sync_ok(*inbox, SyncMode::Full));
}

TEST(Concurrency, CopiesInOppositeDirectionsDoNotDeadlock) {
    TempDir t;
    const auto root = t.path() / "u";
    Store store;
    ASSERT_TRUE(store.create(root, "B").ok());
    auto a = open_ok(store, root);
    auto b = open_ok(store, root, "B");
    for (int i = 0; i < 10; ++i) {
        ASSERT_TRUE(a->append(message_text(i), {}, 0).ok());
        ASSERT_TRUE(b->append(message_text(i), {}, 0).ok());
    }
    std::thread x([&] {
        for (int i = 0; i < 20; ++i) ASSERT_TRUE(a->copy({1, 2, 3}, *b).ok());
    });
    std::thread y([&] {
        for (int i = 0; i < 20; ++i) ASSERT_TRUE(b->copy({1, 2, 3}, *a).ok());
    });
    x.join();
    y.join();
    EXPECT_EQ(a->snapshot()->messages.size(), 70u);
    EXPECT_EQ(b->snapshot()->messages.size(), 70u);
    expect_consistent(root, *sync_ok(*a, SyncMode::Full));
    expect_consistent(root / ".B", *sync_ok(*b, SyncMode::Full));
}

}  // namespace
}  // namespace tern::mailbox::test
