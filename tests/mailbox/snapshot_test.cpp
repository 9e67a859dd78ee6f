// Snapshots: the chunked copy-on-write list, the expunged ranges, the diff helper sessions use,
// and the POP3 UIDL.
#include "mailbox/snapshot.hpp"

#include <gtest/gtest.h>

#include <random>
#include <set>

namespace tern::mailbox {
namespace {

MessageRecord rec(std::uint32_t uid, std::uint64_t modseq, std::uint8_t flags = 0) {
    MessageRecord m;
    m.uid = uid;
    m.modseq = modseq;
    m.flags.system = flags;
    m.rfc822_size = 100;
    m.disk_size = 98;
    m.base = "base" + std::to_string(uid);
    return m;
}

TEST(MessageList, CopyOnWriteSharesUntouchedChunks) {
    SnapshotEditor ed(7);
    for (std::uint32_t u = 1; u <= 3000; ++u) ASSERT_TRUE(ed.add(rec(u, u)));
    auto a = std::move(ed).finish();
    EXPECT_EQ(a->messages.size(), 3000u);
    EXPECT_EQ(a->messages[0].uid, 1u);
    EXPECT_EQ(a->messages[2999].uid, 3000u);
    EXPECT_EQ(a->messages.index_of(1500), 1499u);
    EXPECT_FALSE(a->messages.find(3001));

    SnapshotEditor ed2(*a);
    auto changed = *a->messages.find(10);
    changed.flags.system = flag::kSeen;
    changed.modseq = 3001;
    ASSERT_TRUE(ed2.update(changed));
    auto b = std::move(ed2).finish();
    const std::size_t chunks = (3000 + MessageList::kChunk - 1) / MessageList::kChunk;
    EXPECT_EQ(b->messages.shared_chunks(a->messages), chunks - 1);  // only the first was copied
    EXPECT_EQ(a->messages.find(10)->flags.system, 0);               // the old version is intact
    EXPECT_EQ(b->messages.find(10)->flags.system, flag::kSeen);
    EXPECT_EQ(b->unseen, 2999u);
    EXPECT_EQ(a->unseen, 3000u);
    EXPECT_EQ(b->highestmodseq, 3001u);
    std::size_t n = 0;
    std::uint32_t last = 0;
    for (const auto& m : b->messages) {
        EXPECT_GT(m.uid, last);
        last = m.uid;
        ++n;
    }
    EXPECT_EQ(n, 3000u);
}

TEST(MessageList, ExpungeKeepsOrderAndCounters) {
    SnapshotEditor ed(7);
    for (std::uint32_t u = 1; u <= 2000; ++u) ed.add(rec(u, u, u % 3 == 0 ? flag::kDeleted : flag::kSeen));
    auto a = std::move(ed).finish();
    EXPECT_EQ(a->deleted, 666u);
    EXPECT_EQ(deleted_uids(*a).size(), 666u);
    SnapshotEditor ed2(*a);
    auto removed = ed2.expunge(deleted_uids(*a), 5000);
    EXPECT_EQ(removed.size(), 666u);
    auto b = std::move(ed2).finish();
    EXPECT_EQ(b->messages.size(), 1334u);
    EXPECT_EQ(b->deleted, 0u);
    EXPECT_EQ(b->size, 1334u * 100);
    EXPECT_EQ(b->uidnext, 2001u);  // never goes back
    for (std::size_t i = 0; i < b->messages.size(); ++i) {
        EXPECT_NE(b->messages[i].uid % 3, 0u);
        EXPECT_EQ(b->messages.index_of(b->messages[i].uid), i);
    }
    // Expunging everything leaves an empty list that still takes new UIDs.
    SnapshotEditor ed3(*b);
    std::vector<std::uint32_t> all;
    for (const auto& m : b->messages) all.push_back(m.uid);
    ed3.expunge(all, 5001);
    EXPECT_TRUE(ed3.messages().empty());
    EXPECT_FALSE(ed3.add(rec(2000, 5002)));
    EXPECT_TRUE(ed3.add(rec(2001, 5002)));
}

TEST(ExpungedSet, MergesAdjacentRangesKeepingTheNewestModseq) {
    ExpungedSet s;
    s.add({5, 6, 7}, 10);
    s.add({9}, 11);
    EXPECT_EQ(s.ranges().size(), 2u);
    s.add({8}, 12);  // bridges the two
    ASSERT_EQ(s.ranges().size(), 1u);
    EXPECT_EQ(s.ranges()[0], (ExpungedRange{5, 9, 12}));
    s.add({1, 2}, 3);
    EXPECT_EQ(s.since(11), (std::vector<std::pair<std::uint32_t, std::uint32_t>>{{5, 9}}));
    EXPECT_EQ(s.since(0).size(), 2u);
    EXPECT_TRUE(s.contains(7));
    EXPECT_FALSE(s.contains(3));
    s.add_range({UINT32_MAX - 1, UINT32_MAX, 20});  // no overflow at the top
    EXPECT_TRUE(s.contains(UINT32_MAX));
}

TEST(SnapshotDiff, ReportsExpungedAddedAndChanged) {
    SnapshotEditor ed(7);
    for (std::uint32_t u = 1; u <= 10; ++u) ed.add(rec(u, u));
    auto from = std::move(ed).finish();
    SnapshotEditor ed2(*from);
    ed2.expunge({2, 3, 9}, 11);
    auto m = *ed2.find(5);
    m.flags.system = flag::kFlagged;
    m.modseq = 12;
    ed2.update(m);
    ed2.add(rec(11, 13));
    ed2.add(rec(12, 13));
    ed2.expunge({12}, 14);  // added and gone between the two: never reported
    auto to = std::move(ed2).finish();
    auto d = diff_snapshots(*from, *to);
    EXPECT_FALSE(d.uidvalidity_changed);
    EXPECT_EQ(d.expunged, (std::vector<std::uint32_t>{2, 3, 9}));
    EXPECT_EQ(d.added, (std::vector<std::uint32_t>{11}));
    EXPECT_EQ(d.changed, (std::vector<std::uint32_t>{5}));
    EXPECT_TRUE(diff_snapshots(*to, *to).empty());
    SnapshotEditor other(8);
    other.add(rec(1, 1));
    auto reset = std::move(other).finish();
    auto r = diff_snapshots(*to, *reset);
    EXPECT_TRUE(r.uidvalidity_changed);
    EXPECT_EQ(r.added, (std::vector<std::uint32_t>{1}));
}

TEST(SnapshotDiff, AgreesWithBruteForceOnRandomHistories) {
    std::mt19937 rng(42);
    SnapshotEditor ed(1);
    auto snap = std::move(ed).finish();
    for (int round = 0; round < 200; ++round) {
        SnapshotEditor e(*snap);
        const auto modseq = snap->highestmodseq + 1;
        int op = static_cast<int>(rng() % 3);
        if (op == 0 || snap->messages.empty()) {
            for (int k = 0; k < 1 + static_cast<int>(rng() % 40); ++k) e.add(rec(e.uidnext(), modseq));
        } else if (op == 1) {
            std::vector<std::uint32_t> gone;
            for (const auto& m : snap->messages)
                if (rng() % 4 == 0) gone.push_back(m.uid);
            e.expunge(gone, modseq);
        } else {
            for (const auto& m : snap->messages) {
                if (rng() % 5) continue;
                auto c = m;
                c.flags.system ^= flag::kSeen;
                c.modseq = modseq;
                e.update(c);
            }
        }
        auto next = std::move(e).finish();
        auto d = diff_snapshots(*snap, *next);
        std::set<std::uint32_t> before, after;
        for (const auto& m : snap->messages) before.insert(m.uid);
        for (const auto& m : next->messages) after.insert(m.uid);
        std::vector<std::uint32_t> expunged, added, changed;
        for (auto u : before)
            if (!after.count(u)) expunged.push_back(u);
        for (const auto& m : next->messages) {
            if (!before.count(m.uid))
                added.push_back(m.uid);
            else if (m.modseq > snap->highestmodseq)
                changed.push_back(m.uid);
        }
        ASSERT_EQ(d.expunged, expunged) << round;
        ASSERT_EQ(d.added, added) << round;
        ASSERT_EQ(d.changed, changed) << round;
        // Counters agree with the list.
        std::uint32_t unseen = 0;
        for (const auto& m : next->messages) unseen += !m.flags.has(flag::kSeen);
        ASSERT_EQ(next->unseen, unseen);
        snap = next;
    }
}

TEST(Pop3Uidl, BaseWithoutSizeFieldsOrAHash) {
    MessageRecord m;
    m.base = "1700000000.Rq1_0.host,S=120,W=124";
    EXPECT_EQ(pop3_uidl(m), "1700000000.Rq1_0.host");
    m.base = std::string(80, 'x') + ",S=1";
    auto h = pop3_uidl(m);
    EXPECT_EQ(h.size(), 33u);
    EXPECT_EQ(h[0], 'X');
    EXPECT_EQ(h, pop3_uidl(m));  // stable
    m.base = "with space";
    EXPECT_EQ(pop3_uidl(m).size(), 33u);
}

}  // namespace
}  // namespace tern::mailbox
