// Dialog tests for the SMTP client session, message part: PIPELINING (RFC 2920), SIZE
// (RFC 1870), SMTPUTF8 (RFC 6531 3.5), 8BITMIME, DSN parameters (RFC 3461), per-recipient
// outcomes, data-phase failures, several messages on one connection, the data encoding on
// the wire. Every dialog runs at every chunk size.
#include <gtest/gtest.h>

#include "client_dialog.hpp"

namespace tern::outbound::test {
namespace {

const std::string kOk = "ok 250 2.0.0 Ok: queued as 4711";

TEST(ClientTransaction, PipelinedHappyPath) {
    Script s;
    s.jobs.push_back(job("alice@example.test", {"bob@remote.test", "carol@remote.test"}, kMsg));
    s.phases = {kGreeting + kEhloPipe + kMailOk + kRcptOk + kRcptOk + kGo + kQueued + kBye};
    auto t = run_every_chunking(s);
    EXPECT_EQ(t.events, (std::vector<std::string>{
                            "C: EHLO out.example.test", "C: MAIL FROM:<alice@example.test> SIZE=22",
                            "C: RCPT TO:<bob@remote.test>", "C: RCPT TO:<carol@remote.test>", "C: DATA",
                            "C: Subject: hi", "C: ", "C: hello", "C: .",
                            "RESULT 0 data=" + kOk + " | " + kOk + " | " + kOk, "C: QUIT", "CLOSE"}));
    // MAIL, both RCPTs and DATA went out in one write (RFC 2920 3.1).
    EXPECT_NE(t.wire.find("MAIL FROM:<alice@example.test> SIZE=22\r\nRCPT TO:<bob@remote.test>\r\n"
                          "RCPT TO:<carol@remote.test>\r\nDATA\r\n"),
              std::string::npos);
    EXPECT_TRUE(t.results[0].peer_dsn);
}

TEST(ClientTransaction, PerRecipientOutcomesPipelinedAndNot) {
    for (const std::string& ehlo : {kEhloPipe, kEhloPlain}) {
        Script s;
        s.jobs.push_back(job("alice@example.test", {"a@remote.test", "b@remote.test", "c@remote.test"}, kMsg));
        s.phases = {kGreeting + ehlo + kMailOk + "550 5.1.1 No such user\r\n" + "450 4.2.1 Mailbox busy\r\n" +
                    kRcptOk + kGo + kQueued + kBye};
        auto t = run_every_chunking(s);
        ASSERT_EQ(t.results.size(), 1u);
        const auto& r = t.results[0].recipients;
        EXPECT_EQ(describe(r[0]), "perm 550 5.1.1 No such user");
        EXPECT_EQ(describe(r[1]), "temp 450 4.2.1 Mailbox busy");
        EXPECT_EQ(describe(r[2]), kOk);
        EXPECT_FALSE(t.results[0].host_failure);
    }
}

TEST(ClientTransaction, DataRefusedAfterTheContentIsTemporaryForAllAccepted) {
    Script s;
    s.jobs.push_back(job("alice@example.test", {"a@remote.test", "b@remote.test", "c@remote.test"}, kMsg));
    s.phases = {kGreeting + kEhloPipe + kMailOk + kRcptOk + "550 5.1.1 unknown\r\n" + kRcptOk + kGo +
                "452 4.3.1 Insufficient system storage\r\n" + kBye};
    auto t = run_every_chunking(s);
    ASSERT_EQ(t.results.size(), 1u);
    const auto& r = t.results[0];
    EXPECT_EQ(describe(r.data), "temp 452 4.3.1 Insufficient system storage");
    EXPECT_EQ(describe(r.recipients[0]), "temp 452 4.3.1 Insufficient system storage");
    EXPECT_EQ(describe(r.recipients[1]), "perm 550 5.1.1 unknown");
    EXPECT_EQ(describe(r.recipients[2]), "temp 452 4.3.1 Insufficient system storage");
}

TEST(ClientTransaction, MailRefusedPipelined) {
    Script s;
    s.jobs.push_back(job("alice@example.test", {"a@remote.test", "b@remote.test"}, kMsg));
    s.jobs.push_back(job("bob@example.test", {"c@remote.test"}, kMsg));
    s.phases = {kGreeting + kEhloPipe + "553 5.7.1 Sender rejected\r\n" + "503 5.5.1 need MAIL\r\n" +
                "503 5.5.1 need MAIL\r\n" + "503 5.5.1 need MAIL\r\n" + kMailOk + kRcptOk + kGo + kQueued + kBye};
    auto t = run_every_chunking(s);
    ASSERT_EQ(t.results.size(), 2u);
    for (const auto& o : t.results[0].recipients) EXPECT_EQ(describe(o), "perm 553 5.7.1 Sender rejected");
    EXPECT_EQ(describe(t.results[1].recipients[0]), kOk);
    EXPECT_FALSE(has_event(t, "C: RSET"));  // MAIL failed: no transaction to reset
}

TEST(ClientTransaction, MailRefusedWithoutPipelining) {
    Script s;
    s.jobs.push_back(job("alice@example.test", {"a@remote.test"}, kMsg));
    s.phases = {kGreeting + kEhloPlain + "451 4.3.0 Try later\r\n" + kBye};
    auto t = run_every_chunking(s);
    EXPECT_EQ(client_lines(t), (std::vector<std::string>{"EHLO out.example.test",
                                                         "MAIL FROM:<alice@example.test> SIZE=22", "QUIT"}));
    EXPECT_EQ(describe(t.results[0].recipients[0]), "temp 451 4.3.0 Try later");
}

TEST(ClientTransaction, AllRecipientsRefusedThenNextMessage) {
    // Without PIPELINING: no DATA, RSET before the next MAIL.
    Script plain;
    plain.jobs.push_back(job("alice@example.test", {"a@remote.test"}, kMsg));
    plain.jobs.push_back(job("alice@example.test", {"b@remote.test"}, kMsg));
    plain.phases = {kGreeting + kEhloPlain + kMailOk + "550 5.1.1 no\r\n" + "250 2.0.0 Reset\r\n" + kMailOk +
                    kRcptOk + kGo + kQueued + kBye};
    auto t = run_every_chunking(plain);
    EXPECT_EQ(client_lines(t),
              (std::vector<std::string>{"EHLO out.example.test", "MAIL FROM:<alice@example.test> SIZE=22",
                                        "RCPT TO:<a@remote.test>", "RSET", "MAIL FROM:<alice@example.test> SIZE=22",
                                        "RCPT TO:<b@remote.test>", "DATA", "Subject: hi", "", "hello", ".", "QUIT"}));
    EXPECT_EQ(describe(t.results[0].recipients[0]), "perm 550 5.1.1 no");
    EXPECT_EQ(describe(t.results[1].recipients[0]), kOk);

    // With PIPELINING: DATA was sent anyway; 554 to it, then RSET.
    Script piped = plain;
    piped.phases = {kGreeting + kEhloPipe + kMailOk + "550 5.1.1 no\r\n" + "554 5.5.1 No valid recipients\r\n" +
                    "250 2.0.0 Reset\r\n" + kMailOk + kRcptOk + kGo + kQueued + kBye};
    t = run_every_chunking(piped);
    EXPECT_TRUE(has_event(t, "C: RSET"));
    EXPECT_EQ(describe(t.results[0].recipients[0]), "perm 550 5.1.1 no");
    EXPECT_EQ(describe(t.results[1].recipients[0]), kOk);

    // A broken server that says 354 with no recipient: a lone "." (RFC 2920 3.1).
    Script broken = plain;
    broken.jobs.pop_back();
    broken.phases = {kGreeting + kEhloPipe + kMailOk + "550 5.1.1 no\r\n" + kGo + "554 5.5.1 Nothing\r\n" + kBye};
    t = run_every_chunking(broken);
    auto c = client_lines(t);
    EXPECT_EQ(std::vector<std::string>(c.end() - 3, c.end()), (std::vector<std::string>{"DATA", ".", "QUIT"}));
    EXPECT_EQ(describe(t.results[0].recipients[0]), "perm 550 5.1.1 no");
}

TEST(ClientTransaction, SeveralMessagesOnOneConnection) {
    Script s;
    const std::string m2 = "Subject: two\r\n\r\n2\r\n";
    s.jobs.push_back(job("alice@example.test", {"a@remote.test"}, kMsg));
    s.jobs.push_back(job("", {"b@remote.test"}, m2));  // a bounce: MAIL FROM:<>
    s.phases = {kGreeting + kEhloPipe + kMailOk + kRcptOk + kGo + kQueued + kMailOk + kRcptOk + kGo +
                "250 2.0.0 second\r\n" + kBye};
    auto t = run_every_chunking(s);
    auto c = client_lines(t);
    EXPECT_EQ(c, (std::vector<std::string>{"EHLO out.example.test", "MAIL FROM:<alice@example.test> SIZE=22",
                                           "RCPT TO:<a@remote.test>", "DATA", "Subject: hi", "", "hello", ".",
                                           "MAIL FROM:<> SIZE=19", "RCPT TO:<b@remote.test>", "DATA",
                                           "Subject: two", "", "2", ".", "QUIT"}));
    ASSERT_EQ(t.results.size(), 2u);
    EXPECT_EQ(describe(t.results[1].recipients[0]), "ok 250 2.0.0 second");
}

TEST(ClientTransaction, MessagesCanArriveWhileTheSessionRuns) {
    ClientSession s(Script::default_options());
    s.start();
    s.feed(kGreeting + kEhloPlain);
    EXPECT_EQ(s.take_actions().size(), 1u);  // EHLO
    EXPECT_FALSE(s.waiting_for_reply());      // idle: waiting for the driver
    s.add_message(job("a@x.test", {"b@y.test"}, "x"));
    auto a = s.take_actions();
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(std::get<Send>(a[0]).bytes, "MAIL FROM:<a@x.test> SIZE=1\r\n");
}

TEST(ClientTransaction, SizeExceededFailsOnlyThatMessage) {
    Script s;
    std::string big(1001, 'x');  // the peer's SIZE is 1000
    s.jobs.push_back(job("alice@example.test", {"a@remote.test"}, big));
    s.jobs.push_back(job("alice@example.test", {"b@remote.test"}, kMsg));
    s.phases = {kGreeting + kEhloPlain + kMailOk + kRcptOk + kGo + kQueued + kBye};
    auto t = run_every_chunking(s);
    ASSERT_EQ(t.results.size(), 2u);
    EXPECT_EQ(describe(t.results[0].recipients[0]),
              "perm 552 5.3.4 Message size 1001 exceeds the host's limit of 1000");
    EXPECT_FALSE(t.results[0].host_failure);
    EXPECT_EQ(describe(t.results[1].recipients[0]), kOk);
    EXPECT_EQ(t.wire.find("xxxx"), std::string::npos);
}

TEST(ClientTransaction, Smtputf8RequiredButMissing) {
    Script s;
    s.jobs.push_back(job("alice@example.test", {"j\xC3\xB6rg@remote.test"}, kMsg));
    s.phases = {kGreeting + kEhloPlain + kBye};
    auto t = run_every_chunking(s);
    EXPECT_EQ(t.events, (std::vector<std::string>{
                            "C: EHLO out.example.test",
                            "RESULT 0 data=perm 550 5.6.7 SMTPUTF8 is required, but was not offered by the host | "
                            "perm 550 5.6.7 SMTPUTF8 is required, but was not offered by the host",
                            "C: QUIT", "CLOSE"}));
    // With SMTPUTF8 offered, the parameter goes on MAIL.
    s.phases = {kGreeting + kEhloPipe + kMailOk + kRcptOk + kGo + kQueued + kBye};
    t = run_every_chunking(s);
    EXPECT_TRUE(has_event(t, "C: MAIL FROM:<alice@example.test> SIZE=22 SMTPUTF8"));
}

TEST(ClientTransaction, EightBitMime) {
    const std::string eight = "Subject: caf\xC3\xA9\r\n\r\nx\r\n";
    Script s;
    s.jobs.push_back(job("alice@example.test", {"a@remote.test"}, eight));
    s.jobs[0].body = BodyType::EightBitMime;
    s.phases = {kGreeting + kEhloPipe + kMailOk + kRcptOk + kGo + kQueued + kBye};
    auto t = run_every_chunking(s);
    EXPECT_TRUE(has_event(t, "C: MAIL FROM:<alice@example.test> SIZE=" + std::to_string(eight.size()) + " BODY=8BITMIME"));
    s.phases = {kGreeting + "250-x\r\n250 PIPELINING\r\n" + kBye};
    t = run_every_chunking(s);
    EXPECT_EQ(t.results[0].data.enhanced, "5.6.3");
}

TEST(ClientTransaction, DsnParametersOnlyWhenOffered) {
    Script s;
    s.jobs.push_back(job("alice@example.test", {"a@remote.test"}, kMsg));
    s.jobs[0].ret = DsnRet::Full;
    s.jobs[0].envid = "Q123=x";
    s.jobs[0].recipients[0].notify = kNotifyFailure | kNotifyDelay;
    s.jobs[0].recipients[0].orcpt = "rfc822;A+b@remote.test";
    s.phases = {kGreeting + kEhloPipe + kMailOk + kRcptOk + kGo + kQueued + kBye};
    auto t = run_every_chunking(s);
    EXPECT_TRUE(has_event(t, "C: MAIL FROM:<alice@example.test> SIZE=22 RET=FULL ENVID=Q123+3Dx"));
    EXPECT_TRUE(has_event(t, "C: RCPT TO:<a@remote.test> NOTIFY=FAILURE,DELAY ORCPT=rfc822;A+2Bb@remote.test"));
    EXPECT_TRUE(t.results[0].peer_dsn);

    s.phases = {kGreeting + kEhloPlain + kMailOk + kRcptOk + kGo + kQueued + kBye};
    t = run_every_chunking(s);
    EXPECT_TRUE(has_event(t, "C: MAIL FROM:<alice@example.test> SIZE=22"));
    EXPECT_TRUE(has_event(t, "C: RCPT TO:<a@remote.test>"));
    EXPECT_FALSE(t.results[0].peer_dsn);  // the driver reports "relayed" for NOTIFY=SUCCESS
}

TEST(ClientTransaction, DataIsNormalisedAndDotStuffedOnTheWire) {
    const std::string raw = "Subject: x\n\n.hidden\r.\rbare\rcr\r\n..two\nend";
    Script s;
    s.jobs.push_back(job("alice@example.test", {"a@remote.test"}, raw));
    s.phases = {kGreeting + kEhloPipe + kMailOk + kRcptOk + kGo + kQueued + kBye};
    auto t = run_every_chunking(s);
    EXPECT_NE(t.wire.find("DATA\r\nSubject: x\r\n\r\n..hidden\r\n..\r\nbare\r\ncr\r\n...two\r\nend\r\n.\r\nQUIT\r\n"),
              std::string::npos);
    EXPECT_EQ(describe(t.results[0].recipients[0]), kOk);
}

TEST(ClientTransaction, LargeMessageIsStreamedInBoundedSends) {
    std::string big;
    for (int i = 0; i < 20000; ++i) big += (i % 7 == 0 ? ".line " : "line ") + std::to_string(i) + "\n";
    ClientOptions o = Script::default_options();
    o.data_chunk = 4096;
    ClientSession s(o);
    s.start();
    s.add_message(job("a@x.test", {"b@y.test"}, big));
    s.no_more_messages();
    s.feed(kGreeting + "250-x\r\n250 PIPELINING\r\n" + kMailOk + kRcptOk + kGo);
    std::string wire;
    std::size_t sends = 0;
    while (true) {
        auto actions = s.take_actions();
        if (actions.empty()) break;
        for (auto& a : actions) {
            if (auto* snd = std::get_if<Send>(&a)) {
                EXPECT_LE(snd->bytes.size(), 2 * 4096 + 8);
                wire += snd->bytes;
                ++sends;
            }
        }
    }
    EXPECT_GT(sends, big.size() / 4096);
    EXPECT_EQ(wire.substr(wire.find("DATA\r\n") + 6), encode_data(big));
    s.feed(kQueued);
    auto a = s.take_actions();
    ASSERT_EQ(a.size(), 2u);
    EXPECT_TRUE(std::get<MessageResult>(a[0]).recipients[0].is_ok());
    EXPECT_EQ(std::get<Send>(a[1]).bytes, "QUIT\r\n");
}

TEST(ClientTransaction, OneOctetChunksNeverSendAnEmptyWrite) {
    // The LF of a CRLF encodes to nothing on its own (the CR already wrote CRLF); found by
    // the smtp_reply fuzzer.
    ClientOptions o = Script::default_options();
    o.data_chunk = 1;
    ClientSession s(o);
    s.start();
    const std::string msg = "a\r\nb\r\n\r\n";
    s.add_message(job("a@x.test", {"b@y.test"}, msg));
    s.no_more_messages();
    s.feed(kGreeting + "250-x\r\n250 PIPELINING\r\n" + kMailOk + kRcptOk + kGo);
    std::string wire;
    while (true) {
        auto actions = s.take_actions();
        if (actions.empty()) break;
        for (auto& a : actions) {
            if (auto* snd = std::get_if<Send>(&a)) {
                EXPECT_FALSE(snd->bytes.empty());
                wire += snd->bytes;
            }
        }
    }
    EXPECT_EQ(wire.substr(wire.find("DATA\r\n") + 6), encode_data(msg));
}

TEST(ClientTransaction, EmptyMessageAndUnusableAddresses) {
    Script s;
    s.jobs.push_back(job("alice@example.test", {"a@remote.test", "bad\r\nRCPT TO:<x@y>"}, ""));
    s.jobs.push_back(job("alice@example.test", {}, kMsg));
    s.phases = {kGreeting + kEhloPipe + kMailOk + kRcptOk + kGo + kQueued + kBye};
    auto t = run_every_chunking(s);
    EXPECT_EQ(client_lines(t), (std::vector<std::string>{"EHLO out.example.test",
                                                         "MAIL FROM:<alice@example.test> SIZE=0",
                                                         "RCPT TO:<a@remote.test>", "DATA", ".", "QUIT"}));
    ASSERT_EQ(t.results.size(), 2u);
    EXPECT_EQ(describe(t.results[0].recipients[1]), "perm 553 5.1.3 Unusable recipient address");
    EXPECT_TRUE(t.results[1].recipients.empty());
    EXPECT_TRUE(t.results[1].data.is_permanent());
}

TEST(ClientTransaction, DropDuringTheSecondMessageKeepsTheFirst) {
    Script s;
    s.jobs.push_back(job("alice@example.test", {"a@remote.test"}, kMsg));
    s.jobs.push_back(job("alice@example.test", {"b@remote.test", "c@remote.test"}, kMsg));
    s.jobs.push_back(job("alice@example.test", {"d@remote.test"}, kMsg));
    s.phases = {kGreeting + kEhloPipe + kMailOk + kRcptOk + kGo + kQueued + kMailOk + "550 5.1.1 no\r\n"};
    s.end = Script::End::Drop;
    auto t = run_every_chunking(s);
    ASSERT_EQ(t.results.size(), 3u);
    EXPECT_EQ(describe(t.results[0].recipients[0]), kOk);
    EXPECT_FALSE(t.results[0].host_failure);
    EXPECT_EQ(describe(t.results[1].recipients[0]), "perm 550 5.1.1 no");
    EXPECT_EQ(describe(t.results[1].recipients[1]), "temp 451 4.4.2 Connection lost");
    EXPECT_TRUE(t.results[1].host_failure);
    EXPECT_EQ(describe(t.results[2].recipients[0]), "temp 451 4.4.2 Connection lost");
}

}  // namespace
}  // namespace tern::outbound::test
