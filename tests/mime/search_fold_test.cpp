// search_fold() and contains_casefold() against the reference they must equal: the whole text
// through GLib at once (make_valid, NFKD, casefold, NFKC, as search.hpp describes), on random
// mixes of ASCII, folding special cases, combining marks, compatibility forms and bad bytes.
#include <glib.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "mime/search.hpp"

namespace tern::mime {
namespace {

std::string reference_fold(std::string_view utf8) {
    (void)search_fold("\xC3\xA9");  // GMime/GLib set up as search.cpp does
    std::string text(utf8);
    for (char& c : text)
        if (c == '\0') c = ' ';
    gchar* valid = g_utf8_make_valid(text.data(), static_cast<gssize>(text.size()));
    gchar* decomposed = g_utf8_normalize(valid, -1, G_NORMALIZE_NFKD);
    gchar* folded = g_utf8_casefold(decomposed ? decomposed : valid, -1);
    gchar* composed = g_utf8_normalize(folded, -1, G_NORMALIZE_NFKC);
    std::string out = composed ? composed : folded;
    g_free(composed);
    g_free(folded);
    g_free(decomposed);
    g_free(valid);
    return out;
}

bool reference_contains(std::string_view haystack, std::string_view needle) {
    return reference_fold(haystack).find(reference_fold(needle)) != std::string::npos;
}

// Pieces that fold in interesting ways, and the ASCII letters they fold to or combine with.
const std::vector<std::string> kPieces = {
    "a", "e", "k", "s", "K", "S", "x", "Z", "i", "I", "f", " ", "\n", std::string(1, '\0'),
    "ss", "SS", "fi", "st", "kelvin", "KELVIN",
    "\xC3\x9F",          // ß -> ss
    "\xE1\xBA\x9E",      // ẞ capital sharp s -> ss
    "\xC5\xBF",          // ſ long s -> s
    "\xE2\x84\xAA",      // K Kelvin sign -> k
    "\xE2\x84\xAB",      // Å Angstrom sign -> å
    "\xC4\xB0",          // İ -> i + dot above
    "\xC4\xB1",          // ı dotless i
    "\xEF\xAC\x81",      // ﬁ ligature -> fi
    "\xEF\xAC\x86",      // ﬆ ligature -> st
    "\xEF\xBC\xAB",      // Ｋ fullwidth K -> k
    "\xE2\x84\x8D",      // ℍ double-struck H -> h
    "\xCC\x81",          // combining acute
    "\xCC\x88",          // combining diaeresis
    "\xCC\xA3",          // combining dot below (reorders before acute)
    "\xC3\xA9", "\xC3\x89",  // é É
    "\xC3\xBC", "\xC3\x9C",  // ü Ü
    "\xCE\xA3", "\xCF\x82",  // Σ ς
    "\xE1\xBE\x80",      // ᾀ (folds to two characters)
    "\xEA\xB0\x80",      // 가 Hangul syllable
    "\xE1\x84\x80", "\xE1\x85\xA1",  // Hangul jamo L, V (compose)
    "\xC2\xB5",          // µ micro sign -> μ
    "\xE2\x85\xA0",      // Ⅰ roman numeral one -> i
    "\xFF", "\xC3", "\xE2\x84", "\x80",  // invalid and truncated sequences
};

std::string random_text(std::mt19937& rng, std::size_t max_pieces) {
    std::uniform_int_distribution<std::size_t> count(0, max_pieces);
    std::uniform_int_distribution<std::size_t> pick(0, kPieces.size() - 1);
    std::string s;
    for (std::size_t n = count(rng); n > 0; --n) s += kPieces[pick(rng)];
    return s;
}

TEST(SearchFold, EqualsFoldingTheWholeTextOnRandomMixes) {
    std::mt19937 rng(20261122);
    for (int i = 0; i < 20000; ++i) {
        std::string s = random_text(rng, 12);
        ASSERT_EQ(search_fold(s), reference_fold(s)) << testing::PrintToString(s);
    }
}

TEST(SearchFold, ContainsCasefoldEqualsTheReference) {
    std::mt19937 rng(7);
    std::uniform_int_distribution<int> ascii(0, 127);
    int matches = 0;
    for (int i = 0; i < 20000; ++i) {
        std::string hay = random_text(rng, 14);
        std::string needle = random_text(rng, 3);
        bool want = reference_contains(hay, needle);
        matches += want;
        ASSERT_EQ(contains_casefold(hay, needle), want) << testing::PrintToString(hay) << " / "
                                                         << testing::PrintToString(needle);
        // ASCII-only pairs, the fast path, with a needle taken from the text half the time.
        std::string ah, an;
        for (int n = ascii(rng) % 40; n > 0; --n) ah += static_cast<char>(ascii(rng) % 2 ? "aAbBsSkK \0"[ascii(rng) % 10] : ascii(rng));
        if (i % 2 && ah.size() > 2) {
            an = ah.substr(ah.size() / 3, 1 + ascii(rng) % 4);
            for (char& c : an)
                if (c >= 'a' && c <= 'z' && ascii(rng) % 2) c = static_cast<char>(c - 32);
        } else {
            for (int n = ascii(rng) % 3; n > 0; --n) an += "abska\0 "[ascii(rng) % 7];
        }
        ASSERT_EQ(contains_casefold(ah, an), reference_contains(ah, an)) << testing::PrintToString(ah) << " / "
                                                                           << testing::PrintToString(an);
    }
    EXPECT_GT(matches, 1000);  // the mixes do exercise matches, not only misses
}

TEST(SearchFold, FoldingCasesAcrossAsciiAndNonAscii) {
    struct Case {
        std::string hay, needle;
    };
    const std::vector<Case> cases = {
        {"Stra\xC3\x9F" "e", "strasse"},             // ß in the text, ASCII needle
        {"strasse", "STRA\xC3\x9F" "E"},             // ß in the needle, ASCII text
        {"Me\xC3\x9F" "ung", "SSUNG"},
        {"\xC5\xBF" "top", "STOP"},                  // ſ
        {"273 \xE2\x84\xAA" "elvin", "kelvin"},      // Kelvin sign
        {"\xEF\xAC\x81" "nal", "FINAL"},
        {"\xEF\xBC\xAB" "ey", "key"},                // fullwidth K
        {"cafe\xCC\x81", "cafe"},                    // e + combining acute composes: no match
        {"cafe\xCC\x81", "caf\xC3\xA9"},
        {"cafe\xCC\x81s", "\xC3\xA9s"},
        {std::string("nul\0byte", 8), "nul byte"},
        {"ascii only text", "ONLY"},
        {"\xFF\xFE zanzibar", "ZANZIBAR"},
    };
    for (const auto& c : cases) {
        EXPECT_EQ(contains_casefold(c.hay, c.needle), reference_contains(c.hay, c.needle))
            << testing::PrintToString(c.hay) << " / " << testing::PrintToString(c.needle);
        EXPECT_EQ(search_fold(c.hay), reference_fold(c.hay));
    }
    EXPECT_TRUE(contains_casefold("273 \xE2\x84\xAA" "elvin", "KELVIN"));
    EXPECT_FALSE(contains_casefold("cafe\xCC\x81", "cafe"));
}

}  // namespace
}  // namespace tern::mime
