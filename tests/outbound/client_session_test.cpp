// Dialog tests for the SMTP client session, connection part: greeting, EHLO/HELO, STARTTLS
// policies (RFC 3207), AUTH PLAIN/LOGIN (RFC 4954), failures of the connection, malformed
// and oversized replies, timeouts (RFC 5321 4.5.3.2). Every dialog runs at every chunk size.
#include <gtest/gtest.h>

#include "client_dialog.hpp"

namespace tern::outbound::test {
namespace {


Script one_message() {
    Script s;
    s.jobs.push_back(job("alice@example.test", {"bob@remote.test"}, kMsg));
    return s;
}

const std::string kDelivered =
    "RESULT 0 data=ok 250 2.0.0 Ok: queued as 4711 | ok 250 2.0.0 Ok: queued as 4711";

TEST(ClientSession, HappyPathWithoutPipelining) {
    Script s = one_message();
    s.phases = {kGreeting + kEhloPlain + kMailOk + kRcptOk + kGo + kQueued + kBye};
    auto t = run_every_chunking(s);
    EXPECT_EQ(t.events, (std::vector<std::string>{
                            "C: EHLO out.example.test", "C: MAIL FROM:<alice@example.test> SIZE=22",
                            "C: RCPT TO:<bob@remote.test>", "C: DATA", "C: Subject: hi", "C: ", "C: hello",
                            "C: .", kDelivered, "C: QUIT", "CLOSE"}));
    ASSERT_EQ(t.results.size(), 1u);
    EXPECT_TRUE(t.results[0].recipients[0].is_ok());
    EXPECT_EQ(t.results[0].recipients[0].code, 250);
}

TEST(ClientSession, GreetingWithOurOwnNameIsALoop) {
    Script s = one_message();
    s.phases = {"220 OUT.example.test ESMTP\r\n"};
    auto t = run_every_chunking(s);
    EXPECT_TRUE(client_lines(t).empty());  // not even EHLO
    ASSERT_EQ(t.results.size(), 1u);
    EXPECT_TRUE(t.results[0].recipients[0].is_permanent());
    EXPECT_EQ(t.results[0].recipients[0].enhanced, "5.4.6");
    EXPECT_EQ(t.results[0].recipients[0].code, 554);
    EXPECT_TRUE(has_event(t, "CLOSE"));
}

TEST(ClientSession, HeloFallbackWhenEhloIsUnknown) {
    Script s = one_message();
    s.phases = {kGreeting + "502 5.5.1 What?\r\n" + "250 mx.remote.test\r\n" + kMailOk + kRcptOk + kGo +
                kQueued + kBye};
    auto t = run_every_chunking(s);
    auto c = client_lines(t);
    ASSERT_GE(c.size(), 3u);
    EXPECT_EQ(c[0], "EHLO out.example.test");
    EXPECT_EQ(c[1], "HELO out.example.test");
    EXPECT_EQ(c[2], "MAIL FROM:<alice@example.test>");  // no ESMTP parameters after HELO
    EXPECT_TRUE(has_event(t, kDelivered));
}

TEST(ClientSession, GreetingRefusedIsATemporaryHostFailure) {
    Script s = one_message();
    s.phases = {"554 5.7.1 No SMTP service here\r\n"};
    auto t = run_every_chunking(s);
    const std::string why = "temp 451 4.7.1 Host refused the connection: 554 5.7.1 No SMTP service here";
    EXPECT_EQ(t.events, (std::vector<std::string>{"RESULT 0 host data=" + why + " | " + why, "C: QUIT", "CLOSE"}));
}

TEST(ClientSession, EhloAndHeloRefused) {
    Script s = one_message();
    s.phases = {kGreeting + "500 no\r\n" + "550 5.7.1 go away\r\n"};
    auto t = run_every_chunking(s);
    ASSERT_EQ(t.results.size(), 1u);
    EXPECT_TRUE(t.results[0].host_failure);
    EXPECT_EQ(t.results[0].data.str(), "451 4.7.1 Host refused EHLO and HELO: 550 5.7.1 go away");
}

TEST(ClientSession, StartTlsOpportunisticDropsPlaintextAfter220) {
    Script s = one_message();
    // "250 injected" arrives with the 220: it must never be taken as the EHLO reply.
    s.phases = {kGreeting + "250-mx.remote.test\r\n250-PIPELINING\r\n250 STARTTLS\r\n" +
                    "220 2.0.0 Ready to start TLS\r\n250 injected\r\n",
                kEhloPipe + kMailOk + kRcptOk + kGo + kQueued + kBye};
    auto t = run_every_chunking(s);
    EXPECT_EQ(t.events, (std::vector<std::string>{
                            "C: EHLO out.example.test", "C: STARTTLS", "STARTTLS", "C: EHLO out.example.test",
                            "C: MAIL FROM:<alice@example.test> SIZE=22", "C: RCPT TO:<bob@remote.test>",
                            "C: DATA", "C: Subject: hi", "C: ", "C: hello", "C: .", kDelivered, "C: QUIT",
                            "CLOSE"}));
}

TEST(ClientSession, StartTlsOpportunisticWithoutOfferGoesPlain) {
    Script s = one_message();
    s.phases = {kGreeting + kEhloPlain + kMailOk + kRcptOk + kGo + kQueued + kBye};
    auto t = run_every_chunking(s);
    EXPECT_FALSE(has_event(t, "STARTTLS"));
    EXPECT_TRUE(has_event(t, kDelivered));
}

TEST(ClientSession, StartTlsRefusedOpportunisticContinuesInPlaintext) {
    Script s = one_message();
    s.phases = {kGreeting + "250-x\r\n250 STARTTLS\r\n" + "454 4.7.0 TLS not available\r\n" + kMailOk + kRcptOk +
                kGo + kQueued + kBye};
    auto t = run_every_chunking(s);
    EXPECT_TRUE(has_event(t, "C: STARTTLS"));
    EXPECT_FALSE(has_event(t, "STARTTLS"));
    EXPECT_TRUE(has_event(t, kDelivered));
}

TEST(ClientSession, StartTlsRequiredButNotOffered) {
    Script s = one_message();
    s.options.tls = TlsPolicy::Required;
    s.jobs.push_back(job("alice@example.test", {"carol@remote.test", "dave@remote.test"}, kMsg));
    s.phases = {kGreeting + kEhloPlain};
    auto t = run_every_chunking(s);
    const std::string why = "temp 451 4.7.4 TLS is required, but was not offered by the host";
    EXPECT_EQ(t.events, (std::vector<std::string>{"C: EHLO out.example.test", "RESULT 0 host data=" + why + " | " + why,
                                                  "RESULT 1 host data=" + why + " | " + why + " | " + why,
                                                  "C: QUIT", "CLOSE"}));
}

TEST(ClientSession, StartTlsRequiredAndRefused) {
    Script s = one_message();
    s.options.tls = TlsPolicy::Required;
    s.phases = {kGreeting + "250-x\r\n250 STARTTLS\r\n" + "454 4.7.0 TLS not available\r\n"};
    auto t = run_every_chunking(s);
    ASSERT_EQ(t.results.size(), 1u);
    EXPECT_EQ(t.results[0].data.enhanced, "4.7.4");
    EXPECT_TRUE(t.results[0].data.is_temporary());
}

TEST(ClientSession, TlsPolicyNoneNeverStartsTls) {
    Script s = one_message();
    s.options.tls = TlsPolicy::None;
    s.phases = {kGreeting + "250-x\r\n250 STARTTLS\r\n" + kMailOk + kRcptOk + kGo + kQueued + kBye};
    auto t = run_every_chunking(s);
    EXPECT_FALSE(has_event(t, "C: STARTTLS"));
    EXPECT_TRUE(has_event(t, kDelivered));
}

TEST(ClientSession, TlsHandshakeFailure) {
    ClientSession s(Script::default_options());
    s.start();
    s.add_message(job("a@x.test", {"b@y.test"}, kMsg));
    s.feed(kGreeting + "250-x\r\n250 STARTTLS\r\n220 go\r\n");
    auto a = s.take_actions();
    ASSERT_TRUE(s.waiting_for_tls());
    s.tls_failed("certificate\r\nverify failed");
    a = s.take_actions();
    ASSERT_EQ(a.size(), 2u);
    auto& r = std::get<MessageResult>(a[0]);
    EXPECT_EQ(r.data.str(), "451 4.7.5 TLS handshake failed: certificate??verify failed");
    EXPECT_TRUE(std::holds_alternative<Close>(a[1]));
}

Script smarthost(std::string ehlo_auth) {
    Script s = one_message();
    s.options.tls_active = true;  // implicit TLS to the smarthost
    s.options.auth = ClientCredentials{"alice", "secret"};
    s.phases = {kGreeting + "250-smarthost\r\n250-" + ehlo_auth + "\r\n250 8BITMIME\r\n"};
    return s;
}

TEST(ClientSession, AuthPlain) {
    Script s = smarthost("AUTH LOGIN PLAIN");
    s.phases[0] += "235 2.7.0 Authentication successful\r\n" + kMailOk + kRcptOk + kGo + kQueued + kBye;
    auto t = run_every_chunking(s);
    auto c = client_lines(t);
    ASSERT_GE(c.size(), 3u);
    EXPECT_EQ(c[1], "AUTH PLAIN AGFsaWNlAHNlY3JldA==");  // "\0alice\0secret"
    EXPECT_EQ(c[2], "MAIL FROM:<alice@example.test>");
    EXPECT_TRUE(has_event(t, kDelivered));
}

TEST(ClientSession, AuthLogin) {
    Script s = smarthost("AUTH=LOGIN");
    s.phases[0] += "334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n235 2.7.0 ok\r\n" + kMailOk + kRcptOk + kGo + kQueued +
                   kBye;
    auto t = run_every_chunking(s);
    auto c = client_lines(t);
    ASSERT_GE(c.size(), 5u);
    EXPECT_EQ(c[1], "AUTH LOGIN");
    EXPECT_EQ(c[2], "YWxpY2U=");
    EXPECT_EQ(c[3], "c2VjcmV0");
    EXPECT_TRUE(has_event(t, kDelivered));
}

TEST(ClientSession, AuthRefusedKeepsMailQueued) {
    Script s = smarthost("AUTH PLAIN");
    s.phases[0] += "535 5.7.8 Authentication credentials invalid\r\n";
    auto t = run_every_chunking(s);
    const std::string why = "temp 451 4.7.0 Authentication failed: 535 5.7.8 Authentication credentials invalid";
    EXPECT_TRUE(has_event(t, "RESULT 0 host data=" + why + " | " + why));
    EXPECT_EQ(t.events.back(), "CLOSE");
    EXPECT_FALSE(t.results[0].recipients[0].is_permanent());
}

TEST(ClientSession, AuthNeedsTlsAndACommonMechanism) {
    Script plain = smarthost("AUTH PLAIN");
    plain.options.tls_active = false;
    plain.options.tls = TlsPolicy::None;
    auto t = run_every_chunking(plain);
    ASSERT_EQ(t.results.size(), 1u);
    EXPECT_EQ(t.results[0].data.str(), "451 4.7.0 Not sending credentials without TLS");
    EXPECT_FALSE(has_event(t, "C: AUTH PLAIN AGFsaWNlAHNlY3JldA=="));

    Script cram = smarthost("AUTH CRAM-MD5");
    t = run_every_chunking(cram);
    ASSERT_EQ(t.results.size(), 1u);
    EXPECT_EQ(t.results[0].data.enhanced, "4.7.0");

    Script unexpected = smarthost("AUTH PLAIN");
    unexpected.phases[0] += "334 \r\n";  // no challenge expected after an initial response
    t = run_every_chunking(unexpected);
    EXPECT_EQ(t.results[0].data.enhanced, "4.5.0");
}

TEST(ClientSession, MalformedReplyIsAProtocolViolation) {
    Script s = one_message();
    s.phases = {kGreeting + kEhloPlain + "2x0 what\r\n"};
    auto t = run_every_chunking(s);
    const std::string why = "temp 451 4.5.0 Protocol error from the host: malformed reply code";
    EXPECT_EQ(t.events, (std::vector<std::string>{"C: EHLO out.example.test",
                                                  "C: MAIL FROM:<alice@example.test> SIZE=22",
                                                  "RESULT 0 host data=" + why + " | " + why, "CLOSE"}));
}

TEST(ClientSession, OversizedAndEndlessRepliesAreRefused) {
    Script s = one_message();
    s.phases = {kGreeting + "250 " + std::string(3000, 'x') + "\r\n"};
    auto t = run_every_chunking(s);
    ASSERT_EQ(t.results.size(), 1u);
    EXPECT_EQ(t.results[0].data.str(), "451 4.5.0 Protocol error from the host: reply line longer than 2048 octets");

    std::string many = kGreeting;
    for (int i = 0; i < 150; ++i) many += "250-line\r\n";
    s.phases = {many};
    t = run_every_chunking(s);
    ASSERT_EQ(t.results.size(), 1u);
    EXPECT_EQ(t.results[0].data.str(), "451 4.5.0 Protocol error from the host: reply with more than 100 lines");
}

TEST(ClientSession, UnsolicitedRepliesAndCodesOutOfPlace) {
    Script s = one_message();
    s.phases = {kGreeting + kEhloPlain + kMailOk + kRcptOk + kGo + kQueued + kBye + "250 extra\r\n"};
    auto t = run_every_chunking(s);  // after QUIT's reply the session is closed: ignored
    EXPECT_EQ(t.events.back(), "CLOSE");
    EXPECT_TRUE(has_event(t, kDelivered));

    s.phases = {kGreeting + kEhloPlain + "354 go on\r\n"};
    t = run_every_chunking(s);
    EXPECT_EQ(t.results[0].data.enhanced, "4.5.0");
    s.phases = {kGreeting + kEhloPlain + kMailOk + kRcptOk + "250 DATA is fine\r\n"};
    t = run_every_chunking(s);
    EXPECT_EQ(t.results[0].data.str(), "451 4.5.0 Protocol error from the host: 2xx reply to DATA");
}

TEST(ClientSession, ServiceClosing421AtAnyPoint) {
    Script s = one_message();
    s.phases = {kGreeting + kEhloPlain + kMailOk + "421 4.3.2 Shutting down\r\n"};
    auto t = run_every_chunking(s);
    const std::string why = "temp 421 4.3.2 Host closed the connection: 421 4.3.2 Shutting down";
    EXPECT_EQ(t.events.back(), "CLOSE");
    EXPECT_TRUE(has_event(t, "RESULT 0 host data=" + why + " | " + why));
    EXPECT_FALSE(has_event(t, "C: QUIT"));
}

TEST(ClientSession, DropAndTimeout) {
    Script s = one_message();
    s.phases = {kGreeting + kEhloPlain + kMailOk + kRcptOk + kGo};
    s.end = Script::End::Drop;
    auto t = run_every_chunking(s);
    EXPECT_TRUE(has_event(t, "C: ."));  // the data went out, the final reply never came
    EXPECT_TRUE(has_event(t, "RESULT 0 host data=temp 451 4.4.2 Connection lost | temp 451 4.4.2 Connection lost"));
    s.end = Script::End::Timeout;
    t = run_every_chunking(s);
    EXPECT_EQ(t.results[0].data.str(), "451 4.4.2 Timeout waiting for the host");
}

TEST(ClientSession, ReadTimeoutFollowsRfc5321) {
    ClientSession s(Script::default_options());
    s.start();
    EXPECT_EQ(s.read_timeout(), std::chrono::seconds(300));  // 4.5.3.2.1 greeting
    s.add_message(job("a@x.test", {"b@y.test"}, "x"));
    s.feed(kGreeting + kEhloPlain);
    s.take_actions();
    EXPECT_EQ(s.read_timeout(), std::chrono::seconds(300));  // MAIL
    s.feed(kMailOk);
    s.take_actions();
    EXPECT_EQ(s.read_timeout(), std::chrono::seconds(300));  // RCPT
    s.feed(kRcptOk);
    s.take_actions();
    EXPECT_EQ(s.read_timeout(), std::chrono::seconds(120));  // DATA initiation
    s.feed(kGo);
    EXPECT_TRUE(s.sending_data());
    EXPECT_EQ(s.read_timeout(), std::chrono::seconds(180));  // data block
    EXPECT_EQ(s.write_timeout(), std::chrono::seconds(180));
    s.take_actions();
    EXPECT_TRUE(s.waiting_for_reply());
    EXPECT_EQ(s.read_timeout(), std::chrono::seconds(600));  // DATA termination
}

TEST(ClientSession, MessagesAddedAfterCloseFailAtOnce) {
    ClientSession s(Script::default_options());
    s.start();
    s.connection_lost();
    s.take_actions();
    EXPECT_EQ(s.add_message(job("a@x.test", {"b@y.test"}, "x")), 0u);
    auto a = s.take_actions();
    ASSERT_EQ(a.size(), 1u);
    EXPECT_TRUE(std::get<MessageResult>(a[0]).data.is_temporary());
}

}  // namespace
}  // namespace tern::outbound::test
