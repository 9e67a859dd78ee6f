// The spool under injected storage failures: failed fsync and writes (452 4.3.1, nothing
// acknowledged that is not durable), sealed segments, low free space, state log repair.
#include "queue/spool.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <future>
#include <set>
#include <thread>

#include "spool_support.hpp"

using namespace tern;
using namespace tern::queue;
using namespace tern::queue::test;

TEST(Spool, FsyncFailureIs452AndTheMessageNeverAppears) {
    TempDir t;
    auto fail = std::make_shared<std::atomic<bool>>(false);
    auto o = options((t.path() / "spool"));
    o.fsync_hook = [fail](int fd) {
        if (*fail) {
            errno = EIO;
            return -1;
        }
        return ::fdatasync(fd);
    };
    std::string good1, good2;
    {
        auto s = open_ok(o);
        good1 = commit_sync(*s, make_envelope(1), "", "first").id;
        auto created = s->stats().segments_created;
        *fail = true;
        auto r = commit_sync(*s, make_envelope(2), "", "doomed");
        EXPECT_TRUE(is_storage_failure(r)) << r.outcome.str();
        EXPECT_EQ(s->size(), 1u);
        *fail = false;
        auto r2 = commit_sync(*s, make_envelope(3), "", "third");
        ASSERT_TRUE(r2.outcome.is_ok()) << r2.outcome.str();
        good2 = r2.id;
        EXPECT_EQ(s->stats().segments_created, created + 1);  // fsyncgate: fresh segment
        EXPECT_NE(format::parse_id(good1)->segment, format::parse_id(good2)->segment);
    }
    auto s = open_ok(o);
    EXPECT_EQ(s->size(), 2u);
    std::string err;
    EXPECT_EQ(*s->load(good1, err), "first");
    EXPECT_EQ(*s->load(good2, err), "third");
    for (const auto& e : s->entries()) EXPECT_NE(e.envelope.envid, "envid-2");
}

TEST(Spool, SealedSegmentIgnoresBytesPastItsGoodLength) {
    // The failed batch cannot even be truncated: the Seal record alone must hide it.
    TempDir t;
    auto fail = std::make_shared<std::atomic<bool>>(false);
    auto o = options((t.path() / "spool"));
    o.fsync_hook = [fail](int fd) {
        if (*fail) {
            errno = EIO;
            return -1;
        }
        return ::fdatasync(fd);
    };
    std::string seg_name;
    {
        auto s = open_ok(o);
        auto id = commit_sync(*s, make_envelope(1), "", "first").id;
        seg_name = format::segment_file_name(format::parse_id(id)->segment);
        auto before = read_file((t.path() / "spool") / seg_name);
        *fail = true;
        EXPECT_TRUE(is_storage_failure(commit_sync(*s, make_envelope(2), "", "doomed")));
        *fail = false;
        EXPECT_TRUE(commit_sync(*s, make_envelope(3), "", "third").outcome.is_ok());
        s.reset();
        // As if the truncation had been lost: bytes that start like a record follow the good end.
        std::string b = before + std::string(format::kRecordMagic, 4) + std::string(200, 'z');
        write_file((t.path() / "spool") / seg_name, b);
    }
    auto s = open_ok(o);
    EXPECT_EQ(s->size(), 2u);
    EXPECT_EQ(s->recovery().torn_bytes, 0u);  // not the newest, and sealed: left alone quietly
    EXPECT_TRUE(s->recovery().warnings.empty());
}

TEST(Spool, WriteFailuresAre452AndTheSegmentIsCutBack) {
    TempDir t;
    auto mode = std::make_shared<std::atomic<int>>(0);  // 0 ok, 1 ENOSPC, 2 short write then ENOSPC
    auto o = options((t.path() / "spool"));
    o.pwritev_hook = [mode](int fd, const iovec* iov, int n, off_t off) -> ssize_t {
        int m = *mode;
        if (m == 1) {
            errno = ENOSPC;
            return -1;
        }
        if (m == 2) {
            *mode = 1;  // write a little, then run out
            iovec one{iov[0].iov_base, std::min<std::size_t>(iov[0].iov_len, 10)};
            return ::pwritev(fd, &one, 1, off);
        }
        return ::pwritev(fd, iov, n, off);
    };
    auto s = open_ok(o);
    auto id = commit_sync(*s, make_envelope(1), "", "first").id;
    const fs::path seg = (t.path() / "spool") / format::segment_file_name(format::parse_id(id)->segment);
    const auto size = fs::file_size(seg);
    for (int m : {1, 2}) {
        *mode = m;
        auto r = commit_sync(*s, make_envelope(2), "", make_body(2, 3000));
        EXPECT_TRUE(is_storage_failure(r)) << r.outcome.str();
        EXPECT_EQ(fs::file_size(seg), size);  // cut back to the last good record
    }
    *mode = 0;
    auto r = commit_sync(*s, make_envelope(3), "", "third");
    ASSERT_TRUE(r.outcome.is_ok());
    EXPECT_EQ(format::parse_id(r.id)->segment, format::parse_id(id)->segment);  // same segment
    s.reset();
    s = open_ok(o);
    EXPECT_EQ(s->size(), 2u);
    EXPECT_TRUE(s->recovery().warnings.empty());
}

TEST(Spool, LowFreeSpaceIs452UntilSpaceReturns) {
    TempDir t;
    {
        auto o = options((t.path() / "spool"));
        o.min_free_bytes = ~0ull >> 1;  // more than any disk has
        auto s = open_ok(o);
        EXPECT_TRUE(is_storage_failure(commit_sync(*s, make_envelope(1), "", "x")));
    }
    auto free_bytes = std::make_shared<std::atomic<std::uint64_t>>(1 << 20);
    auto o = options((t.path() / "spool"));
    o.min_free_bytes = 2 << 20;
    o.free_space_hook = [free_bytes] { return std::optional<std::uint64_t>(free_bytes->load()); };
    auto s = open_ok(o);
    EXPECT_TRUE(is_storage_failure(commit_sync(*s, make_envelope(1), "", "x")));
    *free_bytes = 100 << 20;
    EXPECT_TRUE(commit_sync(*s, make_envelope(2), "", "x").outcome.is_ok());
    EXPECT_EQ(s->size(), 1u);
}

TEST(Spool, SegmentCreationFailureIs452) {
    TempDir t;
    auto fail_dir = std::make_shared<std::atomic<bool>>(false);
    auto o = options((t.path() / "spool"));
    o.segment_size = 1;
    o.fsync_hook = [fail_dir](int fd) {
        struct stat st {};
        ::fstat(fd, &st);
        if (*fail_dir && S_ISDIR(st.st_mode)) {
            errno = EIO;
            return -1;
        }
        return S_ISDIR(st.st_mode) ? ::fsync(fd) : ::fdatasync(fd);
    };
    auto s = open_ok(o);
    ASSERT_TRUE(commit_sync(*s, make_envelope(1), "", "a").outcome.is_ok());
    *fail_dir = true;  // the next batch needs a new segment whose directory entry cannot be synced
    EXPECT_TRUE(is_storage_failure(commit_sync(*s, make_envelope(2), "", "b")));
    *fail_dir = false;
    EXPECT_TRUE(commit_sync(*s, make_envelope(3), "", "c").outcome.is_ok());
    s.reset();
    s = open_ok(o);
    EXPECT_EQ(s->size(), 2u);
}

TEST(Spool, StateLogFailureIsRepairedByRewriting) {
    TempDir t;
    auto fail = std::make_shared<std::atomic<bool>>(false);
    auto o = options((t.path() / "spool"));
    o.pwritev_hook = [fail](int fd, const iovec* iov, int n, off_t off) -> ssize_t {
        if (*fail) {
            errno = ENOSPC;
            return -1;
        }
        return ::pwritev(fd, iov, n, off);
    };
    std::string id;
    {
        auto s = open_ok(o);
        id = commit_sync(*s, make_envelope(1, 2), "", "a").id;
        *fail = true;
        s->update(id, 0, {RecipientStatus::Delivered, 1, 0, ""});
        s->flush();
        *fail = false;
        s->update(id, 1, {RecipientStatus::Deferred, 1, 9, "later"});
        s->flush();
    }
    auto s = open_ok(o);
    auto e = s->entry(id);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->recipients[0].status, RecipientStatus::Delivered);
    EXPECT_EQ(e->recipients[1].status, RecipientStatus::Deferred);
}

TEST(Spool, StateLogSyncFailureIsRepairedByRewriting) {
    TempDir t;
    auto failures = std::make_shared<std::atomic<int>>(0);
    auto o = options((t.path() / "spool"));
    o.fsync_hook = [failures](int fd) {
        if (*failures > 0) {
            --*failures;
            errno = EIO;
            return -1;
        }
        return ::fsync(fd);
    };
    std::string id;
    {
        auto s = open_ok(o);
        id = commit_sync(*s, make_envelope(1, 2), "", "a").id;
        auto compactions = s->stats().compactions;
        *failures = 1;  // the state.log sync of the next batch
        s->update(id, 0, {RecipientStatus::Delivered, 1, 0, ""});
        s->flush();
        s->update(id, 1, {RecipientStatus::Deferred, 1, 9, "later"});
        s->flush();
        EXPECT_EQ(s->stats().compactions, compactions + 1);  // rewritten, not appended to
    }
    auto s = open_ok(o);
    auto e = s->entry(id);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->recipients[0].status, RecipientStatus::Delivered);
    EXPECT_EQ(e->recipients[1].status, RecipientStatus::Deferred);
}

// ---------------------------------------------------------------- start-up speed
