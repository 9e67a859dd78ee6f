// Folder names: the mapping to Maildir++ directory names and every hostile name refused.
#include "mailbox/folder_name.hpp"

#include <gtest/gtest.h>

namespace tern::mailbox {
namespace {

std::string disk(std::string_view name) {
    auto f = parse_folder_name(name);
    EXPECT_TRUE(f.ok()) << name;
    return f.ok() ? f->disk : "<refused>";
}

TEST(FolderName, Mapping) {
    EXPECT_EQ(disk("INBOX"), "");
    EXPECT_EQ(disk("inbox"), "");
    EXPECT_EQ(parse_folder_name("iNbOx")->name, "INBOX");
    EXPECT_EQ(disk("Archive/2026"), ".Archive.2026");
    EXPECT_EQ(disk("inbox/Sub"), ".INBOX.Sub");
    EXPECT_EQ(parse_folder_name("inbox/Sub")->name, "INBOX/Sub");
    EXPECT_EQ(disk("Tom & Jerry"), ".Tom &- Jerry");
    // Non-ASCII in modified UTF-7, as Dovecot stores it; the RFC 3501 example.
    EXPECT_EQ(disk("~peter/mail/\xE5\x8F\xB0\xE5\x8C\x97/\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E"),
              ".~peter.mail.&U,BTFw-.&ZeVnLIqe-");
    // '.' and the escape character itself are escaped Dovecot-style.
    EXPECT_EQ(disk("v1.2"), ".v1^2e2");
    EXPECT_EQ(disk("a^b"), ".a^5eb");
    EXPECT_EQ(disk(".hidden"), ".^2ehidden");
    EXPECT_EQ(disk("..."), ".^2e^2e^2e");
}

TEST(FolderName, DiskRoundTrip) {
    for (const char* name : {"Archive/2026", "v1.2", "a^b", ".hidden", "Tom & Jerry", "Entw\xC3\xBCrfe",
                             "\xF0\x9F\x98\x80 smile", "a/b/c/d", "INBOX/Sub", "new", "cur", "tmp"}) {
        auto f = parse_folder_name(name);
        ASSERT_TRUE(f.ok()) << name;
        EXPECT_EQ(folder_name_from_disk(f->disk), f->name) << name;
    }
}

TEST(FolderName, HostileNamesAreRefused) {
    const std::string nul("a\0b", 3);
    for (std::string_view bad : {std::string_view(""), std::string_view(nul), std::string_view("../x"),
                                 std::string_view("a/../../b"), std::string_view(".."), std::string_view("."),
                                 std::string_view("a/./b"), std::string_view("/a"), std::string_view("a/"),
                                 std::string_view("a//b"), std::string_view("a\nb"), std::string_view("a\rb"),
                                 std::string_view("tab\there"), std::string_view("del\x7f"),
                                 std::string_view("c1\xC2\x85"), std::string_view("bad\xFF"),
                                 std::string_view("\xC0\xAF"), std::string_view("wild*"), std::string_view("50%")}) {
        EXPECT_FALSE(parse_folder_name(bad).ok()) << "accepted: " << bad;
    }
    // Length and depth are limits.
    auto long_name = parse_folder_name(std::string(kMaxDiskName, 'x'));
    ASSERT_FALSE(long_name.ok());
    EXPECT_EQ(long_name.error().code, ErrorCode::Limit);
    EXPECT_TRUE(parse_folder_name(std::string(kMaxDiskName - 1, 'x')).ok());
    std::string deep = "a";
    for (std::size_t i = 1; i <= kMaxFolderDepth; ++i) deep += "/a";
    EXPECT_EQ(parse_folder_name(deep).error().code, ErrorCode::Limit);
    // A bare '&' is fine: it is encoded, never interpreted.
    EXPECT_EQ(disk("&"), ".&-");
    // Every accepted name is one safe directory entry.
    for (const char* ok : {"&", "&-", "&AOk-", "a\\b", "\"q\"", "~", "-", " lead", "trail "}) {
        auto d = disk(ok);
        EXPECT_EQ(d.find('/'), std::string::npos);
        EXPECT_NE(d, ".");
        EXPECT_NE(d, "..");
        EXPECT_EQ(d.find(".."), std::string::npos) << d;
    }
}

TEST(FolderName, StrictDiskDecoding) {
    for (const char* entry : {".", "..", "...", ".a..b", ".a.", ".INBOX", ".inbox.x", ".a^2Eb", ".a^41b", ".a^",
                              ".&AOk", ".&AE4-", ".\xC3\xA9", ".a\tb", ".x*"}) {
        EXPECT_FALSE(folder_name_from_disk(entry)) << entry;
    }
    EXPECT_EQ(folder_name_from_disk(".INBOX.x"), "INBOX/x");
    EXPECT_EQ(folder_name_from_disk(".Entw&APw-rfe"), "Entw\xC3\xBCrfe");
}

TEST(FolderName, Hierarchy) {
    EXPECT_EQ(parent_folder("a/b/c"), "a/b");
    EXPECT_EQ(parent_folder("a"), "");
    EXPECT_TRUE(is_below("a/b", "a"));
    EXPECT_TRUE(is_below("a/b/c", "a"));
    EXPECT_FALSE(is_below("ab", "a"));
    EXPECT_FALSE(is_below("a", "a"));
}

}  // namespace
}  // namespace tern::mailbox
