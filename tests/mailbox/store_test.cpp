// The folder tree through Store: create/list/delete/rename (children, INBOX), special-use,
// subscriptions, ensure_user, hostile names on disk, usage, POP3 lock, UIDVALIDITY counter.
#include "mailbox/store.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <set>

#include "support.hpp"

namespace tern::mailbox::test {
namespace {

std::map<std::string, FolderInfo> listing(Store& store, const fs::path& root) {
    auto l = store.list(root);
    EXPECT_TRUE(l.ok());
    std::map<std::string, FolderInfo> out;
    if (l.ok())
        for (auto& f : *l) out[f.name] = f;
    return out;
}

TEST(Store, EnsureUserCreatesSpecialUseFoldersOnce) {
    TempDir t;
    const auto root = t.path() / "example.test" / "alice";
    Store store;
    ASSERT_TRUE(store.ensure_user(root).ok());
    auto l = store.list(root);
    ASSERT_TRUE(l.ok());
    ASSERT_EQ(l->size(), 6u);
    EXPECT_EQ((*l)[0].name, "INBOX");
    auto m = listing(store, root);
    for (auto [name, use] : std::vector<std::pair<std::string, std::string>>{
             {"Sent", "\\Sent"}, {"Drafts", "\\Drafts"}, {"Trash", "\\Trash"}, {"Junk", "\\Junk"}, {"Archive", "\\Archive"}}) {
        ASSERT_TRUE(m.count(name)) << name;
        EXPECT_EQ(m[name].special_use, std::vector<std::string>{use});
        EXPECT_TRUE(m[name].subscribed);
        EXPECT_TRUE(m[name].has_children == false);
        EXPECT_TRUE(fs::exists(root / ("." + name) / "maildirfolder"));
    }
    EXPECT_TRUE(m["INBOX"].subscribed);
    // Once only: a folder the user deletes stays deleted.
    ASSERT_TRUE(store.remove(root, "Junk").ok());
    ASSERT_TRUE(store.ensure_user(root).ok());
    EXPECT_FALSE(listing(store, root).count("Junk"));
}

TEST(Store, EnsureUserAdoptsExistingFolders) {
    TempDir t;
    const auto root = t.path() / "u";
    Store store;
    ASSERT_TRUE(store.create(root, "Sent").ok());                      // no attribute yet
    ASSERT_TRUE(store.create(root, "Gesendet", {"\\sent"}).ok());      // has \Sent already
    ASSERT_TRUE(store.ensure_user(root).ok());
    auto m = listing(store, root);
    EXPECT_EQ(m["Gesendet"].special_use, std::vector<std::string>{"\\Sent"});
    EXPECT_TRUE(m["Sent"].special_use.empty());
    EXPECT_EQ(m["Drafts"].special_use, std::vector<std::string>{"\\Drafts"});
}

TEST(Store, CreateListAndAttributes) {
    TempDir t;
    const auto root = t.path() / "u";
    Store store;
    ASSERT_TRUE(store.create(root, "Archive/2026/Q1").ok());  // ancestors too
    ASSERT_TRUE(store.create(root, "Archive-old").ok());        // sorts between "Archive" and "Archive/"
    auto m = listing(store, root);
    EXPECT_TRUE(m["Archive"].exists);
    EXPECT_TRUE(m["Archive"].has_children);
    EXPECT_TRUE(m["Archive/2026"].has_children);
    EXPECT_FALSE(m["Archive/2026/Q1"].has_children);
    EXPECT_FALSE(m["Archive-old"].has_children);
    EXPECT_FALSE(m["Archive"].no_inferiors);
    EXPECT_TRUE(fs::is_directory(root / ".Archive.2026.Q1" / "cur"));
    auto again = store.create(root, "Archive/2026");
    EXPECT_EQ(again.error().code, ErrorCode::AlreadyExists);
    EXPECT_EQ(store.create(root, "inbox").error().code, ErrorCode::AlreadyExists);
    EXPECT_EQ(store.create(root, "X", {"\\All"}).error().code, ErrorCode::NotAllowed);
    EXPECT_EQ(store.create(root, "X", {"\\Flagged"}).error().code, ErrorCode::NotAllowed);
    // A name that fills the disk limit cannot have children.
    std::string longest(kMaxDiskName - 1, 'n');
    ASSERT_TRUE(store.create(root, longest).ok());
    EXPECT_TRUE(listing(store, root)[longest].no_inferiors);
    // INBOX children live in ".INBOX.<x>".
    ASSERT_TRUE(store.create(root, "INBOX/Sub").ok());
    EXPECT_TRUE(fs::is_directory(root / ".INBOX.Sub"));
    EXPECT_TRUE(listing(store, root)["INBOX"].has_children);
}

TEST(Store, HostileNamesNeverReachTheFileSystem) {
    TempDir t;
    const auto root = t.path() / "u";
    Store store;
    ASSERT_TRUE(store.ensure_user(root).ok());
    const auto before = list_dir(t.path());
    for (std::string_view bad : {std::string_view("../x"), std::string_view("a/../../b"), std::string_view(".."),
                                 std::string_view("a\0b", 3), std::string_view("x\n"), std::string_view("*")}) {
        EXPECT_FALSE(store.create(root, bad).ok()) << bad;
        EXPECT_FALSE(store.open(root, bad).ok());
        EXPECT_FALSE(store.rename(root, "Sent", bad).ok());
        EXPECT_FALSE(store.subscribe(root, bad).ok());
    }
    EXPECT_EQ(store.create(root, std::string(300, 'x')).error().code, ErrorCode::Limit);
    // Accepted odd names stay inside the root as one escaped directory each.
    for (std::string_view odd : {".hidden", "&", "a.b", "^"}) ASSERT_TRUE(store.create(root, odd).ok()) << odd;
    EXPECT_EQ(list_dir(t.path()), before);  // nothing next to the user's Maildir
    for (const char* d : {".^2ehidden", ".&-", ".a^2eb", ".^5e"}) EXPECT_TRUE(fs::is_directory(root / d)) << d;
    auto m = listing(store, root);
    for (const char* n : {".hidden", "&", "a.b", "^"}) EXPECT_TRUE(m.count(n)) << n;
    // Directories that are not in canonical form (made by hand) are not listed.
    fs::create_directory(root / ".a..b");
    fs::create_directory(root / ".x^41");
    fs::create_directory(root / ".INBOX");
    EXPECT_EQ(listing(store, root).size(), m.size());
}

TEST(Store, DeleteFollowsRfc9051) {
    TempDir t;
    const auto root = t.path() / "u";
    Store store;
    ASSERT_TRUE(store.create(root, "A/B").ok());
    EXPECT_EQ(store.remove(root, "INBOX").error().code, ErrorCode::NotAllowed);
    EXPECT_EQ(store.remove(root, "Nope").error().code, ErrorCode::NotFound);
    auto a = open_ok(store, root, "A");
    ASSERT_TRUE(a->append(message_text(1), {}, 0).ok());
    std::atomic<int> gone_calls{0};
    auto token = a->subscribe([&](const SnapshotPtr& s) {
        if (!s) ++gone_calls;
    });
    ASSERT_TRUE(store.subscribe(root, "A").ok());
    // Deleting a folder with children removes it, keeps the children (never removed), and the
    // name remains as a parent without a folder.
    ASSERT_TRUE(store.remove(root, "A").ok());
    EXPECT_EQ(gone_calls, 1);
    EXPECT_EQ(a->sync().error().code, ErrorCode::NotFound);
    EXPECT_EQ(a->append("x\n", {}, 0).error().code, ErrorCode::NotFound);
    auto m = listing(store, root);
    EXPECT_FALSE(m["A"].exists);
    EXPECT_TRUE(m["A"].has_children);
    EXPECT_TRUE(m["A/B"].exists);
    EXPECT_TRUE(m["A"].subscribed);  // subscriptions are not removed by DELETE
    // The \NonExistent parent itself cannot be deleted.
    EXPECT_EQ(store.remove(root, "A").error().code, ErrorCode::NotFound);
    // Re-created under a larger UIDVALIDITY, empty.
    ASSERT_TRUE(store.create(root, "A").ok());
    auto a2 = open_ok(store, root, "A");
    EXPECT_TRUE(a2->snapshot()->messages.empty());
    EXPECT_GT(a2->snapshot()->uidvalidity, a->snapshot()->uidvalidity);
    for (const auto& n : list_dir(root)) EXPECT_EQ(n.find("tern-trash"), std::string::npos) << n;
}

TEST(Store, RenameMovesChildrenAndKeepsUids) {
    TempDir t;
    const auto root = t.path() / "u";
    Store store;
    ASSERT_TRUE(store.create(root, "Work/Projects/X").ok());
    auto w = open_ok(store, root, "Work");
    ASSERT_TRUE(w->append(message_text(1), {}, 0).ok());
    const auto validity = w->snapshot()->uidvalidity;
    ASSERT_TRUE(store.subscribe(root, "Work/Projects").ok());
    EXPECT_EQ(store.rename(root, "Work", "Work/Sub").error().code, ErrorCode::NotAllowed);
    EXPECT_EQ(store.rename(root, "Nope", "Y").error().code, ErrorCode::NotFound);
    EXPECT_EQ(store.rename(root, "Work", "INBOX").error().code, ErrorCode::AlreadyExists);
    ASSERT_TRUE(store.create(root, "Taken").ok());
    EXPECT_EQ(store.rename(root, "Work", "Taken").error().code, ErrorCode::AlreadyExists);

    ASSERT_TRUE(store.rename(root, "Work", "Old/Work").ok());
    EXPECT_EQ(w->sync().error().code, ErrorCode::NotFound);  // sessions must re-select
    auto m = listing(store, root);
    EXPECT_FALSE(m.count("Work"));
    for (const char* n : {"Old", "Old/Work", "Old/Work/Projects", "Old/Work/Projects/X"}) EXPECT_TRUE(m[n].exists) << n;
    EXPECT_TRUE(m["Old/Work/Projects"].subscribed);
    auto moved = open_ok(store, root, "Old/Work");
    EXPECT_EQ(moved->snapshot()->uidvalidity, validity);
    EXPECT_EQ(uids_of(*moved->snapshot()), std::vector<std::uint32_t>{1});
}

TEST(Store, RenameInboxMovesMessagesAndKeepsInbox) {
    TempDir t;
    const auto root = t.path() / "u";
    for (int i = 0; i < 3; ++i) deliver(root, i);
    Store store;
    ASSERT_TRUE(store.create(root, "INBOX/Child").ok());
    auto inbox = open_ok(store, root);
    ASSERT_TRUE(inbox->store_flags({2}, FlagMode::Add, flags(flag::kSeen)).ok());
    ASSERT_TRUE(store.rename(root, "INBOX", "Old Mail").ok());
    auto s = sync_ok(*inbox);
    EXPECT_TRUE(s->messages.empty());
    EXPECT_EQ(s->uidnext, 4u);
    auto old = open_ok(store, root, "Old Mail");
    EXPECT_EQ(old->snapshot()->messages.size(), 3u);
    EXPECT_TRUE(old->snapshot()->messages.find(2)->flags.has(flag::kSeen));
    EXPECT_TRUE(listing(store, root)["INBOX/Child"].exists);
    deliver(root, 10);  // INBOX keeps working
    EXPECT_EQ(uids_of(*sync_ok(*inbox)), std::vector<std::uint32_t>{4});
}

TEST(Store, Subscriptions) {
    TempDir t;
    const auto root = t.path() / "u";
    Store store;
    ASSERT_TRUE(store.create(root, "B").ok());
    ASSERT_TRUE(store.subscribe(root, "B").ok());
    ASSERT_TRUE(store.subscribe(root, "b").ok());          // names are case-sensitive but INBOX
    ASSERT_TRUE(store.subscribe(root, "inbox").ok());
    ASSERT_TRUE(store.subscribe(root, "Not/There").ok());  // allowed (RFC 9051 6.3.7)
    ASSERT_TRUE(store.subscribe(root, "B").ok());          // twice: once
    EXPECT_EQ(*store.subscriptions(root), (std::vector<std::string>{"B", "INBOX", "Not/There", "b"}));
    ASSERT_TRUE(store.unsubscribe(root, "b").ok());
    ASSERT_TRUE(store.unsubscribe(root, "never").ok());
    Store other;  // durable, in the Maildir
    EXPECT_EQ(*other.subscriptions(root), (std::vector<std::string>{"B", "INBOX", "Not/There"}));
    EXPECT_EQ(read_file(root / "subscriptions"), "B\nINBOX\nNot/There\n");
}

TEST(Store, SpecialUseIsDurableAndTravelsWithRename) {
    TempDir t;
    const auto root = t.path() / "u";
    Store store;
    ASSERT_TRUE(store.create(root, "Spam", {"\\Junk"}).ok());
    ASSERT_TRUE(store.rename(root, "Spam", "Junk Mail").ok());
    Store other;
    EXPECT_EQ(listing(other, root)["Junk Mail"].special_use, std::vector<std::string>{"\\Junk"});
    ASSERT_TRUE(other.set_special_use(root, "Junk Mail", {}).ok());
    EXPECT_TRUE(listing(other, root)["Junk Mail"].special_use.empty());
    EXPECT_EQ(other.set_special_use(root, "Junk Mail", {"\\Bogus"}).error().code, ErrorCode::NotAllowed);
}

TEST(Store, UsageCountsEveryFolderReadOnly) {
    TempDir t;
    const auto root = t.path() / "u";
    for (int i = 0; i < 3; ++i) deliver(root, i);  // a user who never used IMAP
    Store store;
    auto u = store.usage(root);
    ASSERT_TRUE(u.ok());
    EXPECT_EQ(u->messages, 3u);
    std::uint64_t bytes = 0;
    for (int i = 0; i < 3; ++i) bytes += message_text(i).size() - 4;
    EXPECT_EQ(u->bytes, bytes);
    EXPECT_EQ(list_dir(root / "new").size(), 3u);  // nothing was moved
    EXPECT_FALSE(fs::exists(root / "tern-index"));
    ASSERT_TRUE(store.create(root, "Sent").ok());
    auto sent = open_ok(store, root, "Sent");
    ASSERT_TRUE(sent->append("Subject: x\r\n\r\nhello\r\n", {}, 0).ok());
    auto u2 = store.usage(root);
    EXPECT_EQ(u2->messages, 4u);
    EXPECT_EQ(u2->bytes, bytes + 18);
    EXPECT_EQ(store.usage(t.path() / "nobody").error().code, ErrorCode::NotFound);
}

TEST(Store, Pop3LockIsExclusivePerMaildrop) {
    TempDir t;
    Store store;
    auto a = store.try_lock_pop3(t.path() / "u");
    ASSERT_TRUE(a);
    EXPECT_FALSE(store.try_lock_pop3(t.path() / "u"));
    EXPECT_FALSE(store.try_lock_pop3(t.path() / "u/"));  // same maildrop, other spelling
    EXPECT_TRUE(store.try_lock_pop3(t.path() / "v"));
    auto moved = std::move(*a);
    a.reset();
    EXPECT_FALSE(store.try_lock_pop3(t.path() / "u"));
    { auto gone = std::move(moved); }
    EXPECT_TRUE(store.try_lock_pop3(t.path() / "u"));
}

TEST(Store, UidValidityCounterIsStrictlyIncreasing) {
    TempDir t;
    std::uint32_t last = 0;
    for (int i = 0; i < 5; ++i) {
        auto v = allocate_uidvalidity({}, t.path(), 0);
        ASSERT_TRUE(v.ok());
        EXPECT_GT(*v, last);
        last = *v;
    }
    auto big = allocate_uidvalidity({}, t.path(), last + 1000);
    EXPECT_EQ(*big, last + 1001);
    EXPECT_EQ(read_file(t.path() / "tern-uidvalidity").size(), 11u);
}

TEST(Store, StatusOfAClosedFolderComesFromThreeStats) {
    TempDir t;
    const auto root = t.path() / "u";
    for (int i = 0; i < 2; ++i) deliver(root, i);
    Store::Options o;
    o.keep_open = 0;  // nothing stays open: only the status cache can answer
    Store store(o);
    auto settle = [&] {
        const struct timespec past[2] = {{1600000000, 0}, {1600000000, 0}};
        for (const char* sub : {"new", "cur"}) ::utimensat(AT_FDCWD, (root / sub).c_str(), past, 0);
    };
    EXPECT_EQ(store.status(root, "INBOX")->messages, 2u);  // adopts: directories not settled
    settle();
    EXPECT_EQ(store.status(root, "INBOX")->messages, 2u);  // lists again: settled, remembered
    // A file slipped into cur/ without changing anything the stamp covers is not seen: the
    // answer came from the cache, not from the index or a listing.
    write_file(root / "cur" / "9.x.host:2,", "x\n");
    settle();
    EXPECT_EQ(store.status(root, "INBOX")->messages, 2u);
    deliver(root, 5);  // new/ moved: recomputed
    EXPECT_GE(store.status(root, "INBOX")->messages, 3u);
}

TEST(Store, OneFolderObjectPerFolder) {
    TempDir t;
    const auto root = t.path() / "u";
    Store::Options o;
    o.keep_open = 1;
    Store store(o);
    auto a = open_ok(store, root);
    auto b = open_ok(store, root / "");
    EXPECT_EQ(a.get(), b.get());
    ASSERT_TRUE(store.create(root, "X").ok());
    auto x = open_ok(store, root, "X");
    EXPECT_NE(a.get(), x.get());
    auto c = open_ok(store, root, "inbox");
    EXPECT_EQ(a.get(), c.get());
}

}  // namespace
}  // namespace tern::mailbox::test
