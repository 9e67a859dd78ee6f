// Folder operations: APPEND, STORE (modes, keywords, UNCHANGEDSINCE, modseq), EXPUNGE, COPY,
// MOVE, reading messages, STATUS numbers.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "mailbox/folder.hpp"
#include "support.hpp"

namespace tern::mailbox::test {
namespace {

TEST(FolderOps, AppendStoresLfWithFlagsDateAndSizes) {
    TempDir t;
    const auto root = t.path() / "u";
    Store::Options o;
    o.hostname = "mx.example";
    Store store(o);
    auto inbox = open_ok(store, root);
    const std::string crlf = "Subject: hi\r\n\r\nline one\r\nline two\r\n";
    auto a = inbox->append(crlf, flags(flag::kSeen | flag::kDraft, {"$Todo"}), 1600000000);
    ASSERT_TRUE(a.ok()) << a.error().text;
    EXPECT_EQ(a->uid, 1u);
    EXPECT_EQ(a->uidvalidity, inbox->snapshot()->uidvalidity);
    const auto& m = *a->snapshot->messages.find(1);
    EXPECT_EQ(m.flags.system, flag::kSeen | flag::kDraft);
    EXPECT_EQ(m.flags.keywords, std::vector<std::string>{"$Todo"});
    EXPECT_EQ(m.internal_date, 1600000000);
    EXPECT_EQ(m.rfc822_size, crlf.size());
    EXPECT_EQ(m.disk_size, crlf.size() - 4);
    EXPECT_NE(m.base.find(",S=" + std::to_string(crlf.size() - 4) + ",W=" + std::to_string(crlf.size())),
              std::string::npos);
    EXPECT_NE(m.base.find("mx.example"), std::string::npos);
    const auto path = root / "cur" / m.file_name();
    EXPECT_EQ(m.file_name().substr(m.file_name().size() - 5), ":2,DS");
    EXPECT_EQ(read_file(path), "Subject: hi\n\nline one\nline two\n");
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mtime, 1600000000);
    EXPECT_EQ(*inbox->read_message(1), crlf);
    // An LF message gives the same sizes.
    auto b = inbox->append("Subject: hi\n\nline one\nline two\n", {}, 0);
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(b->uid, 2u);
    EXPECT_EQ(b->snapshot->messages.find(2)->rfc822_size, crlf.size());
    EXPECT_GT(b->snapshot->messages.find(2)->internal_date, 1600000000);  // 0 = now
    // Bad keywords are refused before anything is written.
    auto bad = inbox->append("x\n", flags(0, {"bad keyword"}), 0);
    EXPECT_FALSE(bad.ok());
    EXPECT_EQ(list_dir(root / "cur").size(), 2u);
    EXPECT_TRUE(list_dir(root / "tmp").empty());
}

TEST(FolderOps, StoreModesKeywordsAndModseq) {
    TempDir t;
    const auto root = t.path() / "u";
    for (int i = 0; i < 3; ++i) deliver(root, i);
    Store store;
    auto inbox = open_ok(store, root);
    auto s0 = inbox->snapshot();
    auto r1 = inbox->store_flags({1, 2}, FlagMode::Add, flags(flag::kSeen, {"$Work"}));
    ASSERT_TRUE(r1.ok());
    EXPECT_EQ(r1->changed, (std::vector<std::uint32_t>{1, 2}));
    const auto m1 = r1->snapshot->highestmodseq;
    EXPECT_EQ(m1, s0->highestmodseq + 1);  // one STORE, one modseq
    EXPECT_EQ(r1->snapshot->messages.find(1)->modseq, m1);
    EXPECT_EQ(r1->snapshot->messages.find(3)->modseq, s0->messages.find(3)->modseq);
    EXPECT_EQ(r1->snapshot->unseen, 1u);

    auto r2 = inbox->store_flags({1}, FlagMode::Replace, flags(flag::kFlagged, {"$work", "$Later"}));
    ASSERT_TRUE(r2.ok());
    const auto& m = *r2->snapshot->messages.find(1);
    EXPECT_EQ(m.flags.system, flag::kFlagged);
    EXPECT_EQ(m.flags.keywords, (std::vector<std::string>{"$Later", "$Work"}));
    EXPECT_GT(m.modseq, m1);
    EXPECT_EQ(folder_keywords(*r2->snapshot), (std::vector<std::string>{"$Later", "$Work"}));

    // No change: no new modseq.
    auto r3 = inbox->store_flags({1}, FlagMode::Add, flags(flag::kFlagged));
    ASSERT_TRUE(r3.ok());
    EXPECT_TRUE(r3->changed.empty());
    EXPECT_EQ(r3->snapshot->highestmodseq, r2->snapshot->highestmodseq);

    // UNCHANGEDSINCE (RFC 7162 3.1.3): message 1 changed after m1, message 2 did not.
    auto r4 = inbox->store_flags({1, 2, 77}, FlagMode::Add, flags(flag::kDeleted), m1);
    ASSERT_TRUE(r4.ok());
    EXPECT_EQ(r4->modified, std::vector<std::uint32_t>{1});
    EXPECT_EQ(r4->changed, std::vector<std::uint32_t>{2});
    EXPECT_FALSE(r4->snapshot->messages.find(1)->flags.has(flag::kDeleted));
    EXPECT_EQ(r4->snapshot->deleted, 1u);

    // The keyword limit is checked before anything changes.
    std::vector<std::string> many;
    for (std::size_t i = 0; i < kMaxKeywordsPerMessage; ++i) many.push_back("k" + std::to_string(i));
    auto r5 = inbox->store_flags({3}, FlagMode::Add, flags(0, many));
    ASSERT_TRUE(r5.ok());
    auto r6 = inbox->store_flags({3}, FlagMode::Add, flags(0, {"one-more"}));
    ASSERT_FALSE(r6.ok());
    EXPECT_EQ(r6.error().code, ErrorCode::Limit);

    // Everything above survives a restart, keywords included.
    auto final_snap = inbox->snapshot();
    inbox.reset();
    Store again;
    auto reopened = open_ok(again, root)->snapshot();
    for (const auto& rec : final_snap->messages) EXPECT_EQ(*reopened->messages.find(rec.uid), rec);
    EXPECT_EQ(reopened->highestmodseq, final_snap->highestmodseq);
}

TEST(FolderOps, ExpungeRemovesFilesAndRemembersUids) {
    TempDir t;
    const auto root = t.path() / "u";
    for (int i = 0; i < 5; ++i) deliver(root, i);
    Store store;
    auto inbox = open_ok(store, root);
    ASSERT_TRUE(inbox->store_flags({2, 4}, FlagMode::Add, flags(flag::kDeleted)).ok());
    auto before = inbox->snapshot();
    auto e = inbox->expunge(deleted_uids(*before));
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(e->expunged, (std::vector<std::uint32_t>{2, 4}));
    EXPECT_EQ(uids_of(*e->snapshot), (std::vector<std::uint32_t>{1, 3, 5}));
    EXPECT_EQ(list_dir(root / "cur").size(), 3u);
    EXPECT_TRUE(list_dir(root / "tmp").empty());
    EXPECT_EQ(e->snapshot->expunged->since(before->highestmodseq),
              (std::vector<std::pair<std::uint32_t, std::uint32_t>>{{2, 2}, {4, 4}}));
    auto again = inbox->expunge({2, 4, 99});
    ASSERT_TRUE(again.ok());
    EXPECT_TRUE(again->expunged.empty());
    expect_consistent(root, *inbox->snapshot());
}

TEST(FolderOps, CopyAndMoveBetweenFolders) {
    TempDir t;
    const auto root = t.path() / "u";
    for (int i = 0; i < 4; ++i) deliver(root, i);
    Store store;
    ASSERT_TRUE(store.create(root, "Archive").ok());
    auto inbox = open_ok(store, root);
    auto archive = open_ok(store, root, "Archive");
    ASSERT_TRUE(inbox->store_flags({1}, FlagMode::Add, flags(flag::kFlagged, {"$Keep"})).ok());
    auto c = inbox->copy({1, 2, 42}, *archive);
    ASSERT_TRUE(c.ok()) << c.error().text;
    EXPECT_EQ(c->dest_uidvalidity, archive->snapshot()->uidvalidity);
    EXPECT_EQ(c->uids, (std::vector<std::pair<std::uint32_t, std::uint32_t>>{{1, 1}, {2, 2}}));
    auto as = archive->snapshot();
    const auto& copied = *as->messages.find(1);
    const auto inbox_snap = inbox->snapshot();
    const auto& original = *inbox_snap->messages.find(1);
    EXPECT_EQ(copied.flags, original.flags);
    EXPECT_EQ(copied.internal_date, original.internal_date);
    EXPECT_EQ(copied.rfc822_size, original.rfc822_size);
    EXPECT_NE(copied.base, original.base);
    EXPECT_EQ(*archive->read_message(1), *inbox->read_message(1));
    // A hard link: same inode.
    struct stat a {}, b {};
    ASSERT_EQ(::stat((root / "cur" / original.file_name()).c_str(), &a), 0);
    ASSERT_EQ(::stat((root / ".Archive" / "cur" / copied.file_name()).c_str(), &b), 0);
    EXPECT_EQ(a.st_ino, b.st_ino);
    // Flags of the two copies are independent.
    ASSERT_TRUE(archive->store_flags({1}, FlagMode::Add, flags(flag::kSeen)).ok());
    EXPECT_FALSE(inbox->snapshot()->messages.find(1)->flags.has(flag::kSeen));

    auto m = inbox->move({3, 4}, *archive);
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(m->uids, (std::vector<std::pair<std::uint32_t, std::uint32_t>>{{3, 3}, {4, 4}}));
    EXPECT_EQ(uids_of(*inbox->snapshot()), (std::vector<std::uint32_t>{1, 2}));
    EXPECT_EQ(uids_of(*archive->snapshot()), (std::vector<std::uint32_t>{1, 2, 3, 4}));
    expect_consistent(root, *inbox->snapshot());
    expect_consistent(root / ".Archive", *archive->snapshot());
    // Copy within one folder.
    auto self = inbox->copy({1}, *inbox);
    ASSERT_TRUE(self.ok());
    EXPECT_EQ(self->uids, (std::vector<std::pair<std::uint32_t, std::uint32_t>>{{1, 5}}));
    expect_consistent(root, *inbox->snapshot());
}

TEST(FolderOps, CopyFindsAFileRenamedByAnotherProgram) {
    TempDir t;
    const auto root = t.path() / "u";
    deliver(root, 1);
    Store store;
    ASSERT_TRUE(store.create(root, "Other").ok());
    auto inbox = open_ok(store, root);
    auto other = open_ok(store, root, "Other");
    const auto snap = inbox->snapshot();
    const auto& m = *snap->messages.find(1);
    ASSERT_EQ(::rename((root / "cur" / m.file_name()).c_str(), (root / "cur" / (m.base + ":2,S")).c_str()), 0);
    auto c = inbox->copy({1}, *other);
    ASSERT_TRUE(c.ok());
    ASSERT_EQ(c->uids.size(), 1u);
    EXPECT_TRUE(other->snapshot()->messages.find(1)->flags.has(flag::kSeen));
}

TEST(FolderOps, StatusNumbers) {
    TempDir t;
    const auto root = t.path() / "u";
    for (int i = 0; i < 4; ++i) deliver(root, i);
    Store store;
    auto st = store.status(root, "INBOX");
    ASSERT_TRUE(st.ok());
    EXPECT_EQ(st->messages, 4u);
    EXPECT_EQ(st->unseen, 4u);
    EXPECT_EQ(st->uidnext, 5u);
    auto inbox = open_ok(store, root);
    ASSERT_TRUE(inbox->store_flags({1, 2}, FlagMode::Add, flags(flag::kSeen)).ok());
    ASSERT_TRUE(inbox->store_flags({2}, FlagMode::Add, flags(flag::kDeleted)).ok());
    auto st2 = store.status(root, "INBOX");
    EXPECT_EQ(st2->unseen, 2u);
    EXPECT_EQ(st2->deleted, 1u);
    std::uint64_t size = 0;
    for (int i = 0; i < 4; ++i) size += message_text(i).size();
    EXPECT_EQ(st2->size, size);
    EXPECT_EQ(st2->highestmodseq, inbox->snapshot()->highestmodseq);
    deliver(root, 9);  // picked up by the next STATUS
    EXPECT_EQ(store.status(root, "INBOX")->messages, 5u);
    EXPECT_FALSE(store.status(root, "Nope").ok());
}

TEST(FolderOps, OpenMessageStaysReadableAfterExpunge) {
    TempDir t;
    const auto root = t.path() / "u";
    deliver(root, 1);
    Store store;
    auto inbox = open_ok(store, root);
    auto f = inbox->open_message(1);
    ASSERT_TRUE(f.ok());
    EXPECT_EQ(f->rfc822_size, message_text(1).size());
    ASSERT_TRUE(inbox->expunge({1}).ok());
    char buf[8] = {};
    EXPECT_EQ(::pread(f->fd.get(), buf, 5, 0), 5);
    EXPECT_EQ(std::string(buf, 5), "From:");
    EXPECT_EQ(inbox->open_message(1).error().code, ErrorCode::NotFound);
}

}  // namespace
}  // namespace tern::mailbox::test
