// Unit tests of DATA end detection, dot-unstuffing (RFC 5321 4.5.2) and the content checks
// (bare CR/LF, line length, size, Received count) at every chunk size.
#include "smtp/data_reader.hpp"

#include <gtest/gtest.h>

#include "smtp/bdat_reader.hpp"
#include "smtp/message_sink.hpp"

using namespace tern::smtp;

namespace {

struct Result {
    bool done = false;
    std::size_t consumed = 0;
    std::string data;
    std::optional<Reply> verdict;
};

Result read_data(std::string_view wire, std::size_t k, ContentLimits limits = {}) {
    DataReader r;
    MessageSink sink;
    sink.reset(limits);
    Result res;
    for (std::size_t off = 0; off < wire.size() && !r.done(); off += k) {
        auto piece = wire.substr(off, k);
        std::size_t n = r.consume(piece, sink);
        res.consumed += n;
        if (!r.done()) {
            EXPECT_EQ(n, piece.size());
        }
    }
    res.done = r.done();
    if (res.done) {
        res.verdict = sink.finish();
        res.data = sink.take_data();
    }
    return res;
}

// Same result at every chunk size.
Result read_all_ways(std::string_view wire, ContentLimits limits = {}) {
    Result whole = read_data(wire, wire.size() ? wire.size() : 1, limits);
    for (std::size_t k = 1; k < wire.size(); ++k) {
        Result r = read_data(wire, k, limits);
        EXPECT_EQ(r.done, whole.done) << k;
        EXPECT_EQ(r.consumed, whole.consumed) << k;
        EXPECT_EQ(r.data, whole.data) << k;
        EXPECT_EQ(r.verdict.has_value(), whole.verdict.has_value()) << k;
    }
    return whole;
}

}  // namespace

TEST(DataReader, EndsAtCrLfDotCrLf) {
    auto r = read_all_ways("Subject: x\r\n\r\nhello\r\n.\r\nNOOP\r\n");
    EXPECT_TRUE(r.done);
    EXPECT_EQ(r.consumed, 24u);
    EXPECT_EQ(r.data, "Subject: x\r\n\r\nhello\r\n");
    EXPECT_FALSE(r.verdict);
}

TEST(DataReader, EmptyMessage) {
    auto r = read_all_ways(".\r\n");
    EXPECT_TRUE(r.done);
    EXPECT_EQ(r.data, "");
}

TEST(DataReader, DotUnstuffing) {
    auto r = read_all_ways("..leading\r\n...\r\n.. \r\na.b\r\n. \r\n.\r\n");
    EXPECT_TRUE(r.done);
    EXPECT_EQ(r.data, ".leading\r\n..\r\n. \r\na.b\r\n \r\n");
    EXPECT_FALSE(r.verdict);
}

TEST(DataReader, NotEndedWithoutTerminator) {
    auto r = read_all_ways("hello\r\n.\r");
    EXPECT_FALSE(r.done);
}

// SMTP smuggling: none of these end the data; all make the message be refused.
TEST(DataReader, BareCrLfNeverEndsData) {
    const std::vector<std::string> variants = {
        "\n.\n", "\r.\r", "\n.\r\n", "\r\n.\n", "\r\n.\r", "\r.\r\n", "\n.\r", "\r.\n",
        "\r\n.\r\r\n", "\r\n.\n\r\n", "\n\n.\n\n", "\r\r.\r\r", "\r\n\n.\r\n",
    };
    for (const auto& v : variants) {
        std::string wire = "Subject: x\r\n\r\nbody" + v + "MAIL FROM:<evil@x.test>\r\n\r\n.\r\n";
        auto r = read_all_ways(wire);
        ASSERT_TRUE(r.done) << testing::PrintToString(v);
        EXPECT_EQ(r.consumed, wire.size()) << testing::PrintToString(v);
        ASSERT_TRUE(r.verdict) << testing::PrintToString(v);
        EXPECT_EQ(r.verdict->code, 550);
        EXPECT_EQ(r.verdict->enhanced, "5.6.0");
    }
}

TEST(DataReader, LineLengthIncludesCrLf) {
    ContentLimits l;
    l.text_line = 10;
    EXPECT_FALSE(read_all_ways("12345678\r\n.\r\n", l).verdict);
    auto r = read_all_ways("123456789\r\n.\r\n", l);
    ASSERT_TRUE(r.verdict);
    EXPECT_EQ(r.verdict->code, 550);
    // Stuffing does not count: the line is 8 octets + CRLF once unstuffed.
    EXPECT_FALSE(read_all_ways("..2345678\r\n.\r\n", l).verdict);
}

TEST(DataReader, SizeLimitStopsStoring) {
    ContentLimits l;
    l.message_size = 10;
    auto r = read_all_ways("0123456789\r\nmore\r\n.\r\n", l);
    ASSERT_TRUE(r.done);
    ASSERT_TRUE(r.verdict);
    EXPECT_EQ(r.verdict->code, 552);
    EXPECT_EQ(r.verdict->enhanced, "5.3.4");
    EXPECT_EQ(r.data, "");
    auto fits = read_all_ways("01234567\r\n.\r\n", l);
    EXPECT_FALSE(fits.verdict);
    EXPECT_EQ(fits.data, "01234567\r\n");
}

TEST(MessageSink, CountsReceivedOnlyInHeaders) {
    ContentLimits l;
    l.received_headers = 3;
    std::string two = "Received: a\r\nreceived : b\r\n\tcontinued\r\nSubject: x\r\n\r\n";
    std::string body = "Received: c\r\nReceived: d\r\n";
    EXPECT_FALSE(read_all_ways(two + body + ".\r\n", l).verdict);
    auto r = read_all_ways("RECEIVED: 0\r\n" + two + ".\r\n", l);
    ASSERT_TRUE(r.verdict);
    EXPECT_EQ(r.verdict->code, 554);
    EXPECT_EQ(r.verdict->enhanced, "5.4.6");
    EXPECT_FALSE(read_all_ways("Received-SPF: x\r\nReceivedx: y\r\nX-Received: z\r\n.\r\n", ContentLimits{100, 1000, 1}).verdict);
}

TEST(BdatReader, ReadsExactlyTheDeclaredOctets) {
    BdatReader r;
    MessageSink sink;
    sink.reset({});
    r.start(5);
    EXPECT_EQ(r.consume("ab", &sink), 2u);
    EXPECT_FALSE(r.done());
    EXPECT_EQ(r.consume("\r\n.\r\nQUIT", &sink), 3u);
    EXPECT_TRUE(r.done());
    EXPECT_EQ(sink.take_data(), "ab\r\n.");
    r.start(3);
    EXPECT_EQ(r.consume("xyzw", nullptr), 3u);
    EXPECT_TRUE(r.done());
}
