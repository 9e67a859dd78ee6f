// Tests for the PLAIN (RFC 4616) and LOGIN (draft-murchison-sasl-login) server mechanisms
// and the mechanism factory.
#include <gtest/gtest.h>

#include "sasl/login.hpp"
#include "sasl/mechanism.hpp"
#include "sasl/plain.hpp"

namespace tern::sasl {
namespace {

using namespace std::string_literals;

void expect_password(const Step& s, const std::string& user, const std::string& password) {
    auto* p = std::get_if<NeedPassword>(&s);
    ASSERT_NE(p, nullptr) << "step index " << s.index();
    EXPECT_EQ(p->authcid, user);
    EXPECT_EQ(p->password, password);
}

void expect_failure(const Step& s, FailureKind kind, const std::string& reason = {}) {
    auto* f = std::get_if<Failure>(&s);
    ASSERT_NE(f, nullptr) << "step index " << s.index();
    EXPECT_EQ(f->kind, kind);
    if (!reason.empty()) {
        EXPECT_EQ(f->reason, reason);
    }
}

TEST(Factory, KnownNamesCaseInsensitive) {
    Options o;
    EXPECT_EQ(make_mechanism("PLAIN", o)->name(), "PLAIN");
    EXPECT_EQ(make_mechanism("plain", o)->name(), "PLAIN");
    EXPECT_EQ(make_mechanism("Login", o)->name(), "LOGIN");
    EXPECT_EQ(make_mechanism("scram-sha-256", o)->name(), "SCRAM-SHA-256");
    EXPECT_EQ(make_mechanism("SCRAM-SHA-256-PLUS", o), nullptr);
    EXPECT_EQ(make_mechanism("CRAM-MD5", o), nullptr);
    EXPECT_EQ(make_mechanism("", o), nullptr);
}

TEST(Plain, Rfc4616Examples) {
    // RFC 4616 4: "\0tim\0tanstaaftanstaaf" and "Ursel\0Kurt\0xipj3plmq" (the latter asks to
    // act as Ursel: proxy authorization, which we refuse).
    PlainMechanism a;
    expect_password(a.start("\0tim\0tanstaaftanstaaf"s), "tim", "tanstaaftanstaaf");
    PlainMechanism b;
    auto s = b.start("Ursel\0Kurt\0xipj3plmq"s);
    expect_failure(s, FailureKind::Rejected, "authzid-not-permitted");
    EXPECT_EQ(std::get<Failure>(s).user, "Kurt");
}

TEST(Plain, AuthzidEqualToAuthcidIsAccepted) {
    PlainMechanism m;
    expect_password(m.start("bob@example.test\0bob@example.test\0pw"s), "bob@example.test", "pw");
}

TEST(Plain, WithoutInitialResponseSendsEmptyChallenge) {
    PlainMechanism m;
    auto s = m.start(std::nullopt);
    ASSERT_TRUE(std::holds_alternative<Challenge>(s));
    EXPECT_EQ(std::get<Challenge>(s).data, "");
    expect_password(m.step("\0alice\0secret"s), "alice", "secret");
    expect_failure(m.step("\0alice\0secret"s), FailureKind::Malformed);  // nothing more is due
}

TEST(Plain, MalformedMessages) {
    const std::string too_long_user(kMaxIdentity + 1, 'u');
    const std::string too_long_pw(kMaxPassword + 1, 'p');
    for (const std::string& msg : {
             ""s, "alice"s, "\0alice"s, "\0alice\0"s, "\0\0secret"s, "\0alice\0sec\0ret"s,
             "\0\0\0"s, "\0"s + too_long_user + "\0pw"s, "\0alice\0"s + too_long_pw,
             "\0al\x01ice\0pw"s, "\0al\rice\0pw"s, "\0\xff\xfe\0pw"s, "\0alice\0\xc3"s,
             "\x7f\0alice\0pw"s,
         }) {
        PlainMechanism m;
        expect_failure(m.start(msg), FailureKind::Malformed);
    }
}

TEST(Plain, LimitsAreInclusive) {
    const std::string user(kMaxIdentity, 'u');
    const std::string pw(kMaxPassword, 'p');
    PlainMechanism m;
    expect_password(m.start(user + "\0"s + user + "\0"s + pw), user, pw);
    PlainMechanism utf8;
    expect_password(utf8.start("\0j\xc3\xbcrgen\0p\xc3\xa4ss"s), "j\xc3\xbcrgen", "p\xc3\xa4ss");
}

TEST(Login, Dialog) {
    LoginMechanism m;
    auto s = m.start(std::nullopt);
    ASSERT_TRUE(std::holds_alternative<Challenge>(s));
    EXPECT_EQ(std::get<Challenge>(s).data, "Username:");
    s = m.step("alice@example.test");
    ASSERT_TRUE(std::holds_alternative<Challenge>(s));
    EXPECT_EQ(std::get<Challenge>(s).data, "Password:");
    expect_password(m.step("s3cret"), "alice@example.test", "s3cret");
    expect_failure(m.step("again"), FailureKind::Malformed);
}

TEST(Login, InitialResponseIsTheUsername) {
    LoginMechanism m;
    auto s = m.start("alice");
    ASSERT_TRUE(std::holds_alternative<Challenge>(s));
    EXPECT_EQ(std::get<Challenge>(s).data, "Password:");
    expect_password(m.step("pw"), "alice", "pw");
}

TEST(Login, MalformedUsernameOrPassword) {
    {
        LoginMechanism m;
        expect_failure(m.start(""), FailureKind::Malformed);
    }
    {
        LoginMechanism m;
        m.start(std::nullopt);
        expect_failure(m.step("a\0b"s), FailureKind::Malformed);
        expect_failure(m.step("alice"), FailureKind::Malformed);  // the exchange is over
    }
    {
        LoginMechanism m;
        m.start("alice");
        auto s = m.step("");
        expect_failure(s, FailureKind::Malformed);
        EXPECT_EQ(std::get<Failure>(s).user, "alice");
    }
    {
        LoginMechanism m;
        m.start("alice");
        expect_failure(m.step(std::string(kMaxPassword + 1, 'p')), FailureKind::Malformed);
    }
    {
        LoginMechanism m;
        m.start("alice");
        expect_failure(m.step("p\0w"s), FailureKind::Malformed);
    }
    {
        LoginMechanism m;
        m.start("alice");
        expect_password(m.step("\xe9t\xe9"), "alice", "\xe9t\xe9");  // Latin-1 passwords pass
    }
}

TEST(Mechanisms, ProvideScramIsRefusedOutsideScram) {
    PlainMechanism p;
    p.start(std::nullopt);
    expect_failure(p.provide_scram(std::nullopt), FailureKind::Malformed);
    LoginMechanism l;
    expect_failure(l.provide_scram(ScramCredentials{}), FailureKind::Malformed);
}

}  // namespace
}  // namespace tern::sasl
