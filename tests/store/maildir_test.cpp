// Maildir delivery: file placement and names, LF conversion and sizes, idempotent retries,
// and failures that must leave nothing behind.
#include "store/maildir.hpp"

#include <sys/resource.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <csignal>
#include <thread>

#include "support/temp_dir.hpp"

using namespace tern;
using namespace tern::store;
using tern::test::list_dir;
using tern::test::read_file;
using tern::test::TempDir;
using tern::test::write_file;

namespace {

// The reference conversion, written the obvious way: CRLF -> LF, every other byte as is.
std::string naive_lf(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') continue;
        out.push_back(s[i]);
    }
    return out;
}

// W= as a reader computes it from the file: each LF not preceded by CR counts twice.
std::uint64_t naive_w(const std::string& disk) {
    std::uint64_t w = disk.size();
    for (std::size_t i = 0; i < disk.size(); ++i)
        if (disk[i] == '\n' && (i == 0 || disk[i - 1] != '\r')) ++w;
    return w;
}

const std::string kPrefix = "Return-Path: <a@example.test>\r\n";
const std::string kData = "Subject: hi\r\nFrom: a@example.test\r\n\r\nbody line\r\n";

}  // namespace

TEST(Maildir, EnsureCreatesNestedDirectoriesPrivate) {
    TempDir t;
    auto md = t.path() / "mailboxes" / "example.test" / "alice";
    ASSERT_TRUE(ensure_maildir(md).is_ok());
    for (const char* sub : {"tmp", "new", "cur"}) {
        struct stat st {};
        ASSERT_EQ(::stat((md / sub).c_str(), &st), 0) << sub;
        EXPECT_TRUE(S_ISDIR(st.st_mode));
        EXPECT_EQ(st.st_mode & 0777, 0700u) << sub;
    }
    EXPECT_TRUE(ensure_maildir(md).is_ok());  // idempotent
}

TEST(Maildir, EnsureFailsUnderARegularFile) {
    TempDir t;
    write_file(t.path() / "file", "x");
    auto r = ensure_maildir(t.path() / "file" / "alice");
    EXPECT_TRUE(r.is_temporary());
    EXPECT_EQ(r.enhanced, "4.3.0");
}

TEST(Maildir, DeliverWritesLfIntoNewWithSizes) {
    TempDir t;
    auto md = t.path() / "alice";  // created on first delivery
    auto r = deliver(md, "1700000000.Rq1_0.mx", kPrefix, kData);
    ASSERT_TRUE(r.is_ok()) << r.str();

    const std::string expected =
        "Return-Path: <a@example.test>\nSubject: hi\nFrom: a@example.test\n\nbody line\n";
    const auto S = expected.size();
    const auto W = (kPrefix + kData).size();  // all CRLF: the RFC 822 size is the input size
    const std::string name =
        "1700000000.Rq1_0.mx,S=" + std::to_string(S) + ",W=" + std::to_string(W);
    EXPECT_EQ(list_dir(md / "new"), std::vector<std::string>{name});
    EXPECT_TRUE(list_dir(md / "tmp").empty());
    EXPECT_TRUE(list_dir(md / "cur").empty());
    EXPECT_EQ(read_file(md / "new" / name), expected);

    struct stat st {};
    ASSERT_EQ(::stat((md / "new" / name).c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    EXPECT_EQ(static_cast<std::size_t>(st.st_size), S);
}

TEST(Maildir, LineEndingEdgeCases) {
    struct Case {
        std::string prefix, data;
    };
    const Case cases[] = {
        {"", ""},
        {"", "no newline at end"},
        {"", "bare\rcr and bare\nlf\r\n"},
        {"", "\r\r\n\r\n\n\r"},
        {"", "\r"},
        {"Return-Path: <>\r", "\nsplit across prefix and data\r\n"},  // CRLF across the seam
        {"ends in CR\r", "no LF next"},
        {"\r\n", "\r\n"},
    };
    int n = 0;
    for (const auto& c : cases) {
        TempDir t;
        auto base = "b" + std::to_string(n++);
        ASSERT_TRUE(deliver(t.path(), base, c.prefix, c.data).is_ok());
        auto names = list_dir(t.path() / "new");
        ASSERT_EQ(names.size(), 1u);
        auto disk = read_file(t.path() / "new" / names[0]);
        EXPECT_EQ(disk, naive_lf(c.prefix + c.data)) << base;
        auto size = stored_size(c.prefix, c.data);
        EXPECT_EQ(size.on_disk, disk.size()) << base;
        EXPECT_EQ(size.rfc822, naive_w(disk)) << base;
        EXPECT_EQ(names[0], maildir_file_name(base, size));
    }
}

TEST(Maildir, LargeMessageCrossesBufferBoundaries) {
    // Lines of varying length so CRLF pairs fall on every offset of the 64 KiB write buffer.
    std::string data;
    for (int i = 0; data.size() < 600 * 1024; ++i) {
        data.append(static_cast<std::size_t>(i % 997), static_cast<char>('a' + i % 26));
        data += "\r\n";
    }
    data += std::string(200 * 1024, 'x') + "\r\n";  // one run longer than the buffer
    TempDir t;
    ASSERT_TRUE(deliver(t.path(), "big", kPrefix, data).is_ok());
    auto names = list_dir(t.path() / "new");
    ASSERT_EQ(names.size(), 1u);
    auto disk = read_file(t.path() / "new" / names[0]);
    EXPECT_EQ(disk, naive_lf(kPrefix + data));
    EXPECT_EQ(names[0], maildir_file_name("big", {disk.size(), (kPrefix + data).size()}));
}

TEST(Maildir, RetryWithMaybeDuplicateSkipsWhenInNew) {
    TempDir t;
    ASSERT_TRUE(deliver(t.path(), "base1", kPrefix, kData).is_ok());
    auto r = deliver(t.path(), "base1", kPrefix, kData, /*maybe_duplicate=*/true);
    EXPECT_TRUE(r.is_ok());
    EXPECT_EQ(r.text, "already delivered");
    EXPECT_EQ(list_dir(t.path() / "new").size(), 1u);
    // Even without the flag a copy still in new/ is replaced, not duplicated.
    ASSERT_TRUE(deliver(t.path(), "base1", kPrefix, kData).is_ok());
    EXPECT_EQ(list_dir(t.path() / "new").size(), 1u);
}

TEST(Maildir, RetryWithMaybeDuplicateSkipsWhenMovedToCur) {
    TempDir t;
    ASSERT_TRUE(deliver(t.path(), "base1", kPrefix, kData).is_ok());
    auto name = list_dir(t.path() / "new").at(0);
    std::filesystem::rename(t.path() / "new" / name, t.path() / "cur" / (name + ":2,S"));
    auto r = deliver(t.path(), "base1", kPrefix, kData, true);
    EXPECT_TRUE(r.is_ok());
    EXPECT_EQ(r.text, "already delivered");
    EXPECT_TRUE(list_dir(t.path() / "new").empty());
    EXPECT_EQ(list_dir(t.path() / "cur").size(), 1u);
}

TEST(Maildir, DuplicateCheckMatchesWholeBaseOnly) {
    TempDir t;
    ASSERT_TRUE(ensure_maildir(t.path()).is_ok());
    // Other tools may rename to "<base>:2,S" (no size fields); a longer base is someone else.
    write_file(t.path() / "cur" / "base1:2,RS", "x");
    write_file(t.path() / "cur" / "base22,S=1,W=1:2,", "x");
    EXPECT_EQ(deliver(t.path(), "base1", kPrefix, kData, true).text, "already delivered");
    EXPECT_EQ(deliver(t.path(), "base2", kPrefix, kData, true).text, "delivered");
    EXPECT_EQ(list_dir(t.path() / "new").size(), 1u);
}

TEST(Maildir, LeftoverTmpFileFromCrashIsReplaced) {
    TempDir t;
    ASSERT_TRUE(ensure_maildir(t.path()).is_ok());
    auto name = maildir_file_name("base1", stored_size(kPrefix, kData));
    write_file(t.path() / "tmp" / name, "half a mess");
    ASSERT_TRUE(deliver(t.path(), "base1", kPrefix, kData, true).is_ok());
    EXPECT_TRUE(list_dir(t.path() / "tmp").empty());
    EXPECT_EQ(read_file(t.path() / "new" / name), naive_lf(kPrefix + kData));
}

TEST(Maildir, RejectsInvalidUniqueBase) {
    TempDir t;
    for (const std::string& bad : std::vector<std::string>{"", ".x", "a/b", "a:2,S", "a,S=1", std::string("a\0b", 3), "a\nb",
                            std::string(201, 'x')}) {
        EXPECT_FALSE(is_valid_unique_base(bad)) << bad;
        auto r = deliver(t.path(), bad, kPrefix, kData);
        EXPECT_TRUE(r.is_temporary()) << bad;
    }
    EXPECT_TRUE(list_dir(t.path() / "new").empty());
    EXPECT_TRUE(is_valid_unique_base("1700000000.M1P2Q3.host\\057x"));
}

TEST(Maildir, FailsTemporarilyUnderARegularFile) {
    TempDir t;
    write_file(t.path() / "file", "x");
    auto r = deliver(t.path() / "file" / "alice", "base1", kPrefix, kData);
    EXPECT_TRUE(r.is_temporary());
    EXPECT_EQ(r.enhanced, "4.3.0");
    EXPECT_EQ(r.code, 451);
    EXPECT_EQ(r.text.find('/'), std::string::npos) << "no paths in text that may reach a sender";
}

// A write that fails half-way (here: the file size limit, the same path as ENOSPC/EDQUOT)
// gives a temporary outcome and leaves no tmp file behind.
TEST(Maildir, WriteFailureRemovesTmpFile) {
    TempDir t;
    ASSERT_TRUE(ensure_maildir(t.path()).is_ok());
    std::string big(256 * 1024, 'x');

    auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
    rlimit old_limit {};
    ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old_limit), 0);
    rlimit small = old_limit;
    small.rlim_cur = 4096;
    ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
    auto r = deliver(t.path(), "base1", kPrefix, big);
    ::setrlimit(RLIMIT_FSIZE, &old_limit);
    std::signal(SIGXFSZ, old_handler);

    EXPECT_TRUE(r.is_temporary()) << r.str();
    EXPECT_EQ(r.enhanced, "4.3.4");
    EXPECT_EQ(r.code, 452);
    EXPECT_TRUE(list_dir(t.path() / "tmp").empty());
    EXPECT_TRUE(list_dir(t.path() / "new").empty());
    // And the retry, with room again, succeeds.
    EXPECT_TRUE(deliver(t.path(), "base1", kPrefix, big, true).is_ok());
}

TEST(Maildir, LocalIoFailureMapping) {
    struct Case {
        int err;
        const char* enhanced;
        int code;
    };
    for (auto c : {Case{ENOSPC, "4.3.1", 452}, Case{EDQUOT, "4.2.2", 452}, Case{EFBIG, "4.3.4", 452},
                   Case{EACCES, "4.3.0", 451}, Case{EIO, "4.3.0", 451}, Case{ENOTDIR, "4.3.0", 451}}) {
        auto r = local_io_failure(c.err, "writing message file");
        EXPECT_TRUE(r.is_temporary());
        EXPECT_EQ(r.enhanced, c.enhanced) << c.err;
        EXPECT_EQ(r.code, c.code) << c.err;
        EXPECT_EQ(r.text.rfind("writing message file: ", 0), 0u);
    }
}

TEST(Maildir, ConcurrentFirstDeliveriesToOneMailbox) {
    TempDir t;
    auto md = t.path() / "example.test" / "alice";
    std::vector<std::thread> threads;
    std::vector<Outcome> results(8);
    for (int i = 0; i < 8; ++i)
        threads.emplace_back([&, i] { results[i] = deliver(md, "b" + std::to_string(i), kPrefix, kData); });
    for (auto& th : threads) th.join();
    for (const auto& r : results) EXPECT_TRUE(r.is_ok()) << r.str();
    EXPECT_EQ(list_dir(md / "new").size(), 8u);
}

TEST(UniqueBase, FollowsMaildirSpecAndEscapesHost) {
    EXPECT_EQ(make_unique_base(1700000000, 123456, 42, 7, "mx.example.test"),
              "1700000000.M123456P42Q7.mx.example.test");
    EXPECT_EQ(make_unique_base(1, 2, 3, 4, "a/b:c,d\\e"), "1.M2P3Q4.a\\057b\\072c\\054d\\134e");
    auto b = make_unique_base(std::chrono::system_clock::time_point(std::chrono::microseconds(1700000000123456)),
                              "h", 9);
    EXPECT_EQ(b, "1700000000.M123456P" + std::to_string(::getpid()) + "Q9.h");
    EXPECT_TRUE(is_valid_unique_base(make_unique_base(1, 2, 3, 4, "evil/host:2,S\n")));
}
