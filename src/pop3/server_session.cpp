// The POP3 server session state machine: see server_session.hpp for the contract.
//
// This file: the lifecycle, line framing, dispatch by state, and the commands valid in both
// states (CAPA, QUIT) plus STLS. session_auth.cpp has USER, PASS and AUTH and the maildrop
// opening; session_transaction.cpp the TRANSACTION commands and the UPDATE state.
//
// Policies worth knowing:
//  - Framing: a line ends at LF; one CR before it is dropped. RFC 1939 asks for CRLF, but no
//    message content ever flows from a POP3 client, so a bare LF cannot smuggle anything and
//    refusing it would only break hand-typed sessions (nc). Any other control byte makes the
//    line's keyword or argument invalid.
//  - Replies follow RFC 2449 8 (RESP-CODES): "-ERR [CODE] text" only with the codes of
//    RFC 2449 8.1 and RFC 3206 ([AUTH], [SYS/TEMP], [IN-USE]); other error text never
//    starts with '['. Every reply is one SendReply action: error + "Too many errors" are two.
//  - Errors counted towards limits.errors: every -ERR the client caused (unknown command,
//    wrong state, bad syntax, over-long line, refused or failed login), but not "no such
//    message" / "already deleted" (answers about the maildrop's content, which a client
//    with stale state meets honestly) nor server-side failures ([SYS/TEMP], [IN-USE]).
//    Reaching the limit sends "-ERR Too many errors, closing connection" after the
//    command's own reply, then Close.
//  - CAPA (RFC 2449 5, 6): USER and SASL only when login_offered() (in both states, as
//    capabilities of the AUTHORIZATION state must be announced in both); STLS only in
//    AUTHORIZATION when available and not active (RFC 2595 4). No LOGIN-DELAY: we impose
//    no delay between logins, and "LOGIN-DELAY 0" would say nothing more than its absence.
//    EXPIRE from options.expire_policy. IMPLEMENTATION names the product, not its version.
//  - The autologout timer (timeout()) closes without a reply and without UPDATE, as
//    RFC 1939 3 requires.
#include "pop3/server_session.hpp"

#include <algorithm>
#include <utility>

#include "core/address.hpp"

namespace tern::pop3 {
namespace {

// Reply text is ours, but the hostname comes from configuration: no control byte may reach
// the wire, or it could end a line early.
std::string sanitized(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7F) c = '?';
    }
    return out;
}

}  // namespace

ServerSession::ServerSession(SessionOptions options) : opts_(std::move(options)), tls_active_(opts_.tls_active) {
    opts_.hostname = sanitized(opts_.hostname);
    opts_.expire_policy = sanitized(opts_.expire_policy);
}

void ServerSession::start() {
    if (state_ != State::Idle) return;
    state_ = State::Command;
    // RFC 1939 4: the greeting. No APOP timestamp: we keep no cleartext passwords.
    reply_ok(opts_.hostname + " POP3 ready");
    process();
}

void ServerSession::feed(std::string_view bytes) {
    if (state_ == State::Closed || state_ == State::WaitTls) return;  // never run plaintext after STLS
    buf_.append(bytes);
    process();
}

std::vector<Action> ServerSession::take_actions() { return std::exchange(actions_, {}); }

bool ServerSession::parked() const {
    return state_ == State::WaitAuth || state_ == State::WaitMaildrop || state_ == State::WaitMessage ||
           state_ == State::WaitCommit || state_ == State::WaitTls;
}

bool ServerSession::closed() const { return state_ == State::Closed; }

std::chrono::seconds ServerSession::read_timeout() const {
    return phase_ == Phase::Authorization ? opts_.limits.timeout_authorization : opts_.limits.timeout_transaction;
}

std::size_t ServerSession::command_line_limit() const {
    return std::max(opts_.limits.command_line, kMinCommandLine);
}

std::size_t ServerSession::line_limit() const {
    if (state_ == State::AuthResponse) return kAuthLineLimit;
    if (state_ == State::Command) return pending_line_limit();
    return command_line_limit();
}

// The limit for the pending command line: longer for AUTH (initial response), USER (names
// of up to 255 octets) and PASS (long pass phrases) where a login is possible. The answer is the same however the input
// was chunked: it is asked only once the line has at least command_line_limit() (>= 5)
// octets, and those include the 5 that decide.
std::size_t ServerSession::pending_line_limit() const {
    std::size_t limit = command_line_limit();
    if (phase_ != Phase::Authorization || !login_offered()) return limit;
    std::string_view in(buf_);
    in.remove_prefix(pos_);
    if (in.size() < 5) return limit;
    if (iequals(in.substr(0, 5), "AUTH ")) return std::max(limit, kAuthLineLimit);
    if (iequals(in.substr(0, 5), "USER ") || iequals(in.substr(0, 5), "PASS ")) return std::max(limit, kLoginLineLimit);
    return limit;
}

// ---- completions -------------------------------------------------------------------------

void ServerSession::tls_started() {
    if (state_ != State::WaitTls) return;
    // RFC 2595 4: the client must discard what it knew; the server forgets the USER name
    // given in plaintext.
    tls_active_ = true;
    user_name_.clear();
    clear_attempt();
    buf_.clear();
    pos_ = 0;
    state_ = State::Command;
    process();
}

void ServerSession::timeout() {
    // RFC 1939 3: "the server MUST close the TCP connection without removing any messages or
    // sending any response to the client".
    close_with({});
}

void ServerSession::shutdown() { close_with("-ERR [SYS/TEMP] " + opts_.hostname + " shutting down\r\n"); }

// ---- input processing --------------------------------------------------------------------

void ServerSession::process() {
    while (true) {
        switch (state_) {
            case State::Command:
                if (!process_command_line()) {
                    compact();
                    return;
                }
                break;
            case State::DiscardLine: {
                std::string_view in(buf_);
                in.remove_prefix(pos_);
                auto lf = in.find('\n');
                if (lf == std::string_view::npos) {
                    pos_ = buf_.size();
                    compact();
                    return;
                }
                pos_ += lf + 1;
                state_ = State::Command;
                const bool in_exchange = std::exchange(discard_ends_auth_, false);
                if (in_exchange) end_attempt(false, "line-too-long");
                client_error("", discard_reply_text_, in_exchange);
                break;
            }
            case State::AuthResponse:
                if (!process_auth_line()) {
                    compact();
                    return;
                }
                break;
            default:  // parked, closed or not started
                compact();
                return;
        }
    }
}

void ServerSession::compact() {
    if (pos_ >= buf_.size()) {
        buf_.clear();
        pos_ = 0;
    } else if (pos_ > 0 && (pos_ >= 4096 || pos_ * 2 >= buf_.size())) {
        buf_.erase(0, pos_);
        pos_ = 0;
    }
}

// Takes the next line (up to and excluding its LF, and without one CR before it) if one ends
// within `limit` octets. A longer line cannot be valid: TooLong, and the caller skips the
// rest of it up to its LF, never treating the tail as a new command.
ServerSession::Framed ServerSession::next_line(std::size_t limit, std::string_view& line) {
    std::string_view in(buf_);
    in.remove_prefix(pos_);
    auto lf = in.substr(0, limit).find('\n');
    if (lf == std::string_view::npos) return in.size() >= limit ? Framed::TooLong : Framed::NeedMore;
    line = in.substr(0, lf);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos_ += lf + 1;
    return Framed::Line;
}

// Frames one command line; returns false when more input is needed.
bool ServerSession::process_command_line() {
    const std::size_t limit = pending_line_limit();
    std::string_view line;
    switch (next_line(limit, line)) {
        case Framed::NeedMore:
            return false;
        case Framed::TooLong:
            state_ = State::DiscardLine;
            discard_reply_text_ = limit > command_line_limit() ? "Authentication line too long" : "Line too long";
            return true;
        case Framed::Line:
            break;
    }
    execute(parse_command(line));
    return true;
}

bool ServerSession::allowed_in_phase(Verb verb) const {
    switch (verb) {
        case Verb::User:
        case Verb::Pass:
        case Verb::Auth:
        case Verb::Stls:
            return phase_ == Phase::Authorization;
        case Verb::Capa:
        case Verb::Quit:
        case Verb::Unknown:
            return true;
        default:
            return phase_ == Phase::Transaction;
    }
}

void ServerSession::execute(const Command& cmd) {
    if (!allowed_in_phase(cmd.verb)) {
        return client_error("", phase_ == Phase::Authorization ? "Not authenticated" : "Already authenticated");
    }
    switch (cmd.verb) {
        case Verb::Unknown: return client_error("", "Unknown command");
        case Verb::Capa: return cmd_capa(cmd);
        case Verb::Quit: return cmd_quit(cmd);
        case Verb::Stls: return cmd_stls(cmd);
        case Verb::User: return cmd_user(cmd);
        case Verb::Pass: return cmd_pass(cmd);
        case Verb::Auth: return cmd_auth(cmd);
        case Verb::Stat: return cmd_stat(cmd);
        case Verb::List: return cmd_list(cmd);
        case Verb::Retr: return cmd_retr(cmd);
        case Verb::Dele: return cmd_dele(cmd);
        case Verb::Noop: return cmd_noop(cmd);
        case Verb::Rset: return cmd_rset(cmd);
        case Verb::Top: return cmd_top(cmd);
        case Verb::Uidl: return cmd_uidl(cmd);
    }
}

void ServerSession::cmd_capa(const Command& cmd) {
    if (cmd.argc != 0) return client_error("", "Syntax: CAPA");
    std::string out = "+OK Capability list follows\r\n";
    out += "TOP\r\n";                                  // RFC 2449 6.1
    if (login_offered()) {
        out += "USER\r\n";                             // RFC 2449 6.2
        out += "SASL ";                                // RFC 2449 6.3, RFC 5034 3
        out += sasl::kMechanismList;
        out += "\r\n";
    }
    out += "RESP-CODES\r\n";                           // RFC 2449 6.4
    out += "AUTH-RESP-CODE\r\n";                       // RFC 3206
    out += "PIPELINING\r\n";                           // RFC 2449 6.6
    out += "UIDL\r\n";                                 // RFC 2449 6.8
    if (!opts_.expire_policy.empty()) out += "EXPIRE " + opts_.expire_policy + "\r\n";  // RFC 2449 6.7
    if (phase_ == Phase::Authorization && opts_.stls_available && !tls_active_) out += "STLS\r\n";  // RFC 2595 4
    out += "IMPLEMENTATION Tern\r\n";                  // RFC 2449 6.9
    out += ".\r\n";
    send(std::move(out));
}

void ServerSession::cmd_quit(const Command& cmd) {
    if (cmd.argc != 0) return client_error("", "Syntax: QUIT");
    if (phase_ == Phase::Transaction) return enter_update();
    // RFC 1939 4: QUIT in AUTHORIZATION ends the session, no UPDATE.
    close_with("+OK " + opts_.hostname + " POP3 server signing off\r\n");
}

void ServerSession::cmd_stls(const Command& cmd) {
    if (cmd.argc != 0) return client_error("", "Syntax: STLS");
    if (tls_active_) return client_error("", "Command not permitted when TLS active");  // RFC 2595 4
    if (!opts_.stls_available) return client_error("", "STLS not available");
    reply_ok("Begin TLS negotiation");
    actions_.emplace_back(StartTls{});
    // CVE-2011-0411: anything the client pipelined after STLS arrived in plaintext and must
    // not be executed inside the TLS session. Drop it.
    buf_.clear();
    pos_ = 0;
    state_ = State::WaitTls;
}

// ---- output ------------------------------------------------------------------------------

void ServerSession::send(std::string bytes) {
    if (state_ == State::Closed) return;  // nothing may follow Close
    actions_.emplace_back(SendReply{std::move(bytes)});
}

void ServerSession::reply_ok(std::string_view text) {
    send(text.empty() ? std::string("+OK\r\n") : "+OK " + std::string(text) + "\r\n");
}

void ServerSession::reply_err(std::string_view code, std::string_view text) {
    std::string out = "-ERR ";
    if (!code.empty()) {
        out += '[';
        out += code;
        out += "] ";
    }
    out += text;
    out += "\r\n";
    send(std::move(out));
}

void ServerSession::client_error(std::string_view code, std::string_view text, bool failed_login) {
    if (state_ == State::Closed) return;
    reply_err(code, text);
    ++errors_;
    if (failed_login && ++auth_failures_ >= opts_.limits.auth_failures) {
        close_with("-ERR Too many authentication failures, closing connection\r\n");
    } else if (errors_ >= opts_.limits.errors) {
        close_with("-ERR Too many errors, closing connection\r\n");
    }
}

void ServerSession::close_with(std::string bytes) {
    if (state_ == State::Closed) return;
    if (!bytes.empty()) send(std::move(bytes));
    actions_.emplace_back(Close{});
    state_ = State::Closed;
    buf_.clear();
    pos_ = 0;
    user_name_.clear();
    clear_attempt();
}

}  // namespace tern::pop3
