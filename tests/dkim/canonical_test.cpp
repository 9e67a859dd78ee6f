#include "dkim/canonical.hpp"

#include <gtest/gtest.h>

#include "core/base64.hpp"

using namespace tern::dkim;

namespace {
// RFC 6376 3.4.5's example message.
const std::string kExample = "A: X\r\nB : Y\t\r\n\tZ  \r\n\r\n C \r\nD \t E\r\n\r\n\r\n";
}

TEST(Canonical, Rfc6376Example345Relaxed) {
    SplitMessage m = split_message(kExample);
    ASSERT_EQ(m.headers.size(), 2u);
    EXPECT_EQ(canonical_header(m.headers[0].field, true), "a:X\r\n");
    EXPECT_EQ(canonical_header(m.headers[1].field, true), "b:Y Z\r\n");
    EXPECT_EQ(canonical_body(m.body, true), " C\r\nD E\r\n");
}

TEST(Canonical, Rfc6376Example345Simple) {
    SplitMessage m = split_message(kExample);
    EXPECT_EQ(canonical_header(m.headers[0].field, false), "A: X\r\n");
    EXPECT_EQ(canonical_header(m.headers[1].field, false), "B : Y\t\r\n\tZ  \r\n");
    EXPECT_EQ(canonical_body(m.body, false), " C \r\nD \t E\r\n");
    EXPECT_EQ(m.headers[1].name, "B");
}

TEST(Canonical, EmptyBodies) {
    EXPECT_EQ(canonical_body("", false), "\r\n");
    EXPECT_EQ(canonical_body("", true), "");
    EXPECT_EQ(canonical_body("\r\n\r\n", false), "\r\n");
    EXPECT_EQ(canonical_body(" \t\r\n\r\n", true), "");
    // RFC 6376 3.4.3/3.4.4: the well-known hashes of the empty body.
    EXPECT_EQ(tern::base64_encode(body_hash("", false, std::nullopt)), "frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=");
    EXPECT_EQ(tern::base64_encode(body_hash("", true, std::nullopt)), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
}

TEST(Canonical, LastLineWithoutCrlfGetsOne) {
    EXPECT_EQ(canonical_body("abc", false), "abc\r\n");
    EXPECT_EQ(canonical_body("abc  ", true), "abc\r\n");
}

TEST(Canonical, BodyLengthLimitsTheHashedOctets) {
    std::uint64_t len = 0;
    auto limited = body_hash("hello\r\nworld\r\n", false, 7, &len);
    EXPECT_EQ(len, 14u);
    EXPECT_EQ(limited, body_hash("hello\r\n", false, std::nullopt));
}

TEST(Canonical, WireFormTurnsBareLineEndsIntoCrlf) {
    EXPECT_EQ(wire_form("a\nb\rc\r\nd"), "a\r\nb\r\nc\r\nd");
}

TEST(Canonical, SplitStopsAtANonFieldLine) {
    SplitMessage m = split_message("From: a\r\nnot a field\r\nX: y\r\n");
    ASSERT_EQ(m.headers.size(), 1u);
    EXPECT_EQ(m.body, "not a field\r\nX: y\r\n");
    SplitMessage only = split_message("From: a\r\n");
    EXPECT_EQ(only.headers.size(), 1u);
    EXPECT_EQ(only.body, "");
}

TEST(Canonical, IsWireFormSpotsBareLineEnds) {
    EXPECT_TRUE(is_wire_form(""));
    EXPECT_TRUE(is_wire_form("a\r\nb\r\n"));
    EXPECT_TRUE(is_wire_form("a\r\n\r\n"));
    EXPECT_FALSE(is_wire_form("a\nb"));
    EXPECT_FALSE(is_wire_form("a\rb"));
    EXPECT_FALSE(is_wire_form("a\r"));
    EXPECT_FALSE(is_wire_form("a\r\n\n"));
    for (std::string m : {"a\r\nb", "x\ny\r\n", "\r\r\n", "ok\r\n.\r\n"}) EXPECT_EQ(is_wire_form(m), wire_form(m) == m) << m;
}
