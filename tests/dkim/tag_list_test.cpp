#include "dkim/tag_list.hpp"

#include <gtest/gtest.h>

using namespace tern::dkim;

TEST(TagList, ParsesTagsTrimmingWhitespaceAndKeepsOrder) {
    std::string err;
    auto t = TagList::parse(" v=1; a = rsa-sha256 ;\r\n\td=example.com;", &err);
    ASSERT_TRUE(t) << err;
    ASSERT_EQ(t->tags().size(), 3u);
    EXPECT_EQ(*t->get("v"), "1");
    EXPECT_EQ(*t->get("a"), "rsa-sha256");
    EXPECT_EQ(*t->get("d"), "example.com");
    EXPECT_FALSE(t->get("D"));  // tag names are case-sensitive
}

TEST(TagList, KeepsInnerFoldingOfValues) {
    auto t = TagList::parse("b=abc\r\n def; h=from : to", nullptr);
    ASSERT_TRUE(t);
    EXPECT_EQ(*t->get("b"), "abc\r\n def");
    EXPECT_EQ(strip_whitespace(*t->get("b")), "abcdef");
    EXPECT_EQ(split_colon_list(*t->get("h")), (std::vector<std::string>{"from", "to"}));
}

TEST(TagList, RefusesDuplicatesBadNamesAndControls) {
    std::string err;
    EXPECT_FALSE(TagList::parse("a=1; a=2", &err));
    EXPECT_NE(err.find("duplicate"), std::string::npos);
    EXPECT_FALSE(TagList::parse("1a=1", &err));
    EXPECT_FALSE(TagList::parse("a-b=1", &err));
    EXPECT_FALSE(TagList::parse("a", &err));
    EXPECT_FALSE(TagList::parse("a=x\ny", &err));
    EXPECT_FALSE(TagList::parse("a=x\r\ny", &err));  // CRLF not followed by WSP
    EXPECT_FALSE(TagList::parse(std::string("a=x\0y", 5), &err));
}

TEST(TagList, EmptySpecsAndEmptyValuesAreAccepted) {
    auto t = TagList::parse("p=; ;k=rsa;", nullptr);
    ASSERT_TRUE(t);
    EXPECT_EQ(*t->get("p"), "");
    EXPECT_EQ(*t->get("k"), "rsa");
    EXPECT_TRUE(TagList::parse("", nullptr));
}
