#include "spf/record.hpp"

#include <gtest/gtest.h>

using namespace tern::spf;

TEST(SpfRecord, ParsesMechanismsQualifiersAndModifiers) {
    std::string err;
    auto r = parse_record("v=spf1 +a mx/24 -ip4:192.0.2.0/24 ~ip6:2001:db8::/32 ?include:_spf.example.net "
                          "exists:%{i}.x.test a:mail.test/28//64 ptr redirect=_spf.example.com unknown=ignored",
                          &err);
    ASSERT_TRUE(r) << err;
    ASSERT_EQ(r->mechanisms.size(), 8u);
    EXPECT_EQ(r->mechanisms[0].kind, Mechanism::Kind::A);
    EXPECT_EQ(r->mechanisms[1].cidr4, 24);
    EXPECT_EQ(r->mechanisms[2].qualifier, Result::Fail);
    EXPECT_EQ(r->mechanisms[2].cidr4, 24);
    EXPECT_EQ(r->mechanisms[3].qualifier, Result::SoftFail);
    EXPECT_EQ(r->mechanisms[3].cidr6, 32);
    EXPECT_EQ(r->mechanisms[4].qualifier, Result::Neutral);
    EXPECT_EQ(r->mechanisms[4].domain_spec, "_spf.example.net");
    EXPECT_EQ(r->mechanisms[6].domain_spec, "mail.test");
    EXPECT_EQ(r->mechanisms[6].cidr4, 28);
    EXPECT_EQ(r->mechanisms[6].cidr6, 64);
    EXPECT_EQ(r->redirect, "_spf.example.com");
}

TEST(SpfRecord, RefusesWhatTheGrammarRefuses) {
    for (const char* bad : {"v=spf1 foo", "v=spf1 ip4:300.1.1.1", "v=spf1 ip4:1.2.3.4/33", "v=spf1 ip6:::1/129",
                            "v=spf1 include", "v=spf1 a/", "v=spf1 redirect=a.test redirect=b.test",
                            "v=spf1 all:x", "v=spf1 mx/024", "v=spf1 exp=a exp=b"}) {
        std::string err;
        EXPECT_FALSE(parse_record(bad, &err)) << bad;
        EXPECT_FALSE(err.empty()) << bad;
    }
    EXPECT_FALSE(is_spf_record("v=spf10"));
    EXPECT_TRUE(is_spf_record("V=SPF1 -all"));
    EXPECT_TRUE(is_spf_record("v=spf1"));
}
