// The IMAP session's lifecycle and not-authenticated state: greeting, CAPABILITY, NOOP, LOGOUT,
// ID, STARTTLS (and the CVE-2011-0411 injection), LOGINDISABLED, LOGIN, AUTHENTICATE PLAIN and
// SCRAM-SHA-256 with and without SASL-IR, failure limits, state rules, error limits, ENABLE,
// timers. Every dialog is played at every chunk size.
#include <gtest/gtest.h>

#include "core/base64.hpp"
#include "sasl/scram_client.hpp"
#include "session_dialog.hpp"

using namespace tern;
using namespace tern::imap;
using namespace tern::imap::session_test;
using namespace std::string_literals;

namespace {

using Events = std::vector<std::string>;
namespace sc = tern::sasl::test;

const std::string kPreCaps = "IMAP4rev1 IMAP4rev2 LITERAL+ SASL-IR ID ENABLE IDLE";
const std::string kAuthCaps = kPreCaps + " AUTH=PLAIN AUTH=LOGIN AUTH=SCRAM-SHA-256";
const std::string kGreeting = "S: * OK [CAPABILITY " + kAuthCaps + "] imap.example.test IMAP4rev2 ready";
const std::string kPostCaps = kPreCaps +
                              " NAMESPACE UNSELECT UIDPLUS MOVE CHILDREN SPECIAL-USE ESEARCH CONDSTORE QRESYNC UTF8=ACCEPT "
                              "STATUS=SIZE APPENDLIMIT=52428800 BINARY SEARCHRES SORT SORT=DISPLAY ESORT "
                              "THREAD=REFERENCES THREAD=ORDEREDSUBJECT"
                              " LIST-EXTENDED LIST-STATUS QUOTA QUOTA=RES-STORAGE COMPRESS=DEFLATE";
const std::string kLoggedIn = "S: L OK [CAPABILITY " + kPostCaps + "] Logged in";
const Events kLoginEvents = {kGreeting, "VERIFY alice secret LOGIN", "ATTEMPT alice LOGIN ok ok", "OPEN alice",
                             kLoggedIn};

SessionOptions plaintext_options() {
    SessionOptions o = test_options();
    o.tls_active = false;
    o.starttls_available = true;
    return o;
}

std::string b64(std::string_view s) { return base64_encode(s); }

Events concat(Events a, const Events& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

}  // namespace

TEST(ImapSession, GreetingCapabilityNoopLogout) {
    auto t = run_every_chunking(test_options(), "a CAPABILITY\r\nb NOOP\r\nc LOGOUT\r\nd NOOP\r\n");
    EXPECT_EQ(t.events, (Events{kGreeting, "S: * CAPABILITY " + kAuthCaps, "S: a OK CAPABILITY completed",
                                "S: b OK NOOP completed", "S: * BYE imap.example.test logging out",
                                "S: c OK LOGOUT completed", "CLOSE"}));
}

TEST(ImapSession, Id) {
    auto t = run_every_chunking(test_options(), "a ID (\"name\" \"client\")\r\nb ID NIL\r\n");
    EXPECT_EQ(t.events, (Events{kGreeting, "S: * ID (\"name\" \"Tern\")", "S: a OK ID completed",
                                "S: * ID (\"name\" \"Tern\")", "S: b OK ID completed"}));
}

TEST(ImapSession, PlaintextListenerDisablesLogin) {
    auto t = run_every_chunking(plaintext_options(),
                                "a CAPABILITY\r\nb LOGIN alice secret\r\nc AUTHENTICATE PLAIN " +
                                    b64("\0alice\0secret"s) + "\r\n");
    EXPECT_EQ(t.events,
              (Events{"S: * OK [CAPABILITY " + kPreCaps + " STARTTLS LOGINDISABLED] imap.example.test IMAP4rev2 ready",
                      "S: * CAPABILITY " + kPreCaps + " STARTTLS LOGINDISABLED", "S: a OK CAPABILITY completed",
                      "S: b NO [PRIVACYREQUIRED] Plaintext authentication disallowed on non-secure connections",
                      "S: c NO [PRIVACYREQUIRED] Plaintext authentication disallowed on non-secure connections"}));
}

TEST(ImapSession, PlaintextAuthOption) {
    auto o = plaintext_options();
    o.plaintext_auth = true;
    auto t = run_every_chunking(o, kLogin);
    EXPECT_TRUE(has_event(t, "OPEN alice"));
}

TEST(ImapSession, StartTlsDiscardsPipelinedInput) {
    // CVE-2011-0411: the LOGIN pipelined after STARTTLS in plaintext must never run.
    auto t = run_every_chunking(plaintext_options(),
                                std::vector<Phase>{{"a STARTTLS\r\nb LOGIN alice secret\r\n", {}},
                                                   {"c CAPABILITY\r\nd STARTTLS\r\n", {}}});
    EXPECT_EQ(t.events,
              (Events{"S: * OK [CAPABILITY " + kPreCaps + " STARTTLS LOGINDISABLED] imap.example.test IMAP4rev2 ready",
                      "S: a OK Begin TLS negotiation now", "STARTTLS", "S: * CAPABILITY " + kAuthCaps,
                      "S: c OK CAPABILITY completed", "S: d BAD TLS is already active"}));
}

TEST(ImapSession, StartTlsUnavailable) {
    auto o = test_options();
    o.tls_active = false;
    auto t = run_every_chunking(o, "a STARTTLS\r\n");
    EXPECT_EQ(t.events.back(), "S: a BAD STARTTLS not available");
}

TEST(ImapSession, Login) {
    auto t = run_every_chunking(test_options(), kLogin + "b LOGIN alice secret\r\n");
    EXPECT_EQ(t.events, concat(kLoginEvents, {"S: b BAD Command not permitted in this state"}));
}

TEST(ImapSession, LoginWithLiteralPassword) {
    auto t = run_every_chunking(test_options(), "L LOGIN alice {6}\r\nsecret\r\n");
    EXPECT_EQ(t.events, (Events{kGreeting, "S: + OK", "VERIFY alice secret LOGIN", "ATTEMPT alice LOGIN ok ok",
                                "OPEN alice", kLoggedIn}));
}

TEST(ImapSession, BadCredentialsAndFailureLimit) {
    auto t = run_every_chunking(test_options(),
                                "a LOGIN alice wrong\r\nb LOGIN nobody x\r\nc LOGIN alice wrong2\r\nd NOOP\r\n");
    EXPECT_EQ(t.events, (Events{kGreeting, "VERIFY alice wrong LOGIN", "ATTEMPT alice LOGIN fail bad-credentials",
                                "S: a NO [AUTHENTICATIONFAILED] Authentication failed", "VERIFY nobody x LOGIN",
                                "ATTEMPT nobody LOGIN fail bad-credentials",
                                "S: b NO [AUTHENTICATIONFAILED] Authentication failed", "VERIFY alice wrong2 LOGIN",
                                "ATTEMPT alice LOGIN fail bad-credentials",
                                "S: c NO [AUTHENTICATIONFAILED] Authentication failed",
                                "S: * BYE Too many authentication failures", "CLOSE"}));
}

TEST(ImapSession, DriverVerdicts) {
    auto t = run_every_chunking(test_options(), "a LOGIN tempfail x\r\nb LOGIN throttled x\r\nc NOOP\r\n");
    EXPECT_EQ(t.events,
              (Events{kGreeting, "VERIFY tempfail x LOGIN", "S: a NO [UNAVAILABLE] Temporary authentication failure",
                      "VERIFY throttled x LOGIN",
                      "S: * BYE [UNAVAILABLE] Too many authentication failures, try again later", "CLOSE"}));
}

TEST(ImapSession, OpenFailure) {
    Responder r;
    r.open_error = OpenError::InUse;
    auto t = run_every_chunking(test_options(), kLogin + "b SELECT INBOX\r\n", r);
    EXPECT_EQ(t.events, (Events{kGreeting, "VERIFY alice secret LOGIN", "ATTEMPT alice LOGIN ok ok", "OPEN alice",
                                "S: L NO [INUSE] Mailbox in use, try again later",
                                "S: b BAD Command not permitted in this state"}));
}

TEST(ImapSession, AuthenticatePlainWithInitialResponse) {
    auto t = run_every_chunking(test_options(), "L AUTHENTICATE PLAIN " + b64("\0alice\0secret"s) + "\r\nb NOOP\r\n");
    EXPECT_EQ(t.events, (Events{kGreeting, "VERIFY alice secret PLAIN", "ATTEMPT alice PLAIN ok ok", "OPEN alice",
                                kLoggedIn, "S: b OK NOOP completed"}));
}

TEST(ImapSession, AuthenticatePlainWithContinuation) {
    auto t = run_every_chunking(test_options(), "L AUTHENTICATE PLAIN\r\n" + b64("\0alice\0secret"s) + "\r\n");
    EXPECT_EQ(t.events, (Events{kGreeting, "S: + ", "VERIFY alice secret PLAIN", "ATTEMPT alice PLAIN ok ok",
                                "OPEN alice", kLoggedIn}));
}

TEST(ImapSession, AuthenticateCancelBadBase64UnknownMechanism) {
    auto t = run_every_chunking(test_options(),
                                "a AUTHENTICATE PLAIN\r\n*\r\nb AUTHENTICATE PLAIN\r\n!!!\r\nc AUTHENTICATE X-FOO\r\n"
                                "d AUTHENTICATE PLAIN " + b64("\0alice\0bad"s) + "\r\n");
    EXPECT_EQ(t.events, (Events{kGreeting, "S: + ", "ATTEMPT  PLAIN fail cancelled", "S: a BAD Authentication cancelled",
                                "S: + ", "ATTEMPT  PLAIN fail bad-base64", "S: b BAD Invalid base64",
                                "S: c BAD Unsupported authentication mechanism", "VERIFY alice bad PLAIN",
                                "ATTEMPT alice PLAIN fail bad-credentials",
                                "S: d NO [AUTHENTICATIONFAILED] Authentication failed",
                                // cancelled and broken exchanges count as failed logins too
                                "S: * BYE Too many authentication failures", "CLOSE"}));
}

TEST(ImapSession, AuthenticateScram) {
    auto o = test_options();
    o.sasl.nonce = [] { return sc::kRfcServerNonce; };
    o.sasl.fake_secret = "x";
    o.sasl.fake_iterations = 4096;
    Responder r;
    r.scram = [](const std::string& user) {
        return user == "user" ? std::optional<sasl::ScramCredentials>(sc::rfc_credentials()) : std::nullopt;
    };
    auto t = run_every_chunking(o,
                                "L AUTHENTICATE SCRAM-SHA-256 " + b64(sc::kRfcClientFirst) + "\r\n" +
                                    b64(sc::kRfcClientFinal) + "\r\n\r\nb NOOP\r\n",
                                r);
    EXPECT_EQ(t.events, (Events{kGreeting, "LOOKUP user", "S: + " + b64(sc::kRfcServerFirst),
                                "S: + " + b64(sc::kRfcServerFinal), "ATTEMPT user SCRAM-SHA-256 ok ok", "OPEN user",
                                kLoggedIn, "S: b OK NOOP completed"}));
}

TEST(ImapSession, StateRules) {
    auto t = run_every_chunking(test_options(),
                                "a SELECT INBOX\r\nb FETCH 1 FLAGS\r\nc ENABLE UTF8=ACCEPT\r\nd IDLE\r\n" + kLogin +
                                    "e FETCH 1 FLAGS\r\nf SORT (DATE) UTF-8 ALL\r\ng STARTTLS\r\n");
    EXPECT_EQ(t.events, concat(Events{kGreeting, "S: a BAD Command not permitted in this state",
                                      "S: b BAD Command not permitted in this state",
                                      "S: c BAD Command not permitted in this state",
                                      "S: d BAD Command not permitted in this state"},
                               Events{"VERIFY alice secret LOGIN", "ATTEMPT alice LOGIN ok ok", "OPEN alice", kLoggedIn,
                                      "S: e BAD Command not permitted in this state",
                                      "S: f BAD Command not permitted in this state",
                                      "S: g BAD Command not permitted in this state"}));
}

TEST(ImapSession, SyntaxErrorsAndErrorLimit) {
    auto o = test_options();
    o.limits.errors = 3;
    auto t = run_every_chunking(o, "a FOO\r\n\r\nb LOGIN\r\n+ x\r\nc NOOP\r\n");
    ASSERT_EQ(t.events.size(), 6u) << t;
    EXPECT_EQ(t.events[1].rfind("S: a BAD ", 0), 0u);
    EXPECT_EQ(t.events[2].rfind("S: b BAD ", 0), 0u);
    EXPECT_EQ(t.events[3].rfind("S: * BAD ", 0), 0u);
    EXPECT_EQ(t.events[4], "S: * BYE Too many errors, closing connection");
    EXPECT_EQ(t.events[5], "CLOSE");
}

TEST(ImapSession, LiteralTooLargeBeforeLogin) {
    auto t = run_every_chunking(test_options(), "a LOGIN alice {9000}\r\nb NOOP\r\n");
    EXPECT_EQ(t.events, (Events{kGreeting, "S: a NO [TOOBIG] Literal too large", "S: b OK NOOP completed"}));
}

TEST(ImapSession, Enable) {
    auto t = run_every_chunking(test_options(),
                                kLogin + "a ENABLE CONDSTORE X-UNKNOWN utf8=accept\r\nb ENABLE CONDSTORE\r\n"
                                         "c ENABLE IMAP4rev2 QRESYNC\r\n");
    EXPECT_EQ(after_login(t), (Events{"S: * ENABLED CONDSTORE UTF8=ACCEPT", "S: a OK ENABLE completed",
                                      "S: * ENABLED", "S: b OK ENABLE completed", "S: * ENABLED IMAP4rev2 QRESYNC",
                                      "S: c OK ENABLE completed"}));
}

TEST(ImapSession, TimersAndShutdown) {
    auto o = test_options();
    o.limits.timeout_authenticated = std::chrono::seconds(60);  // raised to 30 minutes
    o.limits.timeout_idle = std::chrono::seconds(60);           // raised to 29 minutes
    ServerSession s(o);
    s.start();
    EXPECT_EQ(s.read_timeout(), std::chrono::seconds(60));
    s.feed(kLogin);
    (void)s.take_actions();
    s.password_verified(AuthVerdict::Ok);
    s.mailboxes_opened(std::make_shared<FakeBackend>());
    EXPECT_EQ(s.state(), State::Authenticated);
    EXPECT_EQ(s.read_timeout(), std::chrono::seconds(30 * 60));
    s.feed("i IDLE\r\n");
    EXPECT_TRUE(s.idling());
    EXPECT_EQ(s.read_timeout(), std::chrono::seconds(29 * 60));
    (void)s.take_actions();
    s.timeout();
    auto actions = s.take_actions();
    ASSERT_EQ(actions.size(), 2u);
    EXPECT_EQ(std::get<action::SendReply>(actions[0]).bytes, "* BYE Autologout; idle for too long\r\n");
    EXPECT_TRUE(std::holds_alternative<action::Close>(actions[1]));
    EXPECT_TRUE(s.closed());

    ServerSession s2(o);
    s2.start();
    (void)s2.take_actions();
    s2.shutdown();
    actions = s2.take_actions();
    ASSERT_EQ(actions.size(), 2u);
    EXPECT_EQ(std::get<action::SendReply>(actions[0]).bytes, "* BYE [UNAVAILABLE] Server shutting down\r\n");
}

TEST(ImapSession, IdleOutsideSelected) {
    auto t = run_every_chunking(test_options(), kLogin + "i IDLE\r\nDONE\r\nj IDLE\r\nnope\r\nk NOOP\r\n");
    EXPECT_EQ(after_login(t), (Events{"S: + idling", "S: i OK IDLE terminated", "S: + idling",
                                      "S: j BAD Expected DONE", "S: k OK NOOP completed"}));
}

TEST(ImapSession, LoginWithInvalidUserName) {
    auto t = run_every_chunking(test_options(), "a LOGIN " + std::string(300, 'u') + " secret\r\n");
    EXPECT_EQ(t.events, (Events{kGreeting, "ATTEMPT  LOGIN fail syntax",
                                "S: a NO [AUTHENTICATIONFAILED] Authentication failed"}));
}

TEST(ImapSession, CommandsBeforeLoginCompletesRunAfterIt) {
    // Pipelined behind LOGIN: they wait for the verdict and the store, then run in order.
    auto t = run_every_chunking(test_options(), kLogin + "b NAMESPACE\r\nc LOGOUT\r\n");
    EXPECT_EQ(after_login(t), (Events{"S: * NAMESPACE ((\"\" \"/\")) NIL NIL", "S: b OK NAMESPACE completed",
                                      "S: * BYE imap.example.test logging out", "S: c OK LOGOUT completed", "CLOSE"}));
}

TEST(ImapSession, NoLiteralContinuationBeforeStateCheck) {
    // A synchronising literal is accepted by size before the command is parsed; the command
    // is then refused for its state, and the literal never reaches storage.
    auto t = run_every_chunking(test_options(), "a APPEND INBOX {3}\r\nabc\r\n");
    EXPECT_EQ(t.events, (Events{kGreeting, "S: + OK", "S: a BAD Command not permitted in this state"}));
}

TEST(ImapSession, AuthenticateLogin) {
    auto t = run_every_chunking(test_options(), "L AUTHENTICATE LOGIN\r\n" + b64("alice") + "\r\n" + b64("secret") +
                                                    "\r\n");
    EXPECT_EQ(t.events, (Events{kGreeting, "S: + " + b64("Username:"), "S: + " + b64("Password:"),
                                "VERIFY alice secret LOGIN", "ATTEMPT alice LOGIN ok ok", "OPEN alice", kLoggedIn}));
}
