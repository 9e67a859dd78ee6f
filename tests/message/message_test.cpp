#include <gtest/gtest.h>

#include "message/from_addresses.hpp"
#include "message/header_fields.hpp"
#include "message/submission_headers.hpp"

using namespace tern::message;

TEST(HeaderFields, ParsesFoldedFieldsAndStopsAtBody) {
    std::string m = "From: a@b.test\r\nSubject: one\r\n two\r\nX-Empty:\r\n\r\nNot: a header\r\n";
    auto f = header_fields(m);
    ASSERT_EQ(f.size(), 3u);
    EXPECT_EQ(f[0].name, "From");
    EXPECT_EQ(unfold(f[1].value), "one two");
    EXPECT_EQ(f[2].name, "X-Empty");
    EXPECT_FALSE(has_field(m, "Not"));
    EXPECT_TRUE(has_field(m, "subject"));
}

TEST(HeaderFields, LfEndingsAndGarbage) {
    EXPECT_EQ(header_fields("A: 1\nB: 2\n\nbody").size(), 2u);
    EXPECT_EQ(header_fields("no colon here\r\nA: 1\r\n").size(), 0u);
    EXPECT_EQ(header_fields("").size(), 0u);
    EXPECT_EQ(header_fields(": empty name\r\n").size(), 0u);
    EXPECT_EQ(header_fields("A: unterminated").size(), 1u);
}

TEST(FromAddresses, DisplayNamesCommentsGroups) {
    auto a = from_addresses("From: \"Alice, A.\" <Alice@Example.test>, bob@example.test (Bob)\r\n\r\n");
    ASSERT_EQ(a.size(), 2u);
    EXPECT_EQ(a[0], "Alice@Example.test");
    EXPECT_EQ(a[1], "bob@example.test");
    auto g = from_addresses("From: Team: carol@example.test, dave@example.test;\r\n\r\n");
    EXPECT_EQ(g.size(), 2u);
    auto folded = from_addresses("From: =?UTF-8?Q?J=C3=B6rg?=\r\n <jorg@example.test>\r\n\r\n");
    ASSERT_EQ(folded.size(), 1u);
    EXPECT_EQ(folded[0], "jorg@example.test");
    EXPECT_TRUE(from_addresses("Subject: none\r\n\r\n").empty());
    EXPECT_TRUE(from_addresses("From: \r\n\r\n").empty());
}

TEST(SubmissionHeaders, AddsOnlyWhatIsMissing) {
    auto both = missing_submission_headers("Subject: x\r\n\r\nbody", "mx.example.test", 0, "abc");
    EXPECT_EQ(both, "Date: Thu, 1 Jan 1970 00:00:00 +0000\r\nMessage-ID: <abc@mx.example.test>\r\n");
    EXPECT_EQ(missing_submission_headers("Date: x\r\nMessage-Id: <y@z>\r\n\r\n", "h", 0, "u"), "");
    EXPECT_EQ(missing_submission_headers("DATE: x\r\n\r\n", "h", 0, "u"), "Message-ID: <u@h>\r\n");
}
