// Logins in the IMAP session: LOGIN (RFC 9051 6.2.3) and AUTHENTICATE (6.2.2, RFC 4959 SASL-IR)
// driven by a sasl::Mechanism, the driver's verdicts, and opening the user's mail store that
// ends the not-authenticated state.
//
// Answers, in the order the checks run:
//   NO [PRIVACYREQUIRED] Plaintext authentication disallowed on non-secure connections
//        (before TLS without options.plaintext_auth; counted as an error, not a failed login)
//   AUTHENTICATE: BAD Unsupported authentication mechanism; BAD Invalid base64;
//        "+ <base64>" challenges; BAD Authentication cancelled ("*", RFC 9051 6.2.2);
//        BAD Invalid authentication data (the mechanism's syntax broken)
//   NO [AUTHENTICATIONFAILED] Authentication failed  (unknown user and wrong password alike)
//   NO [UNAVAILABLE] Temporary authentication failure  (driver or mechanism, not counted)
//   * BYE Too many authentication failures + Close   (driver: Throttled, or our limit)
//   then OpenMailboxes, and on its answer "OK [CAPABILITY ...] Logged in", or
//   NO [INUSE] / NO [UNAVAILABLE] leaving the session not authenticated.
// SCRAM's server-final message goes out as a "+ " challenge; the client answers with an
// empty line (RFC 9051 6.2.2 has no success data in the tagged OK).
#include <utility>

#include "core/address.hpp"
#include "core/base64.hpp"
#include "imap/server_session.hpp"

namespace tern::imap {
namespace {

constexpr std::string_view kAuthFailed = "Authentication failed";
constexpr std::string_view kTemporary = "Temporary authentication failure";

Command tag_only(const std::string& tag) {
    Command c;
    c.tag = tag;
    return c;
}

bool valid_identity(std::string_view s) {
    if (s.empty() || s.size() > sasl::kMaxIdentity || !is_valid_utf8(s)) return false;
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7F) return false;
    }
    return true;
}

}  // namespace

bool ServerSession::refuse_plaintext(const Command& cmd) {
    if (login_offered()) return false;
    no(cmd, "PRIVACYREQUIRED", "Plaintext authentication disallowed on non-secure connections");
    return true;
}

void ServerSession::cmd_login(const Command& cmd, const Login& login) {
    if (refuse_plaintext(cmd)) return;
    pending_tag_ = cmd.tag;
    attempt_mechanism_ = "LOGIN";
    attempt_user_ = login.user;
    if (!valid_identity(login.user) || login.password.empty() || login.password.size() > sasl::kMaxPassword ||
        login.password.find('\0') != std::string::npos) {
        if (!valid_identity(login.user)) attempt_user_.clear();
        end_attempt(false, "syntax");
        return failed_login("AUTHENTICATIONFAILED", kAuthFailed);
    }
    actions_.emplace_back(action::VerifyPassword{login.user, login.password, "LOGIN"});
    awaiting_ = Awaiting::Password;
    wait_ = Wait::Auth;
}

void ServerSession::cmd_authenticate(const Command& cmd, const Authenticate& a) {
    if (refuse_plaintext(cmd)) return;
    auto mech = sasl::make_mechanism(a.mechanism, opts_.sasl);
    if (!mech) return bad(cmd.tag, "Unsupported authentication mechanism");
    std::optional<std::string> response;
    if (a.initial_response) {
        response = a.initial_response->empty() ? std::optional<std::string>("") : base64_decode(*a.initial_response);
        if (!response) return bad(cmd.tag, "Invalid base64 in initial response");
    }
    pending_tag_ = cmd.tag;
    mech_ = std::move(mech);
    attempt_mechanism_ = std::string(mech_->name());
    attempt_user_.clear();
    auth_step(mech_->start(response ? std::optional<std::string_view>(*response) : std::nullopt));
}

void ServerSession::on_auth_response(const AuthResponse& r) {
    if (!in_auth_exchange_) return;
    in_auth_exchange_ = false;
    const Command cmd = tag_only(pending_tag_);
    switch (r.kind) {
        case AuthResponseKind::Cancel:
            end_attempt(false, "cancelled");
            return failed_exchange("Authentication cancelled");
        case AuthResponseKind::TooLong:
            end_attempt(false, "line-too-long");
            return failed_exchange("Authentication line too long");
        case AuthResponseKind::Data:
            break;
    }
    auto decoded = base64_decode(r.text);
    if (!decoded) {
        end_attempt(false, "bad-base64");
        return failed_exchange("Invalid base64");
    }
    if (auth_final_ack_) {
        if (decoded->empty()) return auth_succeeded();
        return auth_failed(sasl::Failure{sasl::FailureKind::Malformed, "unexpected-response", attempt_user_});
    }
    auth_step(mech_->step(*decoded));
}

void ServerSession::auth_step(sasl::Step step) {
    if (auto* c = std::get_if<sasl::Challenge>(&step)) {
        send("+ " + base64_encode(c->data) + "\r\n");
        in_auth_exchange_ = true;
        reader_.expect_auth_response();
    } else if (auto* p = std::get_if<sasl::NeedPassword>(&step)) {
        attempt_user_ = p->authcid;
        actions_.emplace_back(action::VerifyPassword{std::move(p->authcid), std::move(p->password), attempt_mechanism_});
        awaiting_ = Awaiting::Password;
        wait_ = Wait::Auth;
    } else if (auto* n = std::get_if<sasl::NeedScramCredentials>(&step)) {
        attempt_user_ = n->authcid;
        actions_.emplace_back(action::LookupScram{std::move(n->authcid)});
        awaiting_ = Awaiting::Scram;
        wait_ = Wait::Auth;
    } else if (auto* s = std::get_if<sasl::Success>(&step)) {
        attempt_user_ = s->user;
        if (s->server_final.empty()) return auth_succeeded();
        auth_final_ack_ = true;
        send("+ " + base64_encode(s->server_final) + "\r\n");
        in_auth_exchange_ = true;
        reader_.expect_auth_response();
    } else {
        auth_failed(std::get<sasl::Failure>(step));
    }
}

void ServerSession::auth_failed(const sasl::Failure& f) {
    if (attempt_user_.empty()) attempt_user_ = f.user;
    end_attempt(false, f.reason);
    switch (f.kind) {
        case sasl::FailureKind::Malformed:
            return failed_exchange("Invalid authentication data");
        case sasl::FailureKind::Rejected:
            return failed_login("AUTHENTICATIONFAILED", kAuthFailed);
        case sasl::FailureKind::Internal:
            return tagged(tag_only(pending_tag_), "NO", "UNAVAILABLE", kTemporary);
    }
}

void ServerSession::failed_login(std::string_view code, std::string_view text) {
    tagged(tag_only(pending_tag_), "NO", code, text);
    ++auth_failures_;
    if (auth_failures_ >= opts_.limits.auth_failures) {
        return close_with("* BYE Too many authentication failures\r\n");
    }
    count_error();
}

// A broken or cancelled exchange: BAD (RFC 9051 6.2.2), and a failed login for the limits.
void ServerSession::failed_exchange(std::string_view text) {
    bad(pending_tag_, text);
    if (!closed_ && ++auth_failures_ >= opts_.limits.auth_failures) {
        close_with("* BYE Too many authentication failures\r\n");
    }
}

void ServerSession::auth_succeeded() {
    user_ = attempt_user_;
    end_attempt(true, "ok");
    actions_.emplace_back(action::OpenMailboxes{user_});
    wait_ = Wait::Mailboxes;
}

void ServerSession::end_attempt(bool success, std::string reason) {
    if (attempt_mechanism_.empty()) return;
    actions_.emplace_back(action::AuthAttempt{attempt_user_, attempt_mechanism_, success, std::move(reason)});
    clear_attempt();
}

void ServerSession::clear_attempt() {
    mech_.reset();
    attempt_mechanism_.clear();
    attempt_user_.clear();
    awaiting_ = Awaiting::Nothing;
    auth_final_ack_ = false;
    in_auth_exchange_ = false;
}

// ---- completions -------------------------------------------------------------------------------

void ServerSession::password_verified(AuthVerdict verdict) {
    if (closed_ || wait_ != Wait::Auth || awaiting_ != Awaiting::Password) return;
    wait_ = Wait::None;
    awaiting_ = Awaiting::Nothing;
    switch (verdict) {
        case AuthVerdict::Ok:
            auth_succeeded();
            break;
        case AuthVerdict::BadCredentials:
            end_attempt(false, "bad-credentials");
            failed_login("AUTHENTICATIONFAILED", kAuthFailed);
            break;
        case AuthVerdict::Throttled:
            clear_attempt();
            close_with("* BYE [UNAVAILABLE] Too many authentication failures, try again later\r\n");
            break;
        case AuthVerdict::TemporaryFailure:
            clear_attempt();
            tagged(tag_only(pending_tag_), "NO", "UNAVAILABLE", kTemporary);
            break;
    }
    process();
}

void ServerSession::scram_credentials(std::optional<sasl::ScramCredentials> credentials, AuthVerdict verdict) {
    if (closed_ || wait_ != Wait::Auth || awaiting_ != Awaiting::Scram || !mech_) return;
    wait_ = Wait::None;
    awaiting_ = Awaiting::Nothing;
    switch (verdict) {
        case AuthVerdict::Ok:
        case AuthVerdict::BadCredentials:
            if (verdict == AuthVerdict::BadCredentials) credentials.reset();
            auth_step(mech_->provide_scram(credentials));
            break;
        case AuthVerdict::Throttled:
            clear_attempt();
            close_with("* BYE [UNAVAILABLE] Too many authentication failures, try again later\r\n");
            break;
        case AuthVerdict::TemporaryFailure:
            clear_attempt();
            tagged(tag_only(pending_tag_), "NO", "UNAVAILABLE", kTemporary);
            break;
    }
    process();
}

void ServerSession::mailboxes_opened(std::shared_ptr<Backend> backend) {
    if (closed_ || wait_ != Wait::Mailboxes) return;
    wait_ = Wait::None;
    if (!backend) return mailboxes_failed(OpenError::TemporaryFailure);
    backend_ = std::move(backend);
    state_ = State::Authenticated;
    tagged(tag_only(pending_tag_), "OK", "CAPABILITY " + capabilities(), "Logged in");
    process();
}

void ServerSession::mailboxes_failed(OpenError error) {
    if (closed_ || wait_ != Wait::Mailboxes) return;
    wait_ = Wait::None;
    user_.clear();
    if (error == OpenError::InUse) {
        tagged(tag_only(pending_tag_), "NO", "INUSE", "Mailbox in use, try again later");
    } else {
        tagged(tag_only(pending_tag_), "NO", "UNAVAILABLE", "Cannot open the mailbox, try again later");
    }
    process();
}

}  // namespace tern::imap
