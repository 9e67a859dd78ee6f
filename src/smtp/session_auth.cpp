// SMTP AUTH (RFC 4954) in the server session: the AUTH command, the 334 challenge / client
// response exchange driven by a sasl::Mechanism, and the driver's verdicts.
//
// Replies, in the order the checks run:
//   AUTH not offered now (see auth_offered()):
//     538 5.7.11 Encryption required for requested authentication mechanism
//                (the listener has AUTH and STARTTLS, TLS is not active yet: STARTTLS first)
//     502 5.5.1  AUTH not available   (no AUTH on this listener, or no way to get TLS)
//   503 5.5.1 Send EHLO first / Already authenticated (RFC 4954 4: one successful AUTH per
//             session) / AUTH not permitted during a mail transaction
//   501 5.5.4 Syntax: AUTH mechanism [initial-response]
//   504 5.5.4 Unrecognized authentication type
//   334 <base64 challenge>       (an empty challenge is "334 ")
//   501 5.0.0 Authentication cancelled          (the client answered "*")
//   501 5.5.2 Cannot decode response            (not strict base64; "=" only as initial response)
//   501 5.5.2 Invalid authentication data       (the mechanism's syntax or sequence broken)
//   500 5.5.6 Authentication Exchange line is too long   (over kAuthLineLimit)
//   235 2.7.0 Authentication successful
//   535 5.7.8 Authentication credentials invalid   (unknown user, wrong password, wrong proof,
//             authzid other than the user: one text for all, nothing to enumerate)
//   454 4.7.0 Temporary authentication failure     (driver: TemporaryFailure; mechanism: Internal)
//   421 4.7.0 Too many authentication failures, closing   (driver: Throttled), then Close
// Every 5xx counts towards limits.errors, so a password-guessing client is also cut off by
// the session's error limit, whatever the driver's throttling does.
//
// SCRAM's server-final message ("v=...", RFC 4422 3.6 additional data with success) cannot
// ride on the 235 in SMTP: it goes out as a 334 challenge, the client answers with an empty
// line, then 235 (RFC 4954 4).
//
// Pipelining: AUTH is not pipelinable-safe, but a client may pipeline commands after an
// initial response. The session parks on VerifyPassword/LookupScram, so what follows is
// processed only once the exchange has its answer, in order.
#include <utility>

#include "core/base64.hpp"
#include "smtp/server_session.hpp"

namespace tern::smtp {
namespace {

const Reply kInvalid(535, "5.7.8", "Authentication credentials invalid");
const Reply kTemporary(454, "4.7.0", "Temporary authentication failure");

}  // namespace

void ServerSession::cmd_auth(const Command& cmd) {
    if (!auth_offered()) {
        // RFC 4954 6 / RFC 3207: our mechanisms are offered only under TLS.
        if (opts_.auth_available && opts_.starttls_available && !tls_active_) {
            return client_error(Reply(538, "5.7.11", "Encryption required for requested authentication mechanism"));
        }
        return client_error(Reply(502, "5.5.1", "AUTH not available"));
    }
    if (!esmtp_) return client_error(Reply(503, "5.5.1", "Send EHLO first"));
    if (authenticated()) return client_error(Reply(503, "5.5.1", "Already authenticated"));
    if (txn_) return client_error(Reply(503, "5.5.1", "AUTH not permitted during a mail transaction"));

    std::string_view arg = cmd.argument;  // trimmed by the parser
    auto sp = arg.find(' ');
    std::string_view name = arg.substr(0, sp);
    std::string_view initial;
    bool has_initial = false;
    if (sp != std::string_view::npos) {
        initial = arg.substr(sp + 1);
        while (!initial.empty() && initial.front() == ' ') initial.remove_prefix(1);
        has_initial = true;
    }
    if (name.empty() || initial.find(' ') != std::string_view::npos) {
        return client_error(Reply(501, "5.5.4", "Syntax: AUTH mechanism [initial-response]"));
    }
    auto mech = sasl::make_mechanism(name, opts_.sasl);
    if (!mech) return client_error(Reply(504, "5.5.4", "Unrecognized authentication type"));

    std::optional<std::string> response;
    if (has_initial) {
        // RFC 4954 4: "=" is an initial response of zero length.
        response = initial == "=" ? std::optional<std::string>("") : base64_decode(initial);
        if (!response) return client_error(Reply(501, "5.5.2", "Cannot decode response"));
    }
    mech_ = std::move(mech);
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
            discard_reply_ = Reply(500, "5.5.6", "Authentication Exchange line is too long");
            discard_ends_auth_ = true;
            return true;
        case Framed::Line:
            break;
    }
    state_ = State::Command;  // unless the exchange goes on
    if (line.empty() || line.back() != '\r') {
        end_auth(false, "bare-lf");
        client_error(Reply(500, "5.5.2", "Command lines must end with CRLF"));
        return true;
    }
    line.remove_suffix(1);
    if (line == "*") {  // RFC 4954 4: the client cancels the exchange
        end_auth(false, "cancelled");
        client_error(Reply(501, "5.0.0", "Authentication cancelled"));
        return true;
    }
    auto response = base64_decode(line);
    if (!response) {
        end_auth(false, "bad-base64");
        client_error(Reply(501, "5.5.2", "Cannot decode response"));
        return true;
    }
    if (auth_final_ack_) {
        // The answer to SCRAM's server-final message must be empty.
        if (response->empty()) {
            auth_succeeded();
        } else {
            auth_failed(sasl::Failure{sasl::FailureKind::Malformed, "unexpected-response", auth_claimed_});
        }
        return true;
    }
    auth_step(mech_->step(*response));
    return true;
}

void ServerSession::auth_step(sasl::Step step) {
    if (auto* c = std::get_if<sasl::Challenge>(&step)) {
        reply(Reply(334, "", base64_encode(c->data)));
        state_ = State::AuthResponse;
    } else if (auto* p = std::get_if<sasl::NeedPassword>(&step)) {
        auth_claimed_ = p->authcid;
        actions_.emplace_back(VerifyPassword{std::move(p->authcid), std::move(p->password), std::string(mech_->name())});
        state_ = State::WaitPassword;
    } else if (auto* n = std::get_if<sasl::NeedScramCredentials>(&step)) {
        auth_claimed_ = n->authcid;
        actions_.emplace_back(LookupScram{std::move(n->authcid)});
        state_ = State::WaitScram;
    } else if (auto* ok = std::get_if<sasl::Success>(&step)) {
        auth_claimed_ = ok->user;
        if (ok->server_final.empty()) return auth_succeeded();
        auth_final_ack_ = true;
        reply(Reply(334, "", base64_encode(ok->server_final)));
        state_ = State::AuthResponse;
    } else {
        auth_failed(std::get<sasl::Failure>(step));
    }
}

void ServerSession::auth_failed(const sasl::Failure& f) {
    state_ = State::Command;
    if (auth_claimed_.empty()) auth_claimed_ = f.user;
    end_auth(false, f.reason);
    switch (f.kind) {
        case sasl::FailureKind::Malformed:
            return client_error(Reply(501, "5.5.2", "Invalid authentication data"));
        case sasl::FailureKind::Rejected:
            return client_error(kInvalid);
        case sasl::FailureKind::Internal:
            return reply(kTemporary);
    }
}

void ServerSession::auth_succeeded() {
    state_ = State::Command;
    auth_user_ = auth_claimed_;
    end_auth(true, "ok");
    reply(Reply(235, "2.7.0", "Authentication successful"));
}

// Reports the exchange (AuthAttempt) and forgets it.
void ServerSession::end_auth(bool success, std::string reason) {
    if (!mech_) return;
    actions_.emplace_back(AuthAttempt{auth_claimed_, std::string(mech_->name()), success, std::move(reason)});
    clear_auth_exchange();
}

void ServerSession::clear_auth_exchange() {
    mech_.reset();
    auth_claimed_.clear();
    auth_final_ack_ = false;
    discard_ends_auth_ = false;
}

// ---- completions -------------------------------------------------------------------------

// The driver ended the exchange (throttled, or a temporary failure): no AuthAttempt is
// emitted, the driver already knows.
void ServerSession::abort_auth(AuthVerdict verdict) {
    clear_auth_exchange();
    if (verdict == AuthVerdict::Throttled)
        close_with(Reply(421, "4.7.0", opts_.hostname + " Too many authentication failures, closing"));
    else
        reply(kTemporary);
}

void ServerSession::password_verified(AuthVerdict verdict) {
    // Only the answer to VerifyPassword: a confused driver answering LookupScram this way
    // must not log anyone in without the SCRAM proof.
    if (state_ != State::WaitPassword || !mech_) return;
    state_ = State::Command;
    switch (verdict) {
        case AuthVerdict::Ok:
            auth_succeeded();
            break;
        case AuthVerdict::BadCredentials:
            end_auth(false, "bad-credentials");
            client_error(kInvalid);
            break;
        case AuthVerdict::Throttled:
        case AuthVerdict::TemporaryFailure:
            abort_auth(verdict);
            break;
    }
    process();
}

void ServerSession::scram_credentials(std::optional<sasl::ScramCredentials> credentials, AuthVerdict verdict) {
    if (state_ != State::WaitScram || !mech_) return;
    state_ = State::Command;
    switch (verdict) {
        case AuthVerdict::Ok:
        case AuthVerdict::BadCredentials:
            if (verdict == AuthVerdict::BadCredentials) credentials.reset();
            auth_step(mech_->provide_scram(credentials));
            break;
        case AuthVerdict::Throttled:
        case AuthVerdict::TemporaryFailure:
            abort_auth(verdict);
            break;
    }
    process();
}

}  // namespace tern::smtp
