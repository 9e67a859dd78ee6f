#include "dmarc/public_suffix.hpp"

#include <gtest/gtest.h>

using namespace tern::dmarc;

namespace {
const PublicSuffixList& small() {
    static PublicSuffixList l = PublicSuffixList::parse(
        "// comment\ncom\nuk\nco.uk\n*.ck\n!www.ck\njp\n*.kawasaki.jp\n!city.kawasaki.jp\n  github.io  trailing\n");
    return l;
}
}  // namespace

TEST(PublicSuffix, OrganizationalDomains) {
    const auto& l = small();
    EXPECT_EQ(l.organizational_domain("mail.example.com"), "example.com");
    EXPECT_EQ(l.organizational_domain("example.com"), "example.com");
    EXPECT_EQ(l.organizational_domain("com"), "com");
    EXPECT_EQ(l.organizational_domain("a.b.example.co.uk"), "example.co.uk");
    EXPECT_EQ(l.organizational_domain("x.y.ck"), "x.y.ck");          // *.ck: y.ck is a suffix
    EXPECT_EQ(l.organizational_domain("a.www.ck"), "www.ck");        // !www.ck
    EXPECT_EQ(l.organizational_domain("b.city.kawasaki.jp"), "city.kawasaki.jp");
    EXPECT_EQ(l.organizational_domain("user.github.io"), "user.github.io");
    EXPECT_EQ(l.organizational_domain("a.unknowntld"), "a.unknowntld");  // implicit "*"
    EXPECT_EQ(l.organizational_domain("example.com."), "example.com");
}

TEST(PublicSuffix, DebianListLoadsAndAnswers) {
    std::string err;
    auto l = PublicSuffixList::load(kDebianPublicSuffixList, &err);
    ASSERT_TRUE(l) << err;
    EXPECT_GT(l->size(), 5000u);
    EXPECT_EQ(l->organizational_domain("www.bbc.co.uk"), "bbc.co.uk");
    EXPECT_EQ(l->organizational_domain("mail.google.com"), "google.com");
    EXPECT_FALSE(PublicSuffixList::load("/nonexistent/list.dat", &err));
    EXPECT_NE(err.find("/nonexistent/list.dat"), std::string::npos);
}
