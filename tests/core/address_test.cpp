#include "core/address.hpp"

#include <gtest/gtest.h>

using namespace tern;

TEST(Address, ParsesDotAtom) {
    auto a = parse_mailbox("Alice.Smith@Example.TEST");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->local, "Alice.Smith");
    EXPECT_EQ(a->domain, "Example.TEST");
    EXPECT_EQ(a->key(), "alice.smith@example.test");
    EXPECT_EQ(a->str(), "Alice.Smith@Example.TEST");
}

TEST(Address, ParsesQuotedLocalPart) {
    auto a = parse_mailbox(R"("john \"q\" doe"@example.test)");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->local, "john \"q\" doe");
    EXPECT_EQ(a->str(), R"("john \"q\" doe"@example.test)");
}

TEST(Address, RejectsBadSyntax) {
    for (auto s : {"", "@", "a@", "@b", "a..b@c", ".a@b", "a.@b", "a b@c", "a@b..c", "a@-b.c",
                   "a@b-.c", "a@b_c", "a\x01@b", "\"a@b", "a@[1.2.3.4"}) {
        EXPECT_FALSE(parse_mailbox(s)) << s;
    }
}

TEST(Address, Utf8OnlyWhenAllowed) {
    EXPECT_FALSE(parse_mailbox("j\xc3\xb6rg@example.test"));
    EXPECT_TRUE(parse_mailbox("j\xc3\xb6rg@example.test", true));
    EXPECT_FALSE(parse_mailbox("j\xc3@example.test", true));       // truncated sequence
    EXPECT_FALSE(parse_mailbox("j\xc0\xaf@example.test", true));   // overlong '/'
    EXPECT_FALSE(parse_mailbox("j\xed\xa0\x80@example.test", true));  // surrogate
}

TEST(Address, LengthLimits) {
    std::string local(64, 'a');
    EXPECT_TRUE(parse_mailbox(local + "@example.test"));
    EXPECT_FALSE(parse_mailbox(local + "a@example.test"));
    std::string label(64, 'b');
    EXPECT_FALSE(parse_mailbox("a@" + label + ".test"));
}

TEST(Address, AddressLiteral) {
    auto a = parse_mailbox("postmaster@[127.0.0.1]");
    ASSERT_TRUE(a);
    EXPECT_TRUE(a->is_address_literal());
}

TEST(Address, SubAddress) {
    auto s = split_subaddress("alice+tag+more");
    EXPECT_EQ(s.user, "alice");
    EXPECT_EQ(s.tag, "tag+more");
    EXPECT_EQ(split_subaddress("+x").user, "+x");
    EXPECT_EQ(split_subaddress("bob").tag, "");
}

TEST(Address, SafePathComponent) {
    EXPECT_TRUE(is_safe_path_component("alice"));
    EXPECT_TRUE(is_safe_path_component("example.test"));
    for (auto s : {"", ".", "..", ".hidden", "a/b", "a\\b", "a\nb", "a\x7f"}) {
        EXPECT_FALSE(is_safe_path_component(s)) << s;
    }
    EXPECT_FALSE(is_safe_path_component(std::string("a\0b", 3)));
}

TEST(Address, CaseInsensitiveCompare) {
    EXPECT_TRUE(iequals("Example.TEST", "example.test"));
    EXPECT_FALSE(iequals("example.test", "example.tes"));
    EXPECT_EQ(ascii_lower("AbC\xc3\x84"), "abc\xc3\x84");
}
