#include "spf/macro.hpp"

#include <gtest/gtest.h>

using namespace tern::spf;

namespace {
// RFC 7208 7.4's example context.
MacroContext rfc() {
    MacroContext c;
    c.sender = "strong-bad@email.example.com";
    c.domain = "email.example.com";
    c.ip = "192.0.2.3";
    c.helo = "mx.example.org";
    return c;
}
std::string x(std::string_view spec, MacroContext c = rfc()) {
    std::string err;
    auto r = expand(spec, c, false, &err);
    return r ? *r : "ERROR " + err;
}
}  // namespace

TEST(SpfMacro, Rfc7208Examples) {
    EXPECT_EQ(x("%{s}"), "strong-bad@email.example.com");
    EXPECT_EQ(x("%{o}"), "email.example.com");
    EXPECT_EQ(x("%{d}"), "email.example.com");
    EXPECT_EQ(x("%{d4}"), "email.example.com");
    EXPECT_EQ(x("%{d3}"), "email.example.com");
    EXPECT_EQ(x("%{d2}"), "example.com");
    EXPECT_EQ(x("%{d1}"), "com");
    EXPECT_EQ(x("%{dr}"), "com.example.email");
    EXPECT_EQ(x("%{d2r}"), "example.email");
    EXPECT_EQ(x("%{l}"), "strong-bad");
    EXPECT_EQ(x("%{l-}"), "strong.bad");
    EXPECT_EQ(x("%{lr}"), "strong-bad");
    EXPECT_EQ(x("%{lr-}"), "bad.strong");
    EXPECT_EQ(x("%{l1r-}"), "strong");
    EXPECT_EQ(x("%{ir}.%{v}._spf.%{d2}"), "3.2.0.192.in-addr._spf.example.com");
    EXPECT_EQ(x("%{lr-}.lp._spf.%{d2}"), "bad.strong.lp._spf.example.com");
    EXPECT_EQ(x("%{lr-}.lp.%{ir}.%{v}._spf.%{d2}"), "bad.strong.lp.3.2.0.192.in-addr._spf.example.com");
    EXPECT_EQ(x("%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}"), "3.2.0.192.in-addr.strong.lp._spf.example.com");
    EXPECT_EQ(x("%{d2}.trusted-domains.example.net"), "example.com.trusted-domains.example.net");
    auto v6 = rfc();
    v6.ip = "2001:db8::cb01";
    EXPECT_EQ(x("%{ir}.%{v}._spf.%{d2}", v6),
              "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com");
}

TEST(SpfMacro, EscapesAndErrors) {
    EXPECT_EQ(x("a%%b%_c%-d"), "a%b c%20d");
    EXPECT_EQ(x("%{L}"), "strong-bad");
    auto c = rfc();
    c.sender = "a b@example.com";
    EXPECT_EQ(x("%{L}", c), "a%20b");
    EXPECT_EQ(x("%{c}").substr(0, 5), "ERROR");  // only in explanations
    EXPECT_EQ(x("%{x}").substr(0, 5), "ERROR");
    EXPECT_EQ(x("%{d0}").substr(0, 5), "ERROR");
    EXPECT_EQ(x("%{d").substr(0, 5), "ERROR");
    EXPECT_EQ(x("%a").substr(0, 5), "ERROR");
    EXPECT_EQ(x("abc%").substr(0, 5), "ERROR");
    std::string err;
    EXPECT_EQ(*expand("%{c} %{t}", rfc(), true, &err), "192.0.2.3 0");
}

TEST(SpfMacro, LongResultsLoseLabelsOnTheLeft) {
    auto c = rfc();
    c.sender = std::string(60, 'a') + "@x.test";
    std::string spec = "%{l}.%{l}.%{l}.%{l}.%{l}.example.com";
    auto r = x(spec, c);
    EXPECT_LE(r.size(), 253u);
    EXPECT_EQ(r.substr(r.size() - 12), ".example.com");
}
