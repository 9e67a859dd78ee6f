// Tests for auth/scram and auth/password: RFC 7677 test vector, base64, secret format,
// Argon2id hashing.
#include "auth/scram.hpp"

#include <gtest/gtest.h>

#include "auth/password.hpp"

namespace tern::auth {
namespace {

TEST(Scram, Rfc7677TestVector) {
    // RFC 7677 section 3: user "user", password "pencil".
    auto salt = base64_decode("W22ZaJ0SNY7soEsUEjb6gQ==");
    ASSERT_TRUE(salt);
    auto s = derive_scram_sha256("pencil", *salt, 4096);
    const std::string client_first_bare = "n=user,r=rOprNGfwEbeRWgbNEkqO";
    const std::string server_first =
        "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    const std::string client_final_no_proof = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
    const std::string auth_message = client_first_bare + "," + server_first + "," + client_final_no_proof;

    // The server proves itself with ServerSignature = HMAC(ServerKey, AuthMessage).
    EXPECT_EQ(base64_encode(as_view(hmac_sha256(as_view(s.server_key), auth_message))),
              "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");

    // And verifies the client: ClientKey = ClientProof XOR HMAC(StoredKey, AuthMessage),
    // then H(ClientKey) must equal StoredKey.
    auto proof = base64_decode("dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
    ASSERT_TRUE(proof);
    ASSERT_EQ(proof->size(), 32u);
    auto client_signature = hmac_sha256(as_view(s.stored_key), auth_message);
    std::string client_key(32, '\0');
    for (std::size_t i = 0; i < 32; ++i)
        client_key[i] = static_cast<char>(static_cast<unsigned char>((*proof)[i]) ^ client_signature[i]);
    EXPECT_EQ(sha256(client_key), s.stored_key);

    // A different password gives a different secret.
    EXPECT_NE(derive_scram_sha256("pencil2", *salt, 4096), s);
}

TEST(Scram, SecretFormatRoundTrip) {
    auto s = make_scram_sha256("secret");
    EXPECT_EQ(s.iterations, kScramDefaultIterations);
    EXPECT_EQ(s.salt.size(), kScramSaltBytes);
    auto text = format_scram_secret(s);
    auto back = parse_scram_secret(text);
    ASSERT_TRUE(back) << text;
    EXPECT_EQ(*back, s);
    EXPECT_NE(make_scram_sha256("secret").salt, s.salt);  // fresh salt each time
}

TEST(Scram, ParseRejectsMalformed) {
    auto good = format_scram_secret(derive_scram_sha256("p", "saltsalt", 4096));
    ASSERT_TRUE(parse_scram_secret(good));
    auto parts_of = [&](int drop) {
        std::string s = good;
        return s.substr(0, s.rfind(':')) + (drop ? "" : ":x");
    };
    EXPECT_FALSE(parse_scram_secret(""));
    EXPECT_FALSE(parse_scram_secret(parts_of(1)));           // 3 fields
    EXPECT_FALSE(parse_scram_secret(good + ":extra"));       // 5 fields
    EXPECT_FALSE(parse_scram_secret(parts_of(0)));           // bad ServerKey
    auto fields = good;
    auto c1 = fields.find(':');
    auto c2 = fields.find(':', c1 + 1);
    auto with_iter = [&](const std::string& i) { return fields.substr(0, c1 + 1) + i + fields.substr(c2); };
    EXPECT_TRUE(parse_scram_secret(with_iter("4096")));
    EXPECT_FALSE(parse_scram_secret(with_iter("4095")));   // RFC 7677 minimum
    EXPECT_FALSE(parse_scram_secret(with_iter("04096")));
    EXPECT_FALSE(parse_scram_secret(with_iter("4096x")));
    EXPECT_FALSE(parse_scram_secret(with_iter("")));
    EXPECT_FALSE(parse_scram_secret(":" + good.substr(c1 + 1)));  // empty salt
}

TEST(Base64, Rfc4648Vectors) {
    const std::pair<const char*, const char*> v[] = {{"", ""},         {"f", "Zg=="},
                                                     {"fo", "Zm8="},   {"foo", "Zm9v"},
                                                     {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="},
                                                     {"foobar", "Zm9vYmFy"}};
    for (auto [plain, enc] : v) {
        EXPECT_EQ(base64_encode(plain), enc);
        auto d = base64_decode(enc);
        ASSERT_TRUE(d) << enc;
        EXPECT_EQ(*d, plain);
    }
    EXPECT_FALSE(base64_decode("Zg="));
    EXPECT_FALSE(base64_decode("Zh=="));   // non-zero padding bits
    EXPECT_FALSE(base64_decode("Zm 9v"));
    EXPECT_FALSE(base64_decode("Z==="));
    EXPECT_FALSE(base64_decode("Zg==Zg=="));
}

TEST(Password, HashAndVerify) {
    auto h = hash_password("correct horse");
    EXPECT_TRUE(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$")) << h;
    EXPECT_TRUE(verify_password_hash(h, "correct horse"));
    EXPECT_FALSE(verify_password_hash(h, "correct horsE"));
    EXPECT_FALSE(verify_password_hash(h, ""));
    EXPECT_FALSE(verify_password_hash("garbage", "x"));
    EXPECT_NE(hash_password("correct horse"), h);  // random salt
    // The dummy hash is well-formed and as costly as a real one.
    EXPECT_TRUE(std::string_view(dummy_password_hash()).starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
    EXPECT_FALSE(verify_password_hash(dummy_password_hash(), "correct horse"));
}

TEST(Password, Problems) {
    EXPECT_EQ(password_problem("ok"), "");
    EXPECT_NE(password_problem(""), "");
    EXPECT_EQ(password_problem(std::string(kMaxPasswordBytes, 'a')), "");
    EXPECT_NE(password_problem(std::string(kMaxPasswordBytes + 1, 'a')), "");
    EXPECT_NE(password_problem(std::string("a\0b", 3)), "");
    EXPECT_NE(password_problem("a\nb"), "");
    EXPECT_NE(password_problem("a\rb"), "");
}

}  // namespace
}  // namespace tern::auth
