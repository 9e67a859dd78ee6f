// LIST pattern matching, mailbox name validity and flag canonicalisation (mailbox_name.hpp).
#include <gtest/gtest.h>

#include <string>

#include "imap/mailbox_name.hpp"

using namespace tern::imap;

TEST(ImapMailboxName, ListMatch) {
    EXPECT_TRUE(list_match("INBOX", "*", '/'));
    EXPECT_TRUE(list_match("INBOX", "%", '/'));
    EXPECT_TRUE(list_match("a/b", "*", '/'));
    EXPECT_FALSE(list_match("a/b", "%", '/'));
    EXPECT_TRUE(list_match("a/b", "a/%", '/'));
    EXPECT_TRUE(list_match("a/b", "%/%", '/'));
    EXPECT_FALSE(list_match("a/b/c", "a/%", '/'));
    EXPECT_TRUE(list_match("a/b/c", "a/*", '/'));
    EXPECT_TRUE(list_match("Archive", "Ar%e", '/'));
    EXPECT_FALSE(list_match("Archive", "archive", '/'));
    EXPECT_TRUE(list_match("INBOX", "inbox", '/'));
    EXPECT_TRUE(list_match("INBOX/x", "Inbox/%", '/'));
    EXPECT_FALSE(list_match("abc", "ab", '/'));
    EXPECT_TRUE(list_match("", "", '/'));
    EXPECT_TRUE(list_match("x", "**%%*", '/'));
    // Hostile patterns stay cheap (quadratic, never exponential).
    std::string name(200, 'a');
    std::string pattern;
    for (int i = 0; i < 500; ++i) pattern += "%a";
    EXPECT_FALSE(list_match(name, pattern + "b", '/'));
}

TEST(ImapMailboxName, Validity) {
    EXPECT_TRUE(valid_mailbox_name("Archive/2023"));
    EXPECT_TRUE(valid_mailbox_name("Entw\xc3\xbc" "rfe"));
    EXPECT_FALSE(valid_mailbox_name(""));
    EXPECT_FALSE(valid_mailbox_name("a*b"));
    EXPECT_FALSE(valid_mailbox_name("a%b"));
    EXPECT_FALSE(valid_mailbox_name("a\tb"));
    EXPECT_FALSE(valid_mailbox_name("\xff"));
}

TEST(ImapMailboxName, Flags) {
    EXPECT_EQ(canonical_flag("\\seen"), "\\Seen");
    EXPECT_EQ(canonical_flag("\\DELETED"), "\\Deleted");
    EXPECT_EQ(canonical_flag("$Work"), "$Work");
    EXPECT_EQ(canonical_flag("\\Recent"), std::nullopt);
    EXPECT_EQ(canonical_flag("\\Other"), std::nullopt);
    EXPECT_EQ(canonical_flag(""), std::nullopt);
    EXPECT_TRUE(is_system_flag("\\Draft"));
    EXPECT_FALSE(is_system_flag("$Work"));
}
