// The SMTP server session: a pure state machine, bytes in, actions out (RFC 5321 4.1, 4.3.2
// sequencing; RFC 1870 SIZE, 6152 8BITMIME, 2034 ENHANCEDSTATUSCODES, 2920 PIPELINING,
// 3030 CHUNKING/BDAT, 3207 STARTTLS, 3461 DSN, 6531 SMTPUTF8, 4954 AUTH, 6409 submission).
//
// It reads no socket, clock or file. A network driver feeds it bytes and performs its actions:
//   start(); loop { for a in take_actions(): perform(a); if (!parked() && !closed())
//                   feed(read(read_timeout())); }
// Completions (recipient_checked, sender_checked, message_committed, password_verified,
// scram_credentials, tls_started) resume processing of input that is already buffered, so
// pipelined commands after a parked command run in order. Parsing never depends on how the
// input is chunked.
//
// Security decisions (see the .cpp files for details):
//  - STARTTLS: bytes buffered after the STARTTLS line are discarded, never executed
//    (CVE-2011-0411). tls_started() also forgets any authentication.
//  - DATA ends only at CRLF.CRLF; a message holding any bare CR or bare LF is read to its end
//    and rejected with 550 5.6.0 (SMTP smuggling). The same check applies to BDAT content.
//  - An over-long command line is discarded up to its LF and answered 500 5.5.2; it is never
//    split into a second command. The input buffer stays bounded (line_limit()).
//  - BDAT with an unreadable octet count cannot be skipped safely: 501 then 421 and Close.
//  - AUTH (session_auth.cpp) is offered only under TLS (unless options.auth_without_tls).
//    Credentials never appear in a reply; VerifyPassword carries a cleartext password and
//    must never be logged.
//  - A submission session answers MAIL with 530 5.7.0 until AUTH succeeded. Once
//    authenticated (on any listener), MAIL asks the driver to CheckSender.
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

#include "core/envelope.hpp"
#include "core/outcome.hpp"
#include "sasl/mechanism.hpp"
#include "smtp/bdat_reader.hpp"
#include "smtp/command_parser.hpp"
#include "smtp/data_reader.hpp"
#include "smtp/message_sink.hpp"
#include "smtp/peer.hpp"
#include "smtp/reply.hpp"

namespace tern::smtp {

// Every limit a peer controls. Defaults are the RFC floors (or our policy where none exists).
struct SessionLimits {
    std::size_t message_size = 36700160;      // RFC 1870 SIZE, octets (unstuffed content)
    std::size_t recipients = 100;             // RFC 5321 4.5.3.1.8 (must accept at least 100)
    std::size_t command_line = 512;           // RFC 5321 4.5.3.1.4, including CRLF
    std::size_t text_line = 1000;             // RFC 5321 4.5.3.1.6, including CRLF
    std::size_t errors = 10;                  // client errors before 421 4.7.0 + Close
    std::size_t received_headers = 100;       // RFC 5321 6.3 loop detection
    std::chrono::seconds timeout_command{300};  // RFC 5321 4.5.3.2.7
    std::chrono::seconds timeout_data{180};     // RFC 5321 4.5.3.2.6 (per data block)
};

struct SessionOptions {
    std::string hostname;            // our name: greeting, EHLO, 221/421 replies
    SessionLimits limits;
    bool starttls_available = false; // a certificate is configured for this listener
    bool tls_active = false;         // implicit TLS (port 465) or already negotiated
    bool submission = false;         // RFC 6409: MAIL requires authentication
    // AUTH (RFC 4954) is offered on this listener, but only once TLS is active (implicit TLS
    // or after STARTTLS: the session sees that itself), unless auth_without_tls allows it
    // over plaintext too (configuration; tests). See auth_offered(). When not offered, AUTH
    // gets 538 5.7.11 if STARTTLS would help, else 502 5.5.1.
    bool auth_available = false;
    bool auth_without_tls = false;
    sasl::Options sasl;              // SCRAM nonce source and unknown-user secret
};

// RFC 4954 4: lines of an authentication exchange (the AUTH command with its initial
// response, and the client's responses) may be far longer than a command line; 12288
// octets (including CRLF) "is considered to be a sufficient line length limit". Longer:
// 500 5.5.6 and the exchange fails.
inline constexpr std::size_t kAuthLineLimit = 12288;

// Actions the driver performs, in order.
struct SendReply { std::string bytes; };               // complete reply lines, CRLF-terminated
struct CheckRecipient { std::string address; };        // driver answers with recipient_checked()
struct CommitMessage { Envelope envelope; std::string data; };  // answer: message_committed()
struct StartTls {};                                    // driver handshakes, then tls_started()
struct Close {};                                       // driver flushes pending replies, closes
// AUTH with PLAIN/LOGIN: verify with argon2 (slow: off the I/O thread), then answer
// password_verified(). SECURITY: `password` is the client's cleartext password; never log
// this action, and wipe it once verified. `user` is the authcid as the client sent it.
struct VerifyPassword { std::string user; std::string password; std::string mechanism; };
// AUTH SCRAM-SHA-256: look up the user's SCRAM secret, answer scram_credentials().
struct LookupScram { std::string user; };
// The end of an AUTH exchange (235, 535, 501, 500 or 454 from the mechanism), for the log
// and the failure counters: success says whether the client is now authenticated; reason
// is a short token ("ok", "bad-credentials", "invalid-proof", "cancelled", ...). `user` is
// the identity the client claimed (may be empty, may be anything: escape it when logging).
// No completion. Not emitted when the driver itself ended the exchange (Throttled,
// TemporaryFailure) or the session closed in the middle of it.
struct AuthAttempt { std::string user; std::string mechanism; bool success = false; std::string reason; };
// MAIL from an authenticated client: may this user send as `address` ("" for <>)? Answer
// sender_checked(); the driver refuses with 553 5.7.1.
struct CheckSender { std::string address; };
using Action = std::variant<SendReply, CheckRecipient, CommitMessage, StartTls, Close, VerifyPassword,
                            LookupScram, AuthAttempt, CheckSender>;

// The driver's answer to VerifyPassword (and, for the last two, to LookupScram).
enum class AuthVerdict {
    Ok,                // 235 2.7.0
    BadCredentials,    // 535 5.7.8: unknown user and wrong password alike
    Throttled,         // too many failures for this IP or account: 421 4.7.0 + Close
    TemporaryFailure,  // users file unreadable etc.: 454 4.7.0
};

class ServerSession {
public:
    ServerSession(SessionOptions options, PeerInfo peer);

    void start();                          // emits the 220 greeting
    void feed(std::string_view bytes);     // buffers and processes until parked or out of input
    std::vector<Action> take_actions();    // drains pending actions
    bool parked() const;                   // waiting for a completion: do not read more input
    bool closed() const;
    std::chrono::seconds read_timeout() const;  // RFC 5321 4.5.3.2 value for the current state
    // The longest line accepted in the current state, CRLF included: limits.command_line, or
    // kAuthLineLimit in an AUTH exchange (and for a pending line that starts with "AUTH ").
    // While waiting for input the session holds less than this.
    std::size_t line_limit() const;

    void recipient_checked(const Outcome& outcome);  // Ok -> 250 2.1.5; else its code/text
    void sender_checked(const Outcome& outcome);     // Ok -> 250 2.1.0; else its code/text
    void password_verified(AuthVerdict verdict);
    // The SCRAM secret, nullopt for an unknown user (the exchange goes on with a made-up
    // one and fails at the proof). verdict: Ok (or BadCredentials, same as nullopt),
    // Throttled or TemporaryFailure to end the exchange instead.
    void scram_credentials(std::optional<sasl::ScramCredentials> credentials,
                           AuthVerdict verdict = AuthVerdict::Ok);
    void message_committed(const Outcome& outcome);  // Ok -> 250 2.0.0 <text>; else its code
    void tls_started(const TlsInfo& info);  // back to the pre-EHLO state, TLS active
    void timeout();                         // 421 4.4.2 + Close
    void shutdown();                        // 421 4.3.2 + Close

    // Facts for logging and the Received header.
    const PeerInfo& peer() const { return peer_; }
    const std::string& helo() const { return helo_; }        // empty before EHLO/HELO
    bool esmtp() const { return esmtp_; }                     // EHLO (not HELO) was used
    bool tls_active() const { return tls_active_; }
    const std::optional<TlsInfo>& tls_info() const { return tls_info_; }
    // AUTH is advertised in EHLO and accepted now: auth_available && (TLS || auth_without_tls).
    bool auth_offered() const { return opts_.auth_available && (tls_active_ || opts_.auth_without_tls); }
    bool authenticated() const { return !auth_user_.empty(); }
    const std::string& auth_user() const { return auth_user_; }
    std::string_view protocol() const;    // RFC 3848: SMTP, ESMTP, ESMTPS, ESMTPA, ESMTPSA
    std::size_t buffered() const { return buf_.size() - pos_; }  // input held, not yet parsed
    std::size_t error_count() const { return errors_; }
    const SessionOptions& options() const { return opts_; }

private:
    enum class State {
        Idle,          // before start()
        Command,       // reading command lines
        DiscardLine,   // skipping the rest of an over-long line, then discard_reply_
        AuthResponse,  // reading a client response line of an AUTH exchange
        Data,          // reading DATA content up to CRLF.CRLF
        Bdat,          // reading the octets of a BDAT chunk
        WaitRecipient, // parked on CheckRecipient
        WaitSender,    // parked on CheckSender
        WaitPassword,  // parked on VerifyPassword
        WaitScram,     // parked on LookupScram
        WaitCommit,    // parked on CommitMessage
        WaitTls,       // parked on StartTls
        Closed,
    };

    enum class Framed { NeedMore, TooLong, Line };
    Framed next_line(std::size_t limit, std::string_view& line);
    bool auth_command_pending() const;

    void process();
    bool process_command_line();
    std::optional<Reply> check_sequence(Verb verb) const;
    void execute(const Command& cmd);
    void cmd_helo(const Command& cmd);
    void cmd_mail(const Command& cmd);
    void cmd_rcpt(const Command& cmd);
    void cmd_data();
    void cmd_bdat(const Command& cmd);
    void cmd_starttls();
    // session_auth.cpp
    void cmd_auth(const Command& cmd);
    bool process_auth_line();
    void auth_step(sasl::Step step);
    void auth_failed(const sasl::Failure& f);
    void auth_succeeded();
    void end_auth(bool success, std::string reason);
    void clear_auth_exchange();
    void abort_auth(AuthVerdict verdict);  // Throttled or TemporaryFailure from the driver
    void finish_data();
    void finish_bdat_chunk();
    void commit();
    void reset_transaction();
    void reply(const Reply& r);
    void client_error(const Reply& r);  // replies and counts towards limits.errors
    void close_with(const Reply& r);    // replies, then Close; nothing follows
    void compact();

    SessionOptions opts_;
    PeerInfo peer_;
    State state_ = State::Idle;
    std::vector<Action> actions_;
    std::string buf_;                 // input not yet consumed, from pos_
    std::size_t pos_ = 0;
    std::size_t errors_ = 0;

    std::string helo_;
    bool esmtp_ = false;
    bool tls_active_ = false;
    std::optional<TlsInfo> tls_info_;
    std::string auth_user_;           // set by a successful AUTH

    // The AUTH exchange in progress (RFC 4954 4), if any.
    std::unique_ptr<sasl::Mechanism> mech_;
    std::string auth_claimed_;        // the identity the client claimed, once known
    bool auth_final_ack_ = false;     // SCRAM server-final sent as 334: waiting for ""
    Reply discard_reply_;             // the answer once an over-long line is skipped
    bool discard_ends_auth_ = false;  // that line was part of an AUTH exchange

    // The mail transaction (RFC 5321 3.3): present between MAIL and its end.
    std::optional<Envelope> txn_;
    EnvelopeRecipient pending_rcpt_;  // waiting for recipient_checked
    std::optional<Envelope> pending_txn_;  // waiting for sender_checked
    bool bdat_used_ = false;          // a BDAT chunk was accepted in this transaction
    MessageSink sink_;
    DataReader data_reader_;
    BdatReader bdat_reader_;
    bool bdat_accepted_ = false;      // the chunk being read belongs to the transaction
    Reply bdat_reply_;                // the refusal sent once a refused chunk has been read
    std::uint64_t bdat_chunk_size_ = 0;
    bool bdat_last_ = false;
};

}  // namespace tern::smtp
