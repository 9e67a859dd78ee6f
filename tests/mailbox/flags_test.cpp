// Flags: IMAP names, keywords, STORE modes, and the Maildir info letters they become.
#include "mailbox/flags.hpp"

#include <gtest/gtest.h>

namespace tern::mailbox {
namespace {

TEST(Flags, InfoLettersRoundTripInAsciiOrder) {
    auto li = parse_info_letters("TSRPFD");
    EXPECT_EQ(li.system, flag::kAll);
    EXPECT_EQ(info_letters(li.system, li.extra), "DFPRST");
    auto odd = parse_info_letters("Sba:/\x01S");  // unknown letters kept, junk dropped
    EXPECT_EQ(odd.system, flag::kSeen);
    EXPECT_EQ(odd.extra, "ab");
    EXPECT_EQ(info_letters(flag::kSeen | flag::kFlagged, "ab"), "FSab");
    EXPECT_EQ(info_letters(0, ""), "");
}

TEST(Flags, SplitFileName) {
    auto a = split_file_name("123.M1P2.host,S=10,W=12:2,FS");
    EXPECT_EQ(a.base, "123.M1P2.host,S=10,W=12");
    EXPECT_EQ(a.letters, "FS");
    EXPECT_TRUE(a.standard_info);
    auto b = split_file_name("123.host");
    EXPECT_EQ(b.base, "123.host");
    EXPECT_FALSE(b.has_info);
    auto c = split_file_name("123.host:1,xyz");
    EXPECT_TRUE(c.has_info);
    EXPECT_FALSE(c.standard_info);
    EXPECT_EQ(c.letters, "");
}

TEST(Flags, ImapNames) {
    EXPECT_EQ(system_flag_from_name("\\SEEN"), flag::kSeen);
    EXPECT_EQ(system_flag_from_name("\\answered"), flag::kAnswered);
    EXPECT_EQ(system_flag_from_name("$forwarded"), flag::kForwarded);  // P
    EXPECT_FALSE(system_flag_from_name("\\Recent"));
    EXPECT_FALSE(system_flag_from_name("\\Bogus"));
    auto f = flags_from_names({"\\Seen", "$Junk", "$junk", "\\Draft", "$Forwarded"});
    ASSERT_TRUE(f);
    EXPECT_EQ(f->system, flag::kSeen | flag::kDraft | flag::kForwarded);
    EXPECT_EQ(f->keywords, std::vector<std::string>{"$Junk"});  // case-insensitive duplicate
    EXPECT_EQ(flag_names(*f), (std::vector<std::string>{"\\Seen", "\\Draft", "$Forwarded", "$Junk"}));
    EXPECT_FALSE(flags_from_names({"\\Recent"}));
    EXPECT_FALSE(flags_from_names({"bad keyword"}));
}

TEST(Flags, KeywordValidity) {
    EXPECT_TRUE(is_valid_keyword("$label1"));
    EXPECT_TRUE(is_valid_keyword("NonJunk"));
    for (const char* bad : {"", "a b", "a(b", "a)", "{x", "50%", "*", "q\"", "back\\slash", "]", "\\Seen",
                            "caf\xC3\xA9", "tab\t", "$Forwarded"})
        EXPECT_FALSE(is_valid_keyword(bad)) << bad;
    EXPECT_TRUE(is_valid_keyword(std::string(kMaxKeywordLength, 'k')));
    EXPECT_FALSE(is_valid_keyword(std::string(kMaxKeywordLength + 1, 'k')));
    std::vector<std::string> many;
    for (std::size_t i = 0; i <= kMaxKeywordsPerMessage; ++i) many.push_back("k" + std::to_string(i));
    EXPECT_FALSE(flags_from_names(many));
}

TEST(Flags, ApplyModes) {
    Flags cur;
    cur.system = flag::kSeen;
    add_keyword(cur.keywords, "$Work");
    Flags change;
    change.system = flag::kFlagged;
    add_keyword(change.keywords, "$work");  // other case: the existing spelling stays
    add_keyword(change.keywords, "$Later");

    auto added = apply_flags(cur, FlagMode::Add, change);
    EXPECT_EQ(added.system, flag::kSeen | flag::kFlagged);
    EXPECT_EQ(added.keywords, (std::vector<std::string>{"$Later", "$Work"}));

    auto removed = apply_flags(added, FlagMode::Remove, change);
    EXPECT_EQ(removed.system, flag::kSeen);
    EXPECT_TRUE(removed.keywords.empty());

    auto replaced = apply_flags(cur, FlagMode::Replace, change);
    EXPECT_EQ(replaced.system, flag::kFlagged);
    EXPECT_EQ(replaced.keywords, (std::vector<std::string>{"$Later", "$Work"}));
    EXPECT_EQ(apply_flags(cur, FlagMode::Add, Flags{}), cur);
}

}  // namespace
}  // namespace tern::mailbox
