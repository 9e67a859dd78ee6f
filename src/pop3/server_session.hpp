// The POP3 server session: a pure state machine, bytes in, actions out (RFC 1939 POP3;
// RFC 2449 CAPA, response codes, PIPELINING; RFC 2595 STLS; RFC 5034 SASL AUTH; RFC 3206
// SYS and AUTH response codes).
//
// It reads no socket, clock or file. A network driver feeds it bytes and performs its actions:
//   start(); loop { for a in take_actions(): perform(a); if (!parked() && !closed())
//                   feed(read(read_timeout())); }
// Completions (password_verified, scram_credentials, maildrop_opened, message_read,
// update_done, tls_started) resume processing of input that is already buffered, so
// pipelined commands after a parked command run in order (RFC 2449 6.6). Parsing never
// depends on how the input is chunked.
//
// States (RFC 1939 3): AUTHORIZATION until a login succeeded and the maildrop is open,
// TRANSACTION, then UPDATE after QUIT. Message numbers are 1-based over the listing the
// driver gave to maildrop_opened(); the actions name messages by their 0-based index in it.
// Deleted messages are invisible to STAT, LIST, UIDL, RETR and TOP until RSET.
//
// Security decisions (see the .cpp files for details):
//  - STLS: bytes buffered after the STLS line are discarded, never executed (CVE-2011-0411),
//    and feed() ignores input until tls_started(). tls_started() forgets a pending USER.
//  - Logins (USER/PASS and every AUTH mechanism) are refused before TLS unless
//    options.plaintext_auth, with "-ERR [AUTH] Plaintext authentication disallowed ..."
//    (Dovecot's answer), already at USER so that a client does not send its password; CAPA
//    then lists neither USER nor SASL (RFC 2595 2.3; RFC 2449 6.2, 6.3).
//  - VerifyPassword carries a cleartext password and must never be logged. USER names are
//    checked like SASL identities (no control bytes, valid UTF-8, at most 255 octets). USER
//    always answers +OK: nothing tells whether a mailbox exists.
//  - Bad credentials, whatever went wrong, get one answer: -ERR [AUTH] Authentication failed.
//    Every failed attempt is reported (AuthAttempt) for the driver's throttling; after
//    limits.auth_failures of them, or limits.errors client errors, the session closes.
//  - An over-long line is discarded up to its LF and answered "-ERR Line too long"; it is
//    never split into a second command. The input buffer stays bounded (line_limit()).
//  - Deletions are committed only by QUIT in TRANSACTION (CommitDeletes). A dropped
//    connection, timeout() and shutdown() never commit: the driver just closes the
//    maildrop (RFC 1939 6: no UPDATE state unless the client issues QUIT).
//  - Nothing the client sends is echoed in a reply; message text is CRLF-converted and
//    byte-stuffed (multiline.hpp), so stored content can never end a response early.
//  - A listing from the driver with an invalid or duplicate unique-id (RFC 1939 7 UIDL:
//    1-70 octets 0x21-0x7E, unique in the maildrop) is refused as a temporary failure rather
//    than sent: a client would lose track of messages.
// Left out: APOP (it needs the cleartext password on the server), LOGIN-DELAY (we impose no
// delay), SASL security layers (none of our mechanisms has one), RFC 6856 UTF8 and LANG.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "pop3/command.hpp"
#include "sasl/mechanism.hpp"

namespace tern::pop3 {

// Every limit a peer controls. Defaults are the RFC values (or our policy where none exists).
struct SessionLimits {
    std::size_t command_line = 255;  // RFC 2449 4: including CRLF (at least kMinCommandLine)
    std::size_t errors = 10;         // client errors before "-ERR Too many errors" + Close
    std::size_t auth_failures = 3;   // failed logins per connection before Close
    // RFC 1939 3: the autologout timer "MUST be of at least 10 minutes' duration", in
    // AUTHORIZATION and TRANSACTION alike.
    std::chrono::seconds timeout_authorization{600};
    std::chrono::seconds timeout_transaction{600};
};

// RFC 5034 4 relaxes the 255-octet limit for AUTH; like SMTP (RFC 4954 4) we accept lines
// of an authentication exchange (the AUTH command with its initial response, and the
// client's responses) of up to 12288 octets including CRLF.
inline constexpr std::size_t kAuthLineLimit = 12288;
// A USER line may hold a name of sasl::kMaxIdentity octets, a PASS line a password of
// sasl::kMaxPassword octets (as AUTH PLAIN may): both get this limit.
inline constexpr std::size_t kLoginLineLimit = 5 + sasl::kMaxPassword + 2;
// Smaller command_line limits are raised to this (a keyword and a message number fit).
inline constexpr std::size_t kMinCommandLine = 16;
// RFC 1939 7 UIDL: a unique-id is 1 to 70 octets in the range 0x21 to 0x7E.
inline constexpr std::size_t kMaxUidLength = 70;

struct SessionOptions {
    std::string hostname;             // our name: greeting and sign-off
    SessionLimits limits;
    bool stls_available = false;      // a certificate is configured for this listener
    bool tls_active = false;          // implicit TLS (port 995) or already negotiated
    // Accept USER/PASS and AUTH without TLS (configuration; tests). See login_offered().
    bool plaintext_auth = false;
    // RFC 2449 6.7 EXPIRE policy advertised in CAPA; empty: not advertised. "NEVER" is true
    // while Tern never removes mail from a mailbox on its own; a retention policy must
    // change it.
    std::string expire_policy = "NEVER";
    sasl::Options sasl;               // SCRAM nonce source and unknown-user secret
};

// Actions the driver performs, in order.
struct SendReply { std::string bytes; };  // one complete response (status line, maybe multi-line)
struct StartTls {};                       // driver handshakes, then tls_started()
struct Close {};                          // driver flushes pending replies, closes
// PASS (mechanism "USER") or AUTH PLAIN/LOGIN: verify with argon2 (slow: off the I/O
// thread), then answer password_verified(). SECURITY: `password` is the client's cleartext
// password; never log this action, and wipe it once verified.
struct VerifyPassword { std::string user; std::string password; std::string mechanism; };
// AUTH SCRAM-SHA-256: look up the user's SCRAM secret, answer scram_credentials().
struct LookupScram { std::string user; };
// The end of a login attempt, for the log and the failure counters: success says whether the
// credentials were right (the maildrop is opened next); reason is a short token ("ok",
// "bad-credentials", "invalid-proof", "cancelled", ...). `user` is the identity the client
// claimed (may be empty, may be anything: escape it when logging). mechanism is "USER" for
// USER/PASS. No completion. Not emitted when the driver itself ended the attempt (Throttled,
// TemporaryFailure) or the session closed in the middle of it.
struct AuthAttempt { std::string user; std::string mechanism; bool success = false; std::string reason; };
// The login succeeded: lock and list `user`'s maildrop, answer maildrop_opened(). The lock
// is held until the connection ends, whatever way it ends.
struct OpenMaildrop { std::string user; };
// RETR (top unset) or TOP: read the message at `index` (0-based in the listing), answer
// message_read() with its stored bytes. `top` is for the driver's information only (it may
// read just the beginning); the session cuts the content itself.
struct ReadMessage { std::size_t index = 0; std::optional<std::size_t> top; };
// QUIT in TRANSACTION with messages marked deleted (RFC 1939 6): remove these (0-based,
// ascending) from the maildrop, then answer update_done().
struct CommitDeletes { std::vector<std::size_t> indexes; };
using Action = std::variant<SendReply, StartTls, Close, VerifyPassword, LookupScram, AuthAttempt, OpenMaildrop,
                            ReadMessage, CommitDeletes>;

// The driver's answer to VerifyPassword (and, for the last two, to LookupScram).
enum class AuthVerdict {
    Ok,                // the maildrop is opened next
    BadCredentials,    // -ERR [AUTH]: unknown user and wrong password alike
    Throttled,         // too many failures for this IP or account: -ERR [SYS/TEMP] + Close
    TemporaryFailure,  // users file unreadable etc.: -ERR [SYS/TEMP], the client may retry
};

// One message of the maildrop, as the driver lists it.
struct MessageInfo {
    std::string uid;          // RFC 1939 7 unique-id: 1-70 octets 0x21-0x7E, unique
    std::uint64_t size = 0;   // octets as sent (CRLF line ends), before byte-stuffing

    friend bool operator==(const MessageInfo&, const MessageInfo&) = default;
};
enum class MaildropError {
    InUse,             // locked by another session: -ERR [IN-USE] (RFC 2449 8.1.2)
    TemporaryFailure,  // cannot read it now: -ERR [SYS/TEMP] (RFC 3206)
};
using MaildropResult = std::variant<std::vector<MessageInfo>, MaildropError>;

enum class Phase { Authorization, Transaction, Update };  // RFC 1939 3

class ServerSession {
public:
    explicit ServerSession(SessionOptions options);

    void start();                          // emits the +OK greeting
    void feed(std::string_view bytes);     // buffers and processes until parked or out of input
    std::vector<Action> take_actions();    // drains pending actions
    bool parked() const;                   // waiting for a completion: do not read more input
    bool closed() const;
    std::chrono::seconds read_timeout() const;  // the autologout timer for the current state
    // The longest line accepted now, CRLF included: limits.command_line, or kAuthLineLimit
    // in an AUTH exchange (and for a pending line that starts with "AUTH "), kLoginLineLimit
    // for one that starts with "USER " or "PASS ". While waiting for input the session holds
    // less.
    std::size_t line_limit() const;

    void password_verified(AuthVerdict verdict);
    // The SCRAM secret, nullopt for an unknown user (the exchange goes on with a made-up
    // one and fails at the proof). verdict: Ok (or BadCredentials, same as nullopt),
    // Throttled or TemporaryFailure to end the exchange instead.
    void scram_credentials(std::optional<sasl::ScramCredentials> credentials,
                           AuthVerdict verdict = AuthVerdict::Ok);
    void maildrop_opened(MaildropResult result);
    // The stored message (LF or CRLF line ends), nullopt when it cannot be read (gone, I/O
    // error): -ERR [SYS/TEMP].
    void message_read(std::optional<std::string> content);
    // ok: +OK and Close; otherwise -ERR [SYS/TEMP] "some deleted messages not removed" and
    // Close (RFC 1939 6).
    void update_done(bool ok);
    void tls_started();                    // back to AUTHORIZATION, TLS active
    void timeout();                        // RFC 1939 3 autologout: Close, no reply, no UPDATE
    void shutdown();                       // -ERR [SYS/TEMP] shutting down + Close, no UPDATE

    // Facts for logging.
    Phase phase() const { return phase_; }
    bool tls_active() const { return tls_active_; }
    // USER/PASS and AUTH are accepted and advertised now: TLS or options.plaintext_auth.
    bool login_offered() const { return tls_active_ || opts_.plaintext_auth; }
    // The credentials were accepted (the maildrop may still be opening, or refused: then
    // this turns false again).
    bool authenticated() const { return !auth_user_.empty(); }
    const std::string& user() const { return auth_user_; }
    std::size_t message_count() const { return messages_.size(); }  // the listing, deleted included
    std::size_t deleted_count() const { return deleted_count_; }
    std::size_t buffered() const { return buf_.size() - pos_; }    // input held, not yet parsed
    std::size_t error_count() const { return errors_; }
    std::size_t auth_failure_count() const { return auth_failures_; }
    const SessionOptions& options() const { return opts_; }

private:
    enum class State {
        Idle,          // before start()
        Command,       // reading command lines
        DiscardLine,   // skipping the rest of an over-long line, then discard_reply_
        AuthResponse,  // reading a client response line of an AUTH exchange
        WaitAuth,      // parked on VerifyPassword or LookupScram
        WaitMaildrop,  // parked on OpenMaildrop
        WaitMessage,   // parked on ReadMessage
        WaitCommit,    // parked on CommitDeletes (UPDATE state)
        WaitTls,       // parked on StartTls
        Closed,
    };

    enum class Framed { NeedMore, TooLong, Line };
    Framed next_line(std::size_t limit, std::string_view& line);
    std::size_t command_line_limit() const;
    std::size_t pending_line_limit() const;

    void process();
    bool process_command_line();
    void execute(const Command& cmd);
    bool allowed_in_phase(Verb verb) const;
    void cmd_capa(const Command& cmd);
    void cmd_quit(const Command& cmd);
    void cmd_stls(const Command& cmd);
    // session_auth.cpp
    void cmd_user(const Command& cmd);
    void cmd_pass(const Command& cmd);
    void cmd_auth(const Command& cmd);
    bool refuse_plaintext();
    bool process_auth_line();
    void auth_step(sasl::Step step);
    void auth_failed(const sasl::Failure& f);
    void auth_succeeded();
    void end_attempt(bool success, std::string reason);
    void clear_attempt();
    void abort_attempt(AuthVerdict verdict);
    // session_transaction.cpp
    void cmd_stat(const Command& cmd);
    void cmd_list(const Command& cmd);
    void cmd_uidl(const Command& cmd);
    void cmd_retr(const Command& cmd);
    void cmd_top(const Command& cmd);
    void cmd_dele(const Command& cmd);
    void cmd_rset(const Command& cmd);
    void cmd_noop(const Command& cmd);
    void enter_update();
    void sign_off(bool committed);
    std::optional<std::size_t> message_index(std::string_view arg, std::string_view syntax);
    std::string maildrop_summary() const;

    void reply_ok(std::string_view text);
    void reply_err(std::string_view code, std::string_view text);  // not counted
    void send(std::string bytes);
    // Replies and counts towards limits.errors, and towards limits.auth_failures when the
    // error ends a failed login attempt.
    void client_error(std::string_view code, std::string_view text, bool failed_login = false);
    void close_with(std::string bytes);  // replies (unless empty), then Close; nothing follows
    void compact();

    SessionOptions opts_;
    State state_ = State::Idle;
    Phase phase_ = Phase::Authorization;
    std::vector<Action> actions_;
    std::string buf_;                 // input not yet consumed, from pos_
    std::size_t pos_ = 0;
    std::size_t errors_ = 0;
    std::size_t auth_failures_ = 0;
    bool tls_active_ = false;
    std::string discard_reply_text_;  // the answer once an over-long line is skipped
    bool discard_ends_auth_ = false;  // that line was part of an AUTH exchange

    // AUTHORIZATION: the name given by USER, waiting for PASS (RFC 1939 7).
    std::string user_name_;
    // The login attempt in progress (PASS or an AUTH exchange), if any.
    std::string attempt_mechanism_;   // "USER", "PLAIN", ...: non-empty while in progress
    std::string attempt_user_;        // the identity the client claimed, once known
    std::unique_ptr<sasl::Mechanism> mech_;
    enum class Awaiting { Nothing, Password, Scram };
    Awaiting awaiting_ = Awaiting::Nothing;  // which completion WaitAuth expects
    bool auth_final_ack_ = false;     // SCRAM server-final sent as "+ ": waiting for ""
    std::string auth_user_;           // credentials accepted

    // TRANSACTION: the listing and the deletion marks (RFC 1939 5).
    std::vector<MessageInfo> messages_;
    std::vector<bool> deleted_;
    std::size_t deleted_count_ = 0;
    std::uint64_t deleted_octets_ = 0;
    std::uint64_t total_octets_ = 0;
    std::size_t pending_index_ = 0;            // waiting for message_read
    std::optional<std::size_t> pending_top_;
};

}  // namespace tern::pop3
