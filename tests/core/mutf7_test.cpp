// Tests for core/mutf7: the RFC 3501 5.1.3 examples, round trips over many code points, and
// every way decode() must refuse a non-canonical or broken encoding.
#include "core/mutf7.hpp"

#include <gtest/gtest.h>

namespace tern {
namespace {

std::string utf8(std::uint32_t cp) {
    std::string s;
    if (cp < 0x80) {
        s += static_cast<char>(cp);
    } else if (cp < 0x800) {
        s += static_cast<char>(0xC0 | (cp >> 6));
        s += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        s += static_cast<char>(0xE0 | (cp >> 12));
        s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        s += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        s += static_cast<char>(0xF0 | (cp >> 18));
        s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        s += static_cast<char>(0x80 | (cp & 0x3F));
    }
    return s;
}

TEST(Mutf7, Rfc3501Example) {
    // RFC 3501 5.1.3: "~peter/mail/台北/日本語".
    const std::string name = "~peter/mail/\xE5\x8F\xB0\xE5\x8C\x97/\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E";
    EXPECT_EQ(mutf7_encode(name), "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
    EXPECT_EQ(mutf7_decode("~peter/mail/&U,BTFw-/&ZeVnLIqe-"), name);
}

TEST(Mutf7, AsciiAndAmpersand) {
    EXPECT_EQ(mutf7_encode(""), "");
    EXPECT_EQ(mutf7_encode("INBOX"), "INBOX");
    EXPECT_EQ(mutf7_encode("Tom & Jerry"), "Tom &- Jerry");
    EXPECT_EQ(mutf7_decode("Tom &- Jerry"), "Tom & Jerry");
    EXPECT_EQ(mutf7_encode("&&"), "&-&-");
    EXPECT_EQ(mutf7_decode("&-&-"), "&&");
    // Every printable ASCII character stands for itself.
    std::string printable;
    for (char c = 0x20; c < 0x7F; ++c)
        if (c != '&') printable += c;
    EXPECT_EQ(mutf7_encode(printable), printable);
    EXPECT_EQ(mutf7_decode(printable), printable);
}

TEST(Mutf7, KnownEncodings) {
    EXPECT_EQ(mutf7_encode("\xC3\xA9"), "&AOk-");                   // é
    EXPECT_EQ(mutf7_encode("\xC3\xA9\xC3\xA9"), "&AOkA6Q-");        // éé: one shift
    EXPECT_EQ(mutf7_encode("Entw\xC3\xBCrfe"), "Entw&APw-rfe");     // Entwürfe
    EXPECT_EQ(mutf7_encode("\xF0\x9F\x98\x80"), "&2D3eAA-");        // U+1F600, a surrogate pair
    EXPECT_EQ(mutf7_encode("a\tb"), "a&AAk-b");                     // controls are encoded
    EXPECT_EQ(mutf7_encode("\xC3\xA9&"), "&AOk-&-");
    EXPECT_EQ(mutf7_decode("&AOk-&-"), "\xC3\xA9&");                // a shift, then a literal &
    EXPECT_EQ(mutf7_decode("&2D3eAA-"), "\xF0\x9F\x98\x80");
}

TEST(Mutf7, RoundTripsManyCodePoints) {
    std::string all;
    for (std::uint32_t cp = 1; cp < 0x110000; cp += (cp < 0x800 ? 1 : 97)) {
        if (cp >= 0xD800 && cp <= 0xDFFF) continue;
        auto one = utf8(cp);
        auto enc = mutf7_encode(one);
        ASSERT_TRUE(enc) << cp;
        EXPECT_EQ(mutf7_decode(*enc), one) << cp << " " << *enc;
        all += one;
        if (cp % 7 == 0) all += "x&";
    }
    auto enc = mutf7_encode(all);
    ASSERT_TRUE(enc);
    EXPECT_EQ(mutf7_decode(*enc), all);
    // Sequences of 1..9 non-ASCII characters exercise every leftover-bit case.
    for (int n = 1; n <= 9; ++n) {
        std::string s;
        for (int k = 0; k < n; ++k) s += utf8(0x4E00 + static_cast<std::uint32_t>(k) * 31);
        auto e = mutf7_encode(s);
        ASSERT_TRUE(e);
        EXPECT_EQ(mutf7_decode(*e), s) << *e;
    }
}

TEST(Mutf7, EncodeRefusesInvalidUtf8) {
    for (const char* bad : {"\x80", "\xC3", "\xC0\xAF", "\xE0\x80\xAF", "\xED\xA0\x80",
                            "\xF4\x90\x80\x80", "\xFF", "a\xC3(b"}) {
        EXPECT_FALSE(mutf7_encode(bad)) << "accepted: " << bad;
    }
}

TEST(Mutf7, DecodeIsStrict) {
    for (const char* bad : {
             "&",            // never closed
             "&AOk",         // never closed
             "a&U,BTFw",     // never closed
             "&AOk*-",       // outside the alphabet
             "&AO/-",        // '/' is the standard alphabet, not the modified one
             "&AO=-",        // padding is not used
             "&AOl-",        // leftover bits not zero
             "&AOkA-",       // 6+ leftover bits: not a whole UTF-16 unit
             "&A-",          // 6 bits
             "&AE4-",        // "N" encoded: printable ASCII must stand for itself
             "&ACY-",        // "&" encoded
             "&AOk-&AOk-",   // null shift: must be one shift "&AOkA6Q-"
             "&2D0-",        // unpaired high surrogate
             "&3gA-",        // unpaired low surrogate
             "&3gDYPQ-",     // reversed pair
             "&2D3YPQ-",     // two high surrogates
             "\xC3\xA9",     // raw 8-bit
             "a\tb",         // raw control
             "a\x7F",        // DEL
         }) {
        EXPECT_FALSE(mutf7_decode(bad)) << "accepted: " << bad;
    }
}

}  // namespace
}  // namespace tern
