// Shared by the mailbox tests: a user's Maildir in a temp dir, deliveries the way the SMTP
// side makes them (store::deliver), and checks on the files in new/ and cur/.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "mailbox/flags.hpp"
#include "mailbox/store.hpp"
#include "store/maildir.hpp"
#include "support/temp_dir.hpp"

namespace tern::mailbox::test {

namespace fs = std::filesystem;
using tern::test::list_dir;
using tern::test::read_file;
using tern::test::TempDir;
using tern::test::write_file;

inline std::string message_text(int n, std::size_t body = 40) {
    return "From: a@example.test\r\nSubject: message " + std::to_string(n) + "\r\n\r\n" +
           std::string(body, static_cast<char>('a' + n % 26)) + "\r\n";
}

// Delivers like the SMTP side: new/<base>,S=..,W=.. via tmp/ + fsync + rename.
inline std::string deliver(const fs::path& maildir, int n) {
    std::string base = "1700000000.R" + std::to_string(n) + "_0.host";
    auto out = store::deliver(maildir, base, "", message_text(n));
    EXPECT_TRUE(out.is_ok()) << out.str();
    return base;
}

inline std::shared_ptr<Folder> open_ok(Store& store, const fs::path& root, std::string_view name = "INBOX") {
    auto f = store.open(root, name);
    EXPECT_TRUE(f.ok()) << (f.ok() ? "" : f.error().text);
    return f.ok() ? *f : nullptr;
}

inline SnapshotPtr sync_ok(Folder& f, SyncMode mode = SyncMode::IfChanged) {
    auto s = f.sync(mode);
    EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().text);
    return s.ok() ? *s : nullptr;
}

inline std::vector<std::uint32_t> uids_of(const Snapshot& s) {
    std::vector<std::uint32_t> out;
    for (const auto& m : s.messages) out.push_back(m.uid);
    return out;
}

// base -> uid, failing the test on a duplicate base or UID, or a UID not ascending.
inline std::map<std::string, std::uint32_t> base_map(const Snapshot& s) {
    std::map<std::string, std::uint32_t> out;
    std::uint32_t last = 0;
    for (const auto& m : s.messages) {
        EXPECT_GT(m.uid, last) << "UIDs not ascending";
        last = m.uid;
        EXPECT_TRUE(out.emplace(m.base, m.uid).second) << "duplicate base " << m.base;
    }
    EXPECT_GT(s.uidnext, last);
    return out;
}

// The bases of the message files in new/ and cur/.
inline std::multiset<std::string> bases_on_disk(const fs::path& maildir) {
    std::multiset<std::string> out;
    for (const char* sub : {"new", "cur"})
        for (const auto& n : list_dir(maildir / sub)) out.insert(std::string(split_file_name(n).base));
    return out;
}

// Every file has exactly one record and every record one file.
inline void expect_consistent(const fs::path& maildir, const Snapshot& s) {
    auto disk = bases_on_disk(maildir);
    auto index = base_map(s);
    EXPECT_EQ(disk.size(), index.size());
    for (const auto& b : disk) EXPECT_EQ(disk.count(b), 1u) << b;
    for (const auto& [b, uid] : index) EXPECT_EQ(disk.count(b), 1u) << "record without file: " << b;
    EXPECT_TRUE(list_dir(maildir / "new").empty());
}

inline Flags flags(std::uint8_t system, std::vector<std::string> keywords = {}) {
    Flags f;
    f.system = system;
    for (auto& k : keywords) add_keyword(f.keywords, std::move(k));
    return f;
}

}  // namespace tern::mailbox::test
