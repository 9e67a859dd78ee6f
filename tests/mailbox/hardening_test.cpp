// Review findings on the store: oversized batches, damage and read errors taken for a torn
// tail, temporary errors taken for corruption, rewrite() after the rename, validation on load,
// UID exhaustion, symlinks and FIFOs, planted temp-file links, flock errors, expunge failures.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <future>

#include "mailbox/folder.hpp"
#include "mailbox/index_file.hpp"
#include "mailbox/index_format.hpp"
#include "support.hpp"

namespace tern::mailbox::test {
namespace {

namespace fmt = index_format;

MessageRecord rec(std::uint32_t uid, std::uint64_t modseq, std::string base = {}) {
    MessageRecord m;
    m.uid = uid;
    m.modseq = modseq;
    m.internal_date = 1700000000 + uid;
    m.rfc822_size = 100;
    m.disk_size = 98;
    m.base = base.empty() ? "1700000000.R" + std::to_string(uid) + "_0.host" : base;
    return m;
}

SnapshotPtr sample(std::uint32_t n) {
    SnapshotEditor ed(4242);
    for (std::uint32_t u = 1; u <= n; ++u) ed.add(rec(u, u));
    return std::move(ed).finish();
}

std::string image_of(const Snapshot& s, std::uint64_t nonce) {
    std::string image = fmt::encode_header({s.uidvalidity, nonce});
    for (const auto& p : fmt::snapshot_payloads(s, {})) image += fmt::frame_batch(nonce, image.size(), p).value();
    return image;
}

std::string add_batch(std::uint32_t uid, std::uint64_t modseq, std::string base = {}) {
    fmt::EntryWriter w;
    w.add(rec(uid, modseq, std::move(base)));
    return w.take();
}

// ---- 1. over-size batches

TEST(Hardening, FrameBatchRefusesWhatAReaderWouldDrop) {
    EXPECT_FALSE(fmt::frame_batch(1, 32, "").has_value());
    std::string big(std::size_t{fmt::kMaxBatch} + 1, 'x');
    EXPECT_FALSE(fmt::frame_batch(1, 32, big).has_value());
    big.pop_back();
    EXPECT_TRUE(fmt::frame_batch(1, 32, big).has_value());
}

TEST(Hardening, IndexFileRefusesAnOversizeJournalBatch) {
    TempDir t;
    IndexFile f(t.path() / "tern-index", {});
    ASSERT_TRUE(f.rewrite(*sample(3), {}).ok());
    const auto before = read_file(t.path() / "tern-index");
    auto r = f.append(std::string(fmt::kMaxJournalBatch + 1, '\x06'), true);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().sys_errno, E2BIG);
    EXPECT_EQ(read_file(t.path() / "tern-index"), before);
}

// A change whose batch exceeds kMaxJournalBatch is written as a new file (rewrite), and a
// restart sees all of it: UIDNEXT and MODSEQ never go back.
TEST(Hardening, LargeChangeGoesThroughRewrite) {
    TempDir t;
    const auto root = t.path() / "u";
    ASSERT_TRUE(store::ensure_maildir(root).is_ok());
    const int n = 2300;  // x 64 keywords x ~123 bytes > 16 MiB in one Flags batch
    for (int i = 0; i < n; ++i)
        write_file(root / "cur" / ("1700000000.R" + std::to_string(i) + "_0.host:2,"), "Subject: x\n\nbody\n");
    // The largest write past offset 0 (an append; a rewrite writes its new file from 0).
    auto max_append = std::make_shared<std::atomic<std::size_t>>(0);
    Store::Options o;
    o.hooks.pwrite = [max_append](int fd, const void* data, std::size_t size, off_t off) -> ssize_t {
        if (off > 0 && size > max_append->load()) max_append->store(size);
        return ::pwrite(fd, data, size, off);
    };
    Store store(o);
    auto inbox = open_ok(store, root);
    ASSERT_TRUE(inbox);
    ASSERT_EQ(inbox->snapshot()->messages.size(), static_cast<std::size_t>(n));
    std::vector<std::string> kws;
    for (int k = 0; k < 64; ++k) kws.push_back("k" + std::to_string(k) + std::string(120, 'a' + k % 26));
    std::vector<std::uint32_t> all;
    for (int u = 1; u <= n; ++u) all.push_back(static_cast<std::uint32_t>(u));
    const auto ino_before = status_stamp_on_disk(root).index_ino;
    auto r = inbox->store_flags(all, FlagMode::Add, flags(0, kws));
    ASSERT_TRUE(r.ok()) << r.error().text;
    EXPECT_EQ(r->changed.size(), static_cast<std::size_t>(n));
    EXPECT_NE(status_stamp_on_disk(root).index_ino, ino_before);
    EXPECT_LE(max_append->load(), fmt::kMaxJournalBatch + fmt::kBatchHeaderSize);  // never journaled
    const auto after = inbox->snapshot();
    inbox.reset();
    Store fresh;
    auto again = open_ok(fresh, root);
    ASSERT_TRUE(again);
    auto s = again->snapshot();
    EXPECT_EQ(s->uidvalidity, after->uidvalidity);
    EXPECT_EQ(s->uidnext, after->uidnext);
    EXPECT_EQ(s->highestmodseq, after->highestmodseq);
    EXPECT_EQ(s->messages.find(7)->flags.keywords.size(), 64u);
}

// ---- 2. damage in the middle, short reads

TEST(Hardening, DamageFarBeforeAGoodBatchIsUnreadable) {
    auto s = sample(5);
    std::string image = image_of(*s, 9);
    const auto b1 = image.size();
    image += fmt::frame_batch(9, image.size(), add_batch(6, 6)).value();
    image += fmt::frame_batch(9, image.size(), add_batch(7, 7)).value();
    // The first journal batch's length field is damaged: it now points past the end, so the
    // batch right "after" it is not where the next valid one starts.
    auto bad = image;
    bad[b1 + 2] = '\x40';
    auto p = fmt::parse_image(bad);
    EXPECT_EQ(p.kind, fmt::Parsed::Kind::Unreadable);

    TempDir t;
    write_file(t.path() / "tern-index", bad);
    IndexFile f(t.path() / "tern-index", {});
    EXPECT_EQ(f.load().kind, IndexFile::Loaded::Kind::Unreadable);
    EXPECT_EQ(read_file(t.path() / "tern-index"), bad);  // never truncated
}

TEST(Hardening, ReadErrorsAndShortReadsCutNothing) {
    TempDir t;
    const auto path = t.path() / "tern-index";
    std::string image = image_of(*sample(5), 9);
    image += fmt::frame_batch(9, image.size(), add_batch(6, 6)).value();
    write_file(path, image);
    for (int mode : {0, 1}) {
        IoHooks h;
        h.pread = [mode](int fd, void* data, std::size_t size, off_t off) -> ssize_t {
            if (mode == 0) {
                errno = EIO;
                return -1;
            }
            if (off > 0) return 0;  // the file "ends" after the first read
            return ::pread(fd, data, std::min<std::size_t>(size, 40), off);
        };
        IndexFile f(path, h);
        auto l = f.load();
        EXPECT_EQ(l.kind, IndexFile::Loaded::Kind::Failed) << mode;
        EXPECT_FALSE(f.is_open());
        EXPECT_EQ(read_file(path), image) << mode;
    }
    IndexFile ok(path, {});
    auto l = ok.load();
    ASSERT_EQ(l.kind, IndexFile::Loaded::Kind::Ok);
    EXPECT_EQ(l.snapshot->uidnext, 7u);
}

// ---- 3. temporary errors are not corruption

TEST(Hardening, TemporaryIndexErrorsChangeNothing) {
    TempDir t;
    const auto root = t.path() / "u";
    for (int i = 0; i < 3; ++i) deliver(root, i);
    { Store s; ASSERT_TRUE(open_ok(s, root)); }
    const auto index = root / "tern-index";
    const auto original = read_file(index);
    auto fail = std::make_shared<std::atomic<int>>(EMFILE);
    Store::Options o;
    o.hooks.pread = [fail](int fd, void* data, std::size_t size, off_t off) -> ssize_t {
        if (int e = fail->load()) {
            errno = e;
            return -1;
        }
        return ::pread(fd, data, size, off);
    };
    Store store(o);
    auto f = store.open(root, "INBOX");
    if (f.ok()) {
        auto s = (*f)->sync();
        ASSERT_FALSE(s.ok());
        EXPECT_EQ(s.error().code, ErrorCode::Io);
    } else {
        EXPECT_EQ(f.error().code, ErrorCode::Io);
    }
    EXPECT_EQ(read_file(index), original);  // no rebuild, no rewrite
    fail->store(0);
    auto inbox = open_ok(store, root);
    ASSERT_TRUE(inbox);
    const auto uv = sync_ok(*inbox)->uidvalidity;

    // Loaded: another process appends; a read error then must not rewrite over its index.
    {
        IndexFile other(index, {});
        auto l = other.load();
        ASSERT_EQ(l.kind, IndexFile::Loaded::Kind::Ok);
        fmt::EntryWriter w;
        w.state(l.snapshot->uidnext + 10, l.snapshot->highestmodseq + 10);
        ASSERT_TRUE(other.append(w.bytes(), true).ok());
    }
    const auto newer = read_file(index);
    fail->store(EIO);
    auto s = inbox->sync();
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, ErrorCode::Io);
    EXPECT_EQ(read_file(index), newer);
    fail->store(0);
    auto s2 = sync_ok(*inbox);
    EXPECT_EQ(s2->uidvalidity, uv);
    EXPECT_EQ(s2->uidnext, 14u);
}

// ---- 4. rewrite() after the rename

TEST(Hardening, RewriteSucceedsOnceRenamedAndRetriesTheDirectorySync) {
    TempDir t;
    auto fail_dirs = std::make_shared<std::atomic<bool>>(true);
    IoHooks h;
    h.fsync = [fail_dirs](int fd) {
        struct stat st {};
        if (fail_dirs->load() && ::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
            errno = EIO;
            return -1;
        }
        return ::fsync(fd);
    };
    IndexFile f(t.path() / "tern-index", h);
    ASSERT_TRUE(f.rewrite(*sample(4), {}).ok());
    EXPECT_TRUE(f.dir_sync_pending());
    EXPECT_FALSE(f.append(add_batch(5, 5), true).ok());  // not built on a non-durable rename
    fail_dirs->store(false);
    ASSERT_TRUE(f.append(add_batch(5, 5), true).ok());
    EXPECT_FALSE(f.dir_sync_pending());
    IndexFile g(t.path() / "tern-index", {});
    auto l = g.load();
    ASSERT_EQ(l.kind, IndexFile::Loaded::Kind::Ok);
    EXPECT_EQ(l.snapshot->uidnext, 6u);
}

// ---- 5. validation on load, UID exhaustion at run time

TEST(Hardening, ImpossibleRecordsAreUnreadable) {
    auto base = image_of(*sample(2), 5);
    for (auto batch : {add_batch(UINT32_MAX, 9), add_batch(3, 9, "../../etc/passwd"), add_batch(3, 9, "a/b"),
                       add_batch(3, 9, ".hidden"), add_batch(3, 9, "x:2,S"), add_batch(3, 9, std::string("a\0b", 3)),
                       add_batch(3, 9, std::string(300, 'a'))}) {
        auto p = fmt::parse_image(base + fmt::frame_batch(5, base.size(), batch).value());
        EXPECT_EQ(p.kind, fmt::Parsed::Kind::Unreadable) << p.error;
    }
    auto ok = fmt::parse_image(base + fmt::frame_batch(5, base.size(), add_batch(3, 9, "1.R,S=5,W=6")).value());
    EXPECT_EQ(ok.kind, fmt::Parsed::Kind::Ok);
    SnapshotEditor ed(1);
    EXPECT_FALSE(ed.add(rec(UINT32_MAX, 1)));
    EXPECT_EQ(ed.uidnext(), 1u);
}

TEST(Hardening, NoUidIsAssignedAtUint32Max) {
    TempDir t;
    const auto root = t.path() / "u";
    ASSERT_TRUE(store::ensure_maildir(root).is_ok());
    {
        SnapshotEditor ed(77);
        ed.raise_uidnext(UINT32_MAX - 1);
        IndexFile f(root / "tern-index", {});
        ASSERT_TRUE(f.rewrite(*std::move(ed).finish(), {}).ok());
    }
    Store store;
    ASSERT_TRUE(store.create(root, "Dest").ok());
    auto inbox = open_ok(store, root);
    ASSERT_TRUE(inbox);
    auto a = inbox->append(message_text(1), {}, 0);
    ASSERT_TRUE(a.ok()) << a.error().text;
    EXPECT_EQ(a->uid, UINT32_MAX - 1);
    auto b = inbox->append(message_text(2), {}, 0);
    ASSERT_FALSE(b.ok());
    EXPECT_EQ(b.error().code, ErrorCode::Limit);
    EXPECT_EQ(list_dir(root / "cur").size(), 1u);
    EXPECT_TRUE(list_dir(root / "tmp").empty());
    EXPECT_EQ(inbox->snapshot()->uidnext, UINT32_MAX);
    // A delivery is not adopted, and the sync still works.
    deliver(root, 5);
    auto s = sync_ok(*inbox);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->messages.size(), 1u);
    // COPY into the exhausted folder fails and leaves no file behind.
    auto dest = open_ok(store, root, "Dest");
    ASSERT_TRUE(dest->append(message_text(3), {}, 0).ok());
    auto c = dest->copy({1}, *inbox);
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.error().code, ErrorCode::Limit);
    EXPECT_EQ(list_dir(root / "cur").size(), 1u);
}

// ---- 6. symlinks and FIFOs

TEST(Hardening, SymlinkedFoldersAndSubdirsAreNotFollowed) {
    TempDir t;
    const auto root = t.path() / "u";
    const auto elsewhere = t.path() / "elsewhere";
    deliver(root, 1);
    deliver(elsewhere, 2);
    ASSERT_EQ(::symlink(elsewhere.c_str(), (root / ".Link").c_str()), 0);
    Store store;
    auto l = store.list(root);
    ASSERT_TRUE(l.ok());
    for (const auto& f : *l) EXPECT_NE(f.name, "Link");
    auto opened = store.open(root, "Link");
    if (opened.ok()) {
        EXPECT_FALSE((*opened)->sync().ok());
    }
    // A folder whose cur/ is a symlink (to a Maildir with a message): an error, and nothing
    // read or written through it.
    for (const auto& n : list_dir(elsewhere / "new"))
        fs::rename(elsewhere / "new" / n, elsewhere / "cur" / (n + ":2,"));
    ASSERT_TRUE(store.create(root, "Real").ok());
    const auto real = root / ".Real";
    fs::remove_all(real / "cur");
    ASSERT_EQ(::symlink((elsewhere / "cur").c_str(), (real / "cur").c_str()), 0);
    auto f = store.open(root, "Real");
    EXPECT_FALSE(f.ok() && (*f)->sync().ok());
    EXPECT_FALSE(fs::exists(elsewhere / "tern-index"));
    EXPECT_EQ(list_dir(elsewhere / "cur").size(), 1u);
    EXPECT_EQ(io::make_dir(real / "cur"), ENOTDIR);  // a symlink is not an existing directory
}

TEST(Hardening, AFifoCannotBlockAReader) {
    TempDir t;
    const auto root = t.path() / "u";
    deliver(root, 1);
    Store store;
    auto inbox = open_ok(store, root);
    ASSERT_TRUE(inbox);
    const auto name = inbox->snapshot()->messages.find(1)->file_name();
    ASSERT_EQ(::unlink((root / "cur" / name).c_str()), 0);
    ASSERT_EQ(::mkfifo((root / "cur" / name).c_str(), 0600), 0);
    auto fut = std::async(std::launch::async, [&] { return inbox->read_message(1).ok(); });
    ASSERT_EQ(fut.wait_for(std::chrono::seconds(5)), std::future_status::ready) << "blocked on a FIFO";
    EXPECT_FALSE(fut.get());
    int err = 0;
    EXPECT_FALSE(io::read_file(root / "cur" / name, err).has_value());
    EXPECT_EQ(err, EINVAL);
}

// ---- 7. planted hard links at temp names

TEST(Hardening, PlantedTempLinksAreNotWrittenThrough) {
    TempDir t;
    const auto root = t.path() / "u";
    deliver(root, 1);
    const auto victim = t.path() / "victim";
    write_file(victim, "precious");
    ASSERT_EQ(::link(victim.c_str(), (root / "tern-index.tmp").c_str()), 0);
    {
        Store store;
        ASSERT_TRUE(open_ok(store, root));  // creates the index by rewrite()
    }
    EXPECT_EQ(read_file(victim), "precious");
    const auto target = t.path() / "file";
    fs::path tmp = target;
    tmp += ".tmp";
    ASSERT_EQ(::link(victim.c_str(), tmp.c_str()), 0);
    ASSERT_TRUE(io::write_file_atomic({}, target, "new content").ok());
    EXPECT_EQ(read_file(victim), "precious");
    EXPECT_EQ(read_file(target), "new content");
}

// ---- 8. flock errors

TEST(Hardening, FlockErrorsAreReportedAndEintrRetried) {
    TempDir t;
    const auto root = t.path() / "u";
    deliver(root, 1);
    auto mode = std::make_shared<std::atomic<int>>(0);  // 0 ok, 1 one EINTR, 2 ENOLCK
    Store::Options o;
    o.hooks.flock = [mode](int fd, int op) {
        if ((op & LOCK_UN) == 0) {
            int m = mode->load();
            if (m == 1) {
                mode->store(0);
                errno = EINTR;
                return -1;
            }
            if (m == 2) {
                errno = ENOLCK;
                return -1;
            }
        }
        return ::flock(fd, op);
    };
    Store store(o);
    mode->store(1);
    auto inbox = open_ok(store, root);
    ASSERT_TRUE(inbox);
    mode->store(2);
    auto s = inbox->sync(SyncMode::Full);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, ErrorCode::Io);
    EXPECT_FALSE(inbox->append(message_text(2), {}, 0).ok());
    EXPECT_TRUE(list_dir(root / "tmp").empty());
    mode->store(1);
    EXPECT_TRUE(sync_ok(*inbox, SyncMode::Full));
    EXPECT_TRUE(inbox->append(message_text(3), {}, 0).ok());
}

// ---- 9. expunge reports what it could not remove

TEST(Hardening, ExpungeReportsMessagesItCouldNotRemove) {
    TempDir t;
    const auto root = t.path() / "u";
    for (int i = 0; i < 3; ++i) deliver(root, i);
    auto hook_armed = std::make_shared<std::atomic<bool>>(false);
    auto move_away = std::make_shared<std::function<void()>>();
    Store::Options o;
    o.hooks.pwrite = [hook_armed, move_away](int fd, const void* data, std::size_t size, off_t off) -> ssize_t {
        if (hook_armed->exchange(false)) (*move_away)();
        return ::pwrite(fd, data, size, off);
    };
    Store store(o);
    auto inbox = open_ok(store, root);
    ASSERT_TRUE(inbox);
    const auto name2 = inbox->snapshot()->messages.find(2)->file_name();
    const auto base2 = inbox->snapshot()->messages.find(2)->base;
    // Another program keeps moving message 2's file to new/ (the first rescan puts it back,
    // then it is moved again while the rescan commits), and a delivery makes the rescan commit.
    *move_away = [&] { ::rename((root / "cur" / name2).c_str(), (root / "new" / base2).c_str()); };
    (*move_away)();
    deliver(root, 9);
    hook_armed->store(true);
    auto r = inbox->expunge({1, 2, 3, 77});
    ASSERT_TRUE(r.ok()) << r.error().text;
    EXPECT_EQ(r->expunged, (std::vector<std::uint32_t>{1, 3}));
    EXPECT_EQ(r->failed, (std::vector<std::uint32_t>{2}));
    EXPECT_NE(r->snapshot->messages.find(2), nullptr);
}

}  // namespace
}  // namespace tern::mailbox::test
