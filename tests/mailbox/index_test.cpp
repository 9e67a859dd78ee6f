// The index format and file: round trips, torn tails cut at every byte, damage in the middle,
// and the durable append / atomic rewrite cycle.
#include "mailbox/index_file.hpp"

#include <gtest/gtest.h>

#include "mailbox/index_format.hpp"
#include "support/temp_dir.hpp"

namespace tern::mailbox {
namespace {

namespace fmt = index_format;
using tern::test::read_file;
using tern::test::TempDir;
using tern::test::write_file;

MessageRecord rec(std::uint32_t uid, std::uint64_t modseq) {
    MessageRecord m;
    m.uid = uid;
    m.modseq = modseq;
    m.flags.system = static_cast<std::uint8_t>(uid % 64);
    if (uid % 3 == 0) m.flags.keywords = {"$Junk", "$label" + std::to_string(uid)};
    m.internal_date = 1700000000 + uid;
    m.rfc822_size = 1000 + uid;
    m.disk_size = 980 + uid;
    m.base = "1700000000.R" + std::to_string(uid) + "_0.host,S=" + std::to_string(980 + uid);
    m.extra_info = uid % 7 == 0 ? "ab" : "";
    return m;
}

SnapshotPtr sample(std::uint32_t n) {
    SnapshotEditor ed(4242);
    for (std::uint32_t u = 1; u <= n; ++u) ed.add(rec(u, u));
    ed.expunge({2, 3, 4, 9}, n + 1);
    return std::move(ed).finish();
}

void expect_same(const Snapshot& a, const Snapshot& b) {
    EXPECT_EQ(a.uidvalidity, b.uidvalidity);
    EXPECT_EQ(a.uidnext, b.uidnext);
    EXPECT_EQ(a.highestmodseq, b.highestmodseq);
    ASSERT_EQ(a.messages.size(), b.messages.size());
    for (std::size_t i = 0; i < a.messages.size(); ++i) EXPECT_EQ(a.messages[i], b.messages[i]);
    EXPECT_EQ(a.expunged->ranges(), b.expunged->ranges());
    EXPECT_EQ(a.status(), b.status());
}

std::string image_of(const Snapshot& s, std::uint64_t nonce, fmt::DirStamps dirs = {}) {
    std::string image = fmt::encode_header({s.uidvalidity, nonce});
    for (const auto& p : fmt::snapshot_payloads(s, dirs)) image += fmt::frame_batch(nonce, image.size(), p).value();
    return image;
}

TEST(IndexFormat, SnapshotRoundTrip) {
    auto s = sample(3000);  // several 256 KiB batches? no: ~100 B each, so two batches
    fmt::DirStamps dirs{123456789, -5};
    auto image = image_of(*s, 99, dirs);
    auto p = fmt::parse_image(image);
    ASSERT_EQ(p.kind, fmt::Parsed::Kind::Ok) << p.error;
    expect_same(*s, *p.snapshot);
    EXPECT_EQ(p.dirs, dirs);
    EXPECT_EQ(p.torn_bytes, 0u);
    EXPECT_EQ(p.good_length, image.size());
}

TEST(IndexFormat, HeaderIsChecked) {
    auto image = image_of(*sample(5), 1);
    for (std::size_t i = 0; i < fmt::kHeaderSize; ++i) {
        auto bad = image;
        bad[i] ^= 0x20;
        EXPECT_EQ(fmt::parse_image(bad).kind, fmt::Parsed::Kind::Unreadable) << i;
    }
    EXPECT_EQ(fmt::parse_image(image.substr(0, 10)).kind, fmt::Parsed::Kind::Unreadable);
    EXPECT_EQ(fmt::parse_header(fmt::encode_header({77, 5}))->uidvalidity, 77u);
}

// A crash while the last batch was being written: any prefix of it must yield exactly the
// state before it — never a UID going backwards, never half a batch.
TEST(IndexFormat, TornTailAtEveryByteIsDropped) {
    auto before = sample(20);
    std::string image = image_of(*before, 7);
    const auto good = image.size();
    SnapshotEditor ed(*before);
    fmt::EntryWriter w;
    for (std::uint32_t u = 21; u <= 23; ++u) {
        auto m = rec(u, 30);
        w.add(m);
        ed.add(m);
    }
    auto f = *ed.find(5);
    f.flags.system = flag::kSeen;
    f.modseq = 30;
    w.flags(f);
    ed.update(f);
    w.expunge(30, {6, 7});
    ed.expunge({6, 7}, 30);
    w.state(ed.uidnext(), ed.highestmodseq());
    auto after = std::move(ed).finish();
    image += fmt::frame_batch(7, image.size(), w.bytes()).value();
    auto full = fmt::parse_image(image);
    ASSERT_EQ(full.kind, fmt::Parsed::Kind::Ok);
    expect_same(*after, *full.snapshot);
    for (std::size_t cut = good; cut < image.size(); ++cut) {
        auto p = fmt::parse_image(std::string_view(image).substr(0, cut));
        ASSERT_EQ(p.kind, fmt::Parsed::Kind::Ok) << cut;
        EXPECT_EQ(p.good_length, good) << cut;
        EXPECT_EQ(p.torn_bytes, cut - good);
        expect_same(*before, *p.snapshot);
    }
    // Garbage (zeros, as a crash can leave after an extended size) is a torn tail too.
    auto zeros = image.substr(0, good) + std::string(100, '\0');
    EXPECT_EQ(fmt::parse_image(zeros).good_length, good);
}

TEST(IndexFormat, DamageBeforeAGoodBatchIsUnreadable) {
    auto s = sample(20);
    std::string image = image_of(*s, 7);
    const auto first_batch_end = image.size();
    fmt::EntryWriter w;
    w.state(s->uidnext + 5, s->highestmodseq + 1);
    image += fmt::frame_batch(7, image.size(), w.bytes()).value();
    // Flip a byte inside the snapshot's batch: the journal batch after it still validates.
    auto bad = image;
    bad[first_batch_end - 3] ^= 1;
    auto p = fmt::parse_image(bad);
    EXPECT_EQ(p.kind, fmt::Parsed::Kind::Unreadable);
    // A batch copied to another offset does not validate there (the CRC binds the offset).
    auto copied = image + image.substr(first_batch_end);
    auto q = fmt::parse_image(copied);
    EXPECT_EQ(q.kind, fmt::Parsed::Kind::Ok);
    EXPECT_EQ(q.good_length, image.size());
}

TEST(IndexFormat, InconsistentBatchesAreUnreadable) {
    auto s = sample(5);
    std::string image = image_of(*s, 3);
    fmt::EntryWriter w;
    w.add(rec(2, 50));  // below UIDNEXT: UIDs may never go back
    auto p = fmt::parse_image(image + fmt::frame_batch(3, image.size(), w.bytes()).value());
    EXPECT_EQ(p.kind, fmt::Parsed::Kind::Unreadable);
    std::string junk(1, '\x7f');
    auto q = fmt::parse_image(image + fmt::frame_batch(3, image.size(), junk).value());
    EXPECT_EQ(q.kind, fmt::Parsed::Kind::Unreadable);
}

TEST(IndexFile, AppendRewriteAndReload) {
    TempDir t;
    const auto path = t.path() / "tern-index";
    IndexFile f(path, {});
    EXPECT_EQ(f.load().kind, IndexFile::Loaded::Kind::Missing);
    auto s = sample(100);
    ASSERT_TRUE(f.rewrite(*s, {1, 2}).ok());
    SnapshotEditor ed(*s);
    fmt::EntryWriter w;
    w.add(rec(101, 200));
    ed.add(rec(101, 200));
    w.state(ed.uidnext(), ed.highestmodseq());
    auto s2 = std::move(ed).finish();
    ASSERT_TRUE(f.append(w.bytes(), true).ok());
    EXPECT_FALSE(f.changed_on_disk());
    const auto size = f.size();

    IndexFile g(path, {});
    auto l = g.load();
    ASSERT_EQ(l.kind, IndexFile::Loaded::Kind::Ok) << l.error;
    expect_same(*s2, *l.snapshot);
    EXPECT_EQ(l.dirs, (fmt::DirStamps{1, 2}));
    EXPECT_TRUE(f.changed_on_disk() == false);  // g only read it

    // A torn append on disk is cut off by the next load.
    auto bytes = read_file(path);
    write_file(path, bytes + std::string("\x10\x00\x00\x00garbage", 11));
    IndexFile h(path, {});
    auto l2 = h.load();
    ASSERT_EQ(l2.kind, IndexFile::Loaded::Kind::Ok);
    EXPECT_EQ(l2.torn_bytes, 11u);
    EXPECT_EQ(read_file(path).size(), size);
    expect_same(*s2, *l2.snapshot);
    EXPECT_TRUE(f.changed_on_disk() == false);

    // A rewrite by another writer is noticed.
    ASSERT_TRUE(h.rewrite(*s2, {}).ok());
    EXPECT_TRUE(f.changed_on_disk());
}

}  // namespace
}  // namespace tern::mailbox
