// The SMTP client session for one outbound connection: a pure state machine, bytes in,
// actions out (RFC 5321 3.1-3.3, 4.1, 4.2, 4.3.2 sequencing, 4.5.3.2 timeouts; RFC 2920
// PIPELINING; RFC 1870 SIZE; RFC 6152 8BITMIME; RFC 6531 SMTPUTF8; RFC 3461 DSN parameters;
// RFC 3207 STARTTLS; RFC 4954 AUTH with PLAIN (RFC 4616) or LOGIN).
//
// One connection to one destination carries any number of messages, one transaction after
// the other. The driver does the I/O:
//   start(); add_message(...)...; no_more_messages();
//   loop { for a in take_actions(): perform(a)     // call again until it returns nothing
//          if (closed()) break;
//          if (waiting_for_tls()) { handshake; tls_started() or tls_failed(); continue; }
//          feed(read(read_timeout())) or timeout() / connection_lost() }
// Every message added gets exactly one MessageResult, whatever happens to the connection.
//
// Decisions (why, in the .cpp files):
//  - Outcomes of replies: 2xx Ok, 4xx Temporary, 5xx Permanent, with the peer's code,
//    enhanced code (or "c.0.0" when it sent none) and text. A recipient is delivered only on
//    the peer's 2xx after the data; a recipient refused at RCPT keeps that reply.
//  - Failures of the connection (greeting or EHLO/HELO refused, even with 5xx; STARTTLS or
//    AUTH failing; a protocol violation; timeout; drop; 421 at any point) are Temporary for
//    every recipient still open, with MessageResult::host_failure set: the driver may try the
//    next MX now, the queue retries later. Codes: required TLS missing or refused 4.7.4,
//    TLS handshake failed 4.7.5, AUTH refused or impossible 4.7.0 (535 too: bad smarthost
//    credentials are an operator's mistake, mail stays queued until they are fixed),
//    protocol violation 4.5.0, drop and timeout 4.4.2.
//  - A greeting that names our own host (ClientOptions::hostname) means the mail would loop:
//    554 5.4.6 for every message, nothing sent.
//  - Credentials are sent only under TLS unless ClientOptions::auth_without_tls.
//  - After STARTTLS's 220, octets already received are discarded (never parsed as replies),
//    and all knowledge from the first EHLO is dropped (RFC 3207 4.2).
//  - PIPELINING: MAIL, every RCPT and DATA go in one write (RFC 2920 3.1); with 354 but no
//    accepted recipient, a lone "." is sent (RFC 2920 3.1). Without it: one command at a
//    time, no DATA when no recipient was accepted.
//  - A transaction left open (MAIL accepted but no data sent) is closed with RSET before
//    the next message.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/outcome.hpp"
#include "outbound/capabilities.hpp"
#include "outbound/commands.hpp"
#include "outbound/data_encoder.hpp"
#include "outbound/reply_parser.hpp"

namespace tern::outbound {

enum class TlsPolicy {
    None,           // never STARTTLS
    Opportunistic,  // STARTTLS when offered; without it, or refused with 4xx/5xx: plaintext
    Required,       // no TLS, no mail: 4.7.4 for every message (RFC 3207 4.1, RFC 8461 5)
};

struct ClientCredentials {
    std::string username;
    std::string password;  // SECURITY: never logged; sent only under TLS by default
};

// RFC 5321 4.5.3.2: how long the client waits for each reply.
struct ClientTimeouts {
    std::chrono::seconds greeting{300};   // 4.5.3.2.1 initial 220
    std::chrono::seconds command{300};    // EHLO, STARTTLS, AUTH, RSET, QUIT (no RFC value)
    std::chrono::seconds mail{300};       // 4.5.3.2.2
    std::chrono::seconds rcpt{300};       // 4.5.3.2.3
    std::chrono::seconds data_init{120};  // 4.5.3.2.4 DATA until 354
    std::chrono::seconds data_block{180}; // 4.5.3.2.5 each write of message data
    std::chrono::seconds data_end{600};   // 4.5.3.2.6 after "." until the final reply
};

struct ClientOptions {
    std::string hostname;                   // our name for EHLO/HELO
    TlsPolicy tls = TlsPolicy::Opportunistic;
    bool tls_active = false;                // implicit TLS (port 465) already established
    std::optional<ClientCredentials> auth;  // AUTH PLAIN (preferred) or LOGIN to a smarthost
    bool auth_without_tls = false;          // allow credentials over plaintext (tests only)
    ClientTimeouts timeouts;
    ReplyLimits reply_limits;
    std::size_t data_chunk = 64 * 1024;     // input octets encoded per Send during the data
};

struct TlsInfo {
    std::string version;  // "TLSv1.3"
    std::string cipher;
};

// Actions, in order.
struct Send { std::string bytes; };  // write these octets
struct StartTls {};                   // handshake as client, then tls_started()/tls_failed()
struct Close {};                      // write what is pending, then close the connection
struct MessageResult {
    std::size_t message = 0;          // index from add_message(), counting from 0
    std::vector<Outcome> recipients;  // one per job recipient, in the job's order
    Outcome data;                     // the data phase: final reply, or why it was not reached
    // The temporary outcomes came from the connection or host, not from a reply about this
    // message: another MX host may take the recipients that carry them.
    bool host_failure = false;
    bool peer_dsn = false;            // the peer announced DSN: NOTIFY/ORCPT went on with it
};
using Action = std::variant<Send, StartTls, Close, MessageResult>;

// The mail transaction in progress (internal to ClientSession; outside it so that
// std::optional sees a complete type with its default member initializers).
struct OpenTransaction {
    std::size_t index = 0;
    std::vector<std::optional<Outcome>> final;  // per recipient, once decided
    std::vector<std::size_t> sent;    // recipients whose RCPT went out, in order
    std::size_t rcpt_replies = 0;     // RCPT replies received so far
    bool mail_ok = false;
    std::optional<Outcome> refused;   // MAIL refused (pipelined: replies still coming)
    bool any_accepted = false;
    bool dummy_data = false;          // "." sent without content (RFC 2920 3.1)
    std::size_t data_off = 0;         // input octets of the message already encoded
    DataEncoder encoder;
};

class ClientSession {
public:
    explicit ClientSession(ClientOptions options);

    void start();                               // waits for the greeting
    void feed(std::string_view bytes);          // peer octets
    // Drains pending actions. While message data is being sent, each call yields at most
    // one Send of data (options.data_chunk input octets): call until it returns nothing.
    std::vector<Action> take_actions();

    std::size_t add_message(MessageJob job);    // returns the message index
    void no_more_messages();                    // QUIT once the queued messages are done

    void tls_started(const TlsInfo& info);      // after StartTls: EHLO again
    void tls_failed(std::string_view reason);   // handshake failed: 4.7.5 for all, Close
    void connection_lost();                     // 4.4.2 for everything unfinished
    void timeout();                             // 4.4.2 for everything unfinished, Close

    bool closed() const { return state_ == State::Closed; }
    bool waiting_for_tls() const { return state_ == State::WaitTls; }
    // A reply is outstanding: the driver should read (with read_timeout()).
    bool waiting_for_reply() const { return state_ == State::Active && !expect_.empty(); }
    // Message data is being produced by take_actions(): keep calling it.
    bool sending_data() const { return state_ == State::SendingData; }
    std::size_t buffered() const { return pending_.size(); }  // input held, not yet parsed
    std::chrono::seconds read_timeout() const;  // RFC 5321 4.5.3.2 for what is awaited
    std::chrono::seconds write_timeout() const { return opts_.timeouts.data_block; }

    const Capabilities& capabilities() const { return caps_; }
    bool esmtp() const { return esmtp_; }
    bool tls_active() const { return tls_active_; }
    const std::optional<TlsInfo>& tls_info() const { return tls_info_; }
    bool authenticated() const { return authenticated_; }
    const std::string& greeting() const { return greeting_; }  // the peer's 220 text

private:
    enum class State { Idle, Active, WaitTls, SendingData, Closed };
    enum class Expect { Greeting, Ehlo, Helo, StartTls, Auth, Rset, Mail, Rcpt, Data, DataEnd, Quit };

    // client_session.cpp: connection set-up and failures.
    void process(std::string_view& input);
    void on_reply(const Reply& r);
    void on_greeting(const Reply& r);
    void on_ehlo(const Reply& r);
    void on_helo(const Reply& r);
    void on_starttls(const Reply& r);
    void on_auth(const Reply& r);
    void after_hello();
    void after_tls_decision();
    void send(std::string bytes, std::initializer_list<Expect> expects);
    void fail_connection(const Outcome& why, bool quit);
    void protocol_violation(const std::string& what);
    Outcome host_refusal(const Reply& r, std::string_view context) const;
    // client_transaction.cpp: messages.
    void next_message();
    void begin(std::size_t index);
    void on_mail(const Reply& r);
    void on_rcpt(const Reply& r);
    void on_data(const Reply& r);
    void on_data_end(const Reply& r);
    void on_rset(const Reply& r);
    void send_next_rcpt_or_data();
    void pump_data(std::vector<Action>& out);
    void finish_txn(const Outcome& data, bool host_failure = false);
    void fail_message(std::size_t index, const Outcome& why, bool host_failure);

    ClientOptions opts_;
    State state_ = State::Idle;
    ReplyParser parser_;
    std::deque<Expect> expect_;
    std::vector<Action> actions_;
    Capabilities caps_;
    bool esmtp_ = false;
    bool tls_active_ = false;
    std::optional<TlsInfo> tls_info_;
    bool authenticated_ = false;
    int auth_step_ = 0;               // AUTH LOGIN: 0 sent AUTH, 1 sent user, 2 sent password
    bool auth_login_ = false;
    std::string greeting_;
    std::string pending_;             // input received while sending the data

    std::vector<MessageJob> jobs_;
    std::size_t next_job_ = 0;        // first job not yet begun
    std::optional<OpenTransaction> txn_;
    bool need_rset_ = false;
    bool no_more_ = false;
    bool ready_ = false;              // greeting, EHLO, TLS and AUTH are done
    bool quit_sent_ = false;
};

// The Outcome of a peer's reply: 2xx Ok, 4xx Temporary, 5xx Permanent (3xx: Temporary
// 4.5.0, it is never a final answer), enhanced code from the reply or "c.0.0".
Outcome outcome_of(const Reply& r);

}  // namespace tern::outbound
