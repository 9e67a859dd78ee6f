// Scripted dialogs against the SMTP session state machine. Every dialog is played at every
// chunk size (see dialog.hpp) and must give the same transcript.
#include "smtp/server_session.hpp"

#include <gtest/gtest.h>

#include "dialog.hpp"

using namespace tern;
using namespace tern::smtp;
using namespace tern::smtp::test;

namespace {

using Events = std::vector<std::string>;

const std::string kMail = "MAIL FROM:<alice@example.test>\r\n";
const std::string kRcpt = "RCPT TO:<bob@example.test>\r\n";
const std::string kBody = "Subject: hi\r\n\r\nHello\r\n";

const Events kOpen = {"S: 250 2.1.0 Sender OK", "CHECK bob@example.test", "S: 250 2.1.5 Recipient OK"};

Events concat(std::initializer_list<Events> parts) {
    Events out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

}  // namespace

TEST(Session, GreetingAndEhlo) {
    auto t = run_every_chunking(test_options(), kEhlo + "QUIT\r\n");
    EXPECT_EQ(t.events, (Events{
        "S: 220 mx.example.test ESMTP ready",
        "S: 250-mx.example.test",
        "S: 250-PIPELINING",
        "S: 250-SIZE 36700160",
        "S: 250-8BITMIME",
        "S: 250-ENHANCEDSTATUSCODES",
        "S: 250-SMTPUTF8",
        "S: 250-CHUNKING",
        "S: 250 DSN",
        "S: 221 2.0.0 mx.example.test closing connection",
        "CLOSE",
    }));
}

TEST(Session, StartTlsAdvertisedOnlyWhenAvailableAndInactive) {
    auto opts = test_options();
    opts.starttls_available = true;
    auto t = run_every_chunking(opts, kEhlo);
    EXPECT_TRUE(has_event(t, "S: 250 STARTTLS"));
    opts.tls_active = true;
    t = run_every_chunking(opts, kEhlo + "STARTTLS\r\n");
    EXPECT_FALSE(has_event(t, "S: 250 STARTTLS"));
    EXPECT_TRUE(has_event(t, "S: 503 5.5.1 TLS already active"));
    t = run_every_chunking(test_options(), kEhlo + "STARTTLS\r\n");
    EXPECT_TRUE(has_event(t, "S: 502 5.5.1 STARTTLS not available"));
}

TEST(Session, PipelinedTransactionWithParkedRecipientChecks) {
    std::string in = kEhlo + kMail + kRcpt + "RCPT TO:<unknown@example.test>\r\n" +
                     "RCPT TO:<carol@example.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;carol+2Bx@example.test\r\n" +
                     "DATA\r\n" + kBody + ".\r\nQUIT\r\n";
    auto t = run_every_chunking(test_options(), in);
    EXPECT_EQ(after_ehlo(t), concat({kOpen, {
        "CHECK unknown@example.test",
        "S: 550 5.1.1 No such user",
        "CHECK carol@example.test",
        "S: 250 2.1.5 Recipient OK",
        "S: 354 End data with <CR><LF>.<CR><LF>",
        "COMMIT",
        "S: 250 2.0.0 Queued as Q1",
        "S: 221 2.0.0 mx.example.test closing connection",
        "CLOSE",
    }}));
    ASSERT_EQ(t.commits.size(), 1u);
    const auto& m = t.commits[0];
    EXPECT_EQ(m.data, kBody);
    EXPECT_EQ(m.envelope.mail_from, "alice@example.test");
    ASSERT_EQ(m.envelope.recipients.size(), 2u);
    EXPECT_EQ(m.envelope.recipients[0].address, "bob@example.test");
    EXPECT_EQ(m.envelope.recipients[0].notify, 0);
    EXPECT_EQ(m.envelope.recipients[1].address, "carol@example.test");
    EXPECT_EQ(m.envelope.recipients[1].notify, kNotifySuccess | kNotifyFailure);
    EXPECT_EQ(m.envelope.recipients[1].orcpt, "rfc822;carol+x@example.test");
    EXPECT_EQ(m.envelope.helo, "client.example.test");
    EXPECT_EQ(m.envelope.client_address, "192.0.2.7");
    EXPECT_EQ(m.envelope.received_at, 0);
    EXPECT_FALSE(m.envelope.smtputf8);
}

TEST(Session, RecipientCheckedBeforeLaterPipelinedCommands) {
    // The session must not run the commands after a parked RCPT until the check is answered.
    ServerSession s(test_options(), test_peer());
    s.start();
    s.feed(kEhlo + kMail + kRcpt + "RCPT TO:<c@example.test>\r\nDATA\r\n");
    auto a = s.take_actions();
    ASSERT_TRUE(s.parked());
    ASSERT_TRUE(std::holds_alternative<CheckRecipient>(a.back()));
    EXPECT_EQ(std::get<CheckRecipient>(a.back()).address, "bob@example.test");
    s.recipient_checked(Outcome::ok());
    a = s.take_actions();
    ASSERT_EQ(a.size(), 2u);
    EXPECT_EQ(std::get<SendReply>(a[0]).bytes, "250 2.1.5 Recipient OK\r\n");
    EXPECT_EQ(std::get<CheckRecipient>(a[1]).address, "c@example.test");
    s.recipient_checked(Outcome::temporary("4.2.1", "Mailbox busy", 450));
    a = s.take_actions();
    ASSERT_EQ(a.size(), 2u);
    EXPECT_EQ(std::get<SendReply>(a[0]).bytes, "450 4.2.1 Mailbox busy\r\n");
    EXPECT_EQ(std::get<SendReply>(a[1]).bytes, "354 End data with <CR><LF>.<CR><LF>\r\n");
    EXPECT_EQ(s.read_timeout(), std::chrono::seconds(180));
    EXPECT_FALSE(s.parked());
    // A stray completion is ignored.
    s.recipient_checked(Outcome::ok());
    EXPECT_TRUE(s.take_actions().empty());
}

TEST(Session, DotStuffingAndEmptyMessage) {
    std::string in = kEhlo + kMail + kRcpt + "DATA\r\n..dot\r\n.\r\n" + kMail + kRcpt + "DATA\r\n.\r\n";
    auto t = run_every_chunking(test_options(), in);
    ASSERT_EQ(t.commits.size(), 2u);
    EXPECT_EQ(t.commits[0].data, ".dot\r\n");
    EXPECT_EQ(t.commits[1].data, "");
}

TEST(Session, DataLooksLikeCommandsIsContent) {
    std::string body = "QUIT\r\nRSET\r\n.QUIT\r\n";
    auto t = run_every_chunking(test_options(), kEhlo + kMail + kRcpt + "DATA\r\n" + body + ".\r\nNOOP\r\n");
    ASSERT_EQ(t.commits.size(), 1u);
    EXPECT_EQ(t.commits[0].data, "QUIT\r\nRSET\r\nQUIT\r\n");
    EXPECT_EQ(t.events.back(), "S: 250 2.0.0 OK");
}

// SMTP smuggling: a bare CR or LF never ends the data, and any message holding one is refused.
TEST(Session, SmugglingVariantsNeverEndDataAndAreRefused) {
    const std::vector<std::string> variants = {
        "\n.\n", "\r.\r", "\n.\r\n", "\r\n.\n", "\r\n.\r", "\r.\r\n", "\n.\r", "\r.\n",
        "\r\n.\r\r\n", "\r\n.\n\r\n", "\n\n.\n\n", "\r\r.\r\r", "\r\n\n.\r\n", "\r\n\r.\r\n",
        "\r\n.\r\r",
    };
    for (const auto& v : variants) {
        SCOPED_TRACE(testing::PrintToString(v));
        std::string in = kEhlo + kMail + kRcpt + "DATA\r\n" + kBody + "text" + v +
                         "MAIL FROM:<evil@attacker.test>\r\nRCPT TO:<victim@example.test>\r\nDATA\r\n"
                         "Subject: forged\r\n\r\n.\r\nNOOP\r\n";
        auto t = run_every_chunking(test_options(), in);
        EXPECT_TRUE(t.commits.empty());
        EXPECT_EQ(after_ehlo(t), concat({kOpen, {
            "S: 354 End data with <CR><LF>.<CR><LF>",
            "S: 550 5.6.0 Message contains bare CR or LF; lines must end with CRLF",
            "S: 250 2.0.0 OK",
        }}));
    }
}

TEST(Session, BareLfAfterCrLfDotCrLfStillEndsAtTheRealEnd) {
    // "\n\r\n.\r\n" holds a real CRLF.CRLF: the data ends there (and is refused for the bare LF).
    std::string in = kEhlo + kMail + kRcpt + "DATA\r\nx\n\r\n.\r\nNOOP\r\n";
    auto t = run_every_chunking(test_options(), in);
    EXPECT_TRUE(has_event(t, "S: 550 5.6.0 Message contains bare CR or LF; lines must end with CRLF"));
    EXPECT_EQ(t.events.back(), "S: 250 2.0.0 OK");
}

TEST(Session, SizeDeclaredAtMailTime) {
    auto opts = test_options();
    opts.limits.message_size = 1000;
    auto t = run_every_chunking(opts, kEhlo + "MAIL FROM:<a@example.test> SIZE=1001\r\n" +
                                          "MAIL FROM:<a@example.test> SIZE=1000\r\n");
    EXPECT_EQ(after_ehlo(t), (Events{
        "S: 552 5.3.4 Message size exceeds fixed maximum message size of 1000 octets",
        "S: 250 2.1.0 Sender OK",
    }));
    EXPECT_TRUE(has_event(t, "S: 250-SIZE 1000"));
}

TEST(Session, SizeEnforcedWhileReadingData) {
    auto opts = test_options();
    opts.limits.message_size = 100;
    std::string big;
    for (int i = 0; i < 10; ++i) big += "0123456789abcdef\r\n";  // 180 octets
    std::string in = kEhlo + kMail + kRcpt + "DATA\r\n" + big + ".\r\n" + kMail + kRcpt + "DATA\r\nsmall\r\n.\r\n";
    auto t = run_every_chunking(opts, in);
    EXPECT_TRUE(has_event(t, "S: 552 5.3.4 Message size exceeds fixed maximum message size of 100 octets"));
    ASSERT_EQ(t.commits.size(), 1u);
    EXPECT_EQ(t.commits[0].data, "small\r\n");
}

TEST(Session, RecipientLimit) {
    auto opts = test_options();
    opts.limits.recipients = 2;
    opts.limits.errors = 3;  // 452 does not count as an error
    std::string in = kEhlo + kMail;
    for (int i = 0; i < 5; ++i) in += "RCPT TO:<r" + std::to_string(i) + "@example.test>\r\n";
    in += "DATA\r\nx\r\n.\r\n";
    auto t = run_every_chunking(opts, in);
    EXPECT_EQ(count_prefix(t, "S: 452 4.5.3 Too many recipients"), 3u);
    ASSERT_EQ(t.commits.size(), 1u);
    EXPECT_EQ(t.commits[0].envelope.recipients.size(), 2u);
}

TEST(Session, OverlongCommandLineIsDiscardedNeverSplit) {
    // The tail of the over-long line looks like a command; it must never run.
    std::string line = "NOOP " + std::string(600, 'a') + "QUIT\r\n";
    auto t = run_every_chunking(test_options(), kEhlo + line + "NOOP\r\n");
    EXPECT_EQ(after_ehlo(t), (Events{
        "S: 500 5.5.2 Line too long (RFC 5321 4.5.3.1.4: 512 octets)",
        "S: 250 2.0.0 OK",
    }));
}

TEST(Session, CommandLineLimitIsInclusiveOfCrLf) {
    auto opts = test_options();
    opts.limits.command_line = 20;
    std::string fits = "NOOP " + std::string(13, 'x') + "\r\n";   // 20 octets
    std::string over = "NOOP " + std::string(14, 'x') + "\r\n";   // 21 octets
    auto t = run_every_chunking(opts, fits + over + "NOOP\r\n");
    EXPECT_EQ(t.events, (Events{
        "S: 220 mx.example.test ESMTP ready",
        "S: 250 2.0.0 OK",
        "S: 500 5.5.2 Line too long (RFC 5321 4.5.3.1.4: 20 octets)",
        "S: 250 2.0.0 OK",
    }));
}

TEST(Session, BufferStaysBoundedOnEndlessLine) {
    ServerSession s(test_options(), test_peer());
    s.start();
    for (int i = 0; i < 1000; ++i) {
        s.feed(std::string(1000, 'x'));
        EXPECT_LE(s.buffered(), 1512u);
    }
    s.feed("\r\nNOOP\r\n");
    auto a = s.take_actions();
    ASSERT_EQ(a.size(), 3u);
    EXPECT_EQ(std::get<SendReply>(a[1]).bytes, "500 5.5.2 Line too long (RFC 5321 4.5.3.1.4: 512 octets)\r\n");
    EXPECT_EQ(std::get<SendReply>(a[2]).bytes, "250 2.0.0 OK\r\n");
}

TEST(Session, TextLineLimit) {
    std::string long_line(999, 'x');  // 999 + CRLF = 1001 > 1000
    std::string ok_line(998, 'y');    // 998 + CRLF = 1000
    std::string in = kEhlo + kMail + kRcpt + "DATA\r\n" + long_line + "\r\n.\r\n" + kMail + kRcpt + "DATA\r\n" +
                     ok_line + "\r\n.\r\n";
    auto t = run_every_chunking(test_options(), in);
    EXPECT_TRUE(has_event(t, "S: 550 5.6.0 Message has a line longer than 1000 octets (RFC 5321 4.5.3.1.6)"));
    ASSERT_EQ(t.commits.size(), 1u);
    EXPECT_EQ(t.commits[0].data, ok_line + "\r\n");
}

TEST(Session, TooManyErrorsCloses) {
    auto opts = test_options();
    opts.limits.errors = 3;
    auto t = run_every_chunking(opts, "FOO\r\nBAR\r\nNOOP\r\nBAZ\r\nNOOP\r\nNOOP\r\n");
    EXPECT_EQ(t.events, (Events{
        "S: 220 mx.example.test ESMTP ready",
        "S: 500 5.5.1 Command unrecognized",
        "S: 500 5.5.1 Command unrecognized",
        "S: 250 2.0.0 OK",
        "S: 500 5.5.1 Command unrecognized",
        "S: 421 4.7.0 mx.example.test Too many errors, closing connection",
        "CLOSE",
    }));
}

TEST(Session, RefusedRecipientsCountAsErrors) {
    auto opts = test_options();
    opts.limits.errors = 2;
    auto t = run_every_chunking(opts, kEhlo + kMail + "RCPT TO:<unknown1@x.test>\r\nRCPT TO:<unknown2@x.test>\r\nNOOP\r\n");
    EXPECT_EQ(t.events.back(), "CLOSE");
    EXPECT_FALSE(has_event(t, "S: 250 2.0.0 OK"));
}

TEST(Session, StartTlsDiscardsPipelinedPlaintext) {
    auto opts = test_options();
    opts.starttls_available = true;
    // Phase 1 is plaintext with an injected command after STARTTLS; phase 2 is inside TLS.
    std::vector<std::string> phases = {
        kEhlo + "STARTTLS\r\nMAIL FROM:<evil@attacker.test>\r\nRCPT TO:<victim@example.test>\r\n",
        "MAIL FROM:<a@example.test>\r\nEHLO again.test\r\n" + kMail,
    };
    auto t = run_every_chunking(opts, phases);
    EXPECT_EQ(after_ehlo(t), (Events{
        "S: 220 2.0.0 Ready to start TLS",
        "STARTTLS",
        "S: 503 5.5.1 Send EHLO or HELO first",  // TLS reset the session to before EHLO
        "S: 250-mx.example.test",
        "S: 250-PIPELINING",
        "S: 250-SIZE 36700160",
        "S: 250-8BITMIME",
        "S: 250-ENHANCEDSTATUSCODES",
        "S: 250-SMTPUTF8",
        "S: 250-CHUNKING",
        "S: 250 DSN",  // no STARTTLS any more
        "S: 250 2.1.0 Sender OK",
    }));
}

TEST(Session, StartTlsInOneWriteNeverRunsTheInjectedCommands) {
    auto opts = test_options();
    opts.starttls_available = true;
    ServerSession s(opts, test_peer());
    s.start();
    s.feed(kEhlo + "STARTTLS\r\nQUIT\r\n");
    auto a = s.take_actions();
    ASSERT_TRUE(std::holds_alternative<StartTls>(a.back()));
    EXPECT_EQ(s.buffered(), 0u);
    EXPECT_TRUE(s.parked());
    s.feed("QUIT\r\n");  // a misbehaving driver: still never executed
    EXPECT_TRUE(s.take_actions().empty());
    s.tls_started(TlsInfo{"TLSv1.3", "TLS_AES_256_GCM_SHA384"});
    EXPECT_TRUE(s.take_actions().empty());
    EXPECT_FALSE(s.closed());
    EXPECT_TRUE(s.tls_active());
    EXPECT_EQ(s.helo(), "");
    s.feed(kEhlo);
    s.take_actions();
    EXPECT_EQ(s.protocol(), "ESMTPS");
    EXPECT_EQ(s.tls_info()->cipher, "TLS_AES_256_GCM_SHA384");
}

TEST(Session, DsnParametersReachTheEnvelope) {
    std::string in = kEhlo + "MAIL FROM:<a@example.test> RET=HDRS ENVID=id+2B1 BODY=8BITMIME\r\n" +
                     "RCPT TO:<b@example.test> NOTIFY=NEVER ORCPT=rfc822;b@example.test\r\n" +
                     "RCPT TO:<c@example.test> NOTIFY=NEVER,DELAY\r\n" + "DATA\r\nx\r\n.\r\n";
    auto t = run_every_chunking(test_options(), in);
    EXPECT_TRUE(has_event(t, "S: 501 5.5.4 Syntax error in parameters: NOTIFY=NEVER excludes other values"));
    ASSERT_EQ(t.commits.size(), 1u);
    const auto& e = t.commits[0].envelope;
    EXPECT_EQ(e.ret, DsnRet::Headers);
    EXPECT_EQ(e.envid, "id+1");
    EXPECT_EQ(e.body, BodyType::EightBitMime);
    ASSERT_EQ(e.recipients.size(), 1u);
    EXPECT_EQ(e.recipients[0].notify, kNotifyNever);
    EXPECT_EQ(e.recipients[0].orcpt, "rfc822;b@example.test");
}

TEST(Session, Smtputf8Addresses) {
    std::string in = kEhlo + "MAIL FROM:<j\xc3\xb6rg@b\xc3\xbc.test> SMTPUTF8\r\n" +
                     "RCPT TO:<\xe5\x8f\xa4@example.test>\r\nDATA\r\nx\r\n.\r\n" +
                     kMail + "RCPT TO:<\xe5\x8f\xa4@example.test>\r\n";
    auto t = run_every_chunking(test_options(), in);
    ASSERT_EQ(t.commits.size(), 1u);
    EXPECT_TRUE(t.commits[0].envelope.smtputf8);
    EXPECT_EQ(t.commits[0].envelope.mail_from, "j\xc3\xb6rg@b\xc3\xbc.test");
    EXPECT_EQ(t.commits[0].envelope.recipients[0].address, "\xe5\x8f\xa4@example.test");
    EXPECT_EQ(t.events.back(), "S: 553 5.6.7 Non-ASCII address requires SMTPUTF8");
}

TEST(Session, NullSenderSourceRouteAndPostmaster) {
    std::string in = kEhlo + "MAIL FROM:<>\r\n" + "RCPT TO:<@relay.test,@hop.test:bob@example.test>\r\n" +
                     "RCPT TO:<POSTMASTER>\r\nDATA\r\nx\r\n.\r\n";
    auto t = run_every_chunking(test_options(), in);
    EXPECT_TRUE(has_event(t, "CHECK postmaster"));
    ASSERT_EQ(t.commits.size(), 1u);
    EXPECT_EQ(t.commits[0].envelope.mail_from, "");
    ASSERT_EQ(t.commits[0].envelope.recipients.size(), 2u);
    EXPECT_EQ(t.commits[0].envelope.recipients[0].address, "bob@example.test");
    EXPECT_EQ(t.commits[0].envelope.recipients[1].address, "postmaster");
}

TEST(Session, Sequencing) {
    std::string in = "MAIL FROM:<a@example.test>\r\nMAIL FROM:<bad\r\nRCPT TO:<b@example.test>\r\nDATA\r\n" +
                     kEhlo + "RCPT TO:<bad\r\nDATA\r\n" + kMail + kMail + "DATA\r\nRSET\r\nRCPT TO:<b@example.test>\r\n" +
                     "HELO old.test\r\nMAIL FROM:<a@example.test> BODY=7BIT\r\n" + kMail +
                     "RCPT TO:<b@example.test> NOTIFY=NEVER\r\n";
    auto opts = test_options();
    opts.limits.errors = 100;
    auto t = run_every_chunking(opts, in);
    EXPECT_EQ(t.events, (Events{
        "S: 220 mx.example.test ESMTP ready",
        "S: 503 5.5.1 Send EHLO or HELO first",
        "S: 503 5.5.1 Send EHLO or HELO first",  // sequence is checked before syntax
        "S: 503 5.5.1 Need MAIL before RCPT",
        "S: 503 5.5.1 Need MAIL and RCPT before DATA",
        "S: 250-mx.example.test",
        "S: 250-PIPELINING",
        "S: 250-SIZE 36700160",
        "S: 250-8BITMIME",
        "S: 250-ENHANCEDSTATUSCODES",
        "S: 250-SMTPUTF8",
        "S: 250-CHUNKING",
        "S: 250 DSN",
        "S: 503 5.5.1 Need MAIL before RCPT",
        "S: 503 5.5.1 Need MAIL and RCPT before DATA",
        "S: 250 2.1.0 Sender OK",
        "S: 503 5.5.1 Nested MAIL command",
        "S: 554 5.5.1 No valid recipients",
        "S: 250 2.0.0 Reset OK",
        "S: 503 5.5.1 Need MAIL before RCPT",
        "S: 250 mx.example.test",
        "S: 555 5.5.4 Parameters need EHLO",
        "S: 250 2.1.0 Sender OK",
        "S: 555 5.5.4 Parameters need EHLO",
    }));
}

TEST(Session, MiscCommands) {
    auto t = run_every_chunking(test_options(),
                                kEhlo + "VRFY root\r\nEXPN list\r\nHELP\r\nnoop hi\r\nAUTH PLAIN\r\nNOOP\n"
                                        "NOOP\r\nQUIT\r\nNOOP\r\n");
    EXPECT_EQ(after_ehlo(t), (Events{
        "S: 252 2.5.0 Cannot VRFY user, but will accept message and attempt delivery",
        "S: 502 5.5.1 EXPN not supported",
        "S: 214 2.0.0 Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP STARTTLS",
        "S: 250 2.0.0 OK",
        "S: 502 5.5.1 AUTH not available",
        "S: 500 5.5.2 Command lines must end with CRLF",
        "S: 250 2.0.0 OK",
        "S: 221 2.0.0 mx.example.test closing connection",
        "CLOSE",
    }));
}

TEST(Session, NulInCommand) {
    auto t = run_every_chunking(test_options(), std::string("NO\0OP\r\nMAIL FROM:<a\0@b>\r\n", 25));
    EXPECT_EQ(count_prefix(t, "S: 500 5.5.2 Invalid character in command"), 2u);
}

TEST(Session, SubmissionRequiresAuthentication) {
    auto opts = test_options();
    opts.submission = true;
    auto t = run_every_chunking(opts, kEhlo + kMail);
    EXPECT_EQ(t.events.back(), "S: 530 5.7.0 Authentication required");
}

TEST(Session, TooManyReceivedHeaders) {
    auto opts = test_options();
    opts.limits.received_headers = 3;
    std::string hops = "Received: from a\r\nReceived: from b\r\n";
    std::string in = kEhlo + kMail + kRcpt + "DATA\r\n" + hops + "Received: from c\r\n\r\nx\r\n.\r\n" +
                     kMail + kRcpt + "DATA\r\n" + hops + "\r\nReceived: body\r\n.\r\n";
    auto t = run_every_chunking(opts, in);
    EXPECT_TRUE(has_event(t, "S: 554 5.4.6 Too many Received headers: mail loop detected"));
    EXPECT_EQ(t.commits.size(), 1u);
}

TEST(Session, CommitFailureAndTransactionReset) {
    Responder r;
    int n = 0;
    r.commit = [&n](const CommitMessage&) {
        return ++n == 1 ? Outcome::temporary("4.3.1", "Insufficient system storage", 452) : Outcome::ok("Queued as Q2");
    };
    std::string in = kEhlo + kMail + kRcpt + "DATA\r\nx\r\n.\r\nRCPT TO:<b@example.test>\r\n" + kMail + kRcpt +
                     "DATA\r\ny\r\n.\r\n";
    ServerSession s(test_options(), test_peer());
    auto t = run_dialog(test_options(), {in}, in.size(), r);
    EXPECT_EQ(after_ehlo(t), concat({kOpen, {
        "S: 354 End data with <CR><LF>.<CR><LF>",
        "COMMIT",
        "S: 452 4.3.1 Insufficient system storage",
        "S: 503 5.5.1 Need MAIL before RCPT",
    }, kOpen, {
        "S: 354 End data with <CR><LF>.<CR><LF>",
        "COMMIT",
        "S: 250 2.0.0 Queued as Q2",
    }}));
}

TEST(Session, TimeoutsAndShutdown) {
    ServerSession s(test_options(), test_peer());
    s.start();
    EXPECT_EQ(s.read_timeout(), std::chrono::seconds(300));
    s.feed(kEhlo + kMail + kRcpt);
    s.recipient_checked(Outcome::ok());
    s.feed("BDAT 10\r\nabc");
    EXPECT_EQ(s.read_timeout(), std::chrono::seconds(180));
    s.take_actions();
    s.timeout();
    auto a = s.take_actions();
    ASSERT_EQ(a.size(), 2u);
    EXPECT_EQ(std::get<SendReply>(a[0]).bytes, "421 4.4.2 mx.example.test Error: timeout exceeded\r\n");
    EXPECT_TRUE(std::holds_alternative<Close>(a[1]));
    EXPECT_TRUE(s.closed());
    s.feed("NOOP\r\n");
    s.shutdown();
    EXPECT_TRUE(s.take_actions().empty());

    ServerSession s2(test_options(), test_peer());
    s2.start();
    s2.take_actions();
    s2.shutdown();
    a = s2.take_actions();
    EXPECT_EQ(std::get<SendReply>(a[0]).bytes, "421 4.3.2 mx.example.test Service shutting down\r\n");
}

TEST(Session, ProtocolAndFacts) {
    ServerSession s(test_options(), test_peer());
    s.start();
    EXPECT_EQ(s.protocol(), "SMTP");
    s.feed("HELO h.test\r\n");
    EXPECT_EQ(s.protocol(), "SMTP");
    EXPECT_EQ(s.helo(), "h.test");
    s.feed(kEhlo);
    EXPECT_EQ(s.protocol(), "ESMTP");
    EXPECT_EQ(s.helo(), "client.example.test");
    EXPECT_FALSE(s.authenticated());
}
