// Folder sync and the index across restarts: stable ascending UIDs, no reuse after expunge,
// rebuilds under a new UIDVALIDITY, torn journal tails, flags changed by other programs.
#include "mailbox/folder.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <thread>

#include "mailbox/index_file.hpp"
#include "support.hpp"

namespace tern::mailbox::test {
namespace {

TEST(Folder, AssignsAscendingUidsInDeliveryOrderAndMovesToCur) {
    TempDir t;
    const auto root = t.path() / "u";
    for (int i = 0; i < 5; ++i) deliver(root, i);
    Store store;
    auto inbox = open_ok(store, root);
    auto s = inbox->snapshot();
    ASSERT_EQ(s->messages.size(), 5u);
    EXPECT_EQ(uids_of(*s), (std::vector<std::uint32_t>{1, 2, 3, 4, 5}));
    EXPECT_EQ(s->uidnext, 6u);
    EXPECT_GT(s->uidvalidity, 0u);
    expect_consistent(root, *s);
    for (const auto& n : list_dir(root / "cur")) EXPECT_NE(n.find(":2,"), std::string::npos) << n;
    // Sizes come from the name (W=) and the file.
    const auto& m = s->messages[0];
    EXPECT_EQ(m.rfc822_size, message_text(0).size());
    EXPECT_EQ(m.disk_size, message_text(0).size() - 4);  // 4 lines lose their CR
    EXPECT_EQ(m.modseq, s->highestmodseq);
    auto body = inbox->read_message(m.uid);
    ASSERT_TRUE(body.ok());
    EXPECT_EQ(*body, message_text(0));
    auto lf = inbox->read_message(m.uid, false);
    EXPECT_EQ(lf->size(), m.disk_size);
}

TEST(Folder, ReadHeaderStopsAtTheFirstEmptyLine) {
    TempDir t;
    Store store;
    auto inbox = open_ok(store, t.path() / "u");
    const std::string long_field = "X-Long: " + std::string(9000, 'x') + "\n";  // spans read chunks
    struct Case {
        std::string stored, header;
    };
    const std::vector<Case> cases = {
        {"Subject: a\n\nbody\n\nmore\n", "Subject: a\n\n"},
        {"Subject: a\r\nTo: b\r\n\r\nbody\r\n", "Subject: a\nTo: b\n\n"},  // stored as LF
        {long_field + "Subject: b\n\n" + std::string(20000, 'y'), long_field + "Subject: b\n\n"},
        {"\nonly body\n", "\n"},
        {"Subject: no body\nX: y", "Subject: no body\nX: y"},  // no empty line: all header
        {long_field + "Subject: c", long_field + "Subject: c"},
        {"Subject: d\n \n\tfolded\n\nbody", "Subject: d\n \n\tfolded\n\n"},  // blank-only lines fold
    };
    for (const auto& c : cases) {
        auto a = inbox->append(c.stored, {}, 0);
        ASSERT_TRUE(a.ok());
        auto h = inbox->read_header(a->uid);
        ASSERT_TRUE(h.ok());
        EXPECT_EQ(*h, c.header) << c.stored.substr(0, 40);
    }
    EXPECT_FALSE(inbox->read_header(999).ok());
}

TEST(Folder, UidsStableAcrossReopenAndNeverReused) {
    TempDir t;
    const auto root = t.path() / "u";
    for (int i = 0; i < 6; ++i) deliver(root, i);
    std::map<std::string, std::uint32_t> first;
    std::uint32_t uidvalidity = 0;
    {
        Store store;
        auto inbox = open_ok(store, root);
        first = base_map(*inbox->snapshot());
        uidvalidity = inbox->snapshot()->uidvalidity;
        auto e = inbox->expunge({5, 6});
        ASSERT_TRUE(e.ok());
        EXPECT_EQ(e->expunged, (std::vector<std::uint32_t>{5, 6}));
    }
    {
        Store store;  // a restart
        auto inbox = open_ok(store, root);
        auto s = inbox->snapshot();
        EXPECT_EQ(s->uidvalidity, uidvalidity);
        EXPECT_EQ(uids_of(*s), (std::vector<std::uint32_t>{1, 2, 3, 4}));
        EXPECT_EQ(s->uidnext, 7u);
        for (const auto& [base, uid] : base_map(*s)) EXPECT_EQ(first[base], uid);
        deliver(root, 100);
        s = sync_ok(*inbox);
        EXPECT_EQ(uids_of(*s).back(), 7u);  // not 5: expunged UIDs are never handed out again
        EXPECT_EQ(s->expunged->since(0), (std::vector<std::pair<std::uint32_t, std::uint32_t>>{{5, 6}}));
    }
    Store store;
    auto s = open_ok(store, root)->snapshot();
    EXPECT_EQ(uids_of(*s), (std::vector<std::uint32_t>{1, 2, 3, 4, 7}));
    EXPECT_EQ(s->uidnext, 8u);
}

TEST(Folder, LostIndexIsRebuiltUnderALargerUidValidity) {
    TempDir t;
    const auto root = t.path() / "u";
    for (int i = 0; i < 4; ++i) deliver(root, i);
    std::uint32_t old_validity = 0;
    {
        Store store;
        auto inbox = open_ok(store, root);
        old_validity = inbox->snapshot()->uidvalidity;
        ASSERT_TRUE(inbox->store_flags({1}, FlagMode::Add, flags(flag::kFlagged, {"$Keep"})).ok());
    }
    ASSERT_EQ(::unlink((root / "tern-index").c_str()), 0);
    Store store;
    auto s = open_ok(store, root)->snapshot();
    EXPECT_GT(s->uidvalidity, old_validity);  // same second or not: the per-user counter
    EXPECT_EQ(s->messages.size(), 4u);
    expect_consistent(root, *s);
    // System flags survive (file names), keywords do not (index only).
    bool found = false;
    for (const auto& m : s->messages) {
        if (m.flags.has(flag::kFlagged)) {
            found = true;
            EXPECT_TRUE(m.flags.keywords.empty());
        }
    }
    EXPECT_TRUE(found);
    // Damage in the middle of the index (not a torn tail): rebuilt too, and even with the
    // counter file gone the new value exceeds the one in the damaged file's header.
    {
        Store again;
        ASSERT_TRUE(open_ok(again, root)->store_flags({1}, FlagMode::Add, flags(flag::kSeen)).ok());
    }
    const auto v2 = s->uidvalidity;
    ASSERT_EQ(::unlink((root / "tern-uidvalidity").c_str()), 0);
    auto bytes = read_file(root / "tern-index");
    bytes[40] ^= 0x55;  // inside the first batch; a later batch still validates
    write_file(root / "tern-index", bytes);
    Store store2;
    auto s2 = open_ok(store2, root)->snapshot();
    EXPECT_GT(s2->uidvalidity, v2);
    EXPECT_EQ(s2->messages.size(), 4u);
    expect_consistent(root, *s2);
}

TEST(Folder, TornIndexTailNeverMovesUidsBackwards) {
    TempDir t;
    const auto root = t.path() / "u";
    for (int i = 0; i < 3; ++i) deliver(root, i);
    std::string before_image, after_image;
    SnapshotPtr before;
    {
        Store store;
        auto inbox = open_ok(store, root);
        ASSERT_TRUE(inbox->store_flags({2}, FlagMode::Add, flags(0, {"$Keep"})).ok());
        before = inbox->snapshot();
        before_image = read_file(root / "tern-index");
        auto a = inbox->append(message_text(9), flags(flag::kSeen), 1700000100);
        ASSERT_TRUE(a.ok());
        EXPECT_EQ(a->uid, 4u);
        after_image = read_file(root / "tern-index");
    }
    ASSERT_GT(after_image.size(), before_image.size());
    ASSERT_EQ(after_image.substr(0, before_image.size()), before_image);
    for (std::size_t cut = before_image.size(); cut <= after_image.size(); ++cut) {
        write_file(root / "tern-index", after_image.substr(0, cut));
        Store store;
        auto inbox = open_ok(store, root);
        ASSERT_TRUE(inbox);
        auto s = inbox->snapshot();
        ASSERT_EQ(s->uidvalidity, before->uidvalidity) << cut;  // a torn tail is not a rebuild
        auto map = base_map(*s);
        for (const auto& m : before->messages) ASSERT_EQ(map[m.base], m.uid) << cut;
        ASSERT_EQ(s->messages.find(2)->flags.keywords, std::vector<std::string>{"$Keep"});
        // The appended message's file is in cur/: it has UID 4 (its record survived, or it was
        // adopted again with the next free UID, which is the same number no one has seen).
        ASSERT_EQ(s->messages.size(), 4u) << cut;
        ASSERT_EQ(s->messages[3].uid, 4u) << cut;
        ASSERT_TRUE(s->messages[3].flags.has(flag::kSeen)) << cut;  // from the file name
        ASSERT_GE(s->uidnext, 5u);
        expect_consistent(root, *s);
    }
}

TEST(Folder, FlagsChangedByMuttArePickedUp) {
    TempDir t;
    const auto root = t.path() / "u";
    deliver(root, 1);
    deliver(root, 2);
    Store store;
    auto inbox = open_ok(store, root);
    auto s0 = inbox->snapshot();
    ASSERT_TRUE(inbox->store_flags({1}, FlagMode::Add, flags(flag::kSeen, {"$Work"})).ok());
    auto s1 = inbox->snapshot();
    const auto& m = *s1->messages.find(1);
    // mutt: rename cur/<base>:2,S to cur/<base>:2,RS, keeping Dovecot's keyword letter 'a'.
    const auto old_name = root / "cur" / m.file_name();
    ASSERT_EQ(::rename(old_name.c_str(), (root / "cur" / (m.base + ":2,RSa")).c_str()), 0);
    EXPECT_TRUE(inbox->changed_on_disk());
    auto s2 = sync_ok(*inbox);
    const auto& m2 = *s2->messages.find(1);
    EXPECT_EQ(m2.flags.system, flag::kAnswered | flag::kSeen);
    EXPECT_EQ(m2.flags.keywords, std::vector<std::string>{"$Work"});  // kept: index only
    EXPECT_EQ(m2.extra_info, "a");
    EXPECT_GT(m2.modseq, s1->highestmodseq);
    auto d = diff_snapshots(*s1, *s2);
    EXPECT_EQ(d.changed, std::vector<std::uint32_t>{1});
    // Our next rename keeps the foreign letter.
    ASSERT_TRUE(inbox->store_flags({1}, FlagMode::Add, flags(flag::kFlagged)).ok());
    EXPECT_TRUE(fs::exists(root / "cur" / (m.base + ":2,FRSa")));
    // A mutt rename the folder has not listed yet: STORE finds the file anyway.
    const auto s3 = inbox->snapshot();
    const auto& m3 = *s3->messages.find(2);
    ASSERT_EQ(::rename((root / "cur" / m3.file_name()).c_str(), (root / "cur" / (m3.base + ":2,T")).c_str()), 0);
    auto r = inbox->store_flags({2}, FlagMode::Add, flags(flag::kSeen));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->snapshot->messages.find(2)->flags.system, flag::kSeen | flag::kDeleted);
    EXPECT_TRUE(fs::exists(root / "cur" / (m3.base + ":2,ST")));
    (void)s0;
}

TEST(Folder, FileRemovedByAnotherProgramIsExpunged) {
    TempDir t;
    const auto root = t.path() / "u";
    for (int i = 0; i < 3; ++i) deliver(root, i);
    Store store;
    auto inbox = open_ok(store, root);
    auto s1 = inbox->snapshot();
    const auto& m = *s1->messages.find(2);
    ASSERT_EQ(::unlink((root / "cur" / m.file_name()).c_str()), 0);
    auto s2 = sync_ok(*inbox);
    EXPECT_EQ(uids_of(*s2), (std::vector<std::uint32_t>{1, 3}));
    EXPECT_EQ(diff_snapshots(*s1, *s2).expunged, std::vector<std::uint32_t>{2});
    EXPECT_GT(s2->highestmodseq, s1->highestmodseq);
    EXPECT_EQ(s2->expunged->since(s1->highestmodseq), (std::vector<std::pair<std::uint32_t, std::uint32_t>>{{2, 2}}));
    auto gone = inbox->open_message(2);
    EXPECT_FALSE(gone.ok());
}

TEST(Folder, FilesInCurUnknownToTheIndexAreAdopted) {
    TempDir t;
    const auto root = t.path() / "u";
    ASSERT_TRUE(store::ensure_maildir(root).is_ok());
    // As mutt or another MDA might leave them: no :2, info, info in odd order, no S=/W=.
    write_file(root / "cur" / "1.a.host", "Subject: a\n\nbody\n");
    write_file(root / "cur" / "2.b.host:2,SF", "Subject: b\n\nbody\n");
    write_file(root / "new" / "3.c.host", "Subject: c\n\nbody\n");
    Store store;
    auto s = open_ok(store, root)->snapshot();
    ASSERT_EQ(s->messages.size(), 3u);
    expect_consistent(root, *s);
    EXPECT_TRUE(fs::exists(root / "cur" / "1.a.host:2,"));
    EXPECT_TRUE(fs::exists(root / "cur" / "2.b.host:2,FS"));
    EXPECT_TRUE(fs::exists(root / "cur" / "3.c.host:2,"));
    for (const auto& m : s->messages) {
        EXPECT_EQ(m.disk_size, 17u);
        EXPECT_EQ(m.rfc822_size, 20u);  // computed: three LFs become CRLF
    }
}

TEST(Folder, SkipsListingWhenDirectoriesAreUnchanged) {
    TempDir t;
    const auto root = t.path() / "u";
    deliver(root, 1);
    {
        Store store;
        open_ok(store, root);
    }
    // Make the directories "settled" (mtime well in the past) and list once more to record it.
    const struct timespec past[2] = {{1600000000, 0}, {1600000000, 0}};
    for (const char* sub : {"new", "cur"}) ASSERT_EQ(::utimensat(AT_FDCWD, (root / sub).c_str(), past, 0), 0);
    {
        Store store;
        auto inbox = open_ok(store, root);
        EXPECT_FALSE(inbox->changed_on_disk());
    }
    // A file placed in cur/ behind the folder's back without touching the mtime is not seen:
    // proof that the listing is skipped...
    write_file(root / "cur" / "9.x.host:2,", "x\n");
    for (const char* sub : {"new", "cur"}) ASSERT_EQ(::utimensat(AT_FDCWD, (root / sub).c_str(), past, 0), 0);
    Store store;
    auto inbox = open_ok(store, root);
    EXPECT_EQ(inbox->snapshot()->messages.size(), 1u);
    // ... and a delivery (which moves new/'s mtime) or a full sync finds it.
    EXPECT_EQ(sync_ok(*inbox, SyncMode::Full)->messages.size(), 2u);
    deliver(root, 2);
    EXPECT_TRUE(inbox->changed_on_disk());
    EXPECT_EQ(sync_ok(*inbox)->messages.size(), 3u);
}

TEST(Folder, SubscribersHearOfDeliveriesAndChanges) {
    TempDir t;
    const auto root = t.path() / "u";
    Store store;
    auto inbox = open_ok(store, root);
    std::vector<std::uint64_t> seen;
    std::mutex mu;
    auto token = inbox->subscribe([&](const SnapshotPtr& s) {
        std::lock_guard lock(mu);
        seen.push_back(s ? s->highestmodseq : 0);
    });
    deliver(root, 1);
    EXPECT_TRUE(inbox->changed_on_disk());
    store.notify_delivered(root);  // what the delivery side may call
    ASSERT_TRUE(inbox->store_flags({1}, FlagMode::Add, flags(flag::kSeen)).ok());
    ASSERT_TRUE(inbox->store_flags({1}, FlagMode::Add, flags(flag::kSeen)).ok());  // no change: no call
    {
        std::lock_guard lock(mu);
        ASSERT_EQ(seen.size(), 2u);
        EXPECT_LT(seen[0], seen[1]);
    }
    { auto moved = std::move(token); }  // unsubscribed
    ASSERT_TRUE(inbox->store_flags({1}, FlagMode::Remove, flags(flag::kSeen)).ok());
    std::lock_guard lock(mu);
    EXPECT_EQ(seen.size(), 2u);
}

TEST(Folder, CacheIsSeparateAndLazy) {
    TempDir t;
    const auto root = t.path() / "u";
    for (int i = 0; i < 3; ++i) deliver(root, i);
    std::uint32_t uv = 0;
    {
        Store store;
        auto inbox = open_ok(store, root);
        uv = inbox->snapshot()->uidvalidity;
        EXPECT_FALSE(inbox->cached(uv, 1));
        inbox->set_cached(uv, 1, "(\"envelope\" 1)");
        inbox->set_cached(uv, 2, "(\"envelope\" 2)");
        inbox->set_cached(uv, 99, "nope");  // no such message
        EXPECT_EQ(inbox->cached(uv, 1), "(\"envelope\" 1)");
        ASSERT_TRUE(inbox->expunge({2}).ok());
        EXPECT_FALSE(inbox->cached(uv, 2));
    }
    Store store;
    auto inbox = open_ok(store, root);
    EXPECT_EQ(inbox->cached(uv, 1), "(\"envelope\" 1)");
    EXPECT_FALSE(inbox->cached(uv, 99));
    // A rebuild (new UIDVALIDITY) invalidates it.
    inbox.reset();
    Store other;
    ::unlink((root / "tern-index").c_str());
    auto rebuilt = open_ok(other, root);
    const auto new_uv = rebuilt->snapshot()->uidvalidity;
    ASSERT_NE(new_uv, uv);
    EXPECT_FALSE(rebuilt->cached(new_uv, 1));
    // A caller that still holds the old UIDVALIDITY neither reads nor writes entries: its UID 1
    // may be another message than the new UID 1.
    rebuilt->set_cached(uv, 1, "old");
    EXPECT_FALSE(rebuilt->cached(uv, 1));
    EXPECT_FALSE(rebuilt->cached(new_uv, 1));
    rebuilt->set_cached(new_uv, 1, "new");
    EXPECT_EQ(rebuilt->cached(new_uv, 1), "new");
    EXPECT_FALSE(rebuilt->cached(uv, 1));
}

}  // namespace
}  // namespace tern::mailbox::test
