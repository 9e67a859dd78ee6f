// Spool recovery after crashes: torn tails, corrupt records, record images inside bodies, bad
// segment headers, kill -9 under load, and a torn state log.
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

TEST(Spool, TornTailDiscardsExactlyTheLastRecord) {
    TempDir t;
    std::vector<std::string> ids;
    {
        auto s = open_ok(options((t.path() / "spool")));
        for (int i = 0; i < 3; ++i)
            ids.push_back(commit_sync(*s, make_envelope(i, 1), "", make_body(i, 200)).id);
    }
    auto segs = segment_files((t.path() / "spool"));
    ASSERT_EQ(segs.size(), 1u);
    const std::string full = read_file(segs[0]);
    const std::uint64_t last = format::parse_id(ids[2])->offset;
    const std::string name = segs[0].filename().string();
    // Every offset in the record's header and end marker, a sample in between (each cut is a
    // full open/commit/reopen cycle with several fsyncs).
    std::vector<std::uint64_t> cuts;
    for (std::uint64_t cut = last; cut < full.size(); ++cut)
        if (cut < last + 40 || cut + 24 >= full.size() || (cut - last) % 13 == 0) cuts.push_back(cut);
    for (std::uint64_t cut : cuts) {
        TempDir u;
        fs::create_directories((u.path() / "spool"));
        write_file((u.path() / "spool") / name, std::string_view(full).substr(0, cut));
        {
            auto s = open_ok(options((u.path() / "spool")));
            ASSERT_TRUE(s);
            EXPECT_EQ(s->size(), 2u) << "cut at " << cut;
            EXPECT_EQ(s->recovery().torn_bytes, cut - last);
            EXPECT_FALSE(s->entry(ids[2]));
            std::string err;
            EXPECT_EQ(*s->load(ids[0], err), make_body(0, 200));
            EXPECT_EQ(*s->load(ids[1], err), make_body(1, 200));
            EXPECT_EQ(fs::file_size((u.path() / "spool") / name), last);  // truncated
            auto r = commit_sync(*s, make_envelope(7), "", "after\r\n");
            ASSERT_TRUE(r.outcome.is_ok());
            EXPECT_EQ(*s->load(r.id, err), "after\r\n");
        }
        auto s = open_ok(options((u.path() / "spool")));
        EXPECT_EQ(s->size(), 3u);
        EXPECT_EQ(s->recovery().torn_bytes, 0u);
    }
}

TEST(Spool, CorruptRecordsAreDiscardedOthersKept) {
    TempDir t;
    std::vector<std::string> ids;
    {
        auto s = open_ok(options((t.path() / "spool")));
        for (int i = 0; i < 4; ++i)
            ids.push_back(commit_sync(*s, make_envelope(i, 1), "", make_body(i, 300)).id);
    }
    const fs::path seg = segment_files((t.path() / "spool"))[0];
    const std::string pristine = read_file(seg);
    auto off = [&](int i) { return format::parse_id(ids[i])->offset; };

    {  // a flipped envelope byte in record 1 (middle): skipped with a warning
        std::string b = pristine;
        b[off(1) + format::kRecordHeaderSize + 5] ^= 0x20;
        write_file(seg, b);
        auto s = open_ok(options((t.path() / "spool")));
        EXPECT_EQ(s->size(), 3u);
        EXPECT_FALSE(s->entry(ids[1]));
        EXPECT_TRUE(s->entry(ids[2]));
        EXPECT_EQ(s->recovery().skipped_regions, 1u);
        ASSERT_FALSE(s->recovery().warnings.empty());
        EXPECT_NE(s->recovery().warnings[0].find("corrupt"), std::string::npos);
    }
    {  // a damaged end marker on the last record: torn tail, discarded
        std::string b = pristine;
        b[b.size() - 3] ^= 0x01;
        write_file(seg, b);
        auto s = open_ok(options((t.path() / "spool")));
        EXPECT_EQ(s->size(), 3u);
        EXPECT_FALSE(s->entry(ids[3]));
        EXPECT_GT(s->recovery().torn_bytes, 0u);
    }
    {  // a flipped body byte: found at open (lazy check), refused by load()
        std::string b = pristine;
        b[off(0) + 200] ^= 0x01;
        write_file(seg, b);
        auto s = open_ok(options((t.path() / "spool")));
        EXPECT_EQ(s->size(), 4u);
        std::string err;
        EXPECT_FALSE(s->load(ids[0], err));
        EXPECT_NE(err.find("checksum"), std::string::npos) << err;
        EXPECT_TRUE(s->load(ids[1], err)) << err;
    }
}

TEST(Spool, RecordImageInsideABodyIsNotMistakenForARecord) {
    // A message whose body is a copy of another record (e.g. a spool file mailed as an
    // attachment) must not validate when recovery resyncs after corruption.
    TempDir t;
    std::string first_record;
    std::vector<std::string> ids;
    {
        auto s = open_ok(options((t.path() / "spool")));
        ids.push_back(commit_sync(*s, make_envelope(1, 1), "", "hello\r\n").id);
        std::string seg = read_file(segment_files((t.path() / "spool"))[0]);
        first_record = seg.substr(format::kSegmentHeaderSize);
        ids.push_back(commit_sync(*s, make_envelope(2, 1), "", "x" + first_record).id);
        ids.push_back(commit_sync(*s, make_envelope(3, 1), "", "tail\r\n").id);
    }
    const fs::path seg = segment_files((t.path() / "spool"))[0];
    std::string b = read_file(seg);
    b[format::parse_id(ids[1])->offset + 1] ^= 0x01;  // break record 2's magic
    write_file(seg, b);
    auto s = open_ok(options((t.path() / "spool")));
    EXPECT_EQ(s->size(), 2u);  // records 1 and 3; nothing invented from record 2's body
    EXPECT_TRUE(s->entry(ids[0]));
    EXPECT_TRUE(s->entry(ids[2]));
}

TEST(Spool, SegmentHeaderProblems) {
    TempDir t;
    { auto s = open_ok(options((t.path() / "spool"))); ASSERT_TRUE(commit_sync(*s, make_envelope(1), "", "a").outcome.is_ok()); }
    const fs::path seg = segment_files((t.path() / "spool"))[0];
    const std::string pristine = read_file(seg);
    std::string err;
    {  // another format version: refused, naming the file
        std::string b = pristine;
        b[6] = '2';
        write_file(seg, b);
        EXPECT_FALSE(Spool::open(options((t.path() / "spool")), err));
        EXPECT_NE(err.find("version"), std::string::npos) << err;
        EXPECT_NE(err.find(seg.filename().string()), std::string::npos) << err;
    }
    {  // not a segment at all
        std::string b = pristine;
        std::memset(b.data(), 'x', 10);
        write_file(seg, b);
        EXPECT_FALSE(Spool::open(options((t.path() / "spool")), err));
        EXPECT_NE(err.find("TERNQ"), std::string::npos) << err;
    }
    {  // a newer segment that never got its whole header (crash at creation): removed
        write_file(seg, pristine);
        write_file((t.path() / "spool") / format::segment_file_name(2), pristine.substr(0, 20));
        auto s = open_ok(options((t.path() / "spool")));
        EXPECT_EQ(s->size(), 1u);
        EXPECT_FALSE(fs::exists((t.path() / "spool") / format::segment_file_name(2)));
    }
}

TEST(Spool, KillNineLosesNothingAcknowledged) {
    // A child commits as fast as it can and reports every acknowledged id through a pipe;
    // the parent kills it with SIGKILL mid-stream. Every reported id must be found again.
    TempDir t;
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        ::close(fds[0]);
        std::string err;
        auto s = Spool::open(options((t.path() / "spool")), err);
        if (!s) ::_exit(2);
        std::vector<std::thread> threads;
        for (int k = 0; k < 4; ++k)
            threads.emplace_back([&, k] {
                for (int i = 0;; ++i) {
                    auto r = commit_sync(*s, make_envelope(k), "", make_body(i, 512 + 37 * (i % 50)));
                    if (!r.outcome.is_ok()) ::_exit(3);
                    std::string line = r.id + "\n";
                    if (::write(fds[1], line.data(), line.size()) < 0) ::_exit(4);
                }
            });
        for (auto& th : threads) th.join();
        ::_exit(0);
    }
    ::close(fds[1]);
    std::string acked;
    char buf[4096];
    while (std::count(acked.begin(), acked.end(), '\n') < 3000) {
        ssize_t n = ::read(fds[0], buf, sizeof buf);
        ASSERT_GT(n, 0) << "child died early";
        acked.append(buf, static_cast<std::size_t>(n));
    }
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) acked.append(buf, static_cast<std::size_t>(n));
    ::close(fds[0]);
    acked.resize(acked.rfind('\n') + 1);

    auto s = open_ok(options((t.path() / "spool")));
    std::size_t count = 0;
    std::string err;
    for (std::size_t pos = 0, nl; (nl = acked.find('\n', pos)) != std::string::npos; pos = nl + 1) {
        std::string id = acked.substr(pos, nl - pos);
        ++count;
        ASSERT_TRUE(s->entry(id)) << id;
        ASSERT_TRUE(s->load(id, err)) << err;
    }
    std::printf("[ spool    ] kill -9 after %zu acknowledged commits; %zu on disk, %llu torn bytes cut\n",
                count, s->size(), static_cast<unsigned long long>(s->recovery().torn_bytes));
    EXPECT_GE(s->size(), count);
}

// ---------------------------------------------------------------- state

TEST(Spool, TornStateLogTailLosesOnlyTheLastChanges) {
    TempDir t;
    std::string id;
    {
        auto s = open_ok(options((t.path() / "spool")));
        id = commit_sync(*s, make_envelope(1, 2), "", "a").id;
        s->update(id, 0, {RecipientStatus::Deferred, 1, 5, "one"});
        s->flush();
        s->update(id, 0, {RecipientStatus::Deferred, 2, 6, "two"});
    }
    const fs::path log = (t.path() / "spool") / "state.log";
    std::string b = read_file(log);
    write_file(log, b.substr(0, b.size() - 3));
    auto s = open_ok(options((t.path() / "spool")));
    EXPECT_EQ(s->entry(id)->recipients[0].attempts, 1u);
    EXPECT_EQ(s->recovery().warnings.size(), 1u);
}

// ---------------------------------------------------------------- storage failures
