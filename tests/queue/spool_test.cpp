// The spool against a real temporary directory: round trips, group commit under concurrency,
// state changes, hold, segment deletion and compaction. Crash recovery is in
// spool_recovery_test.cpp, injected storage failures in spool_fault_test.cpp. No wall-clock
// assertions (timings are printed).
#include "queue/spool.hpp"
#include "queue/format.hpp"
#include "core/crc32c.hpp"

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


// ---------------------------------------------------------------- round trips

TEST(Spool, CommitThenLoadRoundTripsBytesAndEnvelope) {
    TempDir t;
    std::string prefix = "Received: from client.example.test\r\n";
    std::string data = make_body(1, 5000);
    data[100] = '\0';  // binary-safe
    data += "\r\n.\r\nnot the end\rbare CR\nbare LF\r\n";
    std::set<std::string> ids;
    {
        auto s = open_ok(options((t.path() / "spool")));
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
    auto s = open_ok(options((t.path() / "spool")));
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
    auto s = open_ok(options((t.path() / "spool")));
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
    auto s = open_ok(options((t.path() / "spool")));
    auto r = commit_sync(*s, make_envelope(1, 0), "", "data\r\n");
    EXPECT_TRUE(r.outcome.is_permanent());
    EXPECT_EQ(s->size(), 0u);
}

TEST(Spool, SecondOpenOfTheSameDirectoryIsRefused) {
    TempDir t;
    auto s = open_ok(options((t.path() / "spool")));
    std::string err;
    EXPECT_FALSE(Spool::open(options((t.path() / "spool")), err));
    EXPECT_NE(err.find("in use"), std::string::npos) << err;
    s.reset();
    EXPECT_TRUE(Spool::open(options((t.path() / "spool")), err)) << err;
}

TEST(Spool, CommitAfterCloseFailsTemporarily) {
    TempDir t;
    auto s = open_ok(options((t.path() / "spool")));
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
        auto s = open_ok(options((t.path() / "spool")));
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

    auto s = open_ok(options((t.path() / "spool")));
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
    auto s = open_ok(options((t.path() / "spool")));
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
    auto o = options((t.path() / "spool"));
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
    EXPECT_GT(segment_files((t.path() / "spool")).size(), 3u);
    auto s = open_ok(o);
    ASSERT_EQ(s->size(), 400u);
    std::string err;
    for (int i = 0; i < 400; ++i) EXPECT_EQ(*s->load(ids[i], err), "P:" + make_body(i, 700));
}

// ---------------------------------------------------------------- crash recovery

TEST(Spool, StateUpdatesSurviveReopen) {
    TempDir t;
    std::string id;
    RecipientState deferred{RecipientStatus::Deferred, 3, 1700003600, "451 4.4.1 connection timed out"};
    {
        auto s = open_ok(options((t.path() / "spool")));
        id = commit_sync(*s, make_envelope(1, 3), "", "body\r\n").id;
        s->update(id, 0, {RecipientStatus::Delivered, 1, 0, ""});
        s->update(id, 1, {RecipientStatus::Deferred, 1, 1700000100, "first"});
        s->update(id, 1, deferred);
        s->update(id, 7, {RecipientStatus::Delivered, 1, 0, ""});  // out of range: ignored
        auto e = s->entry(id);  // visible at once
        ASSERT_TRUE(e);
        EXPECT_EQ(e->recipients[1], deferred);
    }
    auto s = open_ok(options((t.path() / "spool")));
    auto e = s->entry(id);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->recipients[0].status, RecipientStatus::Delivered);
    EXPECT_EQ(e->recipients[1], deferred);
    EXPECT_EQ(e->recipients[2].status, RecipientStatus::Pending);
}

TEST(Spool, DoneMessagesLeaveAndTheirSegmentsAreDeleted) {
    TempDir t;
    auto o = options((t.path() / "spool"));
    o.segment_size = 1;  // every batch starts a new segment
    std::vector<std::string> ids;
    auto s = open_ok(o);
    for (int i = 0; i < 3; ++i) ids.push_back(commit_sync(*s, make_envelope(i, 2), "", make_body(i)).id);
    ASSERT_EQ(segment_files((t.path() / "spool")).size(), 3u);
    const fs::path seg0 = (t.path() / "spool") / format::segment_file_name(format::parse_id(ids[0])->segment);

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
    EXPECT_EQ(segment_files((t.path() / "spool")).size(), 1u);
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
        auto s = open_ok(options((t.path() / "spool")));
        id = commit_sync(*s, make_envelope(1), "", "a").id;
        keep = commit_sync(*s, make_envelope(2), "", "b").id;
        s->remove(id);
        EXPECT_FALSE(s->entry(id));
        EXPECT_EQ(s->size(), 1u);
    }
    auto s = open_ok(options((t.path() / "spool")));
    EXPECT_FALSE(s->entry(id));
    EXPECT_TRUE(s->entry(keep));
}

TEST(Spool, HoldIsVisibleAndSurvivesReopenAndReleaseClearsIt) {
    TempDir t;
    std::string held, other;
    {
        auto s = open_ok(options((t.path() / "spool")));
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
        auto s = open_ok(options((t.path() / "spool")));
        auto e = s->entry(held);
        ASSERT_TRUE(e);
        EXPECT_TRUE(e->held);
        EXPECT_FALSE(s->entry(other));
        s->set_held(held, false);
        EXPECT_FALSE(s->entry(held)->held);
        // A held message still records recipient states.
        s->update(held, 0, {RecipientStatus::Deferred, 2, 1700000500, "451 4.4.1 later"});
    }
    auto s = open_ok(options((t.path() / "spool")));
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
        auto s = open_ok(options((t.path() / "spool")));
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
    auto s = open_ok(options((t.path() / "spool")));
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
    auto o = options((t.path() / "spool"));
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

namespace {
// `log` (as this build wrote it) as an older build would have: the same records without the
// Recipient flags byte (versions 1 and 2), under the header "TERNS <version>".
std::string older_state_log(std::string_view log, char version) {
    const std::size_t head = format::state_log_header_size(log);
    std::string out = "TERNS " + std::string(1, version) + "\n";
    std::string_view rest = log.substr(head);
    while (!rest.empty()) {
        std::size_t used = 0;
        auto rec = format::decode_state_record(rest, used);
        EXPECT_TRUE(rec);
        if (!rec) break;
        std::string r(rest.substr(0, used));
        if (rec->type == format::StateType::Recipient) {
            r.pop_back();
            const std::size_t h = format::kStateRecordHeaderSize;
            format::put_u32(r.data() + 4, static_cast<std::uint32_t>(r.size() - h));
            format::put_u32(r.data() + 8, crc32c_extend(crc32c(r.data() + 4, 4), r.data() + h, r.size() - h));
        }
        out += r;
        rest.remove_prefix(used);
    }
    return out;
}
}  // namespace

TEST(Spool, OlderStateLogsAreReadAndUpgraded) {
    for (char version : {'1', '2'}) {
        TempDir t;
        std::string id;
        RecipientState deferred{RecipientStatus::Deferred, 3, 1700003600, "451 4.4.1 timed out"};
        {
            auto s = open_ok(options((t.path() / "spool")));
            id = commit_sync(*s, make_envelope(1, 2), "", "body\r\n").id;
            s->update(id, 1, deferred);
        }
        // A log as an earlier version wrote it: same records, no Hold, no flags byte.
        const fs::path log = (t.path() / "spool") / "state.log";
        std::string b = read_file(log);
        ASSERT_TRUE(b.starts_with(format::kStateLogHeader));
        write_file(log, older_state_log(b, version));
        {
            auto s = open_ok(options((t.path() / "spool")));
            EXPECT_TRUE(s->recovery().warnings.empty()) << version;
            auto e = s->entry(id);
            ASSERT_TRUE(e);
            EXPECT_EQ(e->recipients[1], deferred) << version;
            EXPECT_FALSE(e->held);
            // The upgraded log keeps the new flag.
            auto warned = deferred;
            warned.delay_notified = true;
            s->update(id, 1, warned);
        }
        EXPECT_TRUE(read_file(log).starts_with(format::kStateLogHeader));
        {
            auto s = open_ok(options((t.path() / "spool")));
            EXPECT_TRUE(s->entry(id)->recipients[1].delay_notified) << version;
        }
        // A version from the future is refused, naming the file.
        b[6] = '4';
        write_file(log, b);
        std::string err;
        EXPECT_FALSE(Spool::open(options((t.path() / "spool")), err));
        EXPECT_NE(err.find("state.log: unsupported state log version"), std::string::npos) << err;
    }
}

TEST(Spool, CompactionKeepsLiveStatesAndDoneMarks) {
    TempDir t;
    auto o = options((t.path() / "spool"));
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
    EXPECT_LT(fs::file_size((t.path() / "spool") / "state.log"), 4096u);
    auto s = open_ok(o);
    EXPECT_EQ(s->size(), 10u);
    for (int i = 0; i < 10; ++i) EXPECT_FALSE(s->entry(ids[i]));  // done marks kept
    auto e = s->entry(ids[10]);
    ASSERT_TRUE(e);
    EXPECT_EQ(e->recipients[0].status, RecipientStatus::Delivered);
    EXPECT_EQ(e->recipients[1], (RecipientState{RecipientStatus::Deferred, 9, 1700000009, "retry 9"}));
}

TEST(Spool, ReopenWithTwentyThousandMessages) {
    TempDir t;
    constexpr int kCount = 20000;
    {
        auto s = open_ok(options((t.path() / "spool")));
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
    auto s = open_ok(options((t.path() / "spool")));
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("[ spool    ] reopen with %d messages: %.3f s\n", kCount, secs);
    EXPECT_EQ(s->size(), static_cast<std::size_t>(kCount));
    EXPECT_EQ(s->entries()[3].recipients[0].status, RecipientStatus::Delivered);
}
