// Scripted BDAT (RFC 3030 CHUNKING) dialogs, played at every chunk size.
#include <gtest/gtest.h>

#include "dialog.hpp"

using namespace tern;
using namespace tern::smtp;
using namespace tern::smtp::test;

namespace {

using Events = std::vector<std::string>;
const std::string kOpenTxn = kEhlo + "MAIL FROM:<alice@example.test>\r\nRCPT TO:<bob@example.test>\r\n";

std::string bdat(const std::string& content, bool last = false) {
    return "BDAT " + std::to_string(content.size()) + (last ? " LAST" : "") + "\r\n" + content;
}

}  // namespace

TEST(Bdat, ChunksAreReadExactlyWhateverTheirContent) {
    // Chunk boundaries fall inside CRLF pairs; the content holds a DATA terminator and commands.
    std::string c1 = "Subject: x\r";
    std::string c2 = "\n\r\n.\r\nQUIT\r\n";
    std::string c3 = "..last line\r\n";
    std::string in = kOpenTxn + bdat(c1) + bdat(c2) + bdat(c3, true) + "NOOP\r\n";
    auto t = run_every_chunking(test_options(), in);
    EXPECT_EQ(after_ehlo(t), (Events{
        "S: 250 2.1.0 Sender OK",
        "CHECK bob@example.test",
        "S: 250 2.1.5 Recipient OK",
        "S: 250 2.0.0 11 octets received",
        "S: 250 2.0.0 12 octets received",
        "COMMIT",
        "S: 250 2.0.0 Queued as Q1",
        "S: 250 2.0.0 OK",
    }));
    ASSERT_EQ(t.commits.size(), 1u);
    EXPECT_EQ(t.commits[0].data, c1 + c2 + c3);  // no unstuffing for BDAT
}

TEST(Bdat, ZeroLast) {
    std::string in = kOpenTxn + bdat("hello\r\n") + "BDAT 0 LAST\r\n" + "MAIL FROM:<a@example.test>\r\n";
    auto t = run_every_chunking(test_options(), in);
    ASSERT_EQ(t.commits.size(), 1u);
    EXPECT_EQ(t.commits[0].data, "hello\r\n");
    EXPECT_EQ(t.events.back(), "S: 250 2.1.0 Sender OK");
    // An empty message is fine too.
    t = run_every_chunking(test_options(), kOpenTxn + "BDAT 0 LAST\r\n");
    ASSERT_EQ(t.commits.size(), 1u);
    EXPECT_EQ(t.commits[0].data, "");
}

TEST(Bdat, DataAfterBdatIsRefused) {
    std::string in = kOpenTxn + bdat("part\r\n") + "DATA\r\n" + bdat("rest\r\n", true);
    auto t = run_every_chunking(test_options(), in);
    EXPECT_TRUE(has_event(t, "S: 503 5.5.1 DATA not allowed after BDAT"));
    ASSERT_EQ(t.commits.size(), 1u);
    EXPECT_EQ(t.commits[0].data, "part\r\nrest\r\n");
}

TEST(Bdat, RefusedChunkIsStillConsumed) {
    // Without a transaction the chunk is refused, but its octets are read, never executed.
    std::string evil = "RSET\r\nQUIT\r\n";
    std::string in = kEhlo + bdat(evil, true) + "MAIL FROM:<a@example.test>\r\n" + bdat("x", true);
    auto t = run_every_chunking(test_options(), in);
    EXPECT_EQ(after_ehlo(t), (Events{
        "S: 503 5.5.1 Need MAIL and RCPT before BDAT",
        "S: 250 2.1.0 Sender OK",
        "S: 554 5.5.1 No valid recipients",
    }));
}

TEST(Bdat, SizeLimitAcrossChunks) {
    auto opts = test_options();
    opts.limits.message_size = 20;
    std::string in = kOpenTxn + bdat("0123456789\r\n") + bdat("0123456789\r\n") + bdat("QUIT\r\n", true) +
                     "NOOP\r\n";
    auto t = run_every_chunking(opts, in);
    EXPECT_EQ(after_ehlo(t), (Events{
        "S: 250 2.1.0 Sender OK",
        "CHECK bob@example.test",
        "S: 250 2.1.5 Recipient OK",
        "S: 250 2.0.0 12 octets received",
        "S: 552 5.3.4 Message size exceeds fixed maximum message size of 20 octets",
        "S: 503 5.5.1 Need MAIL and RCPT before BDAT",  // the transaction failed at the 552
        "S: 250 2.0.0 OK",
    }));
    EXPECT_TRUE(t.commits.empty());
}

TEST(Bdat, ContentChecksApply) {
    auto opts = test_options();
    opts.limits.text_line = 10;
    auto t = run_every_chunking(opts, kOpenTxn + bdat("a\nb\r\n") + bdat("c\r\n", true));
    EXPECT_TRUE(has_event(t, "S: 550 5.6.0 Message contains bare CR or LF; lines must end with CRLF"));
    t = run_every_chunking(opts, kOpenTxn + bdat("ends with CR\r", true));
    EXPECT_TRUE(has_event(t, "S: 550 5.6.0 Message has a line longer than 10 octets (RFC 5321 4.5.3.1.6)") ||
                has_event(t, "S: 550 5.6.0 Message contains bare CR or LF; lines must end with CRLF"));
    t = run_every_chunking(opts, kOpenTxn + bdat("ab\r") + bdat("x\r\n", true));
    EXPECT_TRUE(has_event(t, "S: 550 5.6.0 Message contains bare CR or LF; lines must end with CRLF"));
    t = run_every_chunking(opts, kOpenTxn + bdat("0123456789\r\n", true));
    EXPECT_TRUE(has_event(t, "S: 550 5.6.0 Message has a line longer than 10 octets (RFC 5321 4.5.3.1.6)"));
    opts.limits.text_line = 1000;
    opts.limits.received_headers = 1;
    t = run_every_chunking(opts, kOpenTxn + bdat("Received: x\r\n\r\n", true));
    EXPECT_TRUE(has_event(t, "S: 554 5.4.6 Too many Received headers: mail loop detected"));
}

TEST(Bdat, UnreadableSizeCloses) {
    for (std::string bad : {"BDAT\r\n", "BDAT x LAST\r\n", "BDAT 99999999999999999999\r\n", "BDAT -5\r\n"}) {
        auto t = run_every_chunking(test_options(), kOpenTxn + bad + "NOOP\r\n");
        EXPECT_EQ(t.events.back(), "CLOSE") << bad;
        EXPECT_TRUE(has_event(t, "S: 501 5.5.4 Syntax: BDAT <octets> [LAST]")) << bad;
        EXPECT_TRUE(has_event(t, "S: 421 4.5.0 mx.example.test Cannot find the end of the BDAT chunk, closing"));
    }
}

TEST(Bdat, BadKeywordWithKnownSizeSkipsTheChunk) {
    auto t = run_every_chunking(test_options(), kOpenTxn + "BDAT 6 FINAL\r\nQUIT\r\nNOOP\r\n");
    EXPECT_EQ(t.events.back(), "S: 250 2.0.0 OK");
    EXPECT_TRUE(has_event(t, "S: 501 5.5.4 Syntax: BDAT <octets> [LAST]"));
    EXPECT_FALSE(has_event(t, "CLOSE"));
}

TEST(Bdat, LargeMessageInManyChunks) {
    std::string in = kOpenTxn;
    std::string expect;
    for (int i = 0; i < 50; ++i) {
        std::string chunk = "line " + std::to_string(i) + "\r\n";
        expect += chunk;
        in += bdat(chunk, i == 49);
    }
    auto t = run_every_chunking(test_options(), in);
    ASSERT_EQ(t.commits.size(), 1u);
    EXPECT_EQ(t.commits[0].data, expect);
}
