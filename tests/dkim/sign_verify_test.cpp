#include <gtest/gtest.h>

#include "dkim/key_record.hpp"
#include "dkim/signer.hpp"
#include "dkim/verifier.hpp"

using namespace tern::dkim;

namespace {

const std::string kMessage =
    "From: Alice <alice@example.com>\r\n"
    "To: bob@example.net\r\n"
    "Subject: Lunch\r\n"
    "Date: Sun, 22 Nov 2026 12:00:00 +0000\r\n"
    "Message-ID: <1@example.com>\r\n"
    "\r\n"
    "Shall we meet at noon?\r\n"
    ".\r\n"
    "\r\n";

constexpr std::int64_t kNow = 1795000000;

const PrivateKey& rsa_key() {
    static PrivateKey k = PrivateKey::generate(Algorithm::RsaSha256);
    return k;
}
const PrivateKey& ed_key() {
    static PrivateKey k = PrivateKey::generate(Algorithm::Ed25519Sha256);
    return k;
}

SignOptions options() {
    SignOptions o;
    o.domain = "example.com";
    o.selector = "sel";
    o.timestamp = kNow - 10;
    return o;
}

// Verifies the first signature of `message` with `record` published for it.
SignatureCheck verify_with(const std::string& message, const std::string& record,
                           KeyLookup::Status status = KeyLookup::Status::Found) {
    Verification v = start_verification(message, kNow);
    EXPECT_EQ(v.checks.size(), 1u);
    if (v.checks.empty()) return {};
    SignatureCheck& c = v.checks.front();
    if (c.needs_key()) {
        EXPECT_EQ(c.key_name(), "sel._domainkey.example.com");
        KeyLookup l;
        l.status = status;
        if (status == KeyLookup::Status::Found) l.records = {record};
        finish(v, c, l);
    }
    return c;
}

class SignVerify : public ::testing::TestWithParam<Algorithm> {
protected:
    const PrivateKey& key() const { return GetParam() == Algorithm::RsaSha256 ? rsa_key() : ed_key(); }
    std::string signed_message(const std::string& m = kMessage) const { return sign(m, key(), options()) + m; }
};

}  // namespace

TEST_P(SignVerify, RoundTripPasses) {
    auto c = verify_with(signed_message(), key().dns_record());
    ASSERT_TRUE(c.result);
    EXPECT_EQ(*c.result, Result::Pass) << c.reason;
    EXPECT_EQ(c.signature->algorithm, GetParam());
    EXPECT_EQ(c.signature->domain, "example.com");
}

TEST_P(SignVerify, SurvivesLfLineEndsAndRelaxedChanges) {
    // Stored with LF, re-folded and re-spaced on the way: relaxed/relaxed still verifies.
    std::string lf = "From: Alice <alice@example.com>\nTo: bob@example.net\nSubject: Lunch\n\nhi  there \n\n";
    std::string sig = sign(lf, key(), options());
    std::string changed = sig + "From:   Alice <alice@example.com>\r\nTo: bob@example.net\r\nSubject:\r\n Lunch\r\n\r\nhi there\r\n";
    auto c = verify_with(changed, key().dns_record());
    EXPECT_EQ(*c.result, Result::Pass) << c.reason;
}

TEST_P(SignVerify, ChangedBodyFailsOnTheBodyHash) {
    std::string m = signed_message();
    m.replace(m.find("noon"), 4, "nine");
    auto c = verify_with(m, key().dns_record());
    EXPECT_EQ(*c.result, Result::Fail);
    EXPECT_EQ(c.reason, "body hash did not verify");
}

TEST_P(SignVerify, ChangedHeaderFailsTheSignature) {
    std::string m = signed_message();
    m.replace(m.find("Lunch"), 5, "Lunce");
    auto c = verify_with(m, key().dns_record());
    EXPECT_EQ(*c.result, Result::Fail);
    EXPECT_EQ(c.reason, "signature did not verify");
}

TEST_P(SignVerify, AddedFromOrSubjectFailsBecauseOfOversigning) {
    std::string m = signed_message();
    std::size_t body = m.find("\r\n\r\n");
    std::string extra_from = m.substr(0, body) + "\r\nFrom: mallory@evil.test" + m.substr(body);
    EXPECT_EQ(*verify_with(extra_from, key().dns_record()).result, Result::Fail);
    std::string extra_cc = m.substr(0, body) + "\r\nCc: someone@evil.test" + m.substr(body);
    EXPECT_EQ(*verify_with(extra_cc, key().dns_record()).result, Result::Fail);
    // A field outside the signed list may be added freely.
    std::string extra_x = m.substr(0, body) + "\r\nX-Spam: no" + m.substr(body);
    EXPECT_EQ(*verify_with(extra_x, key().dns_record()).result, Result::Pass);
}

TEST_P(SignVerify, KeyProblems) {
    std::string m = signed_message();
    EXPECT_EQ(*verify_with(m, "v=DKIM1; p=").result, Result::PermError);  // revoked
    EXPECT_EQ(*verify_with(m, "", KeyLookup::Status::NotFound).result, Result::PermError);
    EXPECT_EQ(*verify_with(m, "", KeyLookup::Status::TempError).result, Result::TempError);
    const PrivateKey& other = GetParam() == Algorithm::RsaSha256 ? ed_key() : rsa_key();
    EXPECT_EQ(*verify_with(m, other.dns_record()).result, Result::PermError);  // k= does not match a=
    const PrivateKey same_type = PrivateKey::generate(GetParam());
    EXPECT_EQ(*verify_with(m, same_type.dns_record()).result, Result::Fail);  // the wrong key
    EXPECT_EQ(*verify_with(m, key().dns_record() + "; s=other").result, Result::PermError);
}

TEST_P(SignVerify, PemRoundTrip) {
    auto again = PrivateKey::from_pem(key().to_pem(), nullptr);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->algorithm(), GetParam());
    EXPECT_EQ(again->dns_record(), key().dns_record());
}

INSTANTIATE_TEST_SUITE_P(Algorithms, SignVerify, ::testing::Values(Algorithm::RsaSha256, Algorithm::Ed25519Sha256),
                         [](const auto& info) { return info.param == Algorithm::RsaSha256 ? "Rsa" : "Ed25519"; });

TEST(Verify, RefusesBadSignatureFields) {
    auto one = [](const std::string& field) {
        Verification v = start_verification("DKIM-Signature: " + field + "\r\nFrom: a@example.com\r\n\r\nx\r\n", kNow);
        EXPECT_EQ(v.checks.size(), 1u);
        return v.checks.front();
    };
    const std::string bh = "bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=; b=AAAA;";
    auto sha1 = one("v=1; a=rsa-sha1; d=example.com; s=s; h=from; " + bh);
    EXPECT_EQ(*sha1.result, Result::PermError);
    EXPECT_NE(sha1.reason.find("algorithm"), std::string::npos);
    EXPECT_EQ(*one("v=1; a=rsa-sha256; d=example.com; s=s; h=to; " + bh).result, Result::PermError);
    EXPECT_EQ(*one("v=2; a=rsa-sha256; d=example.com; s=s; h=from; " + bh).result, Result::PermError);
    EXPECT_EQ(*one("v=1; a=rsa-sha256; d=example.com; s=s; h=from; i=@evil.test; " + bh).result, Result::PermError);
    EXPECT_TRUE(one("v=1; a=rsa-sha256; d=example.com; s=s; h=from; i=x@sub.example.com; " + bh).needs_key());
    auto expired = one("v=1; a=rsa-sha256; d=example.com; s=s; h=from; t=1; x=2; " + bh);
    EXPECT_EQ(expired.reason, "signature expired");
    EXPECT_EQ(*one("v=1; a=rsa-sha256; d=example.com; s=s; h=from; v=1; " + bh).result, Result::PermError);
}

TEST(Verify, LooksAtABoundedNumberOfSignatures) {
    std::string m;
    for (int i = 0; i < 20; ++i) m += "DKIM-Signature: v=1\r\n";
    m += "From: a@example.com\r\n\r\nx\r\n";
    EXPECT_EQ(start_verification(m, kNow, 5).checks.size(), 5u);
}

TEST(KeyRecord, ParsesAndRefuses) {
    auto r = parse_key_record("v=DKIM1; k=ed25519; t=y:s; p=" + std::string(44, 'A'), nullptr);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->algorithm, Algorithm::Ed25519Sha256);
    EXPECT_TRUE(r->testing);
    EXPECT_TRUE(r->strict);
    EXPECT_FALSE(parse_key_record("k=rsa; v=DKIM1; p=", nullptr));  // v= must come first
    EXPECT_FALSE(parse_key_record("v=DKIM1; k=dsa; p=", nullptr));
    EXPECT_FALSE(parse_key_record("v=DKIM1; h=sha1; p=", nullptr));
    EXPECT_FALSE(parse_key_record("v=DKIM1", nullptr));
}

TEST(Sign, SeveralKeysGiveTheSameFieldsAsOneByOne) {
    // One canonicalization for all keys; the fields are what signing with each alone gives
    // (both algorithms are deterministic).
    SignOptions o = options();
    std::string both = sign(kMessage, {{&rsa_key(), "r"}, {&ed_key(), "e"}}, o);
    o.selector = "r";
    std::string one = sign(kMessage, rsa_key(), o);
    o.selector = "e";
    one += sign(kMessage, ed_key(), o);
    EXPECT_EQ(both, one);
    // And LF line ends sign the same as their CRLF form.
    std::string lf = kMessage;
    for (std::size_t i; (i = lf.find("\r\n")) != std::string::npos;) lf.erase(i, 1);
    EXPECT_EQ(sign(lf, {{&rsa_key(), "r"}, {&ed_key(), "e"}}, options()), both);
}
