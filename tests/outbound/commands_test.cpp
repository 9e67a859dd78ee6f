// Tests for MAIL/RCPT parameters and per-message checks (RFC 1870, RFC 6152, RFC 6531 3.5,
// RFC 3461 4, RFC 6533 3).
#include "outbound/commands.hpp"

#include <gtest/gtest.h>

namespace tern::outbound {
namespace {

Capabilities all_caps() {
    Capabilities c;
    c.pipelining = c.eightbitmime = c.smtputf8 = c.dsn = true;
    c.size = 1000;
    return c;
}

TEST(Commands, Xtext) {
    EXPECT_EQ(xtext_encode("abc"), "abc");
    EXPECT_EQ(xtext_encode("a+b=c d"), "a+2Bb+3Dc+20d");
    EXPECT_EQ(xtext_encode(std::string("\x01\xff", 2)), "+01+FF");
}

TEST(Commands, OrcptParam) {
    EXPECT_EQ(orcpt_param("rfc822;bob+tag@example.test"), "rfc822;bob+2Btag@example.test");
    EXPECT_EQ(orcpt_param("rfc822;j\xC3\xB6rg@example.test"), "utf-8;j\\x{F6}rg@example.test");
    EXPECT_EQ(orcpt_param("utf-8;j\\x{F6}rg@example.test"), "utf-8;j\\x{F6}rg@example.test");
    EXPECT_EQ(orcpt_param("no-semicolon"), std::nullopt);
    EXPECT_EQ(orcpt_param("bad type;x@y"), std::nullopt);
    EXPECT_EQ(orcpt_param("rfc822;"), std::nullopt);
    EXPECT_EQ(orcpt_param("rfc822;\xff@x"), std::nullopt);
    EXPECT_EQ(orcpt_param("rfc822;" + std::string(600, 'a')), std::nullopt);
}

TEST(Commands, MailWithEveryParameter) {
    MessageJob j;
    j.mail_from = "alice@example.test";
    j.body = BodyType::EightBitMime;
    j.smtputf8 = true;
    j.ret = DsnRet::Headers;
    j.envid = "id+1 x";
    j.data = "hello";
    EXPECT_EQ(mail_command(j, all_caps()),
              "MAIL FROM:<alice@example.test> SIZE=5 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=id+2B1+20x\r\n");
    EXPECT_EQ(mail_command(j, Capabilities{}), "MAIL FROM:<alice@example.test>\r\n");
    j.mail_from.clear();
    j.envid = std::string(60, '+');  // 180 octets as xtext: over RFC 3461's 100, left out
    EXPECT_EQ(mail_command(j, all_caps()), "MAIL FROM:<> SIZE=5 BODY=8BITMIME SMTPUTF8 RET=HDRS\r\n");
}

TEST(Commands, RcptNotifyAndOrcpt) {
    EnvelopeRecipient r{"bob@remote.test", kNotifySuccess | kNotifyDelay, "rfc822;bob@remote.test"};
    EXPECT_EQ(rcpt_command(r, all_caps()), "RCPT TO:<bob@remote.test> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;bob@remote.test\r\n");
    EXPECT_EQ(rcpt_command(r, Capabilities{}), "RCPT TO:<bob@remote.test>\r\n");
    r.notify = kNotifyNever;
    r.orcpt.clear();
    EXPECT_EQ(rcpt_command(r, all_caps()), "RCPT TO:<bob@remote.test> NOTIFY=NEVER\r\n");
    r.notify = kNotifyFailure | kNotifySuccess | kNotifyDelay;
    EXPECT_EQ(rcpt_command(r, all_caps()), "RCPT TO:<bob@remote.test> NOTIFY=SUCCESS,FAILURE,DELAY\r\n");
}

TEST(Commands, Prechecks) {
    MessageJob j;
    j.mail_from = "alice@example.test";
    j.recipients = {{"bob@remote.test", 0, ""}};
    j.data = "x";
    Capabilities caps = all_caps();
    EXPECT_EQ(precheck_message(j, caps), std::nullopt);

    j.smtputf8 = true;
    caps.smtputf8 = false;
    EXPECT_EQ(precheck_message(j, caps)->enhanced, "5.6.7");
    j.smtputf8 = false;
    j.recipients[0].address = "j\xC3\xB6rg@remote.test";  // needs SMTPUTF8 by itself
    EXPECT_EQ(precheck_message(j, caps)->enhanced, "5.6.7");
    j.recipients[0].address = "bob@remote.test";
    EXPECT_EQ(precheck_message(j, caps), std::nullopt);

    j.data = std::string_view("0123456789", 10);
    caps.size = 9;
    auto too_big = precheck_message(j, caps);
    ASSERT_TRUE(too_big);
    EXPECT_TRUE(too_big->is_permanent());
    EXPECT_EQ(too_big->code, 552);
    EXPECT_EQ(too_big->enhanced, "5.3.4");
    caps.size = 0;  // SIZE 0: no limit
    EXPECT_EQ(precheck_message(j, caps), std::nullopt);

    j.body = BodyType::EightBitMime;
    caps.eightbitmime = false;
    EXPECT_EQ(precheck_message(j, caps), std::nullopt);  // declared 8-bit, but all 7-bit
    j.data = "caf\xC3\xA9";
    EXPECT_EQ(precheck_message(j, caps)->enhanced, "5.6.3");

    j.mail_from = "evil>\r\nRCPT TO:<x";
    EXPECT_EQ(precheck_message(j, caps)->enhanced, "5.1.7");
    EXPECT_EQ(precheck_recipient({"a\r\nb@x", 0, ""})->enhanced, "5.1.3");
    EXPECT_EQ(precheck_recipient({"", 0, ""})->enhanced, "5.1.3");
    EXPECT_EQ(precheck_recipient({"ok@x", 0, ""}), std::nullopt);
}

}  // namespace
}  // namespace tern::outbound
