// The SMTP client session, connection part: greeting, EHLO with fallback to HELO (RFC 5321
// 4.1.1.1, 3.2), STARTTLS (RFC 3207 4, 4.2), AUTH PLAIN / LOGIN (RFC 4954 4, RFC 4616),
// QUIT, and every way the connection can fail. The message transactions are in
// client_transaction.cpp. See client_session.hpp for the decisions.
#include "outbound/client_session.hpp"

#include "core/address.hpp"
#include "core/base64.hpp"

namespace tern::outbound {

Outcome outcome_of(const Reply& r) {
    std::string text = r.text();
    if (r.cls() == 3) return Outcome::temporary("4.5.0", "Unexpected intermediate reply: " + r.str());
    std::string enhanced = r.enhanced.empty() ? std::to_string(r.cls()) + ".0.0" : r.enhanced;
    if (r.cls() == 2) return Outcome::ok(std::move(text), std::move(enhanced), r.code);
    if (r.cls() == 4) return Outcome::temporary(std::move(enhanced), std::move(text), r.code);
    return Outcome::permanent(std::move(enhanced), std::move(text), r.code);
}

ClientSession::ClientSession(ClientOptions options)
    : opts_(std::move(options)), parser_(opts_.reply_limits), tls_active_(opts_.tls_active) {
    if (opts_.data_chunk == 0) opts_.data_chunk = 1;
}

void ClientSession::start() {
    if (state_ != State::Idle) return;
    state_ = State::Active;
    expect_.push_back(Expect::Greeting);
}

void ClientSession::feed(std::string_view bytes) {
    if (state_ == State::Idle || state_ == State::Closed || state_ == State::WaitTls) return;
    process(bytes);
}

void ClientSession::process(std::string_view& input) {
    // Stops at WaitTls: whatever follows STARTTLS's 220 in the same read is dropped unread.
    while (!input.empty() && state_ == State::Active) {
        auto res = parser_.consume(input);
        if (res == ReplyParser::Result::Error) {
            protocol_violation(parser_.error());
            return;
        }
        if (res == ReplyParser::Result::NeedMore) return;
        on_reply(parser_.take());
    }
    // While the message data goes out, replies wait their turn: they are read once the
    // data is sent (a reply can only be about the data). Bounded by the largest reply.
    if (state_ == State::SendingData && !input.empty()) {
        if (pending_.size() + input.size() > opts_.reply_limits.line * opts_.reply_limits.lines) {
            return protocol_violation("too much input while sending the message data");
        }
        pending_.append(input);
    }
}

std::vector<Action> ClientSession::take_actions() {
    std::vector<Action> out = std::move(actions_);
    actions_.clear();
    if (state_ == State::SendingData) {
        pump_data(out);
        if (state_ == State::Active && !pending_.empty()) {
            std::string input = std::move(pending_);
            pending_.clear();
            std::string_view view = input;
            process(view);
            for (auto& a : actions_) out.push_back(std::move(a));
            actions_.clear();
        }
    }
    return out;
}

std::chrono::seconds ClientSession::read_timeout() const {
    const auto& t = opts_.timeouts;
    if (state_ == State::SendingData) return t.data_block;
    if (expect_.empty()) return t.command;
    switch (expect_.front()) {
        case Expect::Greeting: return t.greeting;
        case Expect::Mail: return t.mail;
        case Expect::Rcpt: return t.rcpt;
        case Expect::Data: return t.data_init;
        case Expect::DataEnd: return t.data_end;
        default: return t.command;
    }
}

void ClientSession::send(std::string bytes, std::initializer_list<Expect> expects) {
    actions_.push_back(Send{std::move(bytes)});
    expect_.insert(expect_.end(), expects);
}

void ClientSession::on_reply(const Reply& r) {
    if (expect_.empty()) {
        // RFC 5321 3.8: a server may send 421 at any time before it closes.
        if (r.code == 421) fail_connection(host_refusal(r, "Host closed the connection"), false);
        else protocol_violation("unexpected reply " + r.str(200));
        return;
    }
    Expect e = expect_.front();
    expect_.pop_front();
    if (r.code == 421 && e != Expect::Quit) {
        fail_connection(host_refusal(r, "Host closed the connection"), false);
        return;
    }
    switch (e) {
        case Expect::Greeting: on_greeting(r); break;
        case Expect::Ehlo: on_ehlo(r); break;
        case Expect::Helo: on_helo(r); break;
        case Expect::StartTls: on_starttls(r); break;
        case Expect::Auth: on_auth(r); break;
        case Expect::Rset: on_rset(r); break;
        case Expect::Mail: on_mail(r); break;
        case Expect::Rcpt: on_rcpt(r); break;
        case Expect::Data: on_data(r); break;
        case Expect::DataEnd: on_data_end(r); break;
        case Expect::Quit:
            // Whatever the answer, we are done (RFC 5321 4.1.1.10).
            state_ = State::Closed;
            actions_.push_back(Close{});
            break;
    }
}

void ClientSession::on_greeting(const Reply& r) {
    if (r.cls() == 3) return protocol_violation("intermediate reply as greeting");
    if (r.cls() != 2) {
        // RFC 5321 3.1: on a 554 greeting the client should QUIT. It is about this host, not
        // the message: temporary, and another MX may do.
        return fail_connection(host_refusal(r, "Host refused the connection"), true);
    }
    greeting_ = r.text(512);
    std::string_view peer_name = std::string_view(greeting_).substr(0, greeting_.find(' '));
    if (!opts_.hostname.empty() && iequals(peer_name, opts_.hostname)) {
        // RFC 5321 5.1: we must not deliver to ourselves. Like Postfix's "mail for <domain>
        // loops back to myself": permanent, and no other host is tried.
        return fail_connection(Outcome::permanent("5.4.6", "Host " + greeting_.substr(0, peer_name.size()) +
                                                               " greets with our own name: mail loops back to myself",
                                                  554),
                               false);
    }
    send("EHLO " + opts_.hostname + "\r\n", {Expect::Ehlo});
}

void ClientSession::on_ehlo(const Reply& r) {
    if (r.cls() == 3) return protocol_violation("intermediate reply to EHLO");
    if (r.cls() == 2) {
        caps_ = parse_ehlo(r);
        esmtp_ = true;
        return after_hello();
    }
    if (r.cls() == 4) return fail_connection(host_refusal(r, "Host refused EHLO"), true);
    // RFC 5321 3.2: a server that does not know EHLO answers 500/502; fall back to HELO.
    send("HELO " + opts_.hostname + "\r\n", {Expect::Helo});
}

void ClientSession::on_helo(const Reply& r) {
    if (r.cls() == 3) return protocol_violation("intermediate reply to HELO");
    if (r.cls() != 2) return fail_connection(host_refusal(r, "Host refused EHLO and HELO"), true);
    caps_ = Capabilities{};
    esmtp_ = false;
    after_hello();
}

void ClientSession::after_hello() {
    if (!tls_active_ && opts_.tls != TlsPolicy::None) {
        if (caps_.starttls) return send("STARTTLS\r\n", {Expect::StartTls});
        if (opts_.tls == TlsPolicy::Required) {
            // X.7.4 "security features not supported"; temporary so the mail waits for a
            // host that offers TLS (as MTA-STS enforce mode does, RFC 8461 5).
            return fail_connection(Outcome::temporary("4.7.4", "TLS is required, but was not offered by the host"),
                                   true);
        }
    }
    after_tls_decision();
}

void ClientSession::on_starttls(const Reply& r) {
    if (r.cls() == 3) return protocol_violation("intermediate reply to STARTTLS");
    if (r.cls() == 2) {
        // RFC 3207 4.2 / CVE-2011-0411 mirrored: nothing received before the handshake may be
        // taken as a reply after it.
        parser_.reset();
        state_ = State::WaitTls;
        actions_.push_back(StartTls{});
        return;
    }
    if (opts_.tls == TlsPolicy::Required) {
        return fail_connection(Outcome::temporary("4.7.4", "TLS is required, but STARTTLS was refused: " + r.str()),
                               true);
    }
    after_tls_decision();  // opportunistic: go on in plaintext
}

void ClientSession::tls_started(const TlsInfo& info) {
    if (state_ != State::WaitTls) return;
    state_ = State::Active;
    tls_active_ = true;
    tls_info_ = info;
    // RFC 3207 4.2: forget everything learnt before TLS and ask again.
    caps_ = Capabilities{};
    esmtp_ = false;
    send("EHLO " + opts_.hostname + "\r\n", {Expect::Ehlo});
}

void ClientSession::tls_failed(std::string_view reason) {
    if (state_ != State::WaitTls) return;
    std::string why(reason.substr(0, 200));
    for (char& c : why) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = '?';
    }
    fail_connection(Outcome::temporary("4.7.5", "TLS handshake failed: " + why), false);
}

void ClientSession::after_tls_decision() {
    if (opts_.auth && !authenticated_) {
        if (!tls_active_ && !opts_.auth_without_tls) {
            return fail_connection(Outcome::temporary("4.7.0", "Not sending credentials without TLS"), true);
        }
        const auto& c = *opts_.auth;
        if (caps_.has_auth("PLAIN")) {
            // RFC 4616 2: [authzid] NUL authcid NUL passwd, sent as the initial response.
            std::string msg = std::string(1, '\0') + c.username + std::string(1, '\0') + c.password;
            auth_login_ = false;
            return send("AUTH PLAIN " + base64_encode(msg) + "\r\n", {Expect::Auth});
        }
        if (caps_.has_auth("LOGIN")) {
            auth_login_ = true;
            auth_step_ = 0;
            return send("AUTH LOGIN\r\n", {Expect::Auth});
        }
        return fail_connection(
            Outcome::temporary("4.7.0", "Authentication is configured, but the host offers neither PLAIN nor LOGIN"),
            true);
    }
    ready_ = true;
    next_message();
}

void ClientSession::on_auth(const Reply& r) {
    if (r.cls() == 2) {
        authenticated_ = true;
        return after_tls_decision();
    }
    if (r.cls() == 3) {
        // AUTH LOGIN: the server asks for the user name, then the password (334 each).
        if (!auth_login_ || auth_step_ >= 2) return protocol_violation("unexpected 334 during AUTH");
        const auto& c = *opts_.auth;
        ++auth_step_;
        return send(base64_encode(auth_step_ == 1 ? c.username : c.password) + "\r\n", {Expect::Auth});
    }
    // 535 included: see client_session.hpp, the mail stays queued.
    fail_connection(Outcome::temporary("4.7.0", "Authentication failed: " + r.str()), true);
}

void ClientSession::connection_lost() {
    if (state_ == State::Closed) return;
    fail_connection(Outcome::temporary("4.4.2", "Connection lost"), false);
}

void ClientSession::timeout() {
    if (state_ == State::Closed) return;
    fail_connection(Outcome::temporary("4.4.2", "Timeout waiting for the host"), false);
}

void ClientSession::protocol_violation(const std::string& what) {
    fail_connection(Outcome::temporary("4.5.0", "Protocol error from the host: " + what), false);
}

Outcome ClientSession::host_refusal(const Reply& r, std::string_view context) const {
    // A reply about the host rather than the message: always temporary. The code and the
    // enhanced code keep the peer's detail with the class turned into 4.
    int code = r.cls() == 4 ? r.code : 451;
    std::string enhanced = r.enhanced.empty() ? "4.0.0" : "4" + r.enhanced.substr(1);
    return Outcome::temporary(std::move(enhanced), std::string(context) + ": " + r.str(), code);
}

void ClientSession::fail_connection(const Outcome& why, bool quit) {
    if (state_ == State::Closed) return;
    if (txn_) finish_txn(why, true);
    while (next_job_ < jobs_.size()) fail_message(next_job_++, why, true);
    expect_.clear();
    pending_.clear();
    if (quit) actions_.push_back(Send{"QUIT\r\n"});
    actions_.push_back(Close{});
    state_ = State::Closed;
}

}  // namespace tern::outbound
