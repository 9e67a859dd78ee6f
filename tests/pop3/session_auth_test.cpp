// Logins against the POP3 session: USER/PASS, AUTH (RFC 5034) with PLAIN, LOGIN and
// SCRAM-SHA-256 (the RFC 7677 example exchange), cancellation, bad base64, the plaintext
// rule before TLS, the driver's verdicts, the failure limits, long lines, and the maildrop
// answers (IN-USE, SYS/TEMP, bad listings). Every dialog is played at every chunk size.
#include <gtest/gtest.h>

#include "core/base64.hpp"
#include "dialog.hpp"
#include "sasl/scram_client.hpp"

using namespace tern;
using namespace tern::pop3;
using namespace tern::pop3::test;
using namespace std::string_literals;

namespace {

using Events = std::vector<std::string>;
namespace sc = tern::sasl::test;

SessionOptions auth_options() {
    auto o = test_options();
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
const std::string kAuthFailed = "S: -ERR [AUTH] Authentication failed";
const std::string kPlaintext = "S: -ERR [AUTH] Plaintext authentication disallowed on non-secure (SSL/TLS) connections";
const std::string kReady = "S: +OK Maildrop ready, 3 messages (87 octets)";
const Events kPlainOkEvents = {"VERIFY alice@example.test secret PLAIN", "ATTEMPT alice@example.test PLAIN ok ok",
                               "OPEN alice@example.test", kReady};

}  // namespace

TEST(Pop3Auth, UserPass) {
    auto t = run_every_chunking(auth_options(), kLogin + "QUIT\r\n");
    Events expected = kLoginEvents;
    expected.push_back("S: +OK pop.example.test POP3 server signing off (3 messages left)");
    expected.push_back("CLOSE");
    EXPECT_EQ(t.events, expected);
}

TEST(Pop3Auth, BadCredentialsLookTheSameForUnknownUser) {
    auto t = run_every_chunking(auth_options(), "USER alice@example.test\r\nPASS wrong\r\nUSER nobody@example.test\r\n"
                                                "PASS secret\r\nSTAT\r\n");
    EXPECT_EQ(after_greeting(t), (Events{
        "S: +OK Send PASS", "VERIFY alice@example.test wrong USER", "ATTEMPT alice@example.test USER fail bad-credentials",
        kAuthFailed,
        "S: +OK Send PASS", "VERIFY nobody@example.test secret USER", "ATTEMPT nobody@example.test USER fail bad-credentials",
        kAuthFailed,
        "S: -ERR Not authenticated",
    }));
}

TEST(Pop3Auth, PassNeedsUserAndEndsIt) {
    // The password is the rest of the line, spaces included (RFC 1939 7).
    auto t = run_every_chunking(auth_options(), "PASS secret\r\nUSER alice@example.test\r\nPASS  secret \r\nPASS secret\r\n"
                                                "USER alice@example.test\r\nPASS\r\nPASS \r\nPASS secret\r\n");
    EXPECT_EQ(after_greeting(t), (Events{
        "S: -ERR Send USER first",
        "S: +OK Send PASS", "VERIFY alice@example.test  secret  USER", "ATTEMPT alice@example.test USER fail bad-credentials",
        kAuthFailed,
        "S: -ERR Send USER first",
        "S: +OK Send PASS", "S: -ERR Syntax: PASS password", "S: -ERR Syntax: PASS password",
        "VERIFY alice@example.test secret USER", "ATTEMPT alice@example.test USER ok ok", "OPEN alice@example.test", kReady,
    }));
    // A second USER replaces the first.
    t = run_every_chunking(auth_options(), "USER bob@example.test\r\nUSER alice@example.test\r\nPASS secret\r\n");
    EXPECT_TRUE(has_event(t, "VERIFY alice@example.test secret USER"));
}

TEST(Pop3Auth, UserNameChecks) {
    auto o = auth_options();
    o.limits.errors = 100;
    std::string name255(255, 'a');
    std::string name256(256, 'a');
    auto t = run_every_chunking(o, "USER\r\nUSER \r\nUSER " + name256 + "\r\nUSER \x01x\r\nUSER \xff\xfe\r\nUSER " +
                                       name255 + "\r\nUSER   alice@example.test  \r\nPASS secret\r\n");
    EXPECT_EQ(after_greeting(t), (Events{
        "S: -ERR Syntax: USER name", "S: -ERR Syntax: USER name", "S: -ERR Invalid user name",
        "S: -ERR Invalid user name", "S: -ERR Invalid user name", "S: +OK Send PASS", "S: +OK Send PASS",
        "VERIFY alice@example.test secret USER", "ATTEMPT alice@example.test USER ok ok", "OPEN alice@example.test", kReady,
    }));
}

TEST(Pop3Auth, InvalidPasswordIsAFailedAttempt) {
    std::string too_long(sasl::kMaxPassword + 1, 'p');
    auto o = auth_options();
    o.limits.auth_failures = 10;
    auto t = run_every_chunking(o, "USER a\r\nPASS a\0b\r\n"s + "USER a\r\nPASS \xff\r\n" + "USER a\r\nPASS " +
                                       std::string(sasl::kMaxPassword, 'p') + "\r\n");
    EXPECT_EQ(after_greeting(t), (Events{
        "S: +OK Send PASS", "ATTEMPT a USER fail syntax", kAuthFailed,
        "S: +OK Send PASS", "ATTEMPT a USER fail syntax", kAuthFailed,
        "S: +OK Send PASS", "VERIFY a " + std::string(sasl::kMaxPassword, 'p') + " USER", "ATTEMPT a USER fail bad-credentials",
        kAuthFailed,
    }));
    // A longer password does not fit in kLoginLineLimit: the line is refused as too long,
    // and the USER still holds.
    t = run_every_chunking(o, "USER a\r\nPASS " + too_long + "\r\nPASS x\r\n");
    EXPECT_EQ(after_greeting(t), (Events{"S: +OK Send PASS", "S: -ERR Authentication line too long",
                                         "VERIFY a x USER", "ATTEMPT a USER fail bad-credentials", kAuthFailed}));
}

TEST(Pop3Auth, PlaintextRefusedBeforeTls) {
    auto o = auth_options();
    o.tls_active = false;
    o.stls_available = true;
    o.limits.errors = 100;
    auto t = run_every_chunking(o, "USER alice@example.test\r\nPASS secret\r\nAUTH\r\nAUTH PLAIN " + kPlainOk +
                                       "\r\nAUTH SCRAM-SHA-256\r\n");
    EXPECT_EQ(after_greeting(t), (Events{kPlaintext, kPlaintext, kPlaintext, kPlaintext, kPlaintext}));
    EXPECT_EQ(count_prefix(t, "VERIFY"), 0u);
    // The same on a listener without STLS.
    o.stls_available = false;
    t = run_every_chunking(o, "USER alice@example.test\r\n");
    EXPECT_EQ(after_greeting(t), (Events{kPlaintext}));
    // An AUTH line where logins are refused keeps the short limit.
    t = run_every_chunking(o, "AUTH PLAIN " + std::string(600, 'A') + "\r\n");
    EXPECT_EQ(after_greeting(t), (Events{"S: -ERR Line too long"}));
    // Allowed by configuration.
    o.plaintext_auth = true;
    t = run_every_chunking(o, kLogin);
    EXPECT_EQ(t.events, kLoginEvents);
}

TEST(Pop3Auth, AuthListsMechanisms) {
    auto t = run_every_chunking(auth_options(), "AUTH\r\n");
    EXPECT_EQ(after_greeting(t), (Events{"S: +OK Supported mechanisms follow", "S: PLAIN", "S: LOGIN",
                                         "S: SCRAM-SHA-256", "S: ."}));
}

TEST(Pop3Auth, PlainWithAndWithoutInitialResponse) {
    auto t = run_every_chunking(auth_options(), "AUTH PLAIN " + kPlainOk + "\r\nSTAT\r\n");
    EXPECT_EQ(after_greeting(t), concat_events(kPlainOkEvents, {"S: +OK 3 87"}));
    t = run_every_chunking(auth_options(), "auth plain\r\n" + line(kPlainOk));
    EXPECT_EQ(after_greeting(t), concat_events({"S: + "}, kPlainOkEvents));
    // "=" is an empty initial response (RFC 5034 4): for PLAIN, malformed.
    t = run_every_chunking(auth_options(), "AUTH PLAIN =\r\n");
    EXPECT_EQ(after_greeting(t), (Events{"ATTEMPT  PLAIN fail syntax", "S: -ERR Invalid authentication data"}));
    // An empty response line is an empty response.
    t = run_every_chunking(auth_options(), "AUTH PLAIN\r\n\r\n");
    EXPECT_EQ(after_greeting(t), (Events{"S: + ", "ATTEMPT  PLAIN fail syntax", "S: -ERR Invalid authentication data"}));
    // authzid other than the user: the same [AUTH] failure.
    t = run_every_chunking(auth_options(), "AUTH PLAIN " + b64("bob\0alice@example.test\0secret"s) + "\r\n");
    EXPECT_EQ(after_greeting(t), (Events{"ATTEMPT alice@example.test PLAIN fail authzid-not-permitted", kAuthFailed}));
}

TEST(Pop3Auth, LoginDialog) {
    auto t = run_every_chunking(auth_options(), "AUTH LOGIN\r\n" + line(b64("alice@example.test")) + line(b64("secret")));
    EXPECT_EQ(after_greeting(t), (Events{
        "S: + VXNlcm5hbWU6", "S: + UGFzc3dvcmQ6", "VERIFY alice@example.test secret LOGIN",
        "ATTEMPT alice@example.test LOGIN ok ok", "OPEN alice@example.test", kReady,
    }));
    t = run_every_chunking(auth_options(), "AUTH LOGIN " + b64("alice@example.test") + "\r\n" + line(b64("wrong")));
    EXPECT_EQ(after_greeting(t), (Events{"S: + UGFzc3dvcmQ6", "VERIFY alice@example.test wrong LOGIN",
                                         "ATTEMPT alice@example.test LOGIN fail bad-credentials", kAuthFailed}));
}

TEST(Pop3Auth, ScramRfc7677Exchange) {
    auto in = "AUTH SCRAM-SHA-256 " + b64(sc::kRfcClientFirst) + "\r\n" + line(b64(sc::kRfcClientFinal)) + "\r\nSTAT\r\n";
    auto t = run_every_chunking(auth_options(), in, scram_responder());
    EXPECT_EQ(after_greeting(t), (Events{
        "LOOKUP user",
        "S: + " + b64(sc::kRfcServerFirst),
        "S: + " + b64(sc::kRfcServerFinal),  // v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=
        "ATTEMPT user SCRAM-SHA-256 ok ok",
        "OPEN user",
        kReady,
        "S: +OK 3 87",
    }));
    // Without initial response: an empty challenge first.
    in = "AUTH SCRAM-SHA-256\r\n" + line(b64(sc::kRfcClientFirst)) + line(b64(sc::kRfcClientFinal)) + "\r\n";
    t = run_every_chunking(auth_options(), in, scram_responder());
    EXPECT_EQ(after_greeting(t).front(), "S: + ");
    EXPECT_TRUE(has_event(t, kReady));
}

TEST(Pop3Auth, ScramWithComputedCredentials) {
    // A full exchange against credentials made from a password, with a client nonce of our own.
    Responder r;
    static const auto creds = sc::credentials("correct horse", "0123456789abcdef", 4096);
    r.scram = [](const std::string& user) {
        return user == "carol" ? std::optional<sasl::ScramCredentials>(creds) : std::nullopt;
    };
    const std::string first = "n,,n=carol,r=clientnonce123";
    auto t1 = run_every_chunking(auth_options(), "AUTH SCRAM-SHA-256 " + b64(first) + "\r\n", r);
    ASSERT_EQ(after_greeting(t1).size(), 2u);
    auto server_first = *base64_decode(after_greeting(t1)[1].substr(5));
    auto good = sc::client_final("correct horse", first, server_first);
    auto t = run_every_chunking(auth_options(), "AUTH SCRAM-SHA-256 " + b64(first) + "\r\n" + line(b64(good.message)) + "\r\n", r);
    EXPECT_EQ(after_greeting(t), (Events{"LOOKUP carol", "S: + " + b64(server_first), "S: + " + b64(good.server_final),
                                         "ATTEMPT carol SCRAM-SHA-256 ok ok", "OPEN carol", kReady}));
    auto bad = sc::client_final("wrong horse", first, server_first);
    t = run_every_chunking(auth_options(), "AUTH SCRAM-SHA-256 " + b64(first) + "\r\n" + line(b64(bad.message)), r);
    EXPECT_EQ(after_greeting(t), (Events{"LOOKUP carol", "S: + " + b64(server_first),
                                         "ATTEMPT carol SCRAM-SHA-256 fail invalid-proof", kAuthFailed}));
}

TEST(Pop3Auth, ScramUnknownUserAndFinalAcknowledgement) {
    const std::string ghost_first = "n,,n=ghost,r=rOprNGfwEbeRWgbNEkqO";
    auto in = "AUTH SCRAM-SHA-256 " + b64(ghost_first) + "\r\n";
    auto t1 = run_every_chunking(auth_options(), in, scram_responder());
    ASSERT_EQ(after_greeting(t1).size(), 2u);
    auto ghost_server_first = *base64_decode(after_greeting(t1)[1].substr(5));
    EXPECT_NE(ghost_server_first.find(",i=4096"), std::string::npos);
    auto ghost_final = sc::client_final("pencil", ghost_first, ghost_server_first).message;
    auto t = run_every_chunking(auth_options(), in + line(b64(ghost_final)), scram_responder());
    EXPECT_EQ(after_greeting(t), (Events{"LOOKUP ghost", "S: + " + b64(ghost_server_first),
                                         "ATTEMPT ghost SCRAM-SHA-256 fail invalid-proof", kAuthFailed}));
    // The answer to the server-final message must be empty.
    in = "AUTH SCRAM-SHA-256 " + b64(sc::kRfcClientFirst) + "\r\n" + line(b64(sc::kRfcClientFinal)) + line(b64("x")) +
         "STAT\r\n";
    t = run_every_chunking(auth_options(), in, scram_responder());
    EXPECT_EQ(after_greeting(t), (Events{
        "LOOKUP user", "S: + " + b64(sc::kRfcServerFirst), "S: + " + b64(sc::kRfcServerFinal),
        "ATTEMPT user SCRAM-SHA-256 fail unexpected-response", "S: -ERR Invalid authentication data",
        "S: -ERR Not authenticated",
    }));
}

TEST(Pop3Auth, ScramVerdictsFromTheDriver) {
    auto r = scram_responder();
    r.scram_verdict = AuthVerdict::TemporaryFailure;
    auto in = "AUTH SCRAM-SHA-256 " + b64(sc::kRfcClientFirst) + "\r\nCAPA x\r\n";
    auto t = run_every_chunking(auth_options(), in, r);
    EXPECT_EQ(after_greeting(t), (Events{"LOOKUP user", "S: -ERR [SYS/TEMP] Temporary authentication failure",
                                         "S: -ERR Syntax: CAPA"}));
    r.scram_verdict = AuthVerdict::Throttled;
    t = run_every_chunking(auth_options(), in, r);
    EXPECT_EQ(after_greeting(t), (Events{"LOOKUP user",
                                         "S: -ERR [SYS/TEMP] Too many authentication failures, try again later", "CLOSE"}));
    // BadCredentials is the same as an unknown user: the exchange goes on and fails at the proof.
    r.scram_verdict = AuthVerdict::BadCredentials;
    t = run_every_chunking(auth_options(), in, r);
    EXPECT_EQ(after_greeting(t)[0], "LOOKUP user");
    EXPECT_EQ(after_greeting(t)[1].substr(0, 4), "S: +");
}

TEST(Pop3Auth, PasswordVerdictsFromTheDriver) {
    auto t = run_every_chunking(auth_options(), "USER tempfail\r\nPASS pw\r\nUSER throttled\r\nPASS pw\r\nNOOP\r\n");
    EXPECT_EQ(after_greeting(t), (Events{
        "S: +OK Send PASS", "VERIFY tempfail pw USER", "S: -ERR [SYS/TEMP] Temporary authentication failure",
        "S: +OK Send PASS", "VERIFY throttled pw USER",
        "S: -ERR [SYS/TEMP] Too many authentication failures, try again later", "CLOSE",
    }));
}

TEST(Pop3Auth, CancelAndBadBase64) {
    auto o = auth_options();
    o.limits.auth_failures = 10;
    auto in = "AUTH LOGIN\r\n*\r\n"s + "AUTH LOGIN\r\n" + line(b64("alice@example.test")) + "*\r\n" +
              "AUTH LOGIN\r\nnot base64!\r\n" + "AUTH PLAIN Zg=\r\n" + "AUTH PLAIN\r\n" + line(b64("x") + " ") +
              "AUTH PLAIN a b\r\nAUTH CRAM-MD5\r\nAUTH SCRAM-SHA-256-PLUS\r\nCAPA x\r\n";
    auto t = run_every_chunking(o, in);
    EXPECT_EQ(after_greeting(t), (Events{
        "S: + VXNlcm5hbWU6", "ATTEMPT  LOGIN fail cancelled", "S: -ERR Authentication cancelled",
        "S: + VXNlcm5hbWU6", "S: + UGFzc3dvcmQ6", "ATTEMPT  LOGIN fail cancelled", "S: -ERR Authentication cancelled",
        "S: + VXNlcm5hbWU6", "ATTEMPT  LOGIN fail bad-base64", "S: -ERR Cannot decode response",
        "S: -ERR Cannot decode initial response",  // no exchange started
        "S: + ", "ATTEMPT  PLAIN fail bad-base64", "S: -ERR Cannot decode response",
        "S: -ERR Syntax: AUTH mechanism [initial-response]",
        "S: -ERR Unrecognized authentication mechanism",
        "S: -ERR Unrecognized authentication mechanism",
        "S: -ERR Syntax: CAPA",
    }));
    EXPECT_EQ(count_prefix(t, "VERIFY"), 0u);
}

TEST(Pop3Auth, FailedLoginsCloseTheConnection) {
    // Three failures of any kind (bad password, cancelled exchange, bad proof) close it.
    auto t = run_every_chunking(auth_options(), "USER alice@example.test\r\nPASS wrong\r\nAUTH PLAIN\r\n*\r\n"s +
                                                    "AUTH PLAIN " + kPlainBad + "\r\nUSER alice@example.test\r\n");
    EXPECT_EQ(after_greeting(t), (Events{
        "S: +OK Send PASS", "VERIFY alice@example.test wrong USER", "ATTEMPT alice@example.test USER fail bad-credentials",
        kAuthFailed,
        "S: + ", "ATTEMPT  PLAIN fail cancelled", "S: -ERR Authentication cancelled",
        "VERIFY alice@example.test wrong PLAIN", "ATTEMPT alice@example.test PLAIN fail bad-credentials", kAuthFailed,
        "S: -ERR Too many authentication failures, closing connection", "CLOSE",
    }));
    // Temporary failures are not the client's: they do not count.
    auto o = auth_options();
    o.limits.auth_failures = 1;
    o.limits.errors = 1;
    t = run_every_chunking(o, "USER tempfail\r\nPASS pw\r\nUSER tempfail\r\nPASS pw\r\n" + kLogin);
    EXPECT_EQ(count_prefix(t, "S: -ERR [SYS/TEMP] Temporary authentication failure"), 2u);
    EXPECT_TRUE(has_event(t, kReady));
}

TEST(Pop3Auth, InternalMechanismFailureIsTemporary) {
    // A broken nonce source is our fault: -ERR [SYS/TEMP], not counted.
    auto o = auth_options();
    o.sasl.nonce = [] { return std::string("bad nonce"); };
    o.limits.errors = 1;
    o.limits.auth_failures = 1;
    auto t = run_every_chunking(o, "AUTH SCRAM-SHA-256 " + b64(sc::kRfcClientFirst) + "\r\nAUTH\r\n", scram_responder());
    EXPECT_EQ(after_greeting(t), (Events{"LOOKUP user", "ATTEMPT user SCRAM-SHA-256 fail bad-server-nonce",
                                         "S: -ERR [SYS/TEMP] Temporary authentication failure",
                                         "S: +OK Supported mechanisms follow", "S: PLAIN", "S: LOGIN",
                                         "S: SCRAM-SHA-256", "S: ."}));
}

TEST(Pop3Auth, LongAuthLines) {
    // The AUTH command line and a response line of kAuthLineLimit octets (CRLF included)
    // are read; one octet more is refused, and the tail is never a command.
    const std::string cmd = "AUTH PLAIN ";
    std::string ir(kAuthLineLimit - cmd.size() - 2, 'A');
    ir.resize(ir.size() / 4 * 4);  // valid base64
    auto o = auth_options();
    o.limits.auth_failures = 10;
    auto t = run_every_chunking(o, cmd + ir + std::string(kAuthLineLimit - cmd.size() - 2 - ir.size(), ' ') + "\r\n" +
                                       "AUTH PLAIN\r\n" + std::string(kAuthLineLimit - 2, 'A') + "\r\nCAPA x\r\n");
    EXPECT_EQ(after_greeting(t), (Events{
        "ATTEMPT  PLAIN fail too-long", "S: -ERR Invalid authentication data",
        "S: + ", "ATTEMPT  PLAIN fail bad-base64", "S: -ERR Cannot decode response",
        "S: -ERR Syntax: CAPA",
    }));
    t = run_every_chunking(o, cmd + std::string(kAuthLineLimit - cmd.size() - 1, 'A') + "\r\n" + "AUTH LOGIN\r\n" +
                                  std::string(kAuthLineLimit - 1, 'A') + "\r\nCAPA x\r\n");
    EXPECT_EQ(after_greeting(t), (Events{
        "S: -ERR Authentication line too long",
        "S: + VXNlcm5hbWU6", "ATTEMPT  LOGIN fail line-too-long", "S: -ERR Authentication line too long",
        "S: -ERR Syntax: CAPA",
    }));
    // Other commands keep the 255 limit.
    t = run_every_chunking(o, "CAPA " + std::string(300, 'x') + "\r\n");
    EXPECT_EQ(after_greeting(t), (Events{"S: -ERR Line too long"}));
}

TEST(Pop3Auth, PipelinedAfterLogin) {
    auto t = run_every_chunking(auth_options(), "AUTH PLAIN " + kPlainOk + "\r\nSTAT\r\nUIDL 3\r\nQUIT\r\n");
    EXPECT_EQ(after_greeting(t), concat_events(kPlainOkEvents, {
        "S: +OK 3 87", "S: +OK 3 uid-three", "S: +OK pop.example.test POP3 server signing off (3 messages left)", "CLOSE",
    }));
    // A failed login: the pipelined commands run in AUTHORIZATION.
    t = run_every_chunking(auth_options(), "AUTH PLAIN " + kPlainBad + "\r\nSTAT\r\n");
    EXPECT_EQ(after_greeting(t), (Events{"VERIFY alice@example.test wrong PLAIN",
                                         "ATTEMPT alice@example.test PLAIN fail bad-credentials", kAuthFailed,
                                         "S: -ERR Not authenticated"}));
}

TEST(Pop3Auth, MaildropInUseAndTemporaryFailure) {
    Responder r;
    int calls = 0;
    r.maildrop = [&calls](const std::string&) -> MaildropResult {
        switch (calls++ % 3) {
            case 0: return MaildropError::InUse;
            case 1: return MaildropError::TemporaryFailure;
            default: return default_listing();
        }
    };
    auto o = auth_options();
    o.limits.errors = 2;
    o.limits.auth_failures = 1;
    auto t = run_dialog(o, {kLogin + "STAT\r\n" + kLogin + kLogin + "STAT\r\n"}, 1000, r);
    EXPECT_EQ(after_greeting(t), (Events{
        "S: +OK Send PASS", "VERIFY alice@example.test secret USER", "ATTEMPT alice@example.test USER ok ok",
        "OPEN alice@example.test", "S: -ERR [IN-USE] Mailbox is locked by another POP3 session",
        "S: -ERR Not authenticated",
        "S: +OK Send PASS", "VERIFY alice@example.test secret USER", "ATTEMPT alice@example.test USER ok ok",
        "OPEN alice@example.test", "S: -ERR [SYS/TEMP] Cannot open the mailbox, try again later",
        "S: +OK Send PASS", "VERIFY alice@example.test secret USER", "ATTEMPT alice@example.test USER ok ok",
        "OPEN alice@example.test", kReady,
        "S: +OK 3 87",
    }));
}

TEST(Pop3Auth, BadListingsAreRefused) {
    const std::vector<std::vector<MessageInfo>> bad = {
        {{"", 1}},
        {{"has space", 1}},
        {{std::string(kMaxUidLength + 1, 'u'), 1}},
        {{"a\x7f", 1}},
        {{"\xc3\xa9", 1}},
        {{"same", 1}, {"other", 2}, {"same", 3}},
    };
    for (const auto& listing : bad) {
        Responder r;
        r.maildrop = [&listing](const std::string&) { return MaildropResult(listing); };
        auto t = run_dialog(auth_options(), {kLogin + "STAT\r\n"}, 1000, r);
        EXPECT_TRUE(has_event(t, "S: -ERR [SYS/TEMP] Cannot open the mailbox, try again later")) << t;
        EXPECT_TRUE(has_event(t, "S: -ERR Not authenticated"));
    }
    // The longest and the widest valid uids are fine.
    Responder r;
    r.maildrop = [](const std::string&) {
        return MaildropResult(std::vector<MessageInfo>{{std::string(kMaxUidLength, '~'), 1}, {"!", 2}});
    };
    auto t = run_dialog(auth_options(), {kLogin + "UIDL\r\n"}, 1000, r);
    EXPECT_TRUE(has_event(t, "S: 1 " + std::string(kMaxUidLength, '~')));
    EXPECT_TRUE(has_event(t, "S: 2 !"));
}

TEST(Pop3Auth, WrongCompletionIsIgnored) {
    // Waiting for a SCRAM secret, a password verdict must not log the client in.
    ServerSession s(auth_options());
    s.start();
    s.feed("AUTH SCRAM-SHA-256 " + b64(sc::kRfcClientFirst) + "\r\n");
    auto a = s.take_actions();
    ASSERT_TRUE(std::holds_alternative<LookupScram>(a.back()));
    s.password_verified(AuthVerdict::Ok);
    EXPECT_TRUE(s.take_actions().empty());
    EXPECT_FALSE(s.authenticated());
    EXPECT_TRUE(s.parked());
    s.scram_credentials(sc::rfc_credentials());
    a = s.take_actions();
    ASSERT_EQ(a.size(), 1u);
    EXPECT_EQ(std::get<SendReply>(a[0]).bytes, "+ " + b64(sc::kRfcServerFirst) + "\r\n");
    EXPECT_EQ(s.line_limit(), kAuthLineLimit);
    // Waiting for a password verdict, SCRAM credentials are ignored.
    ServerSession p(auth_options());
    p.start();
    p.feed(kLogin);
    p.take_actions();
    p.scram_credentials(sc::rfc_credentials());
    EXPECT_TRUE(p.take_actions().empty());
    p.password_verified(AuthVerdict::Ok);
    EXPECT_TRUE(p.authenticated());
    EXPECT_EQ(p.user(), "alice@example.test");
}
