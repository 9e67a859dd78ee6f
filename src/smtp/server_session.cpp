// The SMTP server session state machine: see server_session.hpp for the contract.
//
// Sequencing (RFC 5321 4.1.4, 4.3.2): EHLO/HELO, then MAIL, RCPT..., then DATA or BDAT...;
// RSET and EHLO abort a transaction; the end of the data ends it whatever its outcome.
// Policies worth knowing:
//  - Command lines must end with CRLF (RFC 5321 2.3.8); a bare LF terminator is refused.
//  - Errors counted towards limits.errors: every 4xx/5xx the client caused, including
//    refused recipients (that is what a dictionary attack produces), but not 452 "too many
//    recipients" (a normal client reaction to it is fine), nor server-side failures.
//  - BDAT (RFC 3030 2): every reply to a chunk comes after its octets have been read, also
//    when the chunk is refused, so the stream stays framed. An error reply to a chunk fails
//    the transaction (the client must consider it failed, RFC 3030 2); later chunks get 503.
//    The size limit is checked at every chunk: the chunk that crosses it is answered 552.
//    A chunk size we cannot read leaves no way to find the next command: 501, 421, Close.
//  - Submission (RFC 6409 4.3): MAIL before a successful AUTH answers 530 5.7.0. An
//    authenticated client's MAIL (on any listener, so that sender rules hold everywhere)
//    parks on CheckSender; RCPT is still CheckRecipient, and the driver decides relaying by
//    authenticated().
// Command groups live in their own files: session_transaction.cpp (MAIL, RCPT, DATA, BDAT)
// and session_auth.cpp (AUTH).
#include "smtp/server_session.hpp"

#include <algorithm>
#include <utility>

#include "core/address.hpp"

namespace tern::smtp {

ServerSession::ServerSession(SessionOptions options, PeerInfo peer)
    : opts_(std::move(options)), peer_(std::move(peer)), tls_active_(opts_.tls_active) {
    sink_.reset({opts_.limits.message_size, opts_.limits.text_line, opts_.limits.received_headers});
}

void ServerSession::start() {
    if (state_ != State::Idle) return;
    state_ = State::Command;
    reply(Reply(220, "", opts_.hostname + " ESMTP ready"));  // RFC 2034: no code on 220 greeting
    process();
}

void ServerSession::feed(std::string_view bytes) {
    if (state_ == State::Closed || state_ == State::WaitTls) return;  // never run plaintext after STARTTLS
    buf_.append(bytes);
    process();
}

std::vector<Action> ServerSession::take_actions() { return std::exchange(actions_, {}); }

bool ServerSession::parked() const {
    return state_ == State::WaitRecipient || state_ == State::WaitSender || state_ == State::WaitPassword || state_ == State::WaitScram ||
           state_ == State::WaitCommit || state_ == State::WaitTls;
}

bool ServerSession::closed() const { return state_ == State::Closed; }

std::chrono::seconds ServerSession::read_timeout() const {
    return state_ == State::Data || state_ == State::Bdat ? opts_.limits.timeout_data
                                                          : opts_.limits.timeout_command;
}

std::size_t ServerSession::line_limit() const {
    if (state_ == State::AuthResponse) return kAuthLineLimit;
    if (state_ == State::Command && auth_command_pending()) {
        return std::max(opts_.limits.command_line, kAuthLineLimit);
    }
    return opts_.limits.command_line;
}

std::string_view ServerSession::protocol() const {
    if (!esmtp_) return "SMTP";
    if (tls_active_) return authenticated() ? "ESMTPSA" : "ESMTPS";
    return authenticated() ? "ESMTPA" : "ESMTP";
}

// ---- completions -------------------------------------------------------------------------

void ServerSession::tls_started(const TlsInfo& info) {
    if (state_ != State::WaitTls) return;
    // RFC 3207 4.2: discard all knowledge obtained from the client before TLS.
    tls_active_ = true;
    tls_info_ = info;
    helo_.clear();
    esmtp_ = false;
    auth_user_.clear();  // RFC 4954 4 / RFC 3207 4.2: authentication is client knowledge too
    clear_auth_exchange();
    reset_transaction();
    buf_.clear();
    pos_ = 0;
    state_ = State::Command;
    process();
}

void ServerSession::timeout() {
    close_with(Reply(421, "4.4.2", opts_.hostname + " Error: timeout exceeded"));
}

void ServerSession::shutdown() {
    close_with(Reply(421, "4.3.2", opts_.hostname + " Service shutting down"));
}

// ---- input processing --------------------------------------------------------------------

void ServerSession::process() {
    while (true) {
        std::string_view in(buf_);
        in.remove_prefix(pos_);
        switch (state_) {
            case State::Command:
                if (!process_command_line()) {
                    compact();
                    return;
                }
                break;
            case State::DiscardLine: {
                auto lf = in.find('\n');
                if (lf == std::string_view::npos) {
                    pos_ = buf_.size();
                    compact();
                    return;
                }
                pos_ += lf + 1;
                state_ = State::Command;
                if (discard_ends_auth_) {
                    discard_ends_auth_ = false;
                    end_auth(false, "line-too-long");
                }
                client_error(discard_reply_);
                break;
            }
            case State::AuthResponse:
                if (!process_auth_line()) {
                    compact();
                    return;
                }
                break;
            case State::Data:
                pos_ += data_reader_.consume(in, sink_);
                if (!data_reader_.done()) {
                    compact();
                    return;
                }
                finish_data();
                break;
            case State::Bdat:
                pos_ += bdat_reader_.consume(in, bdat_accepted_ ? &sink_ : nullptr);
                if (!bdat_reader_.done()) {
                    compact();
                    return;
                }
                finish_bdat_chunk();
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

// The pending input starts an AUTH command, whose line may be up to kAuthLineLimit long. The
// answer is the same however the input was chunked: it is asked only once the line has at
// least limits.command_line (>= 5) octets, and those include the 5 that decide.
bool ServerSession::auth_command_pending() const {
    if (!auth_offered()) return false;
    std::string_view in(buf_);
    in.remove_prefix(pos_);
    return in.size() >= 5 && iequals(in.substr(0, 5), "AUTH ");
}

// Takes the next line (up to and excluding its LF) if one ends within `limit` octets. A
// longer line cannot be valid: TooLong, and the caller skips the rest of it up to its LF,
// never treating the tail as a new command.
ServerSession::Framed ServerSession::next_line(std::size_t limit, std::string_view& line) {
    std::string_view in(buf_);
    in.remove_prefix(pos_);
    auto lf = in.substr(0, limit).find('\n');
    if (lf == std::string_view::npos) return in.size() >= limit ? Framed::TooLong : Framed::NeedMore;
    line = in.substr(0, lf);
    pos_ += lf + 1;
    return Framed::Line;
}

// Frames one command line; returns false when more input is needed.
bool ServerSession::process_command_line() {
    const bool auth = auth_command_pending();
    std::string_view line;
    switch (next_line(line_limit(), line)) {
        case Framed::NeedMore:
            return false;
        case Framed::TooLong:
            state_ = State::DiscardLine;
            discard_reply_ = auth ? Reply(500, "5.5.6", "Authentication Exchange line is too long")
                                  : Reply(500, "5.5.2", "Line too long (RFC 5321 4.5.3.1.4: " +
                                                            std::to_string(opts_.limits.command_line) + " octets)");
            return true;
        case Framed::Line:
            break;
    }
    if (line.empty() || line.back() != '\r') {
        client_error(Reply(500, "5.5.2", "Command lines must end with CRLF"));
        return true;
    }
    line.remove_suffix(1);
    auto parsed = parse_command(line, txn_ && txn_->smtputf8);
    if (auto* cmd = std::get_if<Command>(&parsed)) {
        execute(*cmd);
        return true;
    }
    const auto& err = std::get<ParseError>(parsed);
    if (err.verb == Verb::Bdat) {
        if (err.desync) {
            client_error(err.reply);
            close_with(Reply(421, "4.5.0", opts_.hostname + " Cannot find the end of the BDAT chunk, closing"));
            return true;
        }
        reset_transaction();  // RFC 3030 2: an error reply fails the transaction
        bdat_accepted_ = false;
        bdat_reply_ = err.reply;
        bdat_reader_.start(err.skip_octets);
        state_ = State::Bdat;
        return true;
    }
    // Out-of-sequence beats a syntax error in the arguments (503 before 501), but a line
    // that is not a command at all (500) is reported as such.
    auto seq = err.reply.code == 500 ? std::nullopt : check_sequence(err.verb);
    if (seq) {
        client_error(*seq);
    } else {
        client_error(err.reply);
    }
    return true;
}

std::optional<Reply> ServerSession::check_sequence(Verb verb) const {
    switch (verb) {
        case Verb::Mail:
            if (helo_.empty()) return Reply(503, "5.5.1", "Send EHLO or HELO first");
            if (opts_.submission && !authenticated()) return Reply(530, "5.7.0", "Authentication required");
            if (txn_) return Reply(503, "5.5.1", "Nested MAIL command");
            break;
        case Verb::Rcpt:
            if (!txn_) return Reply(503, "5.5.1", "Need MAIL before RCPT");
            if (bdat_used_) return Reply(503, "5.5.1", "RCPT not allowed after BDAT");
            break;
        case Verb::Data:
            if (!txn_) return Reply(503, "5.5.1", "Need MAIL and RCPT before DATA");
            if (bdat_used_) return Reply(503, "5.5.1", "DATA not allowed after BDAT");
            if (txn_->recipients.empty()) return Reply(554, "5.5.1", "No valid recipients");
            break;
        case Verb::Bdat:
            if (!txn_) return Reply(503, "5.5.1", "Need MAIL and RCPT before BDAT");
            if (txn_->recipients.empty()) return Reply(554, "5.5.1", "No valid recipients");
            break;
        default:
            break;
    }
    return std::nullopt;
}

void ServerSession::execute(const Command& cmd) {
    switch (cmd.verb) {
        case Verb::Helo:
        case Verb::Ehlo:
            cmd_helo(cmd);
            break;
        case Verb::Mail:
            cmd_mail(cmd);
            break;
        case Verb::Rcpt:
            cmd_rcpt(cmd);
            break;
        case Verb::Data:
            cmd_data();
            break;
        case Verb::Bdat:
            cmd_bdat(cmd);
            break;
        case Verb::Starttls:
            cmd_starttls();
            break;
        case Verb::Rset:
            reset_transaction();
            reply(Reply(250, "2.0.0", "Reset OK"));
            break;
        case Verb::Noop:
            reply(Reply(250, "2.0.0", "OK"));
            break;
        case Verb::Quit:
            close_with(Reply(221, "2.0.0", opts_.hostname + " closing connection"));
            break;
        case Verb::Vrfy:
            // RFC 5321 3.5.3 / 7.3: never reveal whether a user exists.
            reply(Reply(252, "2.5.0", "Cannot VRFY user, but will accept message and attempt delivery"));
            break;
        case Verb::Expn:
            reply(Reply(502, "5.5.1", "EXPN not supported"));
            break;
        case Verb::Help:
            reply(Reply(214, "2.0.0", std::string("Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP STARTTLS") +
                                          (auth_offered() ? " AUTH" : "")));
            break;
        case Verb::Auth:
            cmd_auth(cmd);
            break;
        case Verb::Unknown:
            client_error(Reply(500, "5.5.1", "Command unrecognized"));
            break;
    }
}

void ServerSession::cmd_helo(const Command& cmd) {
    reset_transaction();  // RFC 5321 4.1.4: EHLO/HELO imply RSET
    helo_ = cmd.argument;
    esmtp_ = cmd.verb == Verb::Ehlo;
    if (!esmtp_) {
        reply(Reply(250, "", opts_.hostname));
        return;
    }
    std::vector<std::string> lines{
        opts_.hostname,
        "PIPELINING",                                           // RFC 2920
        "SIZE " + std::to_string(opts_.limits.message_size),    // RFC 1870
        "8BITMIME",                                             // RFC 6152
        "ENHANCEDSTATUSCODES",                                  // RFC 2034
        "SMTPUTF8",                                             // RFC 6531
        "CHUNKING",                                             // RFC 3030
        "DSN",                                                  // RFC 3461
    };
    if (auth_offered()) lines.emplace_back("AUTH " + std::string(sasl::kMechanismList));  // RFC 4954 3
    if (opts_.starttls_available && !tls_active_) lines.emplace_back("STARTTLS");  // RFC 3207
    reply(Reply(250, "", std::move(lines)));  // RFC 2034: no enhanced code in the EHLO reply
}

void ServerSession::cmd_starttls() {
    if (!opts_.starttls_available) return client_error(Reply(502, "5.5.1", "STARTTLS not available"));
    if (tls_active_) return client_error(Reply(503, "5.5.1", "TLS already active"));
    reply(Reply(220, "2.0.0", "Ready to start TLS"));
    actions_.emplace_back(StartTls{});
    // CVE-2011-0411: anything the client pipelined after STARTTLS arrived in plaintext and
    // must not be executed inside the TLS session. Drop it.
    buf_.clear();
    pos_ = 0;
    state_ = State::WaitTls;
}

// ---- output ------------------------------------------------------------------------------

void ServerSession::reply(const Reply& r) {
    if (state_ == State::Closed) return;  // nothing may follow Close
    actions_.emplace_back(SendReply{r.format()});
}

void ServerSession::client_error(const Reply& r) {
    if (state_ == State::Closed) return;
    reply(r);
    if (++errors_ >= opts_.limits.errors) {
        close_with(Reply(421, "4.7.0", opts_.hostname + " Too many errors, closing connection"));
    }
}

void ServerSession::close_with(const Reply& r) {
    if (state_ == State::Closed) return;
    reply(r);
    actions_.emplace_back(Close{});
    state_ = State::Closed;
    buf_.clear();
    pos_ = 0;
    txn_.reset();
}

}  // namespace tern::smtp
