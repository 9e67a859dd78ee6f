// The IMAP server session: a pure state machine above the command reader and parser, bytes in,
// actions out (RFC 9051 IMAP4rev2 and RFC 3501 IMAP4rev1; RFC 2971 ID; RFC 5161 ENABLE;
// RFC 4959 SASL-IR; RFC 7888 LITERAL+; RFC 2177 IDLE; RFC 2342 NAMESPACE; RFC 3691 UNSELECT;
// RFC 4315 UIDPLUS; RFC 6851 MOVE; RFC 3348 CHILDREN; RFC 6154 SPECIAL-USE; RFC 4731 ESEARCH;
// RFC 6855 UTF8=ACCEPT; RFC 7162 CONDSTORE and QRESYNC; RFC 4978 COMPRESS=DEFLATE; RFC 5530 response codes; RFC 3516 BINARY; RFC 5182
// SEARCHRES; RFC 5256 SORT and THREAD=REFERENCES/ORDEREDSUBJECT; RFC 5957 SORT=DISPLAY;
// RFC 5267 ESORT; RFC 5258 LIST-EXTENDED;
// RFC 5819 LIST-STATUS; RFC 9208 QUOTA with QUOTA=RES-STORAGE).
//
// It reads no socket, clock or file. A network driver feeds it bytes and performs its actions:
//   start(); loop { for a in take_actions(): perform(a); if (!parked() && !closed())
//                   feed(read(read_timeout())); }
// The driver writes everything produced before it reads again; within one feed() the session
// bounds what it produces with Drain actions (SessionLimits::output_batch), so a client that
// pipelines commands or asks for a whole folder cannot make the server buffer it all.
// Storage goes through imap::Backend (backend.hpp), called synchronously while a command
// executes (the driver runs feed() on a file-I/O thread). Completions (password_verified,
// scram_credentials, mailboxes_opened, tls_started) resume the input already buffered, so
// pipelined commands run in order. Nothing depends on how the input is chunked.
//
// States (RFC 9051 3): not authenticated, authenticated, selected, logout. IDLE is a sub-state
// of authenticated/selected: the driver calls folder_changed() when the store signals a change
// and the session sends the updates right away. In the selected state the session also polls
// SelectedFolder::changes() after every successful command and sends EXISTS, EXPUNGE (VANISHED
// after ENABLE QRESYNC) and FETCH (FLAGS) before the tagged OK.
//
// Security decisions:
//  - STARTTLS: input buffered after the STARTTLS line is discarded, never executed
//    (CVE-2011-0411), and feed() ignores input until tls_started().
//  - LOGIN and AUTHENTICATE are refused before TLS unless options.plaintext_auth
//    ("NO [PRIVACYREQUIRED]"); CAPABILITY then says LOGINDISABLED and no AUTH= (RFC 9051 6.2.3).
//  - VerifyPassword carries a cleartext password: never log it. Every failed attempt is an
//    AuthAttempt for the driver's throttling; after limits.auth_failures of them, or
//    limits.errors BAD/NO answers the client caused, the session says BYE and closes.
//  - Literals are limited by the reader: before authentication to limits.literal_unauthenticated,
//    APPEND after it to limits.append_limit (APPENDLIMIT), everything else limits.literal.
//  - Nothing the client sends is echoed in a response except through response_syntax.hpp
//    (mailbox names, the tag), so a name cannot inject CRLF and a fake tagged response. Tags
//    are echoed as the reader framed them (ASTRING-CHAR only).
//  - Mailbox names are decoded strictly (modified UTF-7, or UTF-8 after ENABLE UTF8=ACCEPT /
//    IMAP4rev2) and names with control characters or wildcards are refused before the backend
//    sees them.
//  - EXPUNGE (or VANISHED) responses are never sent during FETCH, STORE or SEARCH (RFC 9051
//    7.5.1): changes found then are held back until the next command that may carry them.
// Left out: NOTIFY, METADATA, CONTEXT=SEARCH/SORT, THREAD=REFS, QUOTASET and QUOTA
// resources other than STORAGE (no other limit is configured).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "imap/backend.hpp"
#include "imap/command.hpp"
#include "imap/command_parser.hpp"
#include "imap/command_reader.hpp"
#include "sasl/mechanism.hpp"

namespace tern::imap {

struct SessionLimits {
    std::size_t errors = 10;          // BAD/NO answers the client caused before BYE + Close
    std::size_t auth_failures = 3;    // failed logins per connection before BYE + Close
    std::uint64_t literal_unauthenticated = 8192;  // any literal before login
    std::uint64_t literal = 65536;                 // any literal after login, APPEND aside
    std::uint64_t append_limit = 50u << 20;        // APPEND message (APPENDLIMIT, RFC 7889)
    std::size_t max_line = 8192;
    // Timers: the unauthenticated one is our policy; RFC 9051 5.4 asks for at least 30 minutes
    // once authenticated, and RFC 2177 3 lets clients re-issue IDLE every 29 minutes: smaller
    // values are raised to these.
    std::chrono::seconds timeout_unauthenticated{60};
    std::chrono::seconds timeout_authenticated{30 * 60};
    std::chrono::seconds timeout_idle{30 * 60};
    // Back-pressure: once this much output waits to be written, the session parks with a
    // Drain action before the next command or the next FETCH response (a FETCH 1:* BODY[] is
    // produced in pieces, never whole). One response may exceed it (a message is sent whole).
    std::size_t output_batch = 256 * 1024;
};

inline constexpr std::chrono::seconds kMinAuthenticatedTimeout{30 * 60};
inline constexpr std::chrono::seconds kMinIdleTimeout{29 * 60};

struct SessionOptions {
    std::string hostname;
    SessionLimits limits;
    bool starttls_available = false;  // a certificate is configured for this listener
    bool tls_active = false;          // implicit TLS (993) or already negotiated
    bool plaintext_auth = false;      // LOGIN/AUTHENTICATE without TLS (configuration; tests)
    sasl::Options sasl;
};

namespace action {
struct SendReply { std::string bytes; };  // one or more complete response lines
struct StartTls {};                       // handshake, then tls_started()
// COMPRESS=DEFLATE (RFC 4978): write the replies before this one as they are, then deflate
// everything written from now on; inflate `compressed_input` (what the client sent after its
// COMPRESS line) and everything read from now on before feed(). No completion.
struct StartCompression { std::string compressed_input; };
struct Close {};                          // flush pending replies, then close
struct Drain {};                          // write every reply so far, then drained()
// LOGIN or AUTHENTICATE PLAIN/LOGIN: verify, answer password_verified(). SECURITY: never log.
struct VerifyPassword { std::string user; std::string password; std::string mechanism; };
// AUTHENTICATE SCRAM-SHA-256: answer scram_credentials().
struct LookupScram { std::string user; };
// The end of a login attempt, for logs and throttling (no completion). mechanism is "LOGIN"
// for the LOGIN command.
struct AuthAttempt { std::string user; std::string mechanism; bool success = false; std::string reason; };
// The credentials were accepted: open `user`'s mail store, answer mailboxes_opened().
struct OpenMailboxes { std::string user; };
}  // namespace action

using Action = std::variant<action::SendReply, action::StartTls, action::Close, action::VerifyPassword,
                            action::LookupScram, action::AuthAttempt, action::OpenMailboxes,
                            action::StartCompression, action::Drain>;

enum class AuthVerdict { Ok, BadCredentials, Throttled, TemporaryFailure };
enum class OpenError { InUse, TemporaryFailure };

enum class State { NotAuthenticated, Authenticated, Selected, Logout };

class ServerSession {
public:
    explicit ServerSession(SessionOptions options);
    ServerSession(const ServerSession&) = delete;  // the reader's literal policy points here
    ServerSession& operator=(const ServerSession&) = delete;

    void start();                       // the greeting
    void feed(std::string_view bytes);  // processes until parked or out of input
    std::vector<Action> take_actions();
    bool parked() const;                // waiting for a completion: do not read more input
    bool closed() const;
    bool idling() const { return idling_; }
    std::chrono::seconds read_timeout() const;

    void password_verified(AuthVerdict verdict);
    void scram_credentials(std::optional<sasl::ScramCredentials> credentials, AuthVerdict verdict = AuthVerdict::Ok);
    void mailboxes_opened(std::shared_ptr<Backend> backend);
    void mailboxes_failed(OpenError error);
    void tls_started();
    void drained();  // the replies before the Drain action are written: produce more
    // The selected folder changed (store notification). While idling, the session polls the
    // backend now and queues the updates (take_actions() after it); otherwise they go out with
    // the next command's response. Call it on the thread that runs feed(): the backend is
    // called synchronously.
    void folder_changed();
    void timeout();   // autologout: "* BYE" + Close
    void shutdown();  // "* BYE [UNAVAILABLE]" + Close

    State state() const { return state_; }
    bool tls_active() const { return tls_active_; }
    bool login_offered() const { return tls_active_ || opts_.plaintext_auth; }
    const std::string& user() const { return user_; }
    bool utf8_enabled() const { return utf8_; }
    bool rev2_enabled() const { return rev2_; }
    bool condstore_enabled() const { return condstore_; }
    bool qresync_enabled() const { return qresync_; }
    bool compress_active() const { return compress_active_; }
    std::size_t error_count() const { return errors_; }
    std::size_t buffered() const { return reader_.buffered(); }
    std::size_t selected_count() const { return messages_.size(); }

private:
    enum class Wait { None, Auth, Mailboxes, Tls, Output };
    struct FetchInProgress {  // a FETCH parked for a Drain (session_message.cpp)
        Command cmd;
        std::vector<std::size_t> indexes;
        std::vector<bool> flags_changed;
        bool content = false;    // the message must be read and parsed (BODY[], RFC822, BINARY...)
        bool structure = false;  // ENVELOPE / BODY / BODYSTRUCTURE: from the cache, else parsed
        std::size_t next = 0;
        bool expunged = false;
        bool unknown_cte = false;
    };

    void process();
    void on_command(const RawCommand& raw);
    void on_rejected(const CommandRejected& r);
    void on_idle_end(const IdleEnded& e);
    void execute(const Command& cmd);
    void after_command(const Command& cmd);
    std::uint64_t literal_limit(const LiteralRequest& request) const;

    // server_session.cpp: any state
    std::string capabilities() const;
    void cmd_capability(const Command& cmd);
    void cmd_noop(const Command& cmd);
    void cmd_logout(const Command& cmd);
    void cmd_id(const Command& cmd, const Id& id);
    void cmd_starttls(const Command& cmd);
    void cmd_enable(const Command& cmd, const Enable& e);
    void cmd_idle(const Command& cmd);
    void cmd_compress(const Command& cmd, const Compress& c);
    // session_auth.cpp
    void cmd_login(const Command& cmd, const Login& login);
    void cmd_authenticate(const Command& cmd, const Authenticate& a);
    void on_auth_response(const AuthResponse& r);
    void auth_step(sasl::Step step);
    void auth_failed(const sasl::Failure& f);
    void auth_succeeded();
    void end_attempt(bool success, std::string reason);
    void failed_login(std::string_view code, std::string_view text);
    void failed_exchange(std::string_view text);
    void clear_attempt();
    bool refuse_plaintext(const Command& cmd);
    // session_mailbox.cpp
    std::optional<std::string> decode_name(const Command& cmd, std::string_view raw);
    std::string encode_name(std::string_view utf8) const;
    void cmd_select(const Command& cmd, const Select& s);
    void cmd_create(const Command& cmd, const Create& c);
    void cmd_delete(const Command& cmd, const Delete& d);
    void cmd_rename(const Command& cmd, const Rename& r);
    void cmd_subscribe(const Command& cmd, std::string_view mailbox, bool subscribe);
    void cmd_list(const Command& cmd, const List& l);
    void cmd_lsub(const Command& cmd, const Lsub& l);
    void cmd_namespace(const Command& cmd);
    void cmd_status(const Command& cmd, const Status& s);
    void cmd_append(const Command& cmd, const Append& a);
    void cmd_getquotaroot(const Command& cmd, const GetQuotaRoot& q);
    void cmd_getquota(const Command& cmd, const GetQuota& q);
    void cmd_setquota(const Command& cmd);
    void unselect();
    // session_message.cpp
    void cmd_fetch(const Command& cmd, const Fetch& f);
    void continue_fetch();
    void cmd_store(const Command& cmd, const Store& s);
    void cmd_expunge(const Command& cmd, const Expunge& e);
    void cmd_close(const Command& cmd);
    void cmd_copy(const Command& cmd, const SequenceSet& set, std::string_view mailbox, bool move);
    void cmd_search(const Command& cmd, const Search& s);
    std::vector<std::size_t> resolve(const SequenceSet& set, bool uid) const;  // 0-based indexes
    std::vector<std::size_t> resolve_saved() const;  // "$" (RFC 5182): what saved_uids_ still holds
    // Calls hit(index, header) for each message matching `criteria`, in mailbox order. With
    // want_header, `header` starts with the message's header section (read once, shared with
    // the evaluation; nullptr when unreadable): the whole message when a key (BODY, TEXT)
    // needed it, else only the header (SelectedFolder::read_header()). Else nullptr.
    using MatchVisitor = std::function<void(std::size_t index, const std::string* header)>;
    void for_each_match(const SearchKey& criteria, bool want_header, const MatchVisitor& hit);
    // RFC 5182 / RFC 9051 6.4.4.1 SAVE: `ordered` as the response lists the result (mailbox
    // order for SEARCH, sort order for SORT), whose front and back MIN and MAX name.
    void save_result(const SearchReturn& ret, const std::vector<std::size_t>& ordered);
    // session_sort.cpp
    void cmd_sort(const Command& cmd, const Sort& s);
    void cmd_thread(const Command& cmd, const Thread& t);
    void send_updates(bool allow_expunge);
    void send_expunged(const std::vector<std::uint32_t>& uids);
    std::string flags_fetch(std::size_t index, bool with_uid) const;
    // session_qresync.cpp (RFC 7162 3.2)
    std::string resync(const QresyncParams& q);
    std::string vanished_earlier(const std::vector<SeqRange>& wanted, std::uint64_t modseq, std::uint32_t floor);
    std::uint32_t seq_match_floor(const QresyncParams& q) const;
    std::string vanished(const std::vector<std::size_t>& gone) const;
    std::uint32_t max_uid() const;

    // output
    void send(std::string bytes);
    void tagged(const Command& cmd, std::string_view status, std::string_view code, std::string_view text);
    void ok(const Command& cmd, std::string_view text, std::string_view code = {});
    // NO / BAD the client caused: counted towards limits.errors.
    void no(const Command& cmd, std::string_view code, std::string_view text);
    void bad(std::string_view tag, std::string_view text, std::string_view code = {});
    void backend_no(const Command& cmd, BackendError e, std::string_view what);
    void count_error();
    void close_with(std::string bytes);
    bool output_full() const { return output_ >= opts_.limits.output_batch; }
    void wait_for_drain();

    SessionOptions opts_;
    CommandReader reader_;
    State state_ = State::NotAuthenticated;
    bool started_ = false;
    bool closed_ = false;
    Wait wait_ = Wait::None;
    std::vector<Action> actions_;
    std::size_t output_ = 0;            // reply octets since the driver last wrote everything
    std::unique_ptr<FetchInProgress> fetch_;
    std::size_t errors_ = 0;
    std::size_t auth_failures_ = 0;
    bool tls_active_ = false;
    bool utf8_ = false;
    bool rev2_ = false;
    bool condstore_ = false;
    bool qresync_ = false;  // implies condstore_
    bool compress_active_ = false;

    // login in progress
    std::string pending_tag_;           // the LOGIN/AUTHENTICATE command being answered
    std::string attempt_mechanism_;
    std::string attempt_user_;
    std::unique_ptr<sasl::Mechanism> mech_;
    enum class Awaiting { Nothing, Password, Scram };
    Awaiting awaiting_ = Awaiting::Nothing;
    bool in_auth_exchange_ = false;     // the reader gives AuthResponse lines
    bool auth_final_ack_ = false;
    std::string user_;

    // authenticated
    std::shared_ptr<Backend> backend_;
    std::unique_ptr<SelectedFolder> selected_;
    std::string selected_name_;
    bool read_only_ = false;
    std::vector<MessageMeta> messages_;
    std::vector<std::uint32_t> pending_expunges_;  // held back during FETCH/STORE/SEARCH
    // RFC 5182 search result variable ("$"), as UIDs, ascending: an expunged message drops out
    // by itself (its UID no longer resolves). Emptied by unselect().
    std::vector<std::uint32_t> saved_uids_;
    std::uint64_t pending_modseq_ = 0;  // HIGHESTMODSEQ from before the oldest of those (QRESYNC)
    std::uint32_t uidnext_ = 1;
    std::uint32_t uidvalidity_ = 0;
    std::uint64_t highestmodseq_ = 0;
    bool idling_ = false;
    std::string idle_tag_;
};

}  // namespace tern::imap
