// Tests for core/base64: RFC 4648 section 10 vectors and the strictness of decode.
#include "core/base64.hpp"

#include <gtest/gtest.h>

namespace tern {
namespace {

TEST(Base64, Rfc4648Vectors) {
    const std::pair<const char*, const char*> vectors[] = {
        {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
    };
    for (auto [plain, enc] : vectors) {
        EXPECT_EQ(base64_encode(plain), enc);
        EXPECT_EQ(base64_decode(enc), std::optional<std::string>(plain)) << enc;
    }
}

TEST(Base64, AllByteValuesRoundTrip) {
    std::string all;
    for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
    for (std::size_t n = 0; n <= all.size(); n += 37) {
        auto s = all.substr(0, n);
        EXPECT_EQ(base64_decode(base64_encode(s)), s);
    }
    EXPECT_EQ(base64_encode("\xfb\xff"), "+/8=");
    EXPECT_EQ(base64_decode("+/8="), std::optional<std::string>("\xfb\xff"));
}

TEST(Base64, DecodeIsStrict) {
    for (const char* bad : {
             "=",          // RFC 4954's empty response marker is not base64
             "==", "Zg=", "Zg", "Z", "Zm9", "Zm9vY",  // length not a multiple of 4
             "Zh==", "Zm9=",                          // non-zero bits under the padding
             "Z===", "====", "Zg==Zg==", "Zm=v",      // padding in the wrong place
             "Zm9v\r\n", " Zm9v", "Zm9v ", "Zm 9v", "Zm9v\n",  // whitespace
             "Zm9-", "Zm9_", "Zm9\x80",               // outside the alphabet (URL-safe too)
         }) {
        EXPECT_FALSE(base64_decode(bad)) << "accepted: " << bad;
    }
    EXPECT_FALSE(base64_decode(std::string_view("Zm9v\0\0\0\0", 8)));
}

}  // namespace
}  // namespace tern
