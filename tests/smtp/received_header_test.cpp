// Tests of the Received: header composition (RFC 5321 4.4, RFC 5322 3.3, RFC 3848).
#include "smtp/received_header.hpp"

#include <gtest/gtest.h>

using namespace tern::smtp;

namespace {

ReceivedFacts facts() {
    ReceivedFacts f;
    f.helo = "client.example.test";
    f.peer_address = "192.0.2.7";
    f.hostname = "mx.example.test";
    f.protocol = "ESMTP";
    f.queue_id = "Q1AB2";
    f.unix_time = 784887151;  // 1994-11-15 08:12:31 UTC (RFC 5322 A.1.1 style)
    f.utc_offset_minutes = 0;
    return f;
}

void expect_folded(const std::string& h) {
    ASSERT_GE(h.size(), 2u);
    EXPECT_EQ(h.substr(h.size() - 2), "\r\n");
    std::size_t start = 0;
    bool first = true;
    while (start < h.size()) {
        auto end = h.find("\r\n", start);
        ASSERT_NE(end, std::string::npos);
        auto line = h.substr(start, end - start);
        EXPECT_LT(line.size(), 78u) << line;
        if (!first) {
            EXPECT_EQ(line[0], '\t');
        }
        for (char c : line) EXPECT_TRUE(c == '\t' || (c >= 0x20 && c < 0x7F)) << line;
        first = false;
        start = end + 2;
    }
}

}  // namespace

TEST(ReceivedHeader, Basic) {
    auto h = compose_received(facts());
    EXPECT_EQ(h,
              "Received: from client.example.test ([192.0.2.7]) by mx.example.test\r\n"
              "\twith ESMTP id Q1AB2; Tue, 15 Nov 1994 08:12:31 +0000\r\n");
    expect_folded(h);
}

TEST(ReceivedHeader, TlsAndSingleRecipient) {
    auto f = facts();
    f.protocol = received_protocol(true, true, true);
    f.tls = TlsInfo{"TLSv1.3", "TLS_AES_256_GCM_SHA384"};
    f.recipient = "bob@example.test";
    f.peer_address = "2001:db8::1";
    f.utc_offset_minutes = 120;
    auto h = compose_received(f);
    EXPECT_EQ(h,
              "Received: from client.example.test ([IPv6:2001:db8::1])\r\n"
              "\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384) by mx.example.test\r\n"
              "\twith ESMTPSA id Q1AB2 for <bob@example.test>;\r\n"
              "\tTue, 15 Nov 1994 10:12:31 +0200\r\n");
    expect_folded(h);
}

TEST(ReceivedHeader, UnsafeClientTextIsNeverInserted) {
    auto f = facts();
    f.helo = "evil\r\nX-Injected: yes";
    f.recipient = "a)b@example.test";
    f.queue_id = "id;x";
    f.protocol = "ESMTP\r\nX: y";
    auto h = compose_received(f);
    EXPECT_EQ(h.find("Injected"), std::string::npos);
    EXPECT_EQ(h.find("a)b"), std::string::npos);
    EXPECT_EQ(h.find("for <"), std::string::npos);
    EXPECT_EQ(h.find(" id "), std::string::npos);
    EXPECT_NE(h.find("from [192.0.2.7] ([192.0.2.7])"), std::string::npos);
    EXPECT_NE(h.find("with SMTP;"), std::string::npos);
    expect_folded(h);
    f.helo = "has space";
    EXPECT_NE(compose_received(f).find("from [192.0.2.7]"), std::string::npos);
    f.helo = "(comment)";
    EXPECT_EQ(compose_received(f).find("(comment)"), std::string::npos);
    std::string long_helo(300, 'a');
    f.helo = long_helo;
    EXPECT_EQ(compose_received(f).find("aaaa"), std::string::npos);
    f.tls = TlsInfo{"TLS 1.3", "x)y"};
    EXPECT_EQ(compose_received(f).find("using"), std::string::npos);
    f.peer_address = "1.2.3.4 (forged)";
    f.helo = "";
    EXPECT_NE(compose_received(f).find("from unknown by"), std::string::npos);
}

TEST(ReceivedHeader, LongValuesStillFold) {
    auto f = facts();
    std::string helo = std::string(70, 'h') + ".test";
    std::string rcpt = std::string(60, 'r') + "@example.test";
    f.helo = helo;
    f.recipient = rcpt;
    f.tls = TlsInfo{"TLSv1.2", "ECDHE-RSA-AES256-GCM-SHA384"};
    auto h = compose_received(f);
    // The one over-long word is unavoidable; every fold point is still used.
    std::size_t lines = 0;
    for (std::size_t p = 0; (p = h.find("\r\n", p)) != std::string::npos; p += 2) ++lines;
    EXPECT_GE(lines, 5u);
    EXPECT_EQ(h.rfind("Received: from hhhh", 0), 0u);
}

TEST(ReceivedHeader, Protocols) {
    EXPECT_EQ(received_protocol(false, false, false), "SMTP");
    EXPECT_EQ(received_protocol(true, false, false), "ESMTP");
    EXPECT_EQ(received_protocol(true, true, false), "ESMTPS");
    EXPECT_EQ(received_protocol(true, false, true), "ESMTPA");
    EXPECT_EQ(received_protocol(true, true, true), "ESMTPSA");
}
