// Unit tests of the SMTP command parser and ESMTP parameters (RFC 5321 4.1, RFC 3461, 1870,
// 6152, 6531, 3030).
#include "smtp/command_parser.hpp"

#include <gtest/gtest.h>

using namespace tern;
using namespace tern::smtp;

namespace {

Command ok(std::string_view line, bool utf8 = false) {
    auto r = parse_command(line, utf8);
    if (auto* e = std::get_if<ParseError>(&r)) {
        ADD_FAILURE() << "unexpected error for '" << line << "': " << e->reply.format();
        return {};
    }
    return std::get<Command>(r);
}

ParseError err(std::string_view line, bool utf8 = false) {
    auto r = parse_command(line, utf8);
    if (auto* e = std::get_if<ParseError>(&r)) return *e;
    ADD_FAILURE() << "expected an error for '" << line << "'";
    return {};
}

std::string code(const ParseError& e) { return std::to_string(e.reply.code) + " " + e.reply.enhanced; }

}  // namespace

TEST(CommandParser, VerbsAreCaseInsensitive) {
    EXPECT_EQ(ok("ehlo a.test").verb, Verb::Ehlo);
    EXPECT_EQ(ok("EhLo a.test").argument, "a.test");
    EXPECT_EQ(ok("noop").verb, Verb::Noop);
    EXPECT_EQ(ok("StartTLS").verb, Verb::Starttls);
    EXPECT_EQ(ok("mail from:<a@b.test>").path, "a@b.test");
    EXPECT_EQ(ok("RCPT To:<a@b.test>").path, "a@b.test");
}

TEST(CommandParser, UnknownAndControlBytes) {
    EXPECT_EQ(code(err("FOO bar")), "500 5.5.1");
    EXPECT_EQ(code(err("MAILX FROM:<a@b>")), "500 5.5.1");
    EXPECT_EQ(code(err(std::string_view("NOOP\0x", 6))), "500 5.5.2");
    EXPECT_EQ(code(err("NOOP\rRSET")), "500 5.5.2");
    EXPECT_EQ(code(err("NOOP\tx")), "500 5.5.2");
}

TEST(CommandParser, NoArgumentCommands) {
    EXPECT_EQ(code(err("DATA x")), "501 5.5.4");
    EXPECT_EQ(code(err("QUIT now")), "501 5.5.4");
    EXPECT_EQ(code(err("STARTTLS x")), "501 5.5.4");
    EXPECT_EQ(ok("DATA  ").verb, Verb::Data);
    EXPECT_EQ(ok("NOOP anything at all").verb, Verb::Noop);
    EXPECT_EQ(code(err("VRFY")), "501 5.5.4");
}

TEST(CommandParser, Helo) {
    EXPECT_EQ(ok("EHLO [192.0.2.1]").argument, "[192.0.2.1]");
    EXPECT_EQ(ok("HELO a.test trailing words").argument, "a.test");
    EXPECT_EQ(code(err("EHLO")), "501 5.5.4");
    EXPECT_EQ(code(err("EHLO   ")), "501 5.5.4");
    EXPECT_EQ(code(err("EHLO " + std::string(300, 'a'))), "501 5.5.4");
    EXPECT_EQ(code(err("EHLO \xff\xfe")), "501 5.5.4");
}

TEST(CommandParser, MailPaths) {
    auto c = ok("MAIL FROM:<>");
    EXPECT_EQ(c.verb, Verb::Mail);
    EXPECT_EQ(c.path, "");
    EXPECT_EQ(ok("MAIL FROM: <a@b.test>").path, "a@b.test");  // liberal about the space
    EXPECT_EQ(ok("MAIL FROM:<@relay.test,@other.test:user@d.test>").path, "user@d.test");
    EXPECT_EQ(ok("MAIL FROM:<\"a >b\"@d.test>").path, "\"a >b\"@d.test");
    EXPECT_EQ(code(err("MAIL FROM:a@b.test")), "501 5.5.4");
    EXPECT_EQ(code(err("MAIL TO:<a@b.test>")), "501 5.5.4");
    EXPECT_EQ(code(err("MAIL FROM:<a@b.test")), "501 5.5.4");
    EXPECT_EQ(code(err("MAIL FROM:<a@b.test>x")), "501 5.5.4");
    EXPECT_EQ(code(err("MAIL FROM:<a@>")), "501 5.1.7");
    EXPECT_EQ(code(err("MAIL FROM:<@bad domain:a@b.test>")), "501 5.1.7");
    EXPECT_EQ(code(err("MAIL FROM:<@-bad:a@b.test>")), "501 5.1.7");
    EXPECT_EQ(code(err("MAIL FROM:<" + std::string(300, 'a') + "@b.test>")), "501 5.1.7");
    EXPECT_EQ(err("MAIL FROM:<a@>").verb, Verb::Mail);
}

TEST(CommandParser, RcptPaths) {
    EXPECT_EQ(ok("RCPT TO:<Postmaster>").path, "postmaster");
    EXPECT_EQ(ok("RCPT TO:<postmaster@d.test>").path, "postmaster@d.test");
    EXPECT_EQ(ok("RCPT TO:<@a.test:b@c.test>").path, "b@c.test");
    EXPECT_EQ(code(err("RCPT TO:<>")), "501 5.1.3");
    EXPECT_EQ(code(err("RCPT TO:<a b@c.test>")), "501 5.1.3");
    EXPECT_EQ(code(err("RCPT TO:<a..b@c.test>")), "501 5.1.3");
}

TEST(CommandParser, Smtputf8Addresses) {
    auto c = ok("MAIL FROM:<j\xc3\xb6rg@b\xc3\xbc.test> SMTPUTF8");
    EXPECT_TRUE(c.mail.smtputf8);
    EXPECT_EQ(c.path, "j\xc3\xb6rg@b\xc3\xbc.test");
    EXPECT_EQ(code(err("MAIL FROM:<j\xc3\xb6rg@b.test>")), "553 5.6.7");
    EXPECT_EQ(code(err("RCPT TO:<j\xc3\xb6rg@b.test>")), "553 5.6.7");
    EXPECT_EQ(ok("RCPT TO:<j\xc3\xb6rg@b.test>", true).path, "j\xc3\xb6rg@b.test");
    EXPECT_EQ(code(err("RCPT TO:<j\xc3@b.test>", true)), "501 5.1.3");  // invalid UTF-8
}

TEST(CommandParser, MailParameters) {
    auto c = ok("MAIL FROM:<a@b.test> size=1000 BODY=8bitmime RET=HDRS ENVID=QQ+2Bx+3D1");
    EXPECT_EQ(c.mail.size, 1000u);
    EXPECT_EQ(c.mail.body, BodyType::EightBitMime);
    EXPECT_EQ(c.mail.ret, DsnRet::Headers);
    EXPECT_EQ(c.mail.envid, "QQ+x=1");
    EXPECT_EQ(ok("MAIL FROM:<a@b.test> BODY=7BIT RET=FULL").mail.ret, DsnRet::Full);
    EXPECT_EQ(ok("MAIL FROM:<a@b.test> SIZE=99999999999999999999999").mail.size, UINT64_MAX);
    EXPECT_EQ(code(err("MAIL FROM:<a@b.test> SIZE=12x")), "501 5.5.4");
    EXPECT_EQ(code(err("MAIL FROM:<a@b.test> SIZE")), "501 5.5.4");
    EXPECT_EQ(code(err("MAIL FROM:<a@b.test> BODY=BINARYMIME")), "501 5.5.4");
    EXPECT_EQ(code(err("MAIL FROM:<a@b.test> RET=ALL")), "501 5.5.4");
    EXPECT_EQ(code(err("MAIL FROM:<a@b.test> SMTPUTF8=yes")), "501 5.5.4");
    EXPECT_EQ(code(err("MAIL FROM:<a@b.test> SIZE=1 size=2")), "501 5.5.4");
    EXPECT_EQ(code(err("MAIL FROM:<a@b.test> FOO=bar")), "555 5.5.4");
    EXPECT_EQ(code(err("MAIL FROM:<a@b.test> AUTH=<>")), "555 5.5.4");
    EXPECT_EQ(code(err("MAIL FROM:<a@b.test> ENVID=a+0Db")), "501 5.5.4");   // CR once decoded
    EXPECT_EQ(code(err("MAIL FROM:<a@b.test> ENVID=" + std::string(101, 'x'))), "501 5.5.4");
    EXPECT_EQ(code(err("MAIL FROM:<a@b.test> =x")), "501 5.5.4");
}

TEST(CommandParser, RcptParameters) {
    auto c = ok("RCPT TO:<a@b.test> NOTIFY=success,Delay ORCPT=rfc822;b+2Bc@d.test");
    EXPECT_EQ(c.rcpt.notify, kNotifySuccess | kNotifyDelay);
    EXPECT_EQ(c.rcpt.orcpt, "rfc822;b+c@d.test");
    EXPECT_EQ(ok("RCPT TO:<a@b.test> NOTIFY=NEVER").rcpt.notify, kNotifyNever);
    EXPECT_EQ(ok("RCPT TO:<a@b.test> NOTIFY=FAILURE").rcpt.notify, kNotifyFailure);
    EXPECT_EQ(code(err("RCPT TO:<a@b.test> NOTIFY=NEVER,SUCCESS")), "501 5.5.4");
    EXPECT_EQ(code(err("RCPT TO:<a@b.test> NOTIFY=SOMETIMES")), "501 5.5.4");
    EXPECT_EQ(code(err("RCPT TO:<a@b.test> NOTIFY=")), "501 5.5.4");
    EXPECT_EQ(code(err("RCPT TO:<a@b.test> ORCPT=b@d.test")), "501 5.5.4");
    EXPECT_EQ(code(err("RCPT TO:<a@b.test> ORCPT=rfc822;b+ZZ")), "501 5.5.4");
    EXPECT_EQ(code(err("RCPT TO:<a@b.test> SIZE=10")), "555 5.5.4");
}

TEST(CommandParser, Bdat) {
    auto c = ok("BDAT 1000");
    EXPECT_EQ(c.chunk_size, 1000u);
    EXPECT_FALSE(c.last);
    EXPECT_TRUE(ok("bdat 0 last").last);
    EXPECT_TRUE(ok("BDAT 5  LAST").last);
    auto e = err("BDAT 10 FIRST");
    EXPECT_EQ(code(e), "501 5.5.4");
    EXPECT_FALSE(e.desync);
    EXPECT_EQ(e.skip_octets, 10u);
    EXPECT_TRUE(err("BDAT").desync);
    EXPECT_TRUE(err("BDAT x").desync);
    EXPECT_TRUE(err("BDAT -1").desync);
    EXPECT_TRUE(err("BDAT 1234567890123456789").desync);
    EXPECT_TRUE(err(std::string_view("BDAT 1\0", 7)).desync);
}

TEST(Xtext, DecodesAndEncodes) {
    EXPECT_EQ(xtext_decode("abc"), "abc");
    EXPECT_EQ(xtext_decode("a+2Bb+3dc"), "a+b=c");
    EXPECT_EQ(xtext_decode(""), "");
    EXPECT_FALSE(xtext_decode("a+2"));
    EXPECT_FALSE(xtext_decode("a+"));
    EXPECT_FALSE(xtext_decode("a+G0"));
    EXPECT_FALSE(xtext_decode("a=b"));
    EXPECT_FALSE(xtext_decode("a b"));
    EXPECT_EQ(xtext_encode("a+b=c d"), "a+2Bb+3Dc+20d");
    std::string all;
    for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
    EXPECT_EQ(xtext_decode(xtext_encode(all)), all);
}

TEST(Reply, FormatsMultiLineWithEnhancedCodes) {
    EXPECT_EQ(Reply(250, "2.1.0", "OK").format(), "250 2.1.0 OK\r\n");
    EXPECT_EQ(Reply(250, "", std::vector<std::string>{"a", "b", "c"}).format(), "250-a\r\n250-b\r\n250 c\r\n");
    EXPECT_EQ(Reply(550, "5.1.1", std::vector<std::string>{"x", "y"}).format(),
              "550-5.1.1 x\r\n550 5.1.1 y\r\n");
    EXPECT_EQ(Reply(550, "5.1.1", "bad\r\n250 injected").format(), "550 5.1.1 bad??250 injected\r\n");
}

TEST(Reply, FromOutcome) {
    EXPECT_EQ(reply_from_outcome(Outcome::ok()).format(), "250 2.0.0 OK\r\n");
    EXPECT_EQ(reply_from_outcome(Outcome::temporary("4.3.1", "Disk full", 452)).format(),
              "452 4.3.1 Disk full\r\n");
    EXPECT_EQ(reply_from_outcome(Outcome::permanent("5.1.1", "No such user")).format(),
              "550 5.1.1 No such user\r\n");
    // A contradictory code never turns a refusal into an acceptance.
    EXPECT_EQ(reply_from_outcome(Outcome{OutcomeKind::Permanent, 250, "2.0.0", "x"}).format(),
              "550 5.0.0 x\r\n");
    EXPECT_EQ(reply_from_outcome(Outcome{OutcomeKind::Temporary, 550, "bogus", "x"}).format(),
              "451 4.0.0 x\r\n");
}
