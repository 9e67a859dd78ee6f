// Logins in the POP3 session: USER/PASS (RFC 1939 7), AUTH (RFC 5034) driven by a
// sasl::Mechanism, the driver's verdicts, and the opening of the maildrop that ends the
// AUTHORIZATION state (RFC 1939 4).
//
// Replies, in the order the checks run:
//   -ERR [AUTH] Plaintext authentication disallowed on non-secure (SSL/TLS) connections
//        USER, PASS or AUTH while !login_offered(): before STLS, or on a plaintext listener
//        without options.plaintext_auth. Dovecot's wording; the client learns it at USER,
//        before it sends a password.
//   USER name   -> +OK (whatever the name: nothing to enumerate), or
//                  -ERR Invalid user name (not a valid SASL identity: control bytes,
//                  invalid UTF-8, over 255 octets)
//   PASS        -> -ERR Send USER first; otherwise VerifyPassword(mechanism "USER"). The
//                  password is the rest of the line, spaces included (RFC 1939 7). A PASS
//                  ends the USER: after a failure the client starts again with USER.
//                  An invalid password (NUL, invalid UTF-8) is a failed attempt, not checked.
//   USER and PASS lines may be up to kLoginLineLimit octets, AUTH lines kAuthLineLimit;
//   longer: -ERR Authentication line too long.
//   AUTH        -> +OK and the mechanism list (no argument, as Outlook probes)
//   AUTH mech [initial-response]  ("=" is an empty initial response, RFC 5034 4)
//     -ERR Unrecognized authentication mechanism / Cannot decode initial response
//     "+ <base64 challenge>"            (an empty challenge is "+ ")
//     -ERR Authentication cancelled      (the client answered "*")
//     -ERR Cannot decode response        (not strict base64)
//     -ERR Invalid authentication data   (the mechanism's syntax or sequence broken)
//     -ERR Authentication line too long  (over kAuthLineLimit)
//   -ERR [AUTH] Authentication failed    (RFC 3206: unknown user, wrong password, wrong
//                                          proof, authzid other than the user: one answer)
//   -ERR [SYS/TEMP] Temporary authentication failure   (driver TemporaryFailure, or the
//                                          mechanism's Internal failure; not counted)
//   -ERR [SYS/TEMP] Too many authentication failures, try again later, then Close
//                                         (driver: Throttled)
//   then, credentials accepted: OpenMaildrop, and on its answer
//     +OK Maildrop ready, N messages (M octets)         -> TRANSACTION
//     -ERR [IN-USE] Mailbox is locked by another POP3 session   (RFC 2449 8.1.2)
//     -ERR [SYS/TEMP] Cannot open the mailbox, try again later  (also for a bad listing)
//     both leave the session in AUTHORIZATION, not authenticated; neither is counted.
// Every failed attempt the client caused (AuthAttempt with success false, except the
// mechanism's Internal failure) counts towards limits.auth_failures and limits.errors.
//
// SCRAM's server-final message ("v=...", RFC 4422 3.6 additional data with success) cannot
// ride on the +OK, which comes only once the maildrop is open: it goes out as a "+ "
// challenge, the client answers with an empty line, then the maildrop is opened.
//
// Pipelining: the session parks on VerifyPassword/LookupScram and OpenMaildrop, so commands
// pipelined after PASS or an AUTH with initial response run once the login has its answer,
// in order, in whatever state it left.
#include <algorithm>
#include <cstdint>
#include <utility>

#include "core/address.hpp"
#include "core/base64.hpp"
#include "pop3/server_session.hpp"

namespace tern::pop3 {
namespace {

constexpr std::string_view kUserMechanism = "USER";
constexpr std::string_view kAuthFailed = "Authentication failed";
constexpr std::string_view kTemporary = "Temporary authentication failure";
constexpr std::string_view kCannotOpen = "Cannot open the mailbox, try again later";

// The same rule as the SASL mechanisms apply to identities (sasl::kMaxIdentity).
bool valid_user_name(std::string_view s) {
    if (s.empty() || s.size() > sasl::kMaxIdentity || !is_valid_utf8(s)) return false;
    return std::none_of(s.begin(), s.end(), [](char ch) {
        auto c = static_cast<unsigned char>(ch);
        return c < 0x20 || c == 0x7F;
    });
}

// The same rule as AUTH PLAIN applies to passwords.
bool valid_password(std::string_view s) {
    return !s.empty() && s.size() <= sasl::kMaxPassword && s.find('\0') == std::string_view::npos &&
           is_valid_utf8(s);
}

std::string_view trim_spaces(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
}

bool valid_uid(std::string_view uid) {
    if (uid.empty() || uid.size() > kMaxUidLength) return false;
    return std::all_of(uid.begin(), uid.end(), [](char c) { return c >= 0x21 && c <= 0x7E; });
}

// RFC 1939 7: unique-ids are 1-70 octets 0x21-0x7E and unique within the maildrop.
bool valid_listing(const std::vector<MessageInfo>& messages) {
    std::vector<std::string_view> uids;
    uids.reserve(messages.size());
    for (const auto& m : messages) {
        if (!valid_uid(m.uid)) return false;
        uids.emplace_back(m.uid);
    }
    std::sort(uids.begin(), uids.end());
    return std::adjacent_find(uids.begin(), uids.end()) == uids.end();
}

}  // namespace

bool ServerSession::refuse_plaintext() {
    if (login_offered()) return false;
    client_error("AUTH", "Plaintext authentication disallowed on non-secure (SSL/TLS) connections");
    return true;
}

void ServerSession::cmd_user(const Command& cmd) {
    if (refuse_plaintext()) return;
    auto name = trim_spaces(cmd.rest);
    if (name.empty()) return client_error("", "Syntax: USER name");
    if (!valid_user_name(name)) return client_error("", "Invalid user name");
    user_name_ = std::string(name);
    reply_ok("Send PASS");
}

void ServerSession::cmd_pass(const Command& cmd) {
    if (refuse_plaintext()) return;
    if (user_name_.empty()) return client_error("", "Send USER first");
    if (cmd.rest.empty()) return client_error("", "Syntax: PASS password");
    attempt_mechanism_ = std::string(kUserMechanism);
    attempt_user_ = std::exchange(user_name_, {});
    if (!valid_password(cmd.rest)) {
        end_attempt(false, "syntax");
        return client_error("AUTH", kAuthFailed, true);
    }
    actions_.emplace_back(VerifyPassword{attempt_user_, std::string(cmd.rest), attempt_mechanism_});
    awaiting_ = Awaiting::Password;
    state_ = State::WaitAuth;
}

void ServerSession::cmd_auth(const Command& cmd) {
    if (refuse_plaintext()) return;
    if (cmd.argc == 0) {
        // Not in RFC 5034, but clients (Outlook) probe with a bare AUTH, and RFC 1734
        // servers answered it with the list.
        std::string out = "+OK Supported mechanisms follow\r\n";
        std::string_view list = sasl::kMechanismList;
        while (!list.empty()) {
            auto sp = list.find(' ');
            out += list.substr(0, sp);
            out += "\r\n";
            list = sp == std::string_view::npos ? std::string_view{} : list.substr(sp + 1);
        }
        out += ".\r\n";
        return send(std::move(out));
    }
    if (cmd.argc > 2) return client_error("", "Syntax: AUTH mechanism [initial-response]");
    auto mech = sasl::make_mechanism(cmd.args[0], opts_.sasl);
    if (!mech) return client_error("", "Unrecognized authentication mechanism");
    std::optional<std::string> response;
    if (cmd.argc == 2) {
        // RFC 5034 4: "=" is an initial response of zero length.
        response = cmd.args[1] == "=" ? std::optional<std::string>("") : base64_decode(cmd.args[1]);
        if (!response) return client_error("", "Cannot decode initial response");
    }
    user_name_.clear();
    mech_ = std::move(mech);
    attempt_mechanism_ = std::string(mech_->name());
    attempt_user_.clear();
    auth_step(mech_->start(response ? std::optional<std::string_view>(*response) : std::nullopt));
}

// One client response line of the exchange; false when more input is needed.
bool ServerSession::process_auth_line() {
    std::string_view line;
    switch (next_line(kAuthLineLimit, line)) {
        case Framed::NeedMore:
            return false;
        case Framed::TooLong:
            state_ = State::DiscardLine;
            discard_reply_text_ = "Authentication line too long";
            discard_ends_auth_ = true;
            return true;
        case Framed::Line:
            break;
    }
    state_ = State::Command;  // unless the exchange goes on
    if (line == "*") {  // RFC 5034 4: the client cancels the exchange
        end_attempt(false, "cancelled");
        client_error("", "Authentication cancelled", true);
        return true;
    }
    auto response = base64_decode(line);
    if (!response) {
        end_attempt(false, "bad-base64");
        client_error("", "Cannot decode response", true);
        return true;
    }
    if (auth_final_ack_) {
        // The answer to SCRAM's server-final message must be empty.
        if (response->empty()) {
            auth_succeeded();
        } else {
            auth_failed(sasl::Failure{sasl::FailureKind::Malformed, "unexpected-response", attempt_user_});
        }
        return true;
    }
    auth_step(mech_->step(*response));
    return true;
}

void ServerSession::auth_step(sasl::Step step) {
    if (auto* c = std::get_if<sasl::Challenge>(&step)) {
        send("+ " + base64_encode(c->data) + "\r\n");
        state_ = State::AuthResponse;
    } else if (auto* p = std::get_if<sasl::NeedPassword>(&step)) {
        attempt_user_ = p->authcid;
        actions_.emplace_back(VerifyPassword{std::move(p->authcid), std::move(p->password), attempt_mechanism_});
        awaiting_ = Awaiting::Password;
        state_ = State::WaitAuth;
    } else if (auto* n = std::get_if<sasl::NeedScramCredentials>(&step)) {
        attempt_user_ = n->authcid;
        actions_.emplace_back(LookupScram{std::move(n->authcid)});
        awaiting_ = Awaiting::Scram;
        state_ = State::WaitAuth;
    } else if (auto* ok = std::get_if<sasl::Success>(&step)) {
        attempt_user_ = ok->user;
        if (ok->server_final.empty()) return auth_succeeded();
        auth_final_ack_ = true;
        send("+ " + base64_encode(ok->server_final) + "\r\n");
        state_ = State::AuthResponse;
    } else {
        auth_failed(std::get<sasl::Failure>(step));
    }
}

void ServerSession::auth_failed(const sasl::Failure& f) {
    state_ = State::Command;
    if (attempt_user_.empty()) attempt_user_ = f.user;
    end_attempt(false, f.reason);
    switch (f.kind) {
        case sasl::FailureKind::Malformed:
            return client_error("", "Invalid authentication data", true);
        case sasl::FailureKind::Rejected:
            return client_error("AUTH", kAuthFailed, true);
        case sasl::FailureKind::Internal:
            return reply_err("SYS/TEMP", kTemporary);
    }
}

// The credentials are right: report it, then open the maildrop. The +OK waits for it.
void ServerSession::auth_succeeded() {
    auth_user_ = attempt_user_;
    end_attempt(true, "ok");
    actions_.emplace_back(OpenMaildrop{auth_user_});
    state_ = State::WaitMaildrop;
}

// Reports the attempt (AuthAttempt) and forgets it.
void ServerSession::end_attempt(bool success, std::string reason) {
    if (attempt_mechanism_.empty()) return;
    actions_.emplace_back(AuthAttempt{attempt_user_, attempt_mechanism_, success, std::move(reason)});
    clear_attempt();
}

void ServerSession::clear_attempt() {
    mech_.reset();
    attempt_mechanism_.clear();
    attempt_user_.clear();
    awaiting_ = Awaiting::Nothing;
    auth_final_ack_ = false;
    discard_ends_auth_ = false;
}

// ---- completions -------------------------------------------------------------------------

// The driver ended the attempt (throttled, or a temporary failure): no AuthAttempt is
// emitted, the driver already knows.
void ServerSession::abort_attempt(AuthVerdict verdict) {
    clear_attempt();
    if (verdict == AuthVerdict::Throttled) {
        close_with("-ERR [SYS/TEMP] Too many authentication failures, try again later\r\n");
    } else {
        reply_err("SYS/TEMP", kTemporary);
    }
}

void ServerSession::password_verified(AuthVerdict verdict) {
    if (state_ != State::WaitAuth || awaiting_ != Awaiting::Password) return;
    awaiting_ = Awaiting::Nothing;
    state_ = State::Command;
    switch (verdict) {
        case AuthVerdict::Ok:
            auth_succeeded();
            break;
        case AuthVerdict::BadCredentials:
            end_attempt(false, "bad-credentials");
            client_error("AUTH", kAuthFailed, true);
            break;
        case AuthVerdict::Throttled:
        case AuthVerdict::TemporaryFailure:
            abort_attempt(verdict);
            break;
    }
    process();
}

void ServerSession::scram_credentials(std::optional<sasl::ScramCredentials> credentials, AuthVerdict verdict) {
    if (state_ != State::WaitAuth || awaiting_ != Awaiting::Scram || !mech_) return;
    awaiting_ = Awaiting::Nothing;
    state_ = State::Command;
    switch (verdict) {
        case AuthVerdict::Ok:
        case AuthVerdict::BadCredentials:
            if (verdict == AuthVerdict::BadCredentials) credentials.reset();
            auth_step(mech_->provide_scram(credentials));
            break;
        case AuthVerdict::Throttled:
        case AuthVerdict::TemporaryFailure:
            abort_attempt(verdict);
            break;
    }
    process();
}

void ServerSession::maildrop_opened(MaildropResult result) {
    if (state_ != State::WaitMaildrop) return;
    state_ = State::Command;
    auto* listing = std::get_if<std::vector<MessageInfo>>(&result);
    if (listing && valid_listing(*listing)) {
        messages_ = std::move(*listing);
        deleted_.assign(messages_.size(), false);
        deleted_count_ = 0;
        deleted_octets_ = 0;
        total_octets_ = 0;
        for (const auto& m : messages_) {
            total_octets_ = m.size > UINT64_MAX - total_octets_ ? UINT64_MAX : total_octets_ + m.size;
        }
        phase_ = Phase::Transaction;
        reply_ok("Maildrop ready, " + maildrop_summary());
    } else {
        auth_user_.clear();  // back to AUTHORIZATION (RFC 1939 7 PASS: "unable to lock maildrop")
        if (!listing && std::get<MaildropError>(result) == MaildropError::InUse) {
            reply_err("IN-USE", "Mailbox is locked by another POP3 session");
        } else {
            reply_err("SYS/TEMP", kCannotOpen);
        }
    }
    process();
}

}  // namespace tern::pop3
