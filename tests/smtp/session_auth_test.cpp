// SMTP AUTH (RFC 4954) dialogs against the session: PLAIN, LOGIN and SCRAM-SHA-256 (with the
// RFC 7677 example exchange), cancellation, bad base64, sequencing, availability before and
// after TLS, the driver's verdicts, long lines, pipelining and CheckSender. Every dialog is
// played at every chunk size (dialog.hpp).
#include <gtest/gtest.h>

#include "core/base64.hpp"
#include "dialog.hpp"
#include "sasl/scram_client.hpp"

using namespace tern;
using namespace tern::smtp;
using namespace tern::smtp::test;
using namespace std::string_literals;

namespace {

using Events = std::vector<std::string>;
namespace sc = tern::sasl::test;

SessionOptions auth_options() {
    auto o = test_options();
    o.auth_available = true;
    o.tls_active = true;
    o.sasl.nonce = [] { return sc::kRfcServerNonce; };
    o.sasl.fake_secret = "test secret";
    o.sasl.fake_iterations = 4096;
    return o;
}

Responder scram_responder() {
    Responder r;
    static const auto creds = sc::rfc_credentials();
    r.scram = [](const std::string& user) {
        return user == "user" ? std::optional<sasl::ScramCredentials>(creds) : std::nullopt;
    };
    return r;
}

std::string b64(std::string_view s) { return base64_encode(s); }
std::string line(std::string_view s) { return std::string(s) + "\r\n"; }

const std::string kPlainOk = b64("\0alice@example.test\0secret"s);
const std::string kPlainBad = b64("\0alice@example.test\0wrong"s);
const std::string kOkPlainEvents = "VERIFY alice@example.test secret PLAIN";
const std::string k235 = "S: 235 2.7.0 Authentication successful";
const std::string k535 = "S: 535 5.7.8 Authentication credentials invalid";

}  // namespace

TEST(SessionAuth, AdvertisedOnlyUnderTlsOrWhenAllowed) {
    auto o = test_options();
    o.auth_available = true;
    o.starttls_available = true;
    // Plaintext: not advertised; AUTH gets 538 because STARTTLS would help.
    auto t = run_every_chunking(o, kEhlo + "AUTH PLAIN " + kPlainOk + "\r\n");
    EXPECT_EQ(count_prefix(t, "S: 250-AUTH"), 0u);
    EXPECT_TRUE(has_event(t, "S: 250 STARTTLS"));
    EXPECT_TRUE(has_event(t, "S: 538 5.7.11 Encryption required for requested authentication mechanism"));
    EXPECT_EQ(count_prefix(t, "VERIFY"), 0u);
    // After STARTTLS: advertised (before STARTTLS, which is gone) and usable.
    t = run_every_chunking(o, {kEhlo + "STARTTLS\r\n", kEhlo + "AUTH PLAIN " + kPlainOk + "\r\n"});
    EXPECT_TRUE(has_event(t, "S: 250 AUTH PLAIN LOGIN SCRAM-SHA-256"));
    EXPECT_TRUE(has_event(t, k235));
    // No STARTTLS on this listener and no TLS: nothing helps, 502.
    o.starttls_available = false;
    t = run_every_chunking(o, kEhlo + "AUTH PLAIN\r\n");
    EXPECT_TRUE(has_event(t, "S: 502 5.5.1 AUTH not available"));
    // Plaintext allowed explicitly.
    o.auth_without_tls = true;
    t = run_every_chunking(o, kEhlo + "HELP\r\nAUTH PLAIN " + kPlainOk + "\r\n");
    EXPECT_TRUE(has_event(t, "S: 250 AUTH PLAIN LOGIN SCRAM-SHA-256"));
    EXPECT_TRUE(has_event(t, "S: 214 2.0.0 Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP STARTTLS AUTH"));
    EXPECT_TRUE(has_event(t, k235));
    // A listener without AUTH: 502 even under TLS.
    t = run_every_chunking(test_options(), kEhlo + "AUTH PLAIN\r\n");
    EXPECT_TRUE(has_event(t, "S: 502 5.5.1 AUTH not available"));
}

TEST(SessionAuth, PlainWithInitialResponse) {
    auto t = run_every_chunking(auth_options(), kEhlo + "AUTH PLAIN " + kPlainOk + "\r\nQUIT\r\n");
    EXPECT_EQ(after_ehlo(t), (Events{
        kOkPlainEvents,
        "ATTEMPT alice@example.test PLAIN ok ok",
        k235,
        "S: 221 2.0.0 mx.example.test closing connection",
        "CLOSE",
    }));
}

TEST(SessionAuth, PlainWithoutInitialResponseAndEmptyInitialResponse) {
    auto t = run_every_chunking(auth_options(), kEhlo + "auth plain\r\n" + line(kPlainOk));
    EXPECT_EQ(after_ehlo(t), (Events{"S: 334 ", kOkPlainEvents, "ATTEMPT alice@example.test PLAIN ok ok", k235}));
    // "=" is an empty initial response (RFC 4954 4): for PLAIN, malformed.
    t = run_every_chunking(auth_options(), kEhlo + "AUTH PLAIN =\r\n");
    EXPECT_EQ(after_ehlo(t), (Events{"ATTEMPT  PLAIN fail syntax", "S: 501 5.5.2 Invalid authentication data"}));
}

TEST(SessionAuth, BadCredentialsLookTheSameForUnknownUser) {
    auto in = kEhlo + "AUTH PLAIN " + kPlainBad + "\r\n" + "AUTH PLAIN " + b64("\0nobody@example.test\0secret"s) + "\r\n";
    auto t = run_every_chunking(auth_options(), in);
    EXPECT_EQ(after_ehlo(t), (Events{
        "VERIFY alice@example.test wrong PLAIN", "ATTEMPT alice@example.test PLAIN fail bad-credentials", k535,
        "VERIFY nobody@example.test secret PLAIN", "ATTEMPT nobody@example.test PLAIN fail bad-credentials", k535,
    }));
}

TEST(SessionAuth, LoginDialog) {
    auto in = kEhlo + "AUTH LOGIN\r\n" + line(b64("alice@example.test")) + line(b64("secret")) + "MAIL FROM:<alice@example.test>\r\n";
    auto t = run_every_chunking(auth_options(), in);
    EXPECT_EQ(after_ehlo(t), (Events{
        "S: 334 VXNlcm5hbWU6",
        "S: 334 UGFzc3dvcmQ6",
        "VERIFY alice@example.test secret LOGIN",
        "ATTEMPT alice@example.test LOGIN ok ok",
        k235,
        "SENDER alice@example.test",
        "S: 250 2.1.0 Sender OK",
    }));
    // The initial response is the user name.
    t = run_every_chunking(auth_options(), kEhlo + "AUTH LOGIN " + b64("alice@example.test") + "\r\n" + line(b64("secret")));
    EXPECT_EQ(after_ehlo(t), (Events{"S: 334 UGFzc3dvcmQ6", "VERIFY alice@example.test secret LOGIN",
                                     "ATTEMPT alice@example.test LOGIN ok ok", k235}));
}

TEST(SessionAuth, ScramRfc7677Exchange) {
    auto in = kEhlo + "AUTH SCRAM-SHA-256 " + b64(sc::kRfcClientFirst) + "\r\n" + line(b64(sc::kRfcClientFinal)) + "\r\n";
    auto t = run_every_chunking(auth_options(), in, scram_responder());
    EXPECT_EQ(after_ehlo(t), (Events{
        "LOOKUP user",
        "S: 334 " + b64(sc::kRfcServerFirst),
        "S: 334 " + b64(sc::kRfcServerFinal),  // v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=
        "ATTEMPT user SCRAM-SHA-256 ok ok",
        k235,
    }));
    // Without initial response: an empty challenge first.
    in = kEhlo + "AUTH SCRAM-SHA-256\r\n" + line(b64(sc::kRfcClientFirst)) + line(b64(sc::kRfcClientFinal)) + "\r\n";
    t = run_every_chunking(auth_options(), in, scram_responder());
    EXPECT_EQ(after_ehlo(t).front(), "S: 334 ");
    EXPECT_TRUE(has_event(t, k235));
}

TEST(SessionAuth, ScramWrongProofAndUnknownUser) {
    const std::string first = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO";
    const std::string server_first = sc::kRfcServerFirst;
    auto wrong = sc::client_final("pencil2", first, server_first).message;
    auto t = run_every_chunking(auth_options(), kEhlo + "AUTH SCRAM-SHA-256 " + b64(first) + "\r\n" + line(b64(wrong)),
                                scram_responder());
    EXPECT_EQ(after_ehlo(t), (Events{"LOOKUP user", "S: 334 " + b64(server_first),
                                     "ATTEMPT user SCRAM-SHA-256 fail invalid-proof", k535}));
    // An unknown user gets a server-first message of the same shape and the same 535.
    const std::string ghost_first = "n,,n=ghost,r=rOprNGfwEbeRWgbNEkqO";
    auto in = kEhlo + "AUTH SCRAM-SHA-256 " + b64(ghost_first) + "\r\n";
    auto t1 = run_every_chunking(auth_options(), in, scram_responder());
    ASSERT_EQ(after_ehlo(t1).size(), 2u);
    auto ghost_server_first = *base64_decode(after_ehlo(t1)[1].substr(7));
    EXPECT_EQ(ghost_server_first.find("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s="), 0u);
    EXPECT_NE(ghost_server_first.find(",i=4096"), std::string::npos);
    auto ghost_final = sc::client_final("pencil", ghost_first, ghost_server_first).message;
    t = run_every_chunking(auth_options(), in + line(b64(ghost_final)), scram_responder());
    EXPECT_EQ(after_ehlo(t), (Events{"LOOKUP ghost", "S: 334 " + b64(ghost_server_first),
                                     "ATTEMPT ghost SCRAM-SHA-256 fail invalid-proof", k535}));
}

TEST(SessionAuth, ScramFinalAcknowledgementMustBeEmpty) {
    auto in = kEhlo + "AUTH SCRAM-SHA-256 " + b64(sc::kRfcClientFirst) + "\r\n" + line(b64(sc::kRfcClientFinal)) +
              line(b64("x")) + "MAIL FROM:<a@example.test>\r\n";
    auto t = run_every_chunking(auth_options(), in, scram_responder());
    EXPECT_EQ(after_ehlo(t), (Events{
        "LOOKUP user", "S: 334 " + b64(sc::kRfcServerFirst), "S: 334 " + b64(sc::kRfcServerFinal),
        "ATTEMPT user SCRAM-SHA-256 fail unexpected-response", "S: 501 5.5.2 Invalid authentication data",
        "S: 250 2.1.0 Sender OK",  // not authenticated: no CheckSender (MX listener)
    }));
}

TEST(SessionAuth, ScramVerdictsFromTheDriver) {
    auto r = scram_responder();
    r.scram_verdict = AuthVerdict::TemporaryFailure;
    auto in = kEhlo + "AUTH SCRAM-SHA-256 " + b64(sc::kRfcClientFirst) + "\r\nNOOP\r\n";
    auto t = run_every_chunking(auth_options(), in, r);
    EXPECT_EQ(after_ehlo(t), (Events{"LOOKUP user", "S: 454 4.7.0 Temporary authentication failure", "S: 250 2.0.0 OK"}));
    r.scram_verdict = AuthVerdict::Throttled;
    t = run_every_chunking(auth_options(), in, r);
    EXPECT_EQ(after_ehlo(t), (Events{"LOOKUP user", "S: 421 4.7.0 mx.example.test Too many authentication failures, closing",
                                     "CLOSE"}));
}

TEST(SessionAuth, CancelAndBadBase64) {
    auto in = kEhlo + "AUTH LOGIN\r\n*\r\n" + "AUTH LOGIN\r\n" + line(b64("alice@example.test")) + "*\r\n" +
              "AUTH LOGIN\r\nnot base64!\r\n" + "AUTH PLAIN Zg=\r\n" + "AUTH PLAIN\r\n" + line(b64("x") + " ") + "NOOP\r\n";
    auto t = run_every_chunking(auth_options(), in);
    EXPECT_EQ(after_ehlo(t), (Events{
        "S: 334 VXNlcm5hbWU6", "ATTEMPT  LOGIN fail cancelled", "S: 501 5.0.0 Authentication cancelled",
        "S: 334 VXNlcm5hbWU6", "S: 334 UGFzc3dvcmQ6", "ATTEMPT  LOGIN fail cancelled", "S: 501 5.0.0 Authentication cancelled",
        "S: 334 VXNlcm5hbWU6", "ATTEMPT  LOGIN fail bad-base64", "S: 501 5.5.2 Cannot decode response",
        "S: 501 5.5.2 Cannot decode response",  // a bad initial response: no exchange started
        "S: 334 ", "ATTEMPT  PLAIN fail bad-base64", "S: 501 5.5.2 Cannot decode response",
        "S: 250 2.0.0 OK",
    }));
    EXPECT_EQ(count_prefix(t, "VERIFY"), 0u);
}

TEST(SessionAuth, SequencingAndSyntax) {
    auto in = "AUTH PLAIN "s + kPlainOk + "\r\n" + "HELO client.example.test\r\nAUTH PLAIN " + kPlainOk + "\r\n" + kEhlo +
              "AUTH\r\nAUTH PLAIN a b\r\nAUTH CRAM-MD5\r\nAUTH SCRAM-SHA-256-PLUS\r\n" +
              "MAIL FROM:<a@example.test>\r\nAUTH PLAIN " + kPlainOk + "\r\nRSET\r\n" +
              "AUTH PLAIN " + kPlainOk + "\r\nAUTH PLAIN " + kPlainOk + "\r\nAUTH LOGIN\r\n";
    auto o = auth_options();
    o.limits.errors = 100;
    auto t = run_every_chunking(o, in);
    Events expected{
        "S: 220 mx.example.test ESMTP ready",
        "S: 503 5.5.1 Send EHLO first",
        "S: 250 mx.example.test",
        "S: 503 5.5.1 Send EHLO first",
    };
    EXPECT_EQ(Events(t.events.begin(), t.events.begin() + 4), expected);
    auto ehlo_end = std::find(t.events.begin(), t.events.end(), "S: 250 AUTH PLAIN LOGIN SCRAM-SHA-256");
    ASSERT_NE(ehlo_end, t.events.end());
    EXPECT_EQ(Events(ehlo_end + 1, t.events.end()), (Events{
        "S: 501 5.5.4 Syntax: AUTH mechanism [initial-response]",
        "S: 501 5.5.4 Syntax: AUTH mechanism [initial-response]",
        "S: 504 5.5.4 Unrecognized authentication type",
        "S: 504 5.5.4 Unrecognized authentication type",
        "S: 250 2.1.0 Sender OK",
        "S: 503 5.5.1 AUTH not permitted during a mail transaction",
        "S: 250 2.0.0 Reset OK",
        kOkPlainEvents, "ATTEMPT alice@example.test PLAIN ok ok", k235,
        "S: 503 5.5.1 Already authenticated",
        "S: 503 5.5.1 Already authenticated",
    }));
}

TEST(SessionAuth, ThrottledAndTemporaryVerdicts) {
    auto in = kEhlo + "AUTH PLAIN " + b64("\0tempfail\0pw"s) + "\r\nAUTH PLAIN " + b64("\0throttled\0pw"s) + "\r\nNOOP\r\n";
    auto t = run_every_chunking(auth_options(), in);
    EXPECT_EQ(after_ehlo(t), (Events{
        "VERIFY tempfail pw PLAIN", "S: 454 4.7.0 Temporary authentication failure",
        "VERIFY throttled pw PLAIN", "S: 421 4.7.0 mx.example.test Too many authentication failures, closing", "CLOSE",
    }));
}

TEST(SessionAuth, FailuresCountTowardsTheErrorLimit) {
    auto o = auth_options();
    o.limits.errors = 3;
    std::string in = kEhlo;
    for (int i = 0; i < 5; ++i) in += "AUTH PLAIN " + kPlainBad + "\r\n";
    auto t = run_every_chunking(o, in);
    EXPECT_EQ(count_prefix(t, "VERIFY"), 3u);
    EXPECT_EQ(t.events.back(), "CLOSE");
    EXPECT_TRUE(has_event(t, "S: 421 4.7.0 mx.example.test Too many errors, closing connection"));
}

TEST(SessionAuth, LongLinesUpTo12288) {
    // The AUTH command line and a response line of kAuthLineLimit octets (CRLF included)
    // are read. (A response line that long cannot be base64 - 12286 is not a multiple of 4 -
    // so it gets "Cannot decode", not "too long".)
    const std::string cmd = "AUTH PLAIN ";
    std::string ir(kAuthLineLimit - cmd.size() - 2, 'A');  // valid base64 (length % 4 == 0)
    ir.resize(ir.size() / 4 * 4);
    std::string pad(kAuthLineLimit - cmd.size() - 2 - ir.size(), ' ');  // trailing spaces are trimmed
    auto t = run_every_chunking(auth_options(), kEhlo + cmd + ir + pad + "\r\n" + "AUTH PLAIN\r\n" +
                                                    std::string(kAuthLineLimit - 2, 'A') + "\r\nNOOP\r\n");
    EXPECT_EQ(after_ehlo(t), (Events{
        "ATTEMPT  PLAIN fail too-long", "S: 501 5.5.2 Invalid authentication data",
        "S: 334 ", "ATTEMPT  PLAIN fail bad-base64", "S: 501 5.5.2 Cannot decode response",
        "S: 250 2.0.0 OK",
    }));
    // One octet more is refused with 500 5.5.6, and the tail is never a command.
    t = run_every_chunking(auth_options(), kEhlo + cmd + std::string(kAuthLineLimit - cmd.size() - 1, 'A') + "\r\n" +
                                               "AUTH LOGIN\r\n" + std::string(kAuthLineLimit - 1, 'A') + "\r\nNOOP\r\n");
    EXPECT_EQ(after_ehlo(t), (Events{
        "S: 500 5.5.6 Authentication Exchange line is too long",
        "S: 334 VXNlcm5hbWU6", "ATTEMPT  LOGIN fail line-too-long", "S: 500 5.5.6 Authentication Exchange line is too long",
        "S: 250 2.0.0 OK",
    }));
    // Other commands keep the 512 limit; so does AUTH where it is not offered.
    t = run_every_chunking(auth_options(), kEhlo + "NOOP " + std::string(600, 'x') + "\r\n");
    EXPECT_TRUE(has_event(t, "S: 500 5.5.2 Line too long (RFC 5321 4.5.3.1.4: 512 octets)"));
    t = run_every_chunking(test_options(), kEhlo + "AUTH PLAIN " + std::string(600, 'A') + "\r\n");
    EXPECT_TRUE(has_event(t, "S: 500 5.5.2 Line too long (RFC 5321 4.5.3.1.4: 512 octets)"));
}

TEST(SessionAuth, PipelinedAfterInitialResponse) {
    // Clients pipeline MAIL after an AUTH with initial response: it runs after the verdict.
    auto o = auth_options();
    o.submission = true;
    auto in = kEhlo + "AUTH PLAIN " + kPlainOk + "\r\nMAIL FROM:<alice@example.test>\r\nRCPT TO:<bob@example.test>\r\n" +
              "DATA\r\nSubject: x\r\n\r\nhi\r\n.\r\n";
    auto t = run_every_chunking(o, in);
    EXPECT_EQ(after_ehlo(t), (Events{
        kOkPlainEvents, "ATTEMPT alice@example.test PLAIN ok ok", k235,
        "SENDER alice@example.test", "S: 250 2.1.0 Sender OK",
        "CHECK bob@example.test", "S: 250 2.1.5 Recipient OK",
        "S: 354 End data with <CR><LF>.<CR><LF>", "COMMIT", "S: 250 2.0.0 Queued as Q1",
    }));
    ASSERT_EQ(t.commits.size(), 1u);
    EXPECT_EQ(t.commits[0].envelope.auth_user, "alice@example.test");
    // Failed AUTH: the pipelined MAIL on submission gets 530.
    in = kEhlo + "AUTH PLAIN " + kPlainBad + "\r\nMAIL FROM:<alice@example.test>\r\n";
    t = run_every_chunking(o, in);
    EXPECT_EQ(after_ehlo(t), (Events{"VERIFY alice@example.test wrong PLAIN", "ATTEMPT alice@example.test PLAIN fail bad-credentials",
                                     k535, "S: 530 5.7.0 Authentication required"}));
}

TEST(SessionAuth, CheckSenderOutcomes) {
    auto o = auth_options();
    o.submission = true;
    auto in = kEhlo + "AUTH PLAIN " + kPlainOk + "\r\nMAIL FROM:<forged@example.test>\r\nRCPT TO:<b@example.test>\r\n" +
              "MAIL FROM:<tempfail@example.test>\r\nMAIL FROM:<>\r\nRCPT TO:<b@example.test>\r\n";
    auto t = run_every_chunking(o, in);
    EXPECT_EQ(after_ehlo(t), (Events{
        kOkPlainEvents, "ATTEMPT alice@example.test PLAIN ok ok", k235,
        "SENDER forged@example.test", "S: 553 5.7.1 Sender address not owned by user",
        "S: 503 5.5.1 Need MAIL before RCPT",
        "SENDER tempfail@example.test", "S: 451 4.3.0 Try later",
        "SENDER ", "S: 250 2.1.0 Sender OK",
        "CHECK b@example.test", "S: 250 2.1.5 Recipient OK",
    }));
    // The MX listener: an authenticated client is checked as well.
    t = run_every_chunking(auth_options(), kEhlo + "AUTH PLAIN " + kPlainOk + "\r\nMAIL FROM:<forged@example.test>\r\n");
    EXPECT_TRUE(has_event(t, "SENDER forged@example.test"));
    EXPECT_TRUE(has_event(t, "S: 553 5.7.1 Sender address not owned by user"));
}

TEST(SessionAuth, ProtocolAndTlsResetForgetsAuthentication) {
    auto o = auth_options();
    o.tls_active = false;
    o.auth_without_tls = true;
    o.starttls_available = true;
    ServerSession s(o, test_peer());
    s.start();
    s.feed(kEhlo + "AUTH PLAIN " + kPlainOk + "\r\n");
    auto a = s.take_actions();
    ASSERT_TRUE(std::holds_alternative<VerifyPassword>(a.back()));
    EXPECT_TRUE(s.parked());
    EXPECT_EQ(s.read_timeout(), std::chrono::seconds(300));
    s.password_verified(AuthVerdict::Ok);
    EXPECT_TRUE(s.authenticated());
    EXPECT_EQ(s.auth_user(), "alice@example.test");
    EXPECT_EQ(s.protocol(), "ESMTPA");
    // A stray completion is ignored.
    s.take_actions();
    s.password_verified(AuthVerdict::BadCredentials);
    s.scram_credentials(std::nullopt);
    s.sender_checked(Outcome::ok());
    EXPECT_TRUE(s.take_actions().empty());
    EXPECT_TRUE(s.authenticated());
    // STARTTLS (RFC 3207 4.2): everything learnt before, authentication included, is gone.
    s.feed("STARTTLS\r\n");
    s.take_actions();
    s.tls_started(TlsInfo{"TLSv1.3", "X"});
    EXPECT_FALSE(s.authenticated());
    EXPECT_EQ(s.protocol(), "SMTP");
    s.feed(kEhlo + "AUTH LOGIN\r\n");
    s.take_actions();
    EXPECT_EQ(s.line_limit(), kAuthLineLimit);  // in the middle of an exchange
    EXPECT_EQ(s.protocol(), "ESMTPS");
}

TEST(SessionAuth, AfterStartTlsEverythingStartsAfresh) {
    // A client cannot be inside an exchange when STARTTLS runs; what matters is that the
    // plaintext dialog leaves nothing behind: old response lines are commands again.
    auto o = auth_options();
    o.tls_active = false;
    o.auth_without_tls = true;
    o.starttls_available = true;
    auto t = run_every_chunking(o, {kEhlo + "AUTH LOGIN\r\n*\r\nSTARTTLS\r\n",
                                    line(b64("alice@example.test")) + kEhlo + "AUTH PLAIN " + kPlainOk + "\r\n"});
    EXPECT_TRUE(has_event(t, "STARTTLS"));
    EXPECT_TRUE(has_event(t, "S: 500 5.5.1 Command unrecognized"));  // not an AUTH response any more
    EXPECT_TRUE(has_event(t, k235));
}

TEST(SessionAuth, BareLfAndServerSideFailureInAnExchange) {
    auto t = run_every_chunking(auth_options(), kEhlo + "AUTH LOGIN\r\n" + b64("alice") + "\nNOOP\r\n");
    EXPECT_EQ(after_ehlo(t), (Events{"S: 334 VXNlcm5hbWU6", "ATTEMPT  LOGIN fail bare-lf",
                                     "S: 500 5.5.2 Command lines must end with CRLF", "S: 250 2.0.0 OK"}));
    // A broken nonce source is our fault: 454, not counted as a client error.
    auto o = auth_options();
    o.sasl.nonce = [] { return std::string("bad nonce"); };
    o.limits.errors = 1;
    t = run_every_chunking(o, kEhlo + "AUTH SCRAM-SHA-256 " + b64(sc::kRfcClientFirst) + "\r\nNOOP\r\n", scram_responder());
    EXPECT_EQ(after_ehlo(t), (Events{"LOOKUP user", "ATTEMPT user SCRAM-SHA-256 fail bad-server-nonce",
                                     "S: 454 4.7.0 Temporary authentication failure", "S: 250 2.0.0 OK"}));
}

TEST(SessionAuth, WrongCompletionNeverAuthenticates) {
    auto o = auth_options();
    {
        // Parked on LookupScram: a password verdict is not the answer and changes nothing.
        ServerSession s(o, test_peer());
        s.start();
        s.feed(kEhlo + "AUTH SCRAM-SHA-256 " + b64(sc::kRfcClientFirst) + "\r\n");
        auto a = s.take_actions();
        ASSERT_TRUE(std::holds_alternative<LookupScram>(a.back()));
        s.password_verified(AuthVerdict::Ok);
        EXPECT_FALSE(s.authenticated());
        EXPECT_TRUE(s.parked());
        EXPECT_TRUE(s.take_actions().empty());
    }
    {
        // Parked on VerifyPassword: SCRAM credentials are not the answer either.
        ServerSession s(o, test_peer());
        s.start();
        s.feed(kEhlo + "AUTH PLAIN " + kPlainOk + "\r\n");
        auto a = s.take_actions();
        ASSERT_TRUE(std::holds_alternative<VerifyPassword>(a.back()));
        s.scram_credentials(std::nullopt);
        EXPECT_TRUE(s.parked());
        EXPECT_TRUE(s.take_actions().empty());
        s.password_verified(AuthVerdict::Ok);
        EXPECT_TRUE(s.authenticated());
    }
}
