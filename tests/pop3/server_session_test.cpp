// Scripted dialogs against the POP3 session: greeting, CAPA, QUIT, STLS, framing (long
// lines, bare LF, NUL, bare CR), the error limit, state checks, timeouts. Every dialog is
// played at every chunk size (see dialog.hpp) and must give the same transcript.
#include "pop3/server_session.hpp"

#include <gtest/gtest.h>

#include "dialog.hpp"

using namespace tern;
using namespace tern::pop3;
using namespace tern::pop3::test;
using namespace std::string_literals;

namespace {

using Events = std::vector<std::string>;

const Events kCapaTls = {
    "S: +OK Capability list follows",
    "S: TOP",
    "S: USER",
    "S: SASL PLAIN LOGIN SCRAM-SHA-256",
    "S: RESP-CODES",
    "S: AUTH-RESP-CODE",
    "S: PIPELINING",
    "S: UIDL",
    "S: EXPIRE NEVER",
    "S: IMPLEMENTATION Tern",
    "S: .",
};

Events concat(std::initializer_list<Events> parts) {
    Events out;
    for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

SessionOptions plaintext_options() {
    auto o = test_options();
    o.tls_active = false;
    o.stls_available = true;
    return o;
}

}  // namespace

TEST(Pop3Session, GreetingCapaQuit) {
    auto t = run_every_chunking(test_options(), "CAPA\r\nQUIT\r\n");
    EXPECT_EQ(t.events, concat({{"S: +OK pop.example.test POP3 ready"}, kCapaTls,
                                {"S: +OK pop.example.test POP3 server signing off", "CLOSE"}}));
}

TEST(Pop3Session, CommandsAreCaseInsensitive) {
    auto t = run_every_chunking(test_options(), "capa\r\nuser alice@example.test\r\nPass secret\r\nsTaT\r\nqUiT\r\n");
    EXPECT_TRUE(has_event(t, "S: TOP"));
    EXPECT_TRUE(has_event(t, "S: +OK 3 87"));
    EXPECT_EQ(t.events.back(), "CLOSE");
}

TEST(Pop3Session, CapaBeforeAndAfterStlsAndInTransaction) {
    // Plaintext with STLS available: no USER, no SASL, STLS listed.
    auto t = run_every_chunking(plaintext_options(), {"CAPA\r\nSTLS\r\n", "CAPA\r\n" + kLogin + "CAPA\r\n"});
    Events before = {
        "S: +OK Capability list follows", "S: TOP", "S: RESP-CODES", "S: AUTH-RESP-CODE", "S: PIPELINING",
        "S: UIDL", "S: EXPIRE NEVER", "S: STLS", "S: IMPLEMENTATION Tern", "S: .",
    };
    EXPECT_EQ(t.events, concat({{"S: +OK pop.example.test POP3 ready"}, before, {"S: +OK Begin TLS negotiation", "STLS"},
                                kCapaTls,
                                Events(kLoginEvents.begin() + 1, kLoginEvents.end()), kCapaTls}));
    // Plaintext allowed by configuration: USER and SASL, and STLS.
    auto o = plaintext_options();
    o.plaintext_auth = true;
    o.expire_policy.clear();
    t = run_every_chunking(o, "CAPA\r\n");
    EXPECT_EQ(after_greeting(t), (Events{
        "S: +OK Capability list follows", "S: TOP", "S: USER", "S: SASL PLAIN LOGIN SCRAM-SHA-256", "S: RESP-CODES",
        "S: AUTH-RESP-CODE", "S: PIPELINING", "S: UIDL", "S: STLS", "S: IMPLEMENTATION Tern", "S: .",
    }));
    // No STLS on this listener: not listed.
    o.stls_available = false;
    t = run_every_chunking(o, "CAPA\r\n");
    EXPECT_FALSE(has_event(t, "S: STLS"));
    // CAPA takes no argument.
    t = run_every_chunking(test_options(), "CAPA x\r\n");
    EXPECT_EQ(after_greeting(t), (Events{"S: -ERR Syntax: CAPA"}));
}

TEST(Pop3Session, StlsAndWhatFollowsIt) {
    // Commands pipelined after STLS in plaintext are dropped (CVE-2011-0411): the USER
    // injected before the handshake must not survive into the TLS session.
    auto o = plaintext_options();
    o.plaintext_auth = true;
    auto t = run_every_chunking(o, Events{"STLS\r\nUSER mallory@example.test\r\n", "PASS secret\r\n"});
    EXPECT_EQ(after_greeting(t), (Events{"S: +OK Begin TLS negotiation", "STLS", "S: -ERR Send USER first"}));
    // A USER given before STLS is forgotten as well.
    t = run_every_chunking(o, Events{"USER alice@example.test\r\nSTLS\r\n", "PASS secret\r\n"});
    EXPECT_EQ(after_greeting(t), (Events{"S: +OK Send PASS", "S: +OK Begin TLS negotiation", "STLS",
                                         "S: -ERR Send USER first"}));
    // After STLS the session is in AUTHORIZATION with TLS: login works.
    t = run_every_chunking(plaintext_options(), {"STLS\r\n", kLogin + "STAT\r\n"});
    EXPECT_TRUE(has_event(t, "S: +OK 3 87"));
}

TEST(Pop3Session, StlsRefusals) {
    auto t = run_every_chunking(test_options(), "STLS\r\n");
    EXPECT_EQ(after_greeting(t), (Events{"S: -ERR Command not permitted when TLS active"}));
    auto o = plaintext_options();
    o.stls_available = false;
    t = run_every_chunking(o, "STLS\r\nSTLS now\r\n");
    EXPECT_EQ(after_greeting(t), (Events{"S: -ERR STLS not available", "S: -ERR Syntax: STLS"}));
    // Twice: the second one, under TLS, is refused.
    t = run_every_chunking(plaintext_options(), Events{"STLS\r\n", "STLS\r\n"});
    EXPECT_EQ(after_greeting(t), (Events{"S: +OK Begin TLS negotiation", "STLS",
                                         "S: -ERR Command not permitted when TLS active"}));
    // Not in TRANSACTION.
    t = run_every_chunking(plaintext_options(), {"STLS\r\n", kLogin + "STLS\r\n"});
    EXPECT_EQ(t.events.back(), "S: -ERR Already authenticated");
}

TEST(Pop3Session, FeedIgnoredWhileWaitingForTls) {
    ServerSession s(plaintext_options());
    s.start();
    s.feed("STLS\r\n");
    s.take_actions();
    EXPECT_TRUE(s.parked());
    s.feed("USER evil\r\n");
    EXPECT_EQ(s.buffered(), 0u);
    EXPECT_TRUE(s.take_actions().empty());
    s.tls_started();
    EXPECT_TRUE(s.tls_active());
    EXPECT_FALSE(s.parked());
    s.tls_started();  // stray: ignored
    EXPECT_TRUE(s.take_actions().empty());
}

TEST(Pop3Session, UnknownAndWrongStateCommands) {
    auto o = test_options();
    o.limits.errors = 100;
    auto t = run_every_chunking(o, "XTND XMIT\r\nAPOP alice 0123456789abcdef\r\nSTAT\r\nLIST\r\n"
                                                "RETR 1\r\nDELE 1\r\nNOOP\r\nRSET\r\nTOP 1 1\r\nUIDL\r\n");
    EXPECT_EQ(after_greeting(t), (Events{
        "S: -ERR Unknown command", "S: -ERR Unknown command",
        "S: -ERR Not authenticated", "S: -ERR Not authenticated", "S: -ERR Not authenticated",
        "S: -ERR Not authenticated", "S: -ERR Not authenticated", "S: -ERR Not authenticated",
        "S: -ERR Not authenticated", "S: -ERR Not authenticated",
    }));
    t = run_every_chunking(test_options(), kLogin + "USER bob\r\nPASS x\r\nAUTH PLAIN\r\nAPOP a b\r\n");
    EXPECT_EQ(after_login(t), (Events{"S: -ERR Already authenticated", "S: -ERR Already authenticated",
                                      "S: -ERR Already authenticated", "S: -ERR Unknown command"}));
}

TEST(Pop3Session, TooManyErrors) {
    auto o = test_options();
    o.limits.errors = 3;
    auto t = run_every_chunking(o, "A\r\nB\r\nC\r\nNOOP\r\n");
    EXPECT_EQ(after_greeting(t), (Events{
        "S: -ERR Unknown command", "S: -ERR Unknown command", "S: -ERR Unknown command",
        "S: -ERR Too many errors, closing connection", "CLOSE",
    }));
}

TEST(Pop3Session, OverLongLineIsSkippedNotSplit) {
    // 255 octets including CRLF are fine; 256 are not, and the tail is never a command.
    std::string ok = "NOOP " + std::string(255 - 5 - 2, 'x') + "\r\n";
    ASSERT_EQ(ok.size(), 255u);
    std::string too_long = "NOOP " + std::string(300, 'x') + "QUIT\r\n";
    auto t = run_every_chunking(test_options(), ok + too_long + "CAPA x\r\n");
    EXPECT_EQ(after_greeting(t), (Events{"S: -ERR Not authenticated", "S: -ERR Line too long", "S: -ERR Syntax: CAPA"}));
    // Exactly at the limit: 256 octets with the LF at the end.
    std::string at = "QUIT " + std::string(256 - 5 - 2, 'x') + "\r\n";
    t = run_every_chunking(test_options(), at + "CAPA x\r\n");
    EXPECT_EQ(after_greeting(t), (Events{"S: -ERR Line too long", "S: -ERR Syntax: CAPA"}));
    // A limit set lower than kMinCommandLine is raised to it.
    auto o = test_options();
    o.limits.command_line = 3;
    t = run_every_chunking(o, "CAPA x\r\n");
    EXPECT_EQ(after_greeting(t), (Events{"S: -ERR Syntax: CAPA"}));
}

TEST(Pop3Session, HugeInputWithoutLineEndStaysBounded) {
    ServerSession s(test_options());
    s.start();
    s.take_actions();
    std::string junk(1 << 20, 'A');
    s.feed(junk);
    EXPECT_LT(s.buffered(), s.line_limit());
    EXPECT_EQ(s.line_limit(), 255u);
    s.feed("\r\nNOOP\r\n");
    auto a = s.take_actions();
    ASSERT_EQ(a.size(), 2u);
    EXPECT_EQ(std::get<SendReply>(a[0]).bytes, "-ERR Line too long\r\n");
    EXPECT_EQ(std::get<SendReply>(a[1]).bytes, "-ERR Not authenticated\r\n");
}

TEST(Pop3Session, BareLfNulAndBareCr) {
    // A bare LF ends a line (hand-typed sessions); one CR before the LF is dropped, others
    // stay and make the line invalid; a NUL as well.
    auto t = run_every_chunking(test_options(), "CAPA\n"s + "CAPA\r\r\n" + "CA\0PA\r\n"s + "CAPA\0\r\n"s +
                                                    "CAPA \0\r\n"s + "USER a\0b\r\n"s + "USER a\rb\r\n" + "QUIT\n");
    EXPECT_EQ(count_prefix(t, "S: IMPLEMENTATION Tern"), 1u);
    EXPECT_EQ(after_greeting(t), concat({Events(kCapaTls.begin(), kCapaTls.end()), {
        "S: -ERR Unknown command",
        "S: -ERR Unknown command",
        "S: -ERR Unknown command",
        "S: -ERR Syntax: CAPA",
        "S: -ERR Invalid user name",
        "S: -ERR Invalid user name",
        "S: +OK pop.example.test POP3 server signing off",
        "CLOSE",
    }}));
}

TEST(Pop3Session, PipelinedCommandsAnswerInOrder) {
    std::string in = "CAPA\r\n" + kLogin + "STAT\r\nLIST\r\nUIDL 2\r\nRETR 1\r\nDELE 1\r\nLIST 1\r\nNOOP\r\nQUIT\r\n";
    auto t = run_every_chunking(test_options(), in);
    EXPECT_EQ(after_login(t), (Events{
        "S: +OK 3 87",
        "S: +OK 3 messages (87 octets)", "S: 1 30", "S: 2 45", "S: 3 12", "S: .",
        "S: +OK 2 uid-two",
        "READ 0", "S: +OK 30 octets", "S: Subject: one", "S: ", "S: first body", "S: .",
        "S: +OK Message 1 deleted",
        "S: -ERR Message 1 already deleted",
        "S: +OK",
        "COMMIT 0", "S: +OK pop.example.test POP3 server signing off (2 messages left)", "CLOSE",
    }));
}

TEST(Pop3Session, ParkedCommandHoldsLaterInput) {
    ServerSession s(test_options());
    s.start();
    s.feed(kLogin + "RETR 1\r\nRETR 2\r\nSTAT\r\n");
    auto a = s.take_actions();
    ASSERT_TRUE(std::holds_alternative<VerifyPassword>(a.back()));
    EXPECT_TRUE(s.parked());
    EXPECT_EQ(s.read_timeout(), std::chrono::seconds(600));
    s.password_verified(AuthVerdict::Ok);
    a = s.take_actions();
    ASSERT_EQ(a.size(), 2u);
    EXPECT_TRUE(std::get<AuthAttempt>(a[0]).success);
    EXPECT_EQ(std::get<OpenMaildrop>(a[1]).user, "alice@example.test");
    EXPECT_TRUE(s.authenticated());
    EXPECT_EQ(s.phase(), Phase::Authorization);
    s.maildrop_opened(default_listing());
    EXPECT_EQ(s.phase(), Phase::Transaction);
    a = s.take_actions();
    ASSERT_EQ(a.size(), 2u);
    EXPECT_EQ(std::get<SendReply>(a[0]).bytes, "+OK Maildrop ready, 3 messages (87 octets)\r\n");
    EXPECT_EQ(std::get<ReadMessage>(a[1]).index, 0u);
    EXPECT_FALSE(std::get<ReadMessage>(a[1]).top);
    // Stray completions are ignored.
    s.password_verified(AuthVerdict::Ok);
    s.maildrop_opened(MaildropError::InUse);
    s.update_done(true);
    s.tls_started();
    EXPECT_TRUE(s.take_actions().empty());
    s.message_read("x"s);
    a = s.take_actions();
    ASSERT_EQ(a.size(), 2u);
    EXPECT_EQ(std::get<SendReply>(a[0]).bytes, "+OK 30 octets\r\nx\r\n.\r\n");
    EXPECT_EQ(std::get<ReadMessage>(a[1]).index, 1u);
    s.message_read(std::nullopt);
    a = s.take_actions();
    ASSERT_EQ(a.size(), 2u);
    EXPECT_EQ(std::get<SendReply>(a[0]).bytes, "-ERR [SYS/TEMP] Cannot read message 2\r\n");
    EXPECT_EQ(std::get<SendReply>(a[1]).bytes, "+OK 3 87\r\n");
    EXPECT_FALSE(s.parked());
    EXPECT_EQ(s.error_count(), 0u);
}

TEST(Pop3Session, TimeoutClosesSilentlyAndNeverCommits) {
    ServerSession s(test_options());
    s.start();
    s.feed(kLogin);
    s.password_verified(AuthVerdict::Ok);
    s.maildrop_opened(default_listing());
    s.feed("DELE 1\r\nDELE 2\r\n");
    s.take_actions();
    EXPECT_EQ(s.deleted_count(), 2u);
    s.timeout();  // RFC 1939 3: no reply, no UPDATE
    auto a = s.take_actions();
    ASSERT_EQ(a.size(), 1u);
    EXPECT_TRUE(std::holds_alternative<Close>(a[0]));
    EXPECT_TRUE(s.closed());
    s.feed("QUIT\r\n");
    s.shutdown();
    s.timeout();
    EXPECT_TRUE(s.take_actions().empty());
}

TEST(Pop3Session, ShutdownNeverCommits) {
    ServerSession s(test_options());
    s.start();
    s.feed(kLogin);
    s.password_verified(AuthVerdict::Ok);
    s.maildrop_opened(default_listing());
    s.feed("DELE 1\r\n");
    s.take_actions();
    s.shutdown();
    auto a = s.take_actions();
    ASSERT_EQ(a.size(), 2u);
    EXPECT_EQ(std::get<SendReply>(a[0]).bytes, "-ERR [SYS/TEMP] pop.example.test shutting down\r\n");
    EXPECT_TRUE(std::holds_alternative<Close>(a[1]));
}

TEST(Pop3Session, ReadTimeoutPerState) {
    auto o = test_options();
    o.limits.timeout_authorization = std::chrono::seconds(601);
    o.limits.timeout_transaction = std::chrono::seconds(1800);
    ServerSession s(o);
    s.start();
    EXPECT_EQ(s.read_timeout(), std::chrono::seconds(601));
    s.feed(kLogin);
    s.password_verified(AuthVerdict::Ok);
    s.maildrop_opened(std::vector<MessageInfo>{});
    EXPECT_EQ(s.read_timeout(), std::chrono::seconds(1800));
    EXPECT_EQ(SessionLimits{}.timeout_authorization, std::chrono::minutes(10));
    EXPECT_EQ(SessionLimits{}.timeout_transaction, std::chrono::minutes(10));
}

TEST(Pop3Session, HostnameCannotInjectLines) {
    auto o = test_options();
    o.hostname = "evil\r\n+OK injected";
    auto t = run_dialog(o, {"QUIT\r\n"}, 100);
    EXPECT_EQ(t.events, (Events{"S: +OK evil??+OK injected POP3 ready",
                                "S: +OK evil??+OK injected POP3 server signing off", "CLOSE"}));
}

TEST(Pop3Session, NothingBeforeStart) {
    ServerSession s(test_options());
    s.feed("CAPA\r\n");
    EXPECT_TRUE(s.take_actions().empty());
    s.start();
    auto a = s.take_actions();
    ASSERT_EQ(a.size(), 2u);  // the greeting, then the CAPA fed before start
    EXPECT_EQ(std::get<SendReply>(a[0]).bytes, "+OK pop.example.test POP3 ready\r\n");
    s.start();
    EXPECT_TRUE(s.take_actions().empty());
}
