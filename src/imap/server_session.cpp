// The IMAP server session: see server_session.hpp for the contract.
//
// This file: the lifecycle, the reader's events, dispatch by state, the commands valid in any
// state (CAPABILITY, NOOP, LOGOUT, ID), STARTTLS, ENABLE, IDLE, and the output helpers.
// session_auth.cpp has LOGIN and AUTHENTICATE; session_mailbox.cpp the authenticated state;
// session_message.cpp the selected state; session_sort.cpp SORT and THREAD.
//
// Policies worth knowing:
//  - A command in the wrong state gets "BAD Command not permitted in this state"
//    (RFC 9051 6: a command not valid in the state is a protocol error). Commands the parser
//    knows but we do not offer get "BAD Unsupported command".
//  - Counted towards limits.errors: every BAD, and every NO the client caused by its own
//    syntax or sequencing (refused login before TLS, invalid mailbox names). NO answers about
//    the store's content (NONEXISTENT, ALREADYEXISTS, ...) and server failures are not.
//  - ENABLE (RFC 5161) is accepted in the authenticated state only. ENABLE QRESYNC enables
//    CONDSTORE too (RFC 7162 3.2.3). Unknown names are ignored as RFC 5161 3.1 asks.
#include "imap/server_session.hpp"

#include <algorithm>
#include <utility>

#include "core/address.hpp"
#include "imap/response_syntax.hpp"

namespace tern::imap {
namespace {

std::string sanitized(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u >= 0x7F) c = '?';
    }
    return out;
}

enum class Need { Any, NotAuthenticated, Authenticated, AuthenticatedOnly, Selected, Unsupported };

Need need_of(const CommandBody& body) {
    return std::visit(
        [](const auto& c) -> Need {
            using T = std::decay_t<decltype(c)>;
            if constexpr (std::is_same_v<T, Capability> || std::is_same_v<T, Noop> || std::is_same_v<T, Logout> ||
                          std::is_same_v<T, Id>) {
                return Need::Any;
            } else if constexpr (std::is_same_v<T, StartTls> || std::is_same_v<T, Authenticate> ||
                                 std::is_same_v<T, Login>) {
                return Need::NotAuthenticated;
            } else if constexpr (std::is_same_v<T, Enable>) {
                return Need::AuthenticatedOnly;
            } else if constexpr (std::is_same_v<T, Select> || std::is_same_v<T, Create> || std::is_same_v<T, Delete> ||
                                 std::is_same_v<T, Rename> || std::is_same_v<T, Subscribe> ||
                                 std::is_same_v<T, Unsubscribe> || std::is_same_v<T, List> ||
                                 std::is_same_v<T, Lsub> || std::is_same_v<T, Namespace> ||
                                 std::is_same_v<T, Status> || std::is_same_v<T, Append> || std::is_same_v<T, Idle> ||
                                 std::is_same_v<T, GetQuota> || std::is_same_v<T, GetQuotaRoot> ||
                                 std::is_same_v<T, SetQuota> ||
                                 std::is_same_v<T, Compress>) {
                return Need::Authenticated;
            } else if constexpr (std::is_same_v<T, Check> || std::is_same_v<T, Close> || std::is_same_v<T, Unselect> ||
                                 std::is_same_v<T, Expunge> || std::is_same_v<T, Search> ||
                                 std::is_same_v<T, Fetch> || std::is_same_v<T, Store> || std::is_same_v<T, Copy> ||
                                 std::is_same_v<T, Move> || std::is_same_v<T, Sort> || std::is_same_v<T, Thread>) {
                return Need::Selected;
            } else {
                return Need::Unsupported;
            }
        },
        body);
}

}  // namespace

ServerSession::ServerSession(SessionOptions options)
    : opts_(std::move(options)), reader_(ReaderOptions{}), tls_active_(opts_.tls_active) {
    opts_.hostname = sanitized(opts_.hostname);
    auto& l = opts_.limits;
    l.timeout_authenticated = std::max(l.timeout_authenticated, kMinAuthenticatedTimeout);
    l.timeout_idle = std::max(l.timeout_idle, kMinIdleTimeout);
    auto& r = reader_.options();
    r.max_line = l.max_line;
    r.max_literal = l.literal;
    r.literal_limit = [this](const LiteralRequest& req) { return literal_limit(req); };
}

std::uint64_t ServerSession::literal_limit(const LiteralRequest& request) const {
    if (state_ == State::NotAuthenticated) return opts_.limits.literal_unauthenticated;
    if (iequals(request.command, "APPEND")) return opts_.limits.append_limit;
    return opts_.limits.literal;
}

void ServerSession::start() {
    if (started_) return;
    started_ = true;
    send("* OK [CAPABILITY " + capabilities() + "] " + opts_.hostname + " IMAP4rev2 ready\r\n");
}

void ServerSession::feed(std::string_view bytes) {
    if (closed_ || !started_ || wait_ == Wait::Tls) return;  // never run plaintext after STARTTLS
    output_ = 0;  // the driver wrote everything before it read again
    reader_.feed(bytes);
    process();
}

std::vector<Action> ServerSession::take_actions() { return std::exchange(actions_, {}); }

bool ServerSession::parked() const { return wait_ != Wait::None && !closed_; }
bool ServerSession::closed() const { return closed_; }

std::chrono::seconds ServerSession::read_timeout() const {
    if (idling_) return opts_.limits.timeout_idle;
    return state_ == State::NotAuthenticated ? opts_.limits.timeout_unauthenticated
                                             : opts_.limits.timeout_authenticated;
}

void ServerSession::timeout() { close_with("* BYE Autologout; idle for too long\r\n"); }
void ServerSession::shutdown() { close_with("* BYE [UNAVAILABLE] Server shutting down\r\n"); }

void ServerSession::tls_started() {
    if (wait_ != Wait::Tls || closed_) return;
    wait_ = Wait::None;
    tls_active_ = true;
    process();
}

void ServerSession::drained() {
    if (wait_ != Wait::Output || closed_) return;
    wait_ = Wait::None;
    output_ = 0;
    if (fetch_) {
        continue_fetch();
        if (wait_ == Wait::Output) return;
        auto done = std::move(fetch_);
        if (!closed_) after_command(done->cmd);
    }
    process();
}

void ServerSession::wait_for_drain() {
    wait_ = Wait::Output;
    actions_.emplace_back(action::Drain{});
}

// ---- input -------------------------------------------------------------------------------

void ServerSession::process() {
    while (!closed_ && wait_ == Wait::None) {
        if (output_full()) return wait_for_drain();
        auto event = reader_.next();
        if (!event) return;
        if (auto* c = std::get_if<CommandReady>(&*event)) {
            on_command(c->command);
        } else if (std::holds_alternative<SendContinuation>(*event)) {
            send("+ OK\r\n");
        } else if (auto* r = std::get_if<CommandRejected>(&*event)) {
            on_rejected(*r);
        } else if (auto* i = std::get_if<IdleEnded>(&*event)) {
            on_idle_end(*i);
        } else if (auto* a = std::get_if<AuthResponse>(&*event)) {
            on_auth_response(*a);
        }
    }
}

void ServerSession::on_rejected(const CommandRejected& r) {
    if (r.fatal) {
        count_error();
        return close_with("* BYE Cannot frame the input any more\r\n");
    }
    std::string_view tag = r.tag.empty() ? std::string_view("*") : std::string_view(r.tag);
    switch (r.reason) {
        case RejectReason::LineTooLong: return bad(tag, "Line too long");
        case RejectReason::CommandTooLarge: return bad(tag, "Command too large", "TOOBIG");
        case RejectReason::NonSyncTooLarge: return bad(tag, "Non-synchronizing literal too large", "TOOBIG");
        case RejectReason::BadLiteralCount: return bad(tag, "Invalid literal");
        case RejectReason::LiteralTooLarge:
            if (r.tag.empty()) return bad(tag, "Literal too large", "TOOBIG");
            send(std::string(r.tag) + " NO [TOOBIG] Literal too large\r\n");
            return count_error();
    }
}

void ServerSession::on_command(const RawCommand& raw) {
    auto parsed = parse_command(raw);
    if (auto* e = std::get_if<ParseError>(&parsed)) {
        if (e->kind == ParseErrorKind::Empty) return;
        if (e->kind == ParseErrorKind::BadTag || e->tag.empty()) return bad("*", e->message);
        return bad(e->tag, e->message);
    }
    execute(std::get<Command>(parsed));
}

void ServerSession::execute(const Command& cmd) {
    const Need need = need_of(cmd.body);
    bool allowed = false;
    switch (need) {
        case Need::Any: allowed = true; break;
        case Need::NotAuthenticated: allowed = state_ == State::NotAuthenticated; break;
        case Need::Authenticated: allowed = state_ == State::Authenticated || state_ == State::Selected; break;
        case Need::AuthenticatedOnly: allowed = state_ == State::Authenticated; break;
        case Need::Selected: allowed = state_ == State::Selected; break;
        case Need::Unsupported: return bad(cmd.tag, "Unsupported command");
    }
    if (!allowed) return bad(cmd.tag, "Command not permitted in this state");

    std::visit(
        [&](const auto& c) {
            using T = std::decay_t<decltype(c)>;
            if constexpr (std::is_same_v<T, Capability>) cmd_capability(cmd);
            else if constexpr (std::is_same_v<T, Noop>) cmd_noop(cmd);
            else if constexpr (std::is_same_v<T, Logout>) cmd_logout(cmd);
            else if constexpr (std::is_same_v<T, Id>) cmd_id(cmd, c);
            else if constexpr (std::is_same_v<T, StartTls>) cmd_starttls(cmd);
            else if constexpr (std::is_same_v<T, Login>) cmd_login(cmd, c);
            else if constexpr (std::is_same_v<T, Authenticate>) cmd_authenticate(cmd, c);
            else if constexpr (std::is_same_v<T, Enable>) cmd_enable(cmd, c);
            else if constexpr (std::is_same_v<T, Select>) cmd_select(cmd, c);
            else if constexpr (std::is_same_v<T, Create>) cmd_create(cmd, c);
            else if constexpr (std::is_same_v<T, Delete>) cmd_delete(cmd, c);
            else if constexpr (std::is_same_v<T, Rename>) cmd_rename(cmd, c);
            else if constexpr (std::is_same_v<T, Subscribe>) cmd_subscribe(cmd, c.mailbox, true);
            else if constexpr (std::is_same_v<T, Unsubscribe>) cmd_subscribe(cmd, c.mailbox, false);
            else if constexpr (std::is_same_v<T, List>) cmd_list(cmd, c);
            else if constexpr (std::is_same_v<T, Lsub>) cmd_lsub(cmd, c);
            else if constexpr (std::is_same_v<T, Namespace>) cmd_namespace(cmd);
            else if constexpr (std::is_same_v<T, Status>) cmd_status(cmd, c);
            else if constexpr (std::is_same_v<T, Append>) cmd_append(cmd, c);
            else if constexpr (std::is_same_v<T, Idle>) cmd_idle(cmd);
            else if constexpr (std::is_same_v<T, GetQuotaRoot>) cmd_getquotaroot(cmd, c);
            else if constexpr (std::is_same_v<T, GetQuota>) cmd_getquota(cmd, c);
            else if constexpr (std::is_same_v<T, SetQuota>) cmd_setquota(cmd);
            else if constexpr (std::is_same_v<T, Compress>) cmd_compress(cmd, c);
            else if constexpr (std::is_same_v<T, Check>) cmd_noop(cmd);
            else if constexpr (std::is_same_v<T, Close>) cmd_close(cmd);
            else if constexpr (std::is_same_v<T, Unselect>) {
                unselect();
                ok(cmd, "UNSELECT completed");
            }
            else if constexpr (std::is_same_v<T, Expunge>) cmd_expunge(cmd, c);
            else if constexpr (std::is_same_v<T, Search>) cmd_search(cmd, c);
            else if constexpr (std::is_same_v<T, Fetch>) cmd_fetch(cmd, c);
            else if constexpr (std::is_same_v<T, Store>) cmd_store(cmd, c);
            else if constexpr (std::is_same_v<T, Copy>) cmd_copy(cmd, c.set, c.mailbox, false);
            else if constexpr (std::is_same_v<T, Move>) cmd_copy(cmd, c.set, c.mailbox, true);
            else if constexpr (std::is_same_v<T, Sort>) cmd_sort(cmd, c);
            else if constexpr (std::is_same_v<T, Thread>) cmd_thread(cmd, c);
            else bad(cmd.tag, "Unsupported command");
        },
        cmd.body);
    after_command(cmd);
}

// RFC 9051 7: the server may send updates with any command's response. After a successful
// command in the selected state, what changed goes out before the tagged OK; EXPUNGEs are held
// back after FETCH, STORE and SEARCH (7.5.1; the UID variants may carry them), and after SORT and
// THREAD, which answer with sequence numbers too, until a later command.
void ServerSession::after_command(const Command& cmd) {
    if (closed_ || idling_ || state_ != State::Selected || actions_.empty()) return;
    auto* last = std::get_if<action::SendReply>(&actions_.back());
    if (last == nullptr || last->bytes.rfind(cmd.tag + " OK ", 0) != 0) return;
    const bool holds_expunge = !cmd.uid && (std::holds_alternative<Fetch>(cmd.body) ||
                                            std::holds_alternative<Store>(cmd.body) ||
                                            std::holds_alternative<Search>(cmd.body) ||
                                            std::holds_alternative<Sort>(cmd.body) ||
                                            std::holds_alternative<Thread>(cmd.body));
    action::SendReply reply = std::move(*last);
    actions_.pop_back();
    send_updates(!holds_expunge);
    if (!closed_) actions_.emplace_back(std::move(reply));
}

// ---- any state -----------------------------------------------------------------------------

std::string ServerSession::capabilities() const {
    std::string caps = "IMAP4rev1 IMAP4rev2 LITERAL+ SASL-IR ID ENABLE IDLE";
    if (state_ == State::NotAuthenticated) {
        if (opts_.starttls_available && !tls_active_) caps += " STARTTLS";
        if (login_offered()) {
            std::string_view list = sasl::kMechanismList;
            while (!list.empty()) {
                auto sp = list.find(' ');
                caps += " AUTH=";
                caps += list.substr(0, sp);
                list = sp == std::string_view::npos ? std::string_view{} : list.substr(sp + 1);
            }
        } else {
            caps += " LOGINDISABLED";
        }
    } else {
        caps += " NAMESPACE UNSELECT UIDPLUS MOVE CHILDREN SPECIAL-USE ESEARCH CONDSTORE QRESYNC UTF8=ACCEPT STATUS=SIZE";
        caps += " APPENDLIMIT=" + std::to_string(opts_.limits.append_limit);
        caps += " BINARY SEARCHRES SORT SORT=DISPLAY ESORT THREAD=REFERENCES THREAD=ORDEREDSUBJECT";
        caps += " LIST-EXTENDED LIST-STATUS QUOTA QUOTA=RES-STORAGE";
        caps += " COMPRESS=DEFLATE";
    }
    return caps;
}

void ServerSession::cmd_capability(const Command& cmd) {
    send("* CAPABILITY " + capabilities() + "\r\n");
    ok(cmd, "CAPABILITY completed");
}

void ServerSession::cmd_noop(const Command& cmd) {
    if (state_ == State::Selected) send_updates(true);
    if (!closed_) ok(cmd, std::string(command_name(cmd)) + " completed");
}

void ServerSession::cmd_logout(const Command& cmd) {
    send("* BYE " + opts_.hostname + " logging out\r\n");
    ok(cmd, "LOGOUT completed");
    state_ = State::Logout;
    close_with({});
}

void ServerSession::cmd_id(const Command& cmd, const Id&) {
    // RFC 2971 3.3: the server's own fields. What the client says is not echoed.
    send("* ID (\"name\" \"Tern\")\r\n");
    ok(cmd, "ID completed");
}

void ServerSession::cmd_starttls(const Command& cmd) {
    if (tls_active_) return bad(cmd.tag, "TLS is already active");
    if (!opts_.starttls_available) return bad(cmd.tag, "STARTTLS not available");
    ok(cmd, "Begin TLS negotiation now");
    actions_.emplace_back(action::StartTls{});
    // CVE-2011-0411: what was pipelined after STARTTLS came in plaintext; never run it.
    reader_.take_buffered();
    wait_ = Wait::Tls;
}

// RFC 4978 3: our compression starts right after the CRLF of the tagged OK, the client's right
// after the CRLF of its COMPRESS line. What is buffered after that line is already compressed:
// it goes to the driver to inflate and feed back, never to the reader as it is.
void ServerSession::cmd_compress(const Command& cmd, const Compress& c) {
    if (!iequals(c.mechanism, "DEFLATE")) return bad(cmd.tag, "Unknown compression mechanism");
    if (compress_active_) return tagged(cmd, "NO", "COMPRESSIONACTIVE", "DEFLATE is already active");
    ok(cmd, "DEFLATE active");
    compress_active_ = true;
    actions_.emplace_back(action::StartCompression{reader_.take_buffered()});
}

void ServerSession::cmd_enable(const Command& cmd, const Enable& e) {
    std::string enabled;
    for (const auto& name : e.capabilities) {
        bool* flag = nullptr;
        std::string_view canonical;
        if (iequals(name, "IMAP4rev2")) {
            flag = &rev2_;
            canonical = "IMAP4rev2";
        } else if (iequals(name, "UTF8=ACCEPT")) {
            flag = &utf8_;
            canonical = "UTF8=ACCEPT";
        } else if (iequals(name, "CONDSTORE")) {
            flag = &condstore_;
            canonical = "CONDSTORE";
        } else if (iequals(name, "QRESYNC")) {
            flag = &qresync_;
            canonical = "QRESYNC";
            condstore_ = true;
        }
        if (flag == nullptr || *flag) continue;  // unknown, not offered, or already enabled
        *flag = true;
        enabled += ' ';
        enabled += canonical;
    }
    // RFC 9051 7.2.1: IMAP4rev2 servers send ENABLED even when nothing was enabled.
    send("* ENABLED" + enabled + "\r\n");
    ok(cmd, "ENABLE completed");
}

void ServerSession::cmd_idle(const Command& cmd) {
    send("+ idling\r\n");
    idling_ = true;
    idle_tag_ = cmd.tag;
    reader_.expect_idle_done();
    if (state_ == State::Selected) send_updates(true);
}

void ServerSession::on_idle_end(const IdleEnded& e) {
    if (!idling_) return;
    idling_ = false;
    std::string tag = std::exchange(idle_tag_, {});
    if (!e.done) return bad(tag, "Expected DONE");
    send(tag + " OK IDLE terminated\r\n");
}

void ServerSession::folder_changed() {
    if (closed_ || !idling_ || state_ != State::Selected) return;
    send_updates(true);
}

// ---- output --------------------------------------------------------------------------------

void ServerSession::send(std::string bytes) {
    if (closed_) return;
    output_ += bytes.size();
    actions_.emplace_back(action::SendReply{std::move(bytes)});
}

void ServerSession::tagged(const Command& cmd, std::string_view status, std::string_view code,
                           std::string_view text) {
    std::string out = cmd.tag;
    out += ' ';
    out += status;
    out += ' ';
    if (!code.empty()) {
        out += '[';
        out += code;
        out += "] ";
    }
    out += text;
    out += "\r\n";
    send(std::move(out));
}

void ServerSession::ok(const Command& cmd, std::string_view text, std::string_view code) {
    tagged(cmd, "OK", code, text);
}

void ServerSession::no(const Command& cmd, std::string_view code, std::string_view text) {
    tagged(cmd, "NO", code, text);
    count_error();
}

void ServerSession::bad(std::string_view tag, std::string_view text, std::string_view code) {
    std::string out(tag);
    out += " BAD ";
    if (!code.empty()) {
        out += '[';
        out += code;
        out += "] ";
    }
    out += sanitized(text);
    out += "\r\n";
    send(std::move(out));
    count_error();
}

void ServerSession::backend_no(const Command& cmd, BackendError e, std::string_view what) {
    std::string_view code;
    std::string text(what);
    switch (e) {
        case BackendError::NotFound: code = "NONEXISTENT"; text += ": no such mailbox"; break;
        case BackendError::AlreadyExists: code = "ALREADYEXISTS"; text += ": mailbox already exists"; break;
        case BackendError::Invalid: code = "CANNOT"; text += ": not allowed"; break;
        case BackendError::NoPermission: code = "NOPERM"; text += ": permission denied"; break;
        case BackendError::InUse: code = "INUSE"; text += ": mailbox in use, try again later"; break;
        case BackendError::OverQuota: code = "OVERQUOTA"; text += ": quota exceeded"; break;
        case BackendError::TooBig: code = "TOOBIG"; text += ": too big"; break;
        case BackendError::Temporary: code = "UNAVAILABLE"; text += ": temporary failure, try again later"; break;
        case BackendError::Gone:
            // The selected folder vanished under us: nothing we hold about it is true any more.
            return close_with("* BYE [UNAVAILABLE] The selected mailbox is gone\r\n");
    }
    tagged(cmd, "NO", code, text);
}

void ServerSession::count_error() {
    if (closed_) return;
    if (++errors_ >= opts_.limits.errors) close_with("* BYE Too many errors, closing connection\r\n");
}

void ServerSession::close_with(std::string bytes) {
    if (closed_) return;
    if (!bytes.empty()) send(std::move(bytes));
    actions_.emplace_back(action::Close{});
    closed_ = true;
    idling_ = false;
    clear_attempt();
    selected_.reset();
    messages_.clear();
}

}  // namespace tern::imap
