#include "dmarc/record.hpp"

#include <gtest/gtest.h>

using namespace tern::dmarc;

TEST(DmarcRecord, ParsesTheUsualTags) {
    std::string err;
    auto r = parse_record("v=DMARC1; p=reject; sp=quarantine; adkim=s; aspf=r; pct=50; rua=mailto:a@example.com,mailto:b@example.com", &err);
    ASSERT_TRUE(r) << err;
    EXPECT_EQ(r->policy, Policy::Reject);
    EXPECT_EQ(r->subdomain_policy, Policy::Quarantine);
    EXPECT_TRUE(r->strict_dkim);
    EXPECT_FALSE(r->strict_spf);
    EXPECT_EQ(r->percent, 50);
    EXPECT_EQ(r->aggregate_report.size(), 2u);
}

TEST(DmarcRecord, VersionFirstAndPolicyRules) {
    EXPECT_FALSE(parse_record("p=reject; v=DMARC1", nullptr));
    EXPECT_FALSE(parse_record("v=DMARC2; p=reject", nullptr));
    EXPECT_FALSE(parse_record("v=DMARC1", nullptr));
    EXPECT_FALSE(parse_record("v=DMARC1; p=bogus", nullptr));
    auto with_rua = parse_record("v=DMARC1; p=bogus; rua=mailto:r@example.com", nullptr);
    ASSERT_TRUE(with_rua);
    EXPECT_EQ(with_rua->policy, Policy::None);
    auto bad_optional = parse_record("v=DMARC1; p=quarantine; pct=250; adkim=x", nullptr);
    ASSERT_TRUE(bad_optional);
    EXPECT_EQ(bad_optional->percent, 100);
    EXPECT_FALSE(bad_optional->strict_dkim);
}

TEST(DmarcRecord, SelectIgnoresOtherTxtAndRefusesTwo) {
    EXPECT_TRUE(select_record({"google-site-verification=x", "v=DMARC1; p=none"}));
    EXPECT_FALSE(select_record({"v=DMARC1; p=none", "v=DMARC1; p=reject"}));
    EXPECT_FALSE(select_record({"v=spf1 -all"}));
    EXPECT_FALSE(select_record({}));
}
