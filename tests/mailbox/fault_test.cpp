// Storage failures injected through IoHooks: a failed index write or sync returns an error,
// publishes nothing, undoes its Maildir change, and a restart finds the previous state.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>

#include "mailbox/folder.hpp"
#include "support.hpp"

namespace tern::mailbox::test {
namespace {

// Which writes fail: only the index file's, or every one.
struct Faults {
    std::atomic<int> fail_pwrite{0};  // errno to fail the index pwrite with (0: none)
    std::atomic<int> fail_fsync{0};   // errno to fail every fsync with (0: none)
    std::atomic<int> failures{0};
};

std::string path_of(int fd) {
    char buf[4096];
    auto n = ::readlink(("/proc/self/fd/" + std::to_string(fd)).c_str(), buf, sizeof buf - 1);
    return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
}

IoHooks hooks(const std::shared_ptr<Faults>& f) {
    IoHooks h;
    h.pwrite = [f](int fd, const void* data, std::size_t size, off_t off) -> ssize_t {
        if (int err = f->fail_pwrite.load(); err != 0 && path_of(fd).find("tern-index") != std::string::npos) {
            ++f->failures;
            errno = err;
            return -1;
        }
        return ::pwrite(fd, data, size, off);
    };
    h.fsync = [f](int fd) {
        if (int err = f->fail_fsync.load()) {
            ++f->failures;
            errno = err;
            return -1;
        }
        return ::fsync(fd);
    };
    return h;
}

std::unique_ptr<Store> make_store(const std::shared_ptr<Faults>& f) {
    Store::Options o;
    o.hooks = hooks(f);
    return std::make_unique<Store>(o);
}

struct Fixture {
    TempDir t;
    fs::path root = t.path() / "u";
    std::shared_ptr<Faults> faults = std::make_shared<Faults>();
    std::unique_ptr<Store> store = make_store(faults);
    std::shared_ptr<Folder> inbox;
    Fixture(int messages) {
        for (int i = 0; i < messages; ++i) deliver(root, i);
        inbox = open_ok(*store, root);
    }
    // A restart without faults: what is durable.
    SnapshotPtr reopen() {
        inbox.reset();
        store.reset();
        Store fresh;
        return open_ok(fresh, root)->snapshot();
    }
};

void expect_same_state(const Snapshot& a, const Snapshot& b) {
    EXPECT_EQ(a.uidvalidity, b.uidvalidity);
    ASSERT_EQ(a.messages.size(), b.messages.size());
    for (std::size_t i = 0; i < a.messages.size(); ++i) {
        EXPECT_EQ(a.messages[i].uid, b.messages[i].uid);
        EXPECT_EQ(a.messages[i].base, b.messages[i].base);
        EXPECT_EQ(a.messages[i].flags, b.messages[i].flags);
    }
}

TEST(Faults, FailedFlagStoreChangesNothing) {
    for (bool fsync_fails : {false, true}) {
        Fixture fx(3);
        ASSERT_TRUE(fx.inbox->store_flags({1}, FlagMode::Add, flags(flag::kAnswered, {"$A"})).ok());
        auto before = fx.inbox->snapshot();
        const auto files = list_dir(fx.root / "cur");
        (fsync_fails ? fx.faults->fail_fsync : fx.faults->fail_pwrite) = ENOSPC;
        auto r = fx.inbox->store_flags({1, 2, 3}, FlagMode::Add, flags(flag::kSeen, {"$B"}));
        ASSERT_FALSE(r.ok());
        EXPECT_EQ(r.error().code, ErrorCode::NoSpace);
        EXPECT_TRUE(r.error().is_temporary());
        EXPECT_GT(fx.faults->failures, 0);
        EXPECT_EQ(fx.inbox->snapshot(), before);      // nothing published
        EXPECT_EQ(list_dir(fx.root / "cur"), files);  // renames undone
        fx.faults->fail_fsync = 0;
        fx.faults->fail_pwrite = 0;
        // The folder keeps working (after a failed fsync by rewriting its index whole).
        ASSERT_TRUE(fx.inbox->store_flags({3}, FlagMode::Add, flags(flag::kFlagged)).ok());
        auto after = fx.inbox->snapshot();
        auto durable = fx.reopen();
        expect_same_state(*after, *durable);
        EXPECT_FALSE(durable->messages.find(2)->flags.has(flag::kSeen));
        EXPECT_EQ(durable->messages.find(1)->flags.keywords, std::vector<std::string>{"$A"});
    }
}

TEST(Faults, FailedAppendLeavesNoFile) {
    Fixture fx(2);
    auto before = fx.inbox->snapshot();
    fx.faults->fail_pwrite = EDQUOT;  // the message file is written, the index is not
    auto r = fx.inbox->append(message_text(7), flags(flag::kSeen), 0);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::OverQuota);
    EXPECT_EQ(fx.inbox->snapshot(), before);
    EXPECT_EQ(list_dir(fx.root / "cur").size(), 2u);
    EXPECT_TRUE(list_dir(fx.root / "tmp").empty());
    fx.faults->fail_pwrite = 0;
    fx.faults->fail_fsync = EIO;  // now the message file's own fsync fails
    auto r2 = fx.inbox->append(message_text(8), {}, 0);
    ASSERT_FALSE(r2.ok());
    EXPECT_EQ(r2.error().code, ErrorCode::Io);
    EXPECT_TRUE(list_dir(fx.root / "tmp").empty());
    fx.faults->fail_fsync = 0;
    auto ok = fx.inbox->append(message_text(9), {}, 0);
    ASSERT_TRUE(ok.ok());
    EXPECT_EQ(ok->uid, 3u);  // the failed appends consumed nothing anyone saw
    auto last = fx.inbox->snapshot();
    expect_same_state(*last, *fx.reopen());
}

TEST(Faults, FailedExpungeKeepsTheMessages) {
    Fixture fx(4);
    auto before = fx.inbox->snapshot();
    fx.faults->fail_fsync = EIO;
    auto r = fx.inbox->expunge({1, 2});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(fx.inbox->snapshot(), before);
    EXPECT_EQ(list_dir(fx.root / "cur").size(), 4u);
    EXPECT_TRUE(list_dir(fx.root / "tmp").empty());
    fx.faults->fail_fsync = 0;
    fx.faults->fail_pwrite = ENOSPC;
    ASSERT_FALSE(fx.inbox->expunge({1, 2}).ok());
    EXPECT_EQ(list_dir(fx.root / "cur").size(), 4u);
    fx.faults->fail_pwrite = 0;
    expect_same_state(*before, *fx.reopen());
}

TEST(Faults, FailedSyncAdoptsLater) {
    Fixture fx(1);
    auto before = fx.inbox->snapshot();
    deliver(fx.root, 5);
    deliver(fx.root, 6);
    fx.faults->fail_pwrite = ENOSPC;
    auto s = fx.inbox->sync();
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(fx.inbox->snapshot(), before);
    fx.faults->fail_pwrite = 0;
    auto s2 = sync_ok(*fx.inbox);
    EXPECT_EQ(uids_of(*s2), (std::vector<std::uint32_t>{1, 2, 3}));
    expect_consistent(fx.root, *s2);
    expect_same_state(*s2, *fx.reopen());
}

TEST(Faults, FailedCopyRemovesTheLinks) {
    Fixture fx(2);
    ASSERT_TRUE(fx.store->create(fx.root, "Dest").ok());
    auto dest = open_ok(*fx.store, fx.root, "Dest");
    fx.faults->fail_pwrite = ENOSPC;
    auto r = fx.inbox->copy({1, 2}, *dest);
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(list_dir(fx.root / ".Dest" / "cur").empty());
    EXPECT_TRUE(dest->snapshot()->messages.empty());
    fx.faults->fail_pwrite = 0;
    ASSERT_TRUE(fx.inbox->copy({1, 2}, *dest).ok());
    EXPECT_EQ(uids_of(*dest->snapshot()), (std::vector<std::uint32_t>{1, 2}));
}

TEST(Faults, FailedFolderCreationLeavesNothing) {
    Fixture fx(0);
    fx.faults->fail_fsync = EIO;
    EXPECT_FALSE(fx.store->create(fx.root, "X").ok());
    fx.faults->fail_fsync = 0;
    for (const auto& n : list_dir(fx.root)) {
        EXPECT_NE(n, ".X");
        EXPECT_EQ(n.find("tern-new"), std::string::npos) << n;
    }
    EXPECT_TRUE(fx.store->create(fx.root, "X").ok());
}

}  // namespace
}  // namespace tern::mailbox::test
