// The spool against a real temporary directory: round trips, group commit under concurrency,
// crash recovery (torn tails, corruption, kill -9), state changes, segment deletion,
// compaction, and injected storage failures. No wall-clock assertions (timings are printed).
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

#include "queue/format.hpp"

using namespace tern;
using namespace tern::queue;
namespace fs = std::filesystem;

namespace {

class TempDir {
public:
    TempDir() {
        char tmpl[] = "/tmp/tern-queue-test-XXXXXX";
        char* p = ::mkdtemp(tmpl);
        if (!p) std::abort();
        path_ = p;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    const fs::path& path() const { return path_; }
    fs::path spool() const { return path_ / "spool"; }

private:
    fs::path path_;
};

Envelope make_envelope(int n, int recipients = 2) {
    Envelope e;
    e.mail_from = "sender" + std::to_string(n) + "@example.test";
    for (int i = 0; i < recipients; ++i)
        e.recipients.push_back({"rcpt" + std::to_string(i) + "@example.test",
                                static_cast<std::uint8_t>(i % 2 ? kNotifyNever : kNotifyFailure),
                                i % 2 ? "" : "rfc822;orig" + std::to_string(i) + "@example.test"});
    e.ret = DsnRet::Full;
    e.envid = "envid-" + std::to_string(n);
    e.body = BodyType::EightBitMime;
    e.smtputf8 = n % 2 == 0;
    e.received_at = 1700000000 + n;
    e.helo = "client.example.test";
    e.client_address = "192.0.2." + std::to_string(n % 250);
    e.auth_user = n % 3 ? "" : "user" + std::to_string(n);
    return e;
}

std::string make_body(int n, std::size_t size = 1024) {
    std::string s = "Subject: message " + std::to_string(n) + "\r\n\r\n";
    while (s.size() < size) s += "line of text " + std::to_string(n) + "\r\n";
    s.resize(size);
    return s;
}

Spool::Options options(const fs::path& dir) {
    Spool::Options o;
    o.dir = dir;
    o.min_free_bytes = 0;
    return o;
}

std::unique_ptr<Spool> open_ok(Spool::Options o) {
    std::string err;
    auto s = Spool::open(std::move(o), err);
    EXPECT_TRUE(s) << err;
    return s;
}

CommitResult commit_sync(Spool& s, Envelope e, std::string prefix, std::string data) {
    std::promise<CommitResult> p;
    auto f = p.get_future();
    s.commit(std::move(e), std::move(prefix), std::move(data),
             [&p](CommitResult r) { p.set_value(std::move(r)); });
    return f.get();
}

std::vector<fs::path> segment_files(const fs::path& dir) {
    std::vector<fs::path> out;
    for (const auto& de : fs::directory_iterator(dir))
        if (format::parse_segment_file_name(de.path().filename().string())) out.push_back(de.path());
    std::sort(out.begin(), out.end());
    return out;
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const fs::path& p, std::string_view bytes) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

void expect_same_envelope(const Envelope& a, const Envelope& b) {
    EXPECT_EQ(a.mail_from, b.mail_from);
    ASSERT_EQ(a.recipients.size(), b.recipients.size());
    for (std::size_t i = 0; i < a.recipients.size(); ++i) {
        EXPECT_EQ(a.recipients[i].address, b.recipients[i].address);
        EXPECT_EQ(a.recipients[i].notify, b.recipients[i].notify);
        EXPECT_EQ(a.recipients[i].orcpt, b.recipients[i].orcpt);
    }
    EXPECT_EQ(a.ret, b.ret);
    EXPECT_EQ(a.envid, b.envid);
    EXPECT_EQ(a.body, b.body);
    EXPECT_EQ(a.smtputf8, b.smtputf8);
    EXPECT_EQ(a.received_at, b.received_at);
    EXPECT_EQ(a.helo, b.helo);
    EXPECT_EQ(a.client_address, b.client_address);
    EXPECT_EQ(a.auth_user, b.auth_user);
}

bool is_storage_failure(const CommitResult& r) {
    return r.outcome.is_temporary() && r.outcome.code == 452 && r.outcome.enhanced == "4.3.1" &&
           r.id.empty();
}

}  // namespace

// ---------------------------------------------------------------- round trips

TEST(Spool, CommitThenLoadRoundTripsBytesAndEnvelope) {
    TempDir t;
    std::string prefix = "Received: from client.example.test\r\n";
    std::string data = make_body(1, 5000);
    data[100] = '\0';  // binary-safe
    data += "\r\n.\r\nnot the end\rbare CR\nbare LF\r\n";
    std::set<std::string> ids;
    {
        auto s = open_ok(options(t.spool()));
        auto r = commit_sync(*s, make_envelope(1), prefix, data);
        ASSERT_TRUE(r.outcome.is_ok()) << r.outcome.str();
        EXPECT_EQ(r.outcome.code, 250);
        EXPECT_EQ(r.outcome.text, "OK queued as " + r.id);
        ids.insert(r.id);
        std::string err;
        auto body = s->load(r.id, err);
        ASSERT_TRUE(body) << err;
        EXPECT_EQ(*body, prefix + data);
        auto e = s->entry(r.id);
        ASSERT_TRUE(e);
        expect_same_envelope(e->envelope, make_envelope(1));
        EXPECT_EQ(e->size, prefix.size() + data.size());
        ASSERT_EQ(e->recipients.size(), 2u);
        EXPECT_EQ(e->recipients[0].status, RecipientStatus::Pending);
        for (int i = 2; i < 50; ++i) {
            auto ri = commit_sync(*s, make_envelope(i), "", make_body(i, 10 * i));
            ASSERT_TRUE(ri.outcome.is_ok());
            EXPECT_TRUE(ids.insert(ri.id).second) << "duplicate id " << ri.id;
        }
        EXPECT_EQ(s->size(), 49u);
    }
    auto s = open_ok(options(t.spool()));
    EXPECT_EQ(s->recovery().messages, 49u);
    EXPECT_TRUE(s->recovery().warnings.empty());
    auto all = s->entries();
    ASSERT_EQ(all.size(), 49u);
    std::string err;
    EXPECT_EQ(*s->load(all[0].id, err), prefix + data);
    expect_same_envelope(all[0].envelope, make_envelope(1));
    for (std::size_t i = 1; i < all.size(); ++i) {
        int n = static_cast<int>(i) + 1;
        expect_same_envelope(all[i].envelope, make_envelope(n));
        EXPECT_EQ(*s->load(all[i].id, err), make_body(n, 10 * n));
    }
    // New ids after reopen are still unique.
    auto r = commit_sync(*s, make_envelope(99), "", "x\r\n");
    ASSERT_TRUE(r.outcome.is_ok());
    EXPECT_FALSE(ids.contains(r.id));
}

TEST(Spool, EmptyBodyAndUnknownIds) {
    TempDir t;
    auto s = open_ok(options(t.spool()));
    auto r = commit_sync(*s, make_envelope(1), "", "");
    ASSERT_TRUE(r.outcome.is_ok());
    std::string err;
    EXPECT_EQ(*s->load(r.id, err), "");
    EXPECT_FALSE(s->load("ffffffff-00000040", err));
    EXPECT_FALSE(err.empty());
    EXPECT_FALSE(s->load("../../etc/passwd", err));
    EXPECT_FALSE(s->entry("nonsense"));
    s->update("nonsense", 0, {RecipientStatus::Delivered, 1, 0, ""});  // ignored
    s->remove("ffffffff-00000040");                                   // ignored
    EXPECT_EQ(s->size(), 1u);
}

TEST(Spool, EnvelopeWithoutRecipientsIsRefused) {
    TempDir t;
    auto s = open_ok(options(t.spool()));
    auto r = commit_sync(*s, make_envelope(1, 0), "", "data\r\n");
    EXPECT_TRUE(r.outcome.is_permanent());
    EXPECT_EQ(s->size(), 0u);
}

TEST(Spool, SecondOpenOfTheSameDirectoryIsRefused) {
    TempDir t;
    auto s = open_ok(options(t.spool()));
    std::string err;
    EXPECT_FALSE(Spool::open(options(t.spool()), err));
    EXPECT_NE(err.find("in use"), std::string::npos) << err;
    s.reset();
    EXPECT_TRUE(Spool::open(options(t.spool()), err)) << err;
}

TEST(Spool, CommitAfterCloseFailsTemporarily) {
    TempDir t;
    auto s = open_ok(options(t.spool()));
    s->close();
    CommitResult got;
    int calls = 0;
    s->commit(make_envelope(1), "", "x", [&](CommitResult r) {
        got = std::move(r);
        ++calls;
    });
    EXPECT_EQ(calls, 1);
    EXPECT_TRUE(got.outcome.is_temporary());
}

// ---------------------------------------------------------------- group commit

TEST(Spool, ConcurrentCommittersShareSyncs) {
    TempDir t;
    constexpr int kThreads = 8, kPerThread = 500;
    std::vector<std::vector<std::string>> ids(kThreads);
    double seconds;
    SpoolStats st;
    {
        auto s = open_ok(options(t.spool()));
        auto t0 = std::chrono::steady_clock::now();
        std::vector<std::thread> threads;
        for (int k = 0; k < kThreads; ++k)
            threads.emplace_back([&, k] {
                for (int i = 0; i < kPerThread; ++i) {
                    int n = k * kPerThread + i;
                    auto r = commit_sync(*s, make_envelope(n), "", make_body(n));
                    if (!r.outcome.is_ok()) ADD_FAILURE() << r.outcome.str();
                    ids[k].push_back(r.id);
                }
            });
        for (auto& th : threads) th.join();
        seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        st = s->stats();
    }
    const int total = kThreads * kPerThread;
    std::printf("[ spool    ] %d commits by %d threads: %llu batches (%.1f commits/batch), "
                "%llu syncs, %.3f s, %.0f msgs/s\n",
                total, kThreads, static_cast<unsigned long long>(st.batches),
                double(total) / double(st.batches), static_cast<unsigned long long>(st.syncs),
                seconds, total / seconds);
    EXPECT_EQ(st.commits, static_cast<std::uint64_t>(total));
    EXPECT_LT(st.batches, static_cast<std::uint64_t>(total));  // group commit happened

    auto s = open_ok(options(t.spool()));
    ASSERT_EQ(s->size(), static_cast<std::size_t>(total));
    std::string err;
    for (int k = 0; k < kThreads; ++k)
        for (int i = 0; i < kPerThread; i += 97) {
            int n = k * kPerThread + i;
            auto body = s->load(ids[k][i], err);
            ASSERT_TRUE(body) << err;
            EXPECT_EQ(*body, make_body(n));
            EXPECT_EQ(s->entry(ids[k][i])->envelope.envid, "envid-" + std::to_string(n));
        }
}

TEST(Spool, FiftyAsyncCommittersThroughput) {
    // The SMTP server's shape: many sessions each waiting for their own commit.
    TempDir t;
    auto s = open_ok(options(t.spool()));
    constexpr int kSessions = 50, kEach = 100;
    std::atomic<int> ok{0};
    auto t0 = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    for (int k = 0; k < kSessions; ++k)
        threads.emplace_back([&, k] {
            for (int i = 0; i < kEach; ++i)
                if (commit_sync(*s, make_envelope(k), "", make_body(i)).outcome.is_ok()) ++ok;
        });
    for (auto& th : threads) th.join();
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    auto st = s->stats();
    std::printf("[ spool    ] %d sessions x %d: %.0f msgs/s, %.1f commits/batch\n", kSessions,
                kEach, kSessions * kEach / seconds, double(st.commits) / double(st.batches));
    EXPECT_EQ(ok.load(), kSessions * kEach);
    EXPECT_LT(st.batches, st.commits);
}

TEST(Spool, BatchesRespectMaxBatchBytesAndSegmentsRoll) {
    TempDir t;
    auto o = options(t.spool());
    o.segment_size = 64 * 1024;
    o.max_batch_bytes = 8 * 1024;
    std::vector<std::string> ids(400);
    {
        auto s = open_ok(o);
        std::atomic<int> left{400};
        std::promise<void> all;
        for (int i = 0; i < 400; ++i)
            s->commit(make_envelope(i), "P:", make_body(i, 700), [&, i](CommitResult r) {
                EXPECT_TRUE(r.outcome.is_ok());
                ids[i] = r.id;
                if (--left == 0) all.set_value();
            });
        all.get_future().wait();
        EXPECT_GE(s->stats().batches, 400u * 800 / 8192);
        EXPECT_GT(s->stats().segments_created, 3u);
    }
    EXPECT_GT(segment_files(t.spool()).size(), 3u);
    auto s = open_ok(o);
    ASSERT_EQ(s->size(), 400u);
    std::string err;
    for (int i = 0; i < 400; ++i) EXPECT_EQ(*s->load(ids[i], err), "P:" + make_body(i, 700));
}

// ---------------------------------------------------------------- crash recovery

TEST(Spool, TornTailDiscardsExactlyTheLastRecord) {
    TempDir t;
    std::vector<std::string> ids;
    {
        auto s = open_ok(options(t.spool()));
        for (int i = 0; i < 3; ++i)
            ids.push_back(commit_sync(*s, make_envelope(i, 1), "", make_body(i, 200)).id);
    }
    auto segs = segment_files(t.spool());
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
        fs::create_directories(u.spool());
        write_file(u.spool() / name, std::string_view(full).substr(0, cut));
        {
            auto s = open_ok(options(u.spool()));
            ASSERT_TRUE(s);
            EXPECT_EQ(s->size(), 2u) << "cut at " << cut;
            EXPECT_EQ(s->recovery().torn_bytes, cut - last);
            EXPECT_FALSE(s->entry(ids[2]));
            std::string err;
            EXPECT_EQ(*s->load(ids[0], err), make_body(0, 200));
            EXPECT_EQ(*s->load(ids[1], err), make_body(1, 200));
            EXPECT_EQ(fs::file_size(u.spool() / name), last);  // truncated
            auto r = commit_sync(*s, make_envelope(7), "", "after\r\n");
            ASSERT_TRUE(r.outcome.is_ok());
            EXPECT_EQ(*s->load(r.id, err), "after\r\n");
        }
        auto s = open_ok(options(u.spool()));
        EXPECT_EQ(s->size(), 3u);
        EXPECT_EQ(s->recovery().torn_bytes, 0u);
    }
}

TEST(Spool, CorruptRecordsAreDiscardedOthersKept) {
    TempDir t;
    std::vector<std::string> ids;
    {
        auto s = open_ok(options(t.spool()));
        for (int i = 0; i < 4; ++i)
            ids.push_back(commit_sync(*s, make_envelope(i, 1), "", make_body(i, 300)).id);
    }
    const fs::path seg = segment_files(t.spool())[0];
    const std::string pristine = read_file(seg);
    auto off = [&](int i) { return format::parse_id(ids[i])->offset; };

    {  // a flipped envelope byte in record 1 (middle): skipped with a warning
        std::string b = pristine;
        b[off(1) + format::kRecordHeaderSize + 5] ^= 0x20;
        write_file(seg, b);
        auto s = open_ok(options(t.spool()));
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
        auto s = open_ok(options(t.spool()));
        EXPECT_EQ(s->size(), 3u);
        EXPECT_FALSE(s->entry(ids[3]));
        EXPECT_GT(s->recovery().torn_bytes, 0u);
    }
    {  // a flipped body byte: found at open (lazy check), refused by load()
        std::string b = pristine;
        b[off(0) + 200] ^= 0x01;
        write_file(seg, b);
        auto s = open_ok(options(t.spool()));
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
        auto s = open_ok(options(t.spool()));
        ids.push_back(commit_sync(*s, make_envelope(1, 1), "", "hello\r\n").id);
        std::string seg = read_file(segment_files(t.spool())[0]);
        first_record = seg.substr(format::kSegmentHeaderSize);
        ids.push_back(commit_sync(*s, make_envelope(2, 1), "", "x" + first_record).id);
        ids.push_back(commit_sync(*s, make_envelope(3, 1), "", "tail\r\n").id);
    }
    const fs::path seg = segment_files(t.spool())[0];
    std::string b = read_file(seg);
    b[format::parse_id(ids[1])->offset + 1] ^= 0x01;  // break record 2's magic
    write_file(seg, b);
    auto s = open_ok(options(t.spool()));
    EXPECT_EQ(s->size(), 2u);  // records 1 and 3; nothing invented from record 2's body
    EXPECT_TRUE(s->entry(ids[0]));
    EXPECT_TRUE(s->entry(ids[2]));
}

TEST(Spool, SegmentHeaderProblems) {
    TempDir t;
    { auto s = open_ok(options(t.spool())); ASSERT_TRUE(commit_sync(*s, make_envelope(1), "", "a").outcome.is_ok()); }
    const fs::path seg = segment_files(t.spool())[0];
    const std::string pristine = read_file(seg);
    std::string err;
    {  // another format version: refused, naming the file
        std::string b = pristine;
        b[6] = '2';
        write_file(seg, b);
        EXPECT_FALSE(Spool::open(options(t.spool()), err));
        EXPECT_NE(err.find("version"), std::string::npos) << err;
        EXPECT_NE(err.find(seg.filename().string()), std::string::npos) << err;
    }
    {  // not a segment at all
        std::string b = pristine;
        std::memset(b.data(), 'x', 10);
        write_file(seg, b);
        EXPECT_FALSE(Spool::open(options(t.spool()), err));
        EXPECT_NE(err.find("TERNQ"), std::string::npos) << err;
    }
    {  // a newer segment that never got its whole header (crash at creation): removed
        write_file(seg, pristine);
        write_file(t.spool() / format::segment_file_name(2), pristine.substr(0, 20));
        auto s = open_ok(options(t.spool()));
        EXPECT_EQ(s->size(), 1u);
        EXPECT_FALSE(fs::exists(t.spool() / format::segment_file_name(2)));
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
        auto s = Spool::open(options(t.spool()), err);
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

    auto s = open_ok(options(t.spool()));
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

TEST(Spool, StateUpdatesSurviveReopen) {
    TempDir t;
    std::string id;
    RecipientState deferred{RecipientStatus::Deferred, 3, 1700003600, "451 4.4.1 connection timed out"};
    {
        auto s = open_ok(options(t.spool()));
        id = commit_sync(*s, make_envelope(1, 3), "", "body\r\n").id;
        s->update(id, 0, {RecipientStatus::Delivered, 1, 0, ""});
        s->update(id, 1, {RecipientStatus::Deferred, 1, 1700000100, "first"});
        s->update(id, 1, deferred);
        s->update(id, 7, {RecipientStatus::Delivered, 1, 0, ""});  // out of range: ignored
        auto e = s->entry(id);  // visible at once
        ASSERT_TRUE(e);
        EXPECT_EQ(e->recipients[1], deferred);
    }
    auto s = open_ok(options(t.spool()));
    auto e = s->entry(id);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->recipients[0].status, RecipientStatus::Delivered);
    EXPECT_EQ(e->recipients[1], deferred);
    EXPECT_EQ(e->recipients[2].status, RecipientStatus::Pending);
}

TEST(Spool, DoneMessagesLeaveAndTheirSegmentsAreDeleted) {
    TempDir t;
    auto o = options(t.spool());
    o.segment_size = 1;  // every batch starts a new segment
    std::vector<std::string> ids;
    auto s = open_ok(o);
    for (int i = 0; i < 3; ++i) ids.push_back(commit_sync(*s, make_envelope(i, 2), "", make_body(i)).id);
    ASSERT_EQ(segment_files(t.spool()).size(), 3u);
    const fs::path seg0 = t.spool() / format::segment_file_name(format::parse_id(ids[0])->segment);

    s->update(ids[0], 0, {RecipientStatus::Delivered, 1, 0, ""});
    s->flush();
    EXPECT_TRUE(fs::exists(seg0));
    EXPECT_EQ(s->size(), 3u);
    s->update(ids[0], 1, {RecipientStatus::Failed, 2, 0, "550 5.1.1 no such user"});
    EXPECT_EQ(s->size(), 2u);  // done at once in memory
    EXPECT_FALSE(s->entry(ids[0]));
    s->flush();
    EXPECT_FALSE(fs::exists(seg0));  // durable state, not the newest segment: deleted
    EXPECT_EQ(s->stats().segments_deleted, 1u);

    // The newest segment stays even when empty: it keeps segment numbers from being reused.
    for (int k : {1, 2}) {
        s->update(ids[k], 0, {RecipientStatus::Delivered, 1, 0, ""});
        s->update(ids[k], 1, {RecipientStatus::Delivered, 1, 0, ""});
    }
    s->flush();
    EXPECT_EQ(s->size(), 0u);
    EXPECT_EQ(segment_files(t.spool()).size(), 1u);
    s.reset();
    s = open_ok(o);
    EXPECT_EQ(s->size(), 0u);
    auto r = commit_sync(*s, make_envelope(5), "", "x");
    for (const auto& id : ids) EXPECT_NE(r.id, id);
}

TEST(Spool, RemoveIsRecordedAndFinal) {
    TempDir t;
    std::string id, keep;
    {
        auto s = open_ok(options(t.spool()));
        id = commit_sync(*s, make_envelope(1), "", "a").id;
        keep = commit_sync(*s, make_envelope(2), "", "b").id;
        s->remove(id);
        EXPECT_FALSE(s->entry(id));
        EXPECT_EQ(s->size(), 1u);
    }
    auto s = open_ok(options(t.spool()));
    EXPECT_FALSE(s->entry(id));
    EXPECT_TRUE(s->entry(keep));
}

TEST(Spool, HoldIsVisibleAndSurvivesReopenAndReleaseClearsIt) {
    TempDir t;
    std::string held, other;
    {
        auto s = open_ok(options(t.spool()));
        held = commit_sync(*s, make_envelope(1), "", "a").id;
        other = commit_sync(*s, make_envelope(2), "", "b").id;
        EXPECT_FALSE(s->entry(held)->held);
        s->set_held(held, true);
        s->set_held(held, true);  // already held: nothing to record
        ASSERT_TRUE(s->entry(held));
        EXPECT_TRUE(s->entry(held)->held);  // visible at once
        EXPECT_FALSE(s->entry(other)->held);
        auto all = s->entries();
        ASSERT_EQ(all.size(), 2u);
        EXPECT_TRUE(all[0].id == held ? all[0].held : all[1].held);
        EXPECT_FALSE(all[0].id == other ? all[0].held : all[1].held);
        // Unknown, malformed and done ids are ignored.
        s->set_held("00000099-00000040", true);
        s->set_held("nonsense", true);
        s->remove(other);
        s->set_held(other, true);
        EXPECT_FALSE(s->entry(other));
        EXPECT_EQ(s->size(), 1u);
    }
    {
        auto s = open_ok(options(t.spool()));
        auto e = s->entry(held);
        ASSERT_TRUE(e);
        EXPECT_TRUE(e->held);
        EXPECT_FALSE(s->entry(other));
        s->set_held(held, false);
        EXPECT_FALSE(s->entry(held)->held);
        // A held message still records recipient states.
        s->update(held, 0, {RecipientStatus::Deferred, 2, 1700000500, "451 4.4.1 later"});
    }
    auto s = open_ok(options(t.spool()));
    auto e = s->entry(held);
    ASSERT_TRUE(e);
    EXPECT_FALSE(e->held);
    EXPECT_EQ(e->recipients[0].attempts, 2u);
    EXPECT_EQ(s->size(), 1u);
}

TEST(Spool, RetryNowResetsNextAttemptOnlyWhereItMatters) {
    TempDir t;
    std::string id, held;
    {
        auto s = open_ok(options(t.spool()));
        id = commit_sync(*s, make_envelope(1, 3), "", "a").id;
        held = commit_sync(*s, make_envelope(2, 1), "", "b").id;
        s->update(id, 0, {RecipientStatus::Deferred, 4, 1700009999, "451 later"});
        s->update(id, 1, {RecipientStatus::Delivered, 1, 0, ""});
        s->update(held, 0, {RecipientStatus::Deferred, 1, 1700009999, "451 later"});
        s->set_held(held, true);
        s->flush();
        const auto records = s->stats().state_records;
        EXPECT_TRUE(s->retry_now(id));
        EXPECT_FALSE(s->retry_now(held));  // on hold: untouched
        EXPECT_FALSE(s->retry_now("ffffffff-00000040"));
        EXPECT_FALSE(s->retry_now("junk"));
        s->flush();
        EXPECT_EQ(s->stats().state_records, records + 1);  // recipient 0 only
        EXPECT_TRUE(s->retry_now(id));  // already due: true, nothing recorded
        s->flush();
        EXPECT_EQ(s->stats().state_records, records + 1);
    }
    auto s = open_ok(options(t.spool()));
    auto e = s->entry(id);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->recipients[0], (RecipientState{RecipientStatus::Deferred, 4, 0, "451 later"}));
    EXPECT_EQ(e->recipients[1].status, RecipientStatus::Delivered);
    EXPECT_EQ(e->recipients[2], RecipientState{});
    EXPECT_EQ(s->entry(held)->recipients[0].next_attempt, 1700009999);
    s->remove(id);
    EXPECT_FALSE(s->retry_now(id));  // done
}

TEST(Spool, HoldSurvivesCompaction) {
    TempDir t;
    auto o = options(t.spool());
    o.state_log_compact_bytes = 1;  // compact whenever the log doubled
    std::vector<std::string> ids;
    {
        auto s = open_ok(o);
        for (int i = 0; i < 6; ++i) ids.push_back(commit_sync(*s, make_envelope(i, 2), "", make_body(i)).id);
        s->set_held(ids[1], true);
        s->set_held(ids[2], true);
        s->set_held(ids[3], true);
        s->set_held(ids[3], false);  // released again before the compaction
        s->flush();
        const auto before = s->stats().compactions;
        for (int round = 0; round < 10; ++round) {
            for (int i = 0; i < 6; ++i)
                s->update(ids[i], 1, {RecipientStatus::Deferred, static_cast<std::uint32_t>(round),
                                      1700000000 + round, "retry " + std::to_string(round)});
            s->flush();
        }
        EXPECT_GT(s->stats().compactions, before);  // the Hold records were rewritten
        EXPECT_TRUE(s->entry(ids[1])->held);
    }
    for (int reopen = 0; reopen < 2; ++reopen) {  // open compacts too
        auto s = open_ok(o);
        EXPECT_EQ(s->size(), 6u);
        for (int i = 0; i < 6; ++i) {
            auto e = s->entry(ids[i]);
            ASSERT_TRUE(e);
            EXPECT_EQ(e->held, i == 1 || i == 2) << i;
            EXPECT_EQ(e->recipients[1].attempts, 9u);
        }
    }
}

TEST(Spool, VersionOneStateLogIsReadAndUpgraded) {
    TempDir t;
    std::string id;
    RecipientState deferred{RecipientStatus::Deferred, 3, 1700003600, "451 4.4.1 timed out"};
    {
        auto s = open_ok(options(t.spool()));
        id = commit_sync(*s, make_envelope(1, 2), "", "body\r\n").id;
        s->update(id, 1, deferred);
    }
    // A log as the previous version wrote it: same records, no Hold, version 1 header.
    const fs::path log = t.spool() / "state.log";
    std::string b = read_file(log);
    ASSERT_TRUE(b.starts_with("TERNS 2\n"));
    b[6] = '1';
    write_file(log, b);
    {
        auto s = open_ok(options(t.spool()));
        EXPECT_TRUE(s->recovery().warnings.empty());
        auto e = s->entry(id);
        ASSERT_TRUE(e);
        EXPECT_EQ(e->recipients[1], deferred);
        EXPECT_FALSE(e->held);
    }
    EXPECT_TRUE(read_file(log).starts_with("TERNS 2\n"));
    // A version from the future is refused, naming the file.
    b[6] = '3';
    write_file(log, b);
    std::string err;
    EXPECT_FALSE(Spool::open(options(t.spool()), err));
    EXPECT_NE(err.find("state.log: unsupported state log version"), std::string::npos) << err;
}

TEST(Spool, CompactionKeepsLiveStatesAndDoneMarks) {
    TempDir t;
    auto o = options(t.spool());
    o.state_log_compact_bytes = 1;  // compact whenever the log doubled
    std::vector<std::string> ids;
    {
        auto s = open_ok(o);
        for (int i = 0; i < 20; ++i) ids.push_back(commit_sync(*s, make_envelope(i, 2), "", make_body(i)).id);
        for (int round = 0; round < 10; ++round) {
            for (int i = 0; i < 20; ++i)
                s->update(ids[i], 1, {RecipientStatus::Deferred, static_cast<std::uint32_t>(round),
                                      1700000000 + round, "retry " + std::to_string(round)});
            s->flush();
        }
        for (int i = 0; i < 10; ++i) {  // half done; their segment stays (others live)
            s->update(ids[i], 0, {RecipientStatus::Delivered, 1, 0, ""});
            s->update(ids[i], 1, {RecipientStatus::Delivered, 31, 0, ""});
        }
        s->update(ids[10], 0, {RecipientStatus::Delivered, 1, 0, ""});
        s->flush();
        EXPECT_GT(s->stats().compactions, 2u);
    }
    EXPECT_LT(fs::file_size(t.spool() / "state.log"), 4096u);
    auto s = open_ok(o);
    EXPECT_EQ(s->size(), 10u);
    for (int i = 0; i < 10; ++i) EXPECT_FALSE(s->entry(ids[i]));  // done marks kept
    auto e = s->entry(ids[10]);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->recipients[0].status, RecipientStatus::Delivered);
    EXPECT_EQ(e->recipients[1], (RecipientState{RecipientStatus::Deferred, 9, 1700000009, "retry 9"}));
}

TEST(Spool, TornStateLogTailLosesOnlyTheLastChanges) {
    TempDir t;
    std::string id;
    {
        auto s = open_ok(options(t.spool()));
        id = commit_sync(*s, make_envelope(1, 2), "", "a").id;
        s->update(id, 0, {RecipientStatus::Deferred, 1, 5, "one"});
        s->flush();
        s->update(id, 0, {RecipientStatus::Deferred, 2, 6, "two"});
    }
    const fs::path log = t.spool() / "state.log";
    std::string b = read_file(log);
    write_file(log, b.substr(0, b.size() - 3));
    auto s = open_ok(options(t.spool()));
    EXPECT_EQ(s->entry(id)->recipients[0].attempts, 1u);
    EXPECT_EQ(s->recovery().warnings.size(), 1u);
}

// ---------------------------------------------------------------- storage failures

TEST(Spool, FsyncFailureIs452AndTheMessageNeverAppears) {
    TempDir t;
    auto fail = std::make_shared<std::atomic<bool>>(false);
    auto o = options(t.spool());
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
    auto o = options(t.spool());
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
        auto before = read_file(t.spool() / seg_name);
        *fail = true;
        EXPECT_TRUE(is_storage_failure(commit_sync(*s, make_envelope(2), "", "doomed")));
        *fail = false;
        EXPECT_TRUE(commit_sync(*s, make_envelope(3), "", "third").outcome.is_ok());
        s.reset();
        // As if the truncation had been lost: bytes that start like a record follow the good end.
        std::string b = before + std::string(format::kRecordMagic, 4) + std::string(200, 'z');
        write_file(t.spool() / seg_name, b);
    }
    auto s = open_ok(o);
    EXPECT_EQ(s->size(), 2u);
    EXPECT_EQ(s->recovery().torn_bytes, 0u);  // not the newest, and sealed: left alone quietly
    EXPECT_TRUE(s->recovery().warnings.empty());
}

TEST(Spool, WriteFailuresAre452AndTheSegmentIsCutBack) {
    TempDir t;
    auto mode = std::make_shared<std::atomic<int>>(0);  // 0 ok, 1 ENOSPC, 2 short write then ENOSPC
    auto o = options(t.spool());
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
    const fs::path seg = t.spool() / format::segment_file_name(format::parse_id(id)->segment);
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
        auto o = options(t.spool());
        o.min_free_bytes = ~0ull >> 1;  // more than any disk has
        auto s = open_ok(o);
        EXPECT_TRUE(is_storage_failure(commit_sync(*s, make_envelope(1), "", "x")));
    }
    auto free_bytes = std::make_shared<std::atomic<std::uint64_t>>(1 << 20);
    auto o = options(t.spool());
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
    auto o = options(t.spool());
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
    auto o = options(t.spool());
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
    auto o = options(t.spool());
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

TEST(Spool, ReopenWithTwentyThousandMessages) {
    TempDir t;
    constexpr int kCount = 20000;
    {
        auto s = open_ok(options(t.spool()));
        std::atomic<int> left{kCount};
        std::promise<void> all;
        auto t0 = std::chrono::steady_clock::now();
        for (int i = 0; i < kCount; ++i)
            s->commit(make_envelope(i), "", make_body(i), [&](CommitResult r) {
                if (!r.outcome.is_ok()) ADD_FAILURE() << r.outcome.str();
                if (--left == 0) all.set_value();
            });
        all.get_future().wait();
        double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        std::printf("[ spool    ] queued %d x 1 KiB in %.3f s (%.0f msgs/s, %llu batches)\n", kCount,
                    secs, kCount / secs, static_cast<unsigned long long>(s->stats().batches));
        auto ids = s->entries();
        for (int i = 0; i < kCount; i += 3) s->update(ids[i].id, 0, {RecipientStatus::Delivered, 1, 0, ""});
    }
    auto t0 = std::chrono::steady_clock::now();
    auto s = open_ok(options(t.spool()));
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("[ spool    ] reopen with %d messages: %.3f s\n", kCount, secs);
    EXPECT_EQ(s->size(), static_cast<std::size_t>(kCount));
    EXPECT_EQ(s->entries()[3].recipients[0].status, RecipientStatus::Delivered);
}
