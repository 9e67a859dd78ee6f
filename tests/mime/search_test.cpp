// SEARCH text: decoded header values, charset-aware body text, case-insensitive matching.
#include <gtest/gtest.h>

#include "mime/message.hpp"
#include "mime/samples.hpp"
#include "mime/search.hpp"

namespace tern::mime {
namespace {

TEST(Search, HeaderValuesAreDecoded) {
    std::string m =
        "Subject: =?ISO-8859-1?Q?Gr=FC=DFe?= aus =?utf-8?b?S8O2bG4=?=\n"
        "X-Tag: one\nX-Tag: =?utf-8?q?tw=C3=B6?=\n\nbody";
    EXPECT_EQ(header_value_decoded(m, "subject"),
              (std::vector<std::string>{"Gr\xC3\xBC\xC3\x9F" "e aus K\xC3\xB6ln"}));
    EXPECT_EQ(header_value_decoded(m, "X-Tag"), (std::vector<std::string>{"one", "tw\xC3\xB6"}));
    EXPECT_TRUE(header_value_decoded(m, "From").empty());
    // Undeclared 8-bit Latin-1 still becomes valid UTF-8.
    auto v = header_value_decoded("Subject: \xC4rger\n\n", "Subject");
    ASSERT_EQ(v.size(), 1u);
    EXPECT_TRUE(contains_casefold(v[0], "\xC3\xA4rger"));
    EXPECT_NE(header_text(m).find("Subject: Gr\xC3\xBC\xC3\x9F" "e"), std::string::npos);
}

TEST(Search, Latin1QuotedPrintableBody) {
    std::string body = body_text(samples::kNested);
    EXPECT_TRUE(contains_casefold(body, "Gr\xC3\xBC\xC3\x9F" "e"));  // "Grüße"
    EXPECT_TRUE(contains_casefold(body, "GR\xC3\x9C" "SSE"));         // "GRÜSSE"
    EXPECT_TRUE(contains_casefold(body, "<b>hi</b>"));
    EXPECT_TRUE(contains_casefold(body, "see below"));
}

TEST(Search, Utf8Base64Body) {
    std::string m =
        "Content-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: base64\n\n"
        "xJDDoCBO4bq1bmcgLSDQn9GA0LjQstC10YIg0LzQuNGA\n";  // "Đà Nẵng - Привет мир"
    std::string body = body_text(m);
    EXPECT_TRUE(contains_casefold(body, "\xD0\x9F\xD0\xA0\xD0\x98\xD0\x92\xD0\x95\xD0\xA2"));  // ПРИВЕТ
    EXPECT_TRUE(contains_casefold(body, "n\xE1\xBA\xB5ng"));
}

TEST(Search, Windows1252Body) {
    std::string m = "Content-Type: text/plain; charset=windows-1252\n\nPrice: 5 \x80 \x93quoted\x94\n";
    std::string body = body_text(m);
    EXPECT_NE(body.find("5 \xE2\x82\xAC"), std::string::npos);  // €
    EXPECT_NE(body.find("\xE2\x80\x9Cquoted\xE2\x80\x9D"), std::string::npos);
}

TEST(Search, BadCharsetsStillGiveUtf8) {
    // Unknown charset, undeclared 8-bit, bytes invalid in the declared charset.
    for (std::string m : {std::string("Content-Type: text/plain; charset=x-nonsense\n\ncaf\xE9\n"),
                          std::string("\ncaf\xE9\n"),
                          std::string("Content-Type: text/plain; charset=utf-8\n\ncaf\xE9\n"),
                          std::string("Content-Type: text/plain; charset=shift_jis\n\n\x82\xA0\xFF\xFF\n")}) {
        std::string body = body_text(m);
        EXPECT_FALSE(body.empty());
        EXPECT_EQ(search_fold(body).empty(), false);
    }
    EXPECT_TRUE(contains_casefold(body_text(std::string("\ncaf\xE9\n")), "CAF\xC3\x89"));
}

TEST(Search, OnlyTextPartsAreSearched) {
    std::string text = body_text(samples::kMixed);
    EXPECT_TRUE(contains_casefold(text, "see attached"));
    EXPECT_FALSE(contains_casefold(text, "PDF-1.4"));
}

TEST(Search, CaseFolding) {
    EXPECT_TRUE(contains_casefold("Hello WORLD", "world"));
    EXPECT_TRUE(contains_casefold("STRASSE", "stra\xC3\x9F" "e"));         // ß = ss
    EXPECT_TRUE(contains_casefold("\xC3\x89T\xC3\x89", "\xC3\xA9t\xC3\xA9"));  // ÉTÉ
    EXPECT_TRUE(contains_casefold("u\xCC\x88", "\xC3\x9C"));  // decomposed ü vs Ü
    EXPECT_TRUE(contains_casefold("\xEF\xAC\x81le", "FILE"));       // ligature ﬁ
    EXPECT_TRUE(contains_casefold("\xE2\x84\x8D" "ello", "hello"));  // double-struck H
    EXPECT_TRUE(contains_casefold("anything", ""));
    EXPECT_FALSE(contains_casefold("abc", "abd"));
    EXPECT_FALSE(search_fold(std::string("a\xFF\0b", 4)).empty());  // invalid UTF-8, NUL
    std::string needle = search_fold("M\xC3\x9CNCHEN");
    EXPECT_TRUE(contains_folded(search_fold("in m\xC3\xBCnchen"), needle));
}

TEST(Search, BodyContainsEqualsSearchingTheJoinedText) {
    // Needles within a part, at a part's start or end, across the "\n" between parts, and none.
    const std::vector<std::string> needles = {"", "hi", "GR\xC3\x9C" "SSE", "see attached", "PDF-1.4", "\n", "b>\n",
                                              "zzz", "e", "\xC3\xA9t\xC3\xA9", "</b>\n"};
    for (const char* m : {samples::kPlain, samples::kAlternative, samples::kMixed, samples::kNested}) {
        for (const std::string& form : {std::string(m), samples::crlf(m)}) {
            ParsedMessage p(form);
            const std::string joined = body_text(p);
            for (const auto& n : needles)
                EXPECT_EQ(body_contains(p, n), contains_casefold(joined, n)) << testing::PrintToString(n);
            // Every line of the joined text is found, and so is each pair of adjacent lines.
            std::size_t start = 0;
            while (start < joined.size()) {
                std::size_t end = joined.find('\n', start);
                if (end == std::string::npos) end = joined.size();
                std::string line = joined.substr(start, end - start);
                EXPECT_TRUE(body_contains(p, line)) << line;
                start = end + 1;
            }
        }
    }
    EXPECT_TRUE(body_contains(ParsedMessage("Content-Type: image/png\n\nx"), ""));  // as joined "" holds ""
}

}  // namespace
}  // namespace tern::mime
