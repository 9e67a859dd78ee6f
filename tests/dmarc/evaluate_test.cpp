#include "dmarc/evaluate.hpp"

#include <gtest/gtest.h>

#include <map>

using namespace tern::dmarc;

namespace {

const PublicSuffixList& psl() {
    static PublicSuffixList l = PublicSuffixList::parse("com\nnet\nuk\nco.uk\n");
    return l;
}

TxtLookup found(std::string txt) { return TxtLookup{TxtLookup::Status::Found, {std::move(txt)}}; }
TxtLookup none() { return TxtLookup{TxtLookup::Status::NotFound, {}}; }

// Runs the lookup with `answers` keyed by query name.
PolicyLookup lookup(const std::string& from, const std::map<std::string, TxtLookup>& answers,
                    std::vector<std::string>* asked = nullptr) {
    PolicyLookup l(from, psl());
    for (int guard = 0; guard < 5; ++guard) {
        auto q = l.next_query();
        if (!q) break;
        if (asked) asked->push_back(*q);
        auto it = answers.find(*q);
        l.answer(it == answers.end() ? none() : it->second);
    }
    EXPECT_FALSE(l.next_query());
    return l;
}

}  // namespace

TEST(DmarcEvaluate, FallsBackToTheOrganizationalDomain) {
    std::vector<std::string> asked;
    auto l = lookup("News.Example.COM", {{"_dmarc.example.com", found("v=DMARC1; p=reject; sp=quarantine")}}, &asked);
    EXPECT_EQ(asked, (std::vector<std::string>{"_dmarc.news.example.com", "_dmarc.example.com"}));
    ASSERT_TRUE(l.record());
    EXPECT_EQ(l.policy_domain(), "example.com");
    auto e = evaluate(Inputs{}, l, psl(), 0);
    EXPECT_EQ(e.result, Result::Fail);
    EXPECT_EQ(e.disposition, Policy::Quarantine);  // sp= for the subdomain
}

TEST(DmarcEvaluate, RelaxedAndStrictAlignment) {
    auto l = lookup("example.com", {{"_dmarc.example.com", found("v=DMARC1; p=reject")}});
    Inputs dkim_sub;
    dkim_sub.dkim_pass_domains = {"mail.example.com"};
    EXPECT_EQ(evaluate(dkim_sub, l, psl(), 0).result, Result::Pass);
    Inputs spf_other;
    spf_other.spf_pass = true;
    spf_other.spf_domain = "example.net";
    auto e = evaluate(spf_other, l, psl(), 0);
    EXPECT_EQ(e.result, Result::Fail);
    EXPECT_EQ(e.disposition, Policy::Reject);

    auto strict = lookup("example.com", {{"_dmarc.example.com", found("v=DMARC1; p=reject; adkim=s; aspf=s")}});
    EXPECT_EQ(evaluate(dkim_sub, strict, psl(), 0).result, Result::Fail);
    Inputs spf_exact;
    spf_exact.spf_pass = true;
    spf_exact.spf_domain = "EXAMPLE.com";
    EXPECT_EQ(evaluate(spf_exact, strict, psl(), 0).result, Result::Pass);
    EXPECT_FALSE(aligned("a.co.uk", "b.co.uk", false, psl()));
    EXPECT_TRUE(aligned("x.b.co.uk", "b.co.uk", false, psl()));
}

TEST(DmarcEvaluate, PercentSamplingSoftensThePolicy) {
    auto l = lookup("example.com", {{"_dmarc.example.com", found("v=DMARC1; p=reject; pct=20")}});
    EXPECT_EQ(evaluate(Inputs{}, l, psl(), 19).disposition, Policy::Reject);
    auto e = evaluate(Inputs{}, l, psl(), 20);
    EXPECT_EQ(e.disposition, Policy::Quarantine);
    EXPECT_EQ(e.published, Policy::Reject);
}

TEST(DmarcEvaluate, NoRecordAndTemporaryErrors) {
    EXPECT_EQ(evaluate(Inputs{}, lookup("example.com", {}), psl(), 0).result, Result::None);
    auto temp = lookup("a.example.com", {{"_dmarc.a.example.com", TxtLookup{TxtLookup::Status::TempError, {}}}});
    EXPECT_EQ(evaluate(Inputs{}, temp, psl(), 0).result, Result::TempError);
    EXPECT_EQ(evaluate(Inputs{}, lookup("", {}), psl(), 0).result, Result::None);
}
