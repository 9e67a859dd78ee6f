#include "spf/check_host.hpp"

#include <gtest/gtest.h>

#include <map>

using namespace tern::spf;

namespace {

using Zone = std::multimap<std::string, std::string>;  // "TYPE name" -> value; "TEMP" marks errors

// Runs a check against `zone`; `asked` gets every query.
Check run(const Zone& zone, const std::string& ip, const std::string& domain, std::vector<std::string>* asked = nullptr,
          const std::string& sender = "") {
    Check c({ip, sender.empty() ? "user@" + domain : sender, "helo.test", domain});
    for (int guard = 0; guard < 100 && c.query(); ++guard) {
        const Query& q = *c.query();
        static const char* types[] = {"TXT", "A", "AAAA", "MX", "PTR"};
        std::string key = std::string(types[static_cast<int>(q.type)]) + " " + q.name;
        if (asked) asked->push_back(key);
        Answer a;
        auto range = zone.equal_range(key);
        for (auto it = range.first; it != range.second; ++it) {
            if (it->second == "TEMP") a.status = Answer::Status::TempError;
            else a.values.push_back(it->second);
        }
        if (a.status != Answer::Status::TempError) a.status = a.values.empty() ? Answer::Status::NotFound : Answer::Status::Found;
        c.answer(a);
    }
    EXPECT_TRUE(c.done());
    return c;
}

}  // namespace

TEST(SpfCheck, BasicResults) {
    Zone z = {{"TXT example.com", "v=spf1 ip4:192.0.2.0/24 -all"}, {"TXT example.com", "some other txt"}};
    EXPECT_EQ(run(z, "192.0.2.77", "example.com").result(), Result::Pass);
    auto fail = run(z, "198.51.100.1", "example.com");
    EXPECT_EQ(fail.result(), Result::Fail);
    EXPECT_NE(fail.reason().find("all"), std::string::npos);
    EXPECT_EQ(run({}, "192.0.2.1", "example.com").result(), Result::None);
    EXPECT_EQ(run({{"TXT example.com", "TEMP"}}, "192.0.2.1", "example.com").result(), Result::TempError);
    EXPECT_EQ(run({{"TXT example.com", "v=spf1 -all"}, {"TXT example.com", "v=spf1 +all"}}, "192.0.2.1",
                  "example.com").result(), Result::PermError);
    EXPECT_EQ(run({{"TXT example.com", "v=spf1 bogus"}}, "192.0.2.1", "example.com").result(), Result::PermError);
    EXPECT_EQ(run({{"TXT example.com", "v=spf1"}}, "192.0.2.1", "example.com").result(), Result::Neutral);
    EXPECT_EQ(run({}, "192.0.2.1", "nodots").result(), Result::None);
}

TEST(SpfCheck, AAndMxWithCidr) {
    Zone z = {{"TXT example.com", "v=spf1 a mx/24 ~all"},
              {"A example.com", "203.0.113.5"},
              {"MX example.com", "mx1.example.com"},
              {"MX example.com", "mx2.example.com"},
              {"A mx1.example.com", "198.51.100.10"},
              {"A mx2.example.com", "192.0.2.200"}};
    EXPECT_EQ(run(z, "203.0.113.5", "example.com").result(), Result::Pass);
    EXPECT_EQ(run(z, "192.0.2.9", "example.com").result(), Result::Pass);  // mx2's /24
    EXPECT_EQ(run(z, "203.0.113.6", "example.com").result(), Result::SoftFail);
    Zone v6 = {{"TXT example.com", "v=spf1 a//64 -all"}, {"AAAA example.com", "2001:db8:1:2::1"}};
    EXPECT_EQ(run(v6, "2001:db8:1:2::ffff", "example.com").result(), Result::Pass);
    EXPECT_EQ(run(v6, "2001:db8:1:3::1", "example.com").result(), Result::Fail);
    // An IPv4-mapped client address is checked as IPv4.
    EXPECT_EQ(run(z, "::ffff:203.0.113.5", "example.com").result(), Result::Pass);
}

TEST(SpfCheck, IncludeAndRedirect) {
    Zone z = {{"TXT example.com", "v=spf1 include:_spf.provider.test -all"},
              {"TXT _spf.provider.test", "v=spf1 ip4:198.51.100.0/24 ?all"},
              {"TXT redir.test", "v=spf1 redirect=example.com"},
              {"TXT broken.test", "v=spf1 include:nowhere.test -all"},
              {"TXT badredir.test", "v=spf1 redirect=nowhere.test"}};
    EXPECT_EQ(run(z, "198.51.100.3", "example.com").result(), Result::Pass);
    // The include's ?all is "no match" for the include: evaluation goes on to -all.
    EXPECT_EQ(run(z, "203.0.113.1", "example.com").result(), Result::Fail);
    EXPECT_EQ(run(z, "198.51.100.3", "redir.test").result(), Result::Pass);
    EXPECT_EQ(run(z, "203.0.113.1", "redir.test").result(), Result::Fail);
    EXPECT_EQ(run(z, "203.0.113.1", "broken.test").result(), Result::PermError);
    EXPECT_EQ(run(z, "203.0.113.1", "badredir.test").result(), Result::PermError);
}

TEST(SpfCheck, LookupLimits) {
    Zone loop = {{"TXT loop.test", "v=spf1 include:loop.test -all"}};
    auto r = run(loop, "192.0.2.1", "loop.test");
    EXPECT_EQ(r.result(), Result::PermError);
    EXPECT_NE(r.reason().find("10"), std::string::npos);
    Zone many = {{"TXT many.test", "v=spf1 a:1.test a:2.test a:3.test a:4.test a:5.test a:6.test a:7.test "
                                   "a:8.test a:9.test a:10.test a:11.test -all"}};
    for (int i = 1; i <= 11; ++i) many.insert({"A " + std::to_string(i) + ".test", "203.0.113.1"});
    EXPECT_EQ(run(many, "192.0.2.1", "many.test").result(), Result::PermError);
    Zone voids = {{"TXT void.test", "v=spf1 a:x.test a:y.test a:z.test -all"}};
    auto v = run(voids, "192.0.2.1", "void.test");
    EXPECT_EQ(v.result(), Result::PermError);
    EXPECT_NE(v.reason().find("void"), std::string::npos);
    Zone two_voids = {{"TXT void.test", "v=spf1 a:x.test a:y.test -all"}};
    EXPECT_EQ(run(two_voids, "192.0.2.1", "void.test").result(), Result::Fail);
}

TEST(SpfCheck, ExistsWithMacrosAndPtr) {
    Zone z = {{"TXT example.com", "v=spf1 exists:%{ir}.%{l1r-}.lp._spf.%{d} -all"},
              {"A 3.2.0.192.strong.lp._spf.example.com", "127.0.0.2"}};
    EXPECT_EQ(run(z, "192.0.2.3", "example.com", nullptr, "strong-bad@example.com").result(), Result::Pass);
    EXPECT_EQ(run(z, "192.0.2.4", "example.com", nullptr, "strong-bad@example.com").result(), Result::Fail);
    Zone ptr = {{"TXT example.com", "v=spf1 ptr -all"},
                {"PTR 3.2.0.192.in-addr.arpa", "mail.example.com"},
                {"PTR 3.2.0.192.in-addr.arpa", "other.test"},
                {"A mail.example.com", "192.0.2.3"}};
    std::vector<std::string> asked;
    EXPECT_EQ(run(ptr, "192.0.2.3", "example.com", &asked).result(), Result::Pass);
    // Only names within the domain are validated.
    for (const auto& q : asked) EXPECT_EQ(q.find("other.test"), std::string::npos) << q;
    EXPECT_EQ(run(ptr, "192.0.2.9", "example.com").result(), Result::Fail);
}

TEST(SpfCheck, TempErrorInAMechanismIsTempError) {
    Zone z = {{"TXT example.com", "v=spf1 a:dns.test -all"}, {"A dns.test", "TEMP"}};
    EXPECT_EQ(run(z, "192.0.2.1", "example.com").result(), Result::TempError);
}
