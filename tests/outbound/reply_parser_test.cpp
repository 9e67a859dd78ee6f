// Tests for the client-side SMTP reply parser (RFC 5321 4.2, RFC 2034): framing at every
// chunk size, enhanced codes, and every bound and malformation it must refuse.
#include "outbound/reply_parser.hpp"

#include <gtest/gtest.h>

namespace tern::outbound {
namespace {

struct Parsed {
    std::vector<Reply> replies;
    std::string error;  // empty unless the parser failed
};

Parsed parse_all(std::string_view input, std::size_t k, ReplyLimits limits = {}) {
    Parsed p;
    ReplyParser parser(limits);
    for (std::size_t off = 0; off < input.size() && p.error.empty(); off += k) {
        std::string_view chunk = input.substr(off, k);
        while (!chunk.empty()) {
            auto r = parser.consume(chunk);
            if (r == ReplyParser::Result::Error) {
                p.error = parser.error();
                break;
            }
            if (r == ReplyParser::Result::Complete) p.replies.push_back(parser.take());
        }
    }
    return p;
}

// The same result at every chunk size.
Parsed parse_every_chunking(std::string_view input, ReplyLimits limits = {}) {
    Parsed whole = parse_all(input, input.size() + 1, limits);
    for (std::size_t k = 1; k <= input.size(); ++k) {
        Parsed p = parse_all(input, k, limits);
        EXPECT_EQ(p.replies, whole.replies) << "chunk size " << k;
        EXPECT_EQ(p.error, whole.error) << "chunk size " << k;
    }
    return whole;
}

TEST(ReplyParser, SingleLineWithEnhancedCode) {
    auto p = parse_every_chunking("250 2.1.0 Sender OK\r\n");
    ASSERT_EQ(p.replies.size(), 1u);
    EXPECT_EQ(p.replies[0].code, 250);
    EXPECT_EQ(p.replies[0].enhanced, "2.1.0");
    EXPECT_EQ(p.replies[0].lines, std::vector<std::string>{"Sender OK"});
    EXPECT_EQ(p.replies[0].str(), "250 2.1.0 Sender OK");
}

TEST(ReplyParser, MultiLineReplyStripsEnhancedCodeFromEveryLine) {
    auto p = parse_every_chunking("550-5.1.1 The mailbox\r\n550-5.1.1 does not\r\n550 5.1.1 exist\r\n");
    ASSERT_EQ(p.replies.size(), 1u);
    EXPECT_EQ(p.replies[0].enhanced, "5.1.1");
    EXPECT_EQ(p.replies[0].text(), "The mailbox does not exist");
}

TEST(ReplyParser, SeveralRepliesInOneInput) {
    auto p = parse_every_chunking("250 ok\r\n250-a\r\n250 b\r\n354 go ahead\r\n");
    ASSERT_EQ(p.replies.size(), 3u);
    EXPECT_EQ(p.replies[0].enhanced, "");
    EXPECT_EQ(p.replies[1].lines, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(p.replies[2].code, 354);
}

TEST(ReplyParser, BareLfAndCodeOnlyLinesAreAccepted) {
    auto p = parse_every_chunking("220-first\n220\n250 ok\r\n");
    ASSERT_EQ(p.replies.size(), 2u);
    EXPECT_EQ(p.replies[0].lines, (std::vector<std::string>{"first", ""}));
    EXPECT_EQ(p.replies[1].code, 250);
}

TEST(ReplyParser, EnhancedCodeOfAnotherClassStaysText) {
    auto p = parse_every_chunking("550 2.1.5 odd\r\n");
    ASSERT_EQ(p.replies.size(), 1u);
    EXPECT_EQ(p.replies[0].enhanced, "");
    EXPECT_EQ(p.replies[0].text(), "2.1.5 odd");
}

TEST(ReplyParser, ControlBytesInTextAreReplaced) {
    auto p = parse_every_chunking(std::string("250 a\rb\0c\x7f" "d\r\n", 13));
    ASSERT_EQ(p.replies.size(), 1u);
    EXPECT_EQ(p.replies[0].text(), "a?b?c?d");
}

TEST(ReplyParser, MalformedCodesAreErrors) {
    for (std::string bad : {"25 ok\r\n", "2x0 ok\r\n", "150 ok\r\n", "650 ok\r\n", "250x ok\r\n", "\r\n",
                            "abc\r\n", " 250 ok\r\n"}) {
        auto p = parse_every_chunking(bad);
        EXPECT_FALSE(p.error.empty()) << bad;
        EXPECT_TRUE(p.replies.empty()) << bad;
    }
}

TEST(ReplyParser, InconsistentCodesAreAnError) {
    auto p = parse_every_chunking("250-a\r\n251 b\r\n");
    EXPECT_EQ(p.error, "inconsistent codes in a multi-line reply");
}

TEST(ReplyParser, LineLimitIncludesTheLineEnd) {
    ReplyLimits limits;
    limits.line = 16;
    std::string ok = "250 " + std::string(10, 'x') + "\r\n";  // 16 octets
    EXPECT_TRUE(parse_every_chunking(ok, limits).error.empty());
    std::string lf = "250 " + std::string(10, 'x') + "\n";  // bare LF: same content bound
    EXPECT_TRUE(parse_every_chunking(lf, limits).error.empty());
    std::string too_long = "250 " + std::string(11, 'x') + "\r\n";
    EXPECT_FALSE(parse_every_chunking(too_long, limits).error.empty());
    // Without a line end at all, the parser gives up as soon as the bound is passed.
    ReplyParser parser(limits);
    std::string endless(100, '2');
    std::string_view in = endless;
    EXPECT_EQ(parser.consume(in), ReplyParser::Result::Error);
}

TEST(ReplyParser, TooManyLinesIsAnError) {
    ReplyLimits limits;
    limits.lines = 3;
    EXPECT_TRUE(parse_every_chunking("250-a\r\n250-b\r\n250 c\r\n", limits).error.empty());
    EXPECT_FALSE(parse_every_chunking("250-a\r\n250-b\r\n250-c\r\n250 d\r\n", limits).error.empty());
}

TEST(ReplyParser, ErrorIsSticky) {
    ReplyParser parser;
    std::string_view in = "xyz\r\n250 ok\r\n";
    EXPECT_EQ(parser.consume(in), ReplyParser::Result::Error);
    EXPECT_EQ(parser.consume(in), ReplyParser::Result::Error);
    parser.reset();
    std::string_view again = "250 ok\r\n";
    EXPECT_EQ(parser.consume(again), ReplyParser::Result::Complete);
}

TEST(ReplyParser, TextIsCapped) {
    Reply r{250, "", {std::string(3000, 'a'), "b"}};
    EXPECT_EQ(r.text(100).size(), 100u);
}

TEST(ReplyParser, EnhancedStatusSyntax) {
    EXPECT_TRUE(is_enhanced_status("5.1.1"));
    EXPECT_TRUE(is_enhanced_status("4.123.456"));
    EXPECT_FALSE(is_enhanced_status("3.1.1"));
    EXPECT_FALSE(is_enhanced_status("5.1"));
    EXPECT_FALSE(is_enhanced_status("5.1.1234"));
    EXPECT_FALSE(is_enhanced_status("5..1"));
}

}  // namespace
}  // namespace tern::outbound
