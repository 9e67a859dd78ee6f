// Tests for the SCRAM-SHA-256 server mechanism (RFC 5802, RFC 7677): the RFC 7677 example
// exchange with its nonces injected, wrong proofs, nonce and channel-binding checks,
// malformed attributes, unknown users.
#include "sasl/scram_sha256.hpp"

#include <gtest/gtest.h>

#include "scram_client.hpp"

namespace tern::sasl {
namespace {

using namespace tern::sasl::test;
using namespace std::string_literals;

Options rfc_options() {
    Options o;
    o.nonce = [] { return kRfcServerNonce; };
    o.fake_secret = "test fake secret";
    o.fake_iterations = 4096;
    return o;
}

std::string challenge(const Step& s) {
    auto* c = std::get_if<Challenge>(&s);
    EXPECT_NE(c, nullptr) << "step index " << s.index();
    return c ? c->data : std::string("<not a challenge>");
}

Failure failure(const Step& s) {
    auto* f = std::get_if<Failure>(&s);
    EXPECT_NE(f, nullptr) << "step index " << s.index();
    return f ? *f : Failure{FailureKind::Internal, "<not a failure>", {}};
}

// Runs client-first up to the server-first message with the RFC credentials.
std::string to_server_first(ScramSha256Mechanism& m, const std::string& client_first,
                            std::optional<ScramCredentials> creds = rfc_credentials()) {
    auto s = m.start(client_first);
    auto* need = std::get_if<NeedScramCredentials>(&s);
    EXPECT_NE(need, nullptr) << "step index " << s.index();
    return challenge(m.provide_scram(creds));
}

TEST(Scram, Rfc7677Exchange) {
    ScramSha256Mechanism m(rfc_options());
    auto s = m.start(kRfcClientFirst);
    ASSERT_TRUE(std::holds_alternative<NeedScramCredentials>(s));
    EXPECT_EQ(std::get<NeedScramCredentials>(s).authcid, "user");
    EXPECT_EQ(challenge(m.provide_scram(rfc_credentials())), kRfcServerFirst);
    s = m.step(kRfcClientFinal);
    ASSERT_TRUE(std::holds_alternative<Success>(s));
    EXPECT_EQ(std::get<Success>(s).user, "user");
    EXPECT_EQ(std::get<Success>(s).server_final, kRfcServerFinal);
    EXPECT_EQ(failure(m.step("")).kind, FailureKind::Malformed);  // nothing more is due
}

TEST(Scram, WithoutInitialResponseAsksForClientFirst) {
    ScramSha256Mechanism m(rfc_options());
    EXPECT_EQ(challenge(m.start(std::nullopt)), "");
    ASSERT_TRUE(std::holds_alternative<NeedScramCredentials>(m.step(kRfcClientFirst)));
    EXPECT_EQ(challenge(m.provide_scram(rfc_credentials())), kRfcServerFirst);
    EXPECT_TRUE(std::holds_alternative<Success>(m.step(kRfcClientFinal)));
}

TEST(Scram, ClientComputedExchangesSucceed) {
    // "y,,": the client supports channel binding but thinks we do not (RFC 5802 6); authzid
    // equal to the user; escaped names; extensions in both client messages are ignored.
    for (std::string first : {"y,,n=user,r=abc"s, "n,a=user,n=user,r=abc,x=ext"s}) {
        ScramSha256Mechanism m(rfc_options());
        auto server_first = to_server_first(m, first);
        auto cf = client_final("pencil", first, server_first, ",z=ignored");
        auto s = m.step(cf.message);
        ASSERT_TRUE(std::holds_alternative<Success>(s)) << first;
        EXPECT_EQ(std::get<Success>(s).server_final, cf.server_final);
    }
    ScramSha256Mechanism m(rfc_options());
    const std::string first = "n,a=a=3Db=2Cc,n=a=3Db=2Cc,r=xyz";
    auto s = m.start(first);
    ASSERT_TRUE(std::holds_alternative<NeedScramCredentials>(s));
    EXPECT_EQ(std::get<NeedScramCredentials>(s).authcid, "a=b,c");
    auto server_first = challenge(m.provide_scram(rfc_credentials()));
    EXPECT_TRUE(std::holds_alternative<Success>(m.step(client_final("pencil", first, server_first).message)));
}

TEST(Scram, WrongPasswordIsInvalidProof) {
    ScramSha256Mechanism m(rfc_options());
    auto server_first = to_server_first(m, kRfcClientFirst);
    auto f = failure(m.step(client_final("pencil2", kRfcClientFirst, server_first).message));
    EXPECT_EQ(f.kind, FailureKind::Rejected);
    EXPECT_EQ(f.reason, "invalid-proof");
    EXPECT_EQ(f.user, "user");
}

TEST(Scram, FlippedProofBitIsInvalidProof) {
    for (std::size_t bit : {0u, 77u, 255u}) {
        ScramSha256Mechanism m(rfc_options());
        to_server_first(m, kRfcClientFirst);
        auto at = kRfcClientFinal.find(",p=") + 3;
        auto proof = *base64_decode(kRfcClientFinal.substr(at));
        proof[bit / 8] = static_cast<char>(proof[bit / 8] ^ (1 << (bit % 8)));
        auto f = failure(m.step(kRfcClientFinal.substr(0, at) + base64_encode(proof)));
        EXPECT_EQ(f.kind, FailureKind::Rejected);
        EXPECT_EQ(f.reason, "invalid-proof");
    }
}

TEST(Scram, UnknownUserLooksLikeWrongPassword) {
    auto run = [](const std::string& user) {
        ScramSha256Mechanism m(rfc_options());
        std::string first = "n,,n=" + user + ",r=rOprNGfwEbeRWgbNEkqO";
        auto server_first = to_server_first(m, first, std::nullopt);
        auto f = failure(m.step(client_final("pencil", first, server_first).message));
        return std::make_pair(server_first, f);
    };
    auto [sf1, f1] = run("nobody");
    auto [sf2, f2] = run("nobody");
    auto [sf3, f3] = run("somebody");
    EXPECT_EQ(sf1, sf2);  // the same made-up salt every time
    EXPECT_NE(sf1, sf3);  // and a different one per name
    EXPECT_NE(sf1.find(",i=4096"), std::string::npos);
    EXPECT_EQ(base64_decode(sf1.substr(sf1.find(",s=") + 3, 24))->size(), 16u);
    EXPECT_EQ(f1.kind, FailureKind::Rejected);
    EXPECT_EQ(f1.reason, "invalid-proof");
    EXPECT_EQ(f1.user, "nobody");
    // A different fake secret gives different salts.
    auto o = rfc_options();
    o.fake_secret = "other";
    ScramSha256Mechanism m(o);
    EXPECT_NE(to_server_first(m, "n,,n=nobody,r=rOprNGfwEbeRWgbNEkqO", std::nullopt), sf1);
}

TEST(Scram, NonceMustBeEchoedExactly) {
    for (std::string nonce : {"rOprNGfwEbeRWgbNEkqO"s, "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k"s,
                              "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0x"s, "x"s}) {
        ScramSha256Mechanism m(rfc_options());
        to_server_first(m, kRfcClientFirst);
        auto msg = "c=biws,r=" + nonce + ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
        auto f = failure(m.step(msg));
        EXPECT_EQ(f.kind, FailureKind::Rejected);
        EXPECT_EQ(f.reason, "nonce-mismatch");
    }
}

TEST(Scram, ChannelBinding) {
    ScramSha256Mechanism p(rfc_options());
    auto f = failure(p.start("p=tls-unique,,n=user,r=abc"));
    EXPECT_EQ(f.kind, FailureKind::Malformed);
    EXPECT_EQ(f.reason, "channel-binding-not-supported");
    // The c= attribute must carry back exactly the gs2 header of the client-first message.
    for (std::string echo : {"y,,"s, "n,a=user,"s, "n,,x"s, ""s}) {
        ScramSha256Mechanism m(rfc_options());
        auto server_first = to_server_first(m, kRfcClientFirst);
        auto f2 = failure(m.step(client_final("pencil", kRfcClientFirst, server_first, "", &echo).message));
        EXPECT_EQ(f2.kind, FailureKind::Malformed);
        EXPECT_EQ(f2.reason, "channel-bindings-dont-match");
    }
}

TEST(Scram, AuthzidMustBeTheUser) {
    ScramSha256Mechanism m(rfc_options());
    auto f = failure(m.start("n,a=admin,n=user,r=abc"));
    EXPECT_EQ(f.kind, FailureKind::Rejected);
    EXPECT_EQ(f.reason, "authzid-not-permitted");
    EXPECT_EQ(f.user, "user");
}

TEST(Scram, MalformedClientFirst) {
    for (std::string msg : {
             ""s, "n"s, "n,"s, "n,,"s, "x,,n=user,r=abc"s, "n,,r=abc,n=user"s, "n,,n=user"s,
             "n,,n=user,r="s, "n,,n=,r=abc"s, "n,,n=us=er,r=abc"s, "n,,n=us=2cer,r=abc"s, "n,,n=user,r=a b"s,
             "n,,n=user,r=abc,"s, "n,,n=user,r=abc,1=x"s, "n,,m=ext,n=user,r=abc"s, "n,b=x,n=user,r=abc"s,
             "n,a=,n=user,r=abc"s, "N,,n=user,r=abc"s, "n,,n=u\x01ser,r=abc"s, "n,,n=\xff,r=abc"s,
             "n,,n=user,r=ab\x7f"s, "n,,n=user,r=abc"s + std::string(kMaxMessage, 'x'),
             "n,,n="s + std::string(kMaxIdentity + 1, 'u') + ",r=abc",
         }) {
        ScramSha256Mechanism m(rfc_options());
        auto f = failure(m.start(msg));
        EXPECT_EQ(f.kind, FailureKind::Malformed) << msg;
        EXPECT_FALSE(std::holds_alternative<NeedScramCredentials>(m.step(kRfcClientFirst)));
    }
}

TEST(Scram, MalformedClientFinal) {
    const std::string n = "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    const std::string p = "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";
    for (std::string msg : {
             ""s, "c=biws"s, "c=biws,r=" + n, "r=" + n + ",c=biws," + p, "c=biws," + p,
             "c=biws,r=" + n + ",p=", "c=biws,r=" + n + ",p=dHzb", "c=biws,r=" + n + ",p=!!!!",
             "c=biws,r=" + n + ",p=" + base64_encode(std::string(33, 'x')), "c=bi,r=" + n + "," + p,
             "c=biws,r=" + n + ",7=x," + p, "c=biws,r=" + n + ",," + p, "x=biws,r=" + n + "," + p,
         }) {
        ScramSha256Mechanism m(rfc_options());
        to_server_first(m, kRfcClientFirst);
        auto f = failure(m.step(msg));
        EXPECT_EQ(f.kind, FailureKind::Malformed) << msg;
    }
}

TEST(Scram, SequenceErrors) {
    ScramSha256Mechanism m(rfc_options());
    EXPECT_EQ(failure(m.provide_scram(rfc_credentials())).kind, FailureKind::Malformed);  // before client-first
    ScramSha256Mechanism m2(rfc_options());
    m2.start(kRfcClientFirst);
    EXPECT_EQ(failure(m2.step(kRfcClientFinal)).kind, FailureKind::Malformed);  // credentials not given yet
    ScramSha256Mechanism m3(rfc_options());
    m3.start(kRfcClientFirst);
    m3.provide_scram(rfc_credentials());
    EXPECT_EQ(failure(m3.provide_scram(rfc_credentials())).kind, FailureKind::Malformed);
}

TEST(Scram, BadNonceSourceIsInternal) {
    auto o = rfc_options();
    o.nonce = [] { return std::string("has,comma"); };
    ScramSha256Mechanism m(o);
    m.start(kRfcClientFirst);
    EXPECT_EQ(failure(m.provide_scram(rfc_credentials())).kind, FailureKind::Internal);
}

TEST(Scram, DefaultNonceIsRandomBase64) {
    auto a = random_nonce(), b = random_nonce();
    EXPECT_EQ(a.size(), 24u);
    EXPECT_NE(a, b);
    EXPECT_TRUE(base64_decode(a));
    Options o;  // no nonce source: the default is used
    ScramSha256Mechanism m(o);
    m.start(kRfcClientFirst);
    auto sf = challenge(m.provide_scram(rfc_credentials()));
    EXPECT_EQ(sf.find("r=rOprNGfwEbeRWgbNEkqO"), 0u);
    EXPECT_EQ(sf.find(",s="), 2 + 20 + 24u);
}

}  // namespace
}  // namespace tern::sasl
