// ENVELOPE (RFC 9051 7.5.2) and address lists (RFC 5322 3.4, 4.4).
#include <gtest/gtest.h>

#include "mime/address.hpp"
#include "mime/envelope.hpp"
#include "mime/message.hpp"
#include "mime/samples.hpp"

namespace tern::mime {
namespace {

EnvelopeAddress addr(NString name, std::string mailbox, std::string host) {
    return {std::move(name), std::nullopt, std::move(mailbox), std::move(host)};
}
EnvelopeAddress group_start(std::string name) { return {std::nullopt, std::nullopt, std::move(name), std::nullopt}; }
EnvelopeAddress group_end() { return {}; }

TEST(Envelope, PlainMessage) {
    Envelope e = parse_envelope(samples::kPlain);
    EXPECT_EQ(e.date, "Tue, 15 Nov 1994 08:12:31 +0100");
    EXPECT_EQ(e.subject, "Hello");
    EXPECT_EQ(e.from, (std::vector{addr("Alice Example", "alice", "example.com")}));
    EXPECT_EQ(e.sender, e.from);    // defaulted
    EXPECT_EQ(e.reply_to, e.from);  // defaulted
    EXPECT_EQ(e.to, (std::vector{addr(std::nullopt, "bob", "example.org")}));
    EXPECT_TRUE(e.cc.empty());
    EXPECT_TRUE(e.bcc.empty());
    EXPECT_FALSE(e.in_reply_to);
    EXPECT_EQ(e.message_id, "<1@example.com>");
}

TEST(Envelope, SameFromLfCrlfAndWholeMessage) {
    Envelope lf = parse_envelope(samples::kNested);
    EXPECT_EQ(lf, parse_envelope(samples::crlf(samples::kNested)));
    EXPECT_EQ(lf, ParsedMessage(samples::kNested).envelope());
    EXPECT_EQ(lf.subject, "Fwd: inner");
}

TEST(Envelope, AllFieldsFoldedAndEncodedWordsKept) {
    std::string h =
        "Date: Mon, 1 Jan 2024\n 10:00:00 +0000\n"
        "Subject: =?iso-8859-1?q?Gr=FC=DFe?=\n\tand more\n"
        "From: =?utf-8?b?w6lsaXNl?= <elise@example.fr>\n"
        "Sender: secretary@example.fr\n"
        "Reply-To: list@example.org\n"
        "To: \"Doe, John\" <john@example.com>, jane@example.com (Jane Roe)\n"
        "Cc: undisclosed-recipients:;\n"
        "Bcc: hidden@example.com\n"
        "In-Reply-To: <parent@example.com>\n"
        "Message-ID:\n <child@example.com>\n"
        "\nbody\n";
    Envelope e = parse_envelope(h);
    EXPECT_EQ(e.date, "Mon, 1 Jan 2024 10:00:00 +0000");
    EXPECT_EQ(e.subject, "=?iso-8859-1?q?Gr=FC=DFe?=\tand more");
    EXPECT_EQ(e.from, (std::vector{addr("=?utf-8?b?w6lsaXNl?=", "elise", "example.fr")}));
    EXPECT_EQ(e.sender, (std::vector{addr(std::nullopt, "secretary", "example.fr")}));
    EXPECT_EQ(e.reply_to, (std::vector{addr(std::nullopt, "list", "example.org")}));
    EXPECT_EQ(e.to, (std::vector{addr("Doe, John", "john", "example.com"),
                                 addr("Jane Roe", "jane", "example.com")}));
    EXPECT_EQ(e.cc, (std::vector{group_start("undisclosed-recipients"), group_end()}));
    EXPECT_EQ(e.bcc, (std::vector{addr(std::nullopt, "hidden", "example.com")}));
    EXPECT_EQ(e.in_reply_to, "<parent@example.com>");
    EXPECT_EQ(e.message_id, "<child@example.com>");
}

TEST(Envelope, MissingHeadersAreNil) {
    Envelope e = parse_envelope("X-Nothing: here\n\nbody");
    EXPECT_FALSE(e.date);
    EXPECT_FALSE(e.subject);
    EXPECT_TRUE(e.from.empty());
    EXPECT_TRUE(e.sender.empty());
    EXPECT_TRUE(e.reply_to.empty());
    EXPECT_FALSE(e.message_id);
    // Present but empty is "", not NIL.
    e = parse_envelope("Subject:\nSender:\nFrom: a@b.c\n\n");
    EXPECT_EQ(e.subject, "");
    EXPECT_EQ(e.sender, e.from);  // empty Sender defaults too
    // First occurrence wins; the body is never read.
    e = parse_envelope("Subject: one\nSubject: two\n\nSubject: three\n");
    EXPECT_EQ(e.subject, "one");
}

TEST(Envelope, Groups) {
    auto list = parse_address_list(
        "Team: a@x.org, \"B\" <b@y.org>;, c@z.org, Empty:;, Open: d@w.org");
    EXPECT_EQ(list, (std::vector{group_start("Team"), addr(std::nullopt, "a", "x.org"),
                                 addr("B", "b", "y.org"), group_end(),
                                 addr(std::nullopt, "c", "z.org"), group_start("Empty"),
                                 group_end(), group_start("Open"),
                                 addr(std::nullopt, "d", "w.org"), group_end()}));
}

TEST(Envelope, AddressOddities) {
    // Comments, quoted local part, source route, missing domain, missing local part.
    auto list = parse_address_list(
        "(c) John (middle) Smith <@relay.example:john@example.com>, "
        "\"odd local\"@example.com, localonly, <@example.com>, Q. Public <q@(c)example.com>");
    EXPECT_EQ(list, (std::vector{addr("John Smith", "john", "example.com"),
                                 addr(std::nullopt, "\"odd local\"", "example.com"),
                                 addr(std::nullopt, "localonly", "MISSING_DOMAIN"),
                                 addr(std::nullopt, "MISSING_MAILBOX", "example.com"),
                                 addr("Q. Public", "q", "example.com")}));
    // Obsolete forms: empty list elements, domain literal, junk after an angle address.
    list = parse_address_list(",, a@[192.0.2.1] ,<b@c.d> junk, e@f.g");
    EXPECT_EQ(list, (std::vector{addr(std::nullopt, "a", "[192.0.2.1]"),
                                 addr(std::nullopt, "b", "c.d"),
                                 addr(std::nullopt, "e", "f.g")}));
    // An unterminated quoted string running over a fold: the same whatever the line endings.
    EXPECT_EQ(parse_address_list("x \"broken <a@b>,\n c@d"),
              parse_address_list("x \"broken <a@b>,\r\n c@d"));
    EXPECT_TRUE(parse_address_list("").empty());
    EXPECT_TRUE(parse_address_list("  (just a comment) ").empty());
    // 8-bit display names pass through.
    list = parse_address_list("J\xC3\xBCrgen <j@example.de>");
    EXPECT_EQ(list, (std::vector{addr("J\xC3\xBCrgen", "j", "example.de")}));
}

TEST(Envelope, AddressCountIsBounded) {
    std::string many;
    for (int i = 0; i < 20000; ++i) many += "a@b,";
    EXPECT_LE(parse_address_list(many).size(), kMaxAddresses + 1);
}

}  // namespace
}  // namespace tern::mime
