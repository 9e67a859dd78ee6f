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
//  - Submission (RFC 6409 4.3): until AUTH exists, MAIL answers 530 5.7.0.
#include "smtp/server_session.hpp"

#include <utility>

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
    return state_ == State::WaitRecipient || state_ == State::WaitCommit || state_ == State::WaitTls;
}

bool ServerSession::closed() const { return state_ == State::Closed; }

std::chrono::seconds ServerSession::read_timeout() const {
    return state_ == State::Data || state_ == State::Bdat ? opts_.limits.timeout_data
                                                          : opts_.limits.timeout_command;
}

std::string_view ServerSession::protocol() const {
    if (!esmtp_) return "SMTP";
    if (tls_active_) return authenticated() ? "ESMTPSA" : "ESMTPS";
    return authenticated() ? "ESMTPA" : "ESMTP";
}

// ---- completions -------------------------------------------------------------------------

void ServerSession::recipient_checked(const Outcome& outcome) {
    if (state_ != State::WaitRecipient) return;
    state_ = State::Command;
    if (outcome.is_ok() && txn_) {
        txn_->recipients.push_back(std::move(pending_rcpt_));
        reply(Reply(250, "2.1.5", "Recipient OK"));
    } else if (outcome.is_permanent()) {
        client_error(reply_from_outcome(outcome));
    } else {
        reply(reply_from_outcome(outcome));
    }
    pending_rcpt_ = {};
    process();
}

void ServerSession::message_committed(const Outcome& outcome) {
    if (state_ != State::WaitCommit) return;
    state_ = State::Command;
    if (outcome.is_ok()) {
        reply(Reply(250, "2.0.0", outcome.text.empty() ? std::string("OK") : outcome.text));
    } else {
        reply(reply_from_outcome(outcome));
    }
    reset_transaction();
    process();
}

void ServerSession::tls_started(const TlsInfo& info) {
    if (state_ != State::WaitTls) return;
    // RFC 3207 4.2: discard all knowledge obtained from the client before TLS.
    tls_active_ = true;
    tls_info_ = info;
    helo_.clear();
    esmtp_ = false;
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
                client_error(Reply(500, "5.5.2", "Line too long (RFC 5321 4.5.3.1.4: " +
                                                     std::to_string(opts_.limits.command_line) + " octets)"));
                break;
            }
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

// Frames one command line; returns false when more input is needed.
bool ServerSession::process_command_line() {
    std::string_view in(buf_);
    in.remove_prefix(pos_);
    const std::size_t limit = opts_.limits.command_line;
    auto lf = in.substr(0, limit).find('\n');
    if (lf == std::string_view::npos) {
        // RFC 5321 4.5.3.1.4: no valid line is this long. Skip the rest of it up to its LF,
        // never treating the tail as a new command.
        if (in.size() >= limit) state_ = State::DiscardLine;
        return in.size() >= limit;
    }
    std::string_view line = in.substr(0, lf);
    pos_ += lf + 1;
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
            reply(Reply(214, "2.0.0", "Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP STARTTLS"));
            break;
        case Verb::Auth:
            // Not built yet: the command is not advertised, so it is simply not implemented.
            client_error(Reply(502, "5.5.1", "AUTH not available"));
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
    if (opts_.starttls_available && !tls_active_) lines.emplace_back("STARTTLS");  // RFC 3207
    reply(Reply(250, "", std::move(lines)));  // RFC 2034: no enhanced code in the EHLO reply
}

void ServerSession::cmd_mail(const Command& cmd) {
    if (auto seq = check_sequence(Verb::Mail)) return client_error(*seq);
    if (!esmtp_ && cmd.mail != MailParams{}) {
        return client_error(Reply(555, "5.5.4", "Parameters need EHLO"));
    }
    if (cmd.mail.size && *cmd.mail.size > opts_.limits.message_size) {
        // RFC 1870 6.1: refuse at MAIL time when the declared size is already too large.
        return client_error(Reply(552, "5.3.4", "Message size exceeds fixed maximum message size of " +
                                                    std::to_string(opts_.limits.message_size) + " octets"));
    }
    Envelope env;
    env.mail_from = cmd.path;
    env.ret = cmd.mail.ret;
    env.envid = cmd.mail.envid;
    env.body = cmd.mail.body;
    env.smtputf8 = cmd.mail.smtputf8;
    env.helo = helo_;
    env.client_address = peer_.address;
    env.auth_user = auth_user_;
    txn_ = std::move(env);
    bdat_used_ = false;
    sink_.reset({opts_.limits.message_size, opts_.limits.text_line, opts_.limits.received_headers});
    reply(Reply(250, "2.1.0", "Sender OK"));
}

void ServerSession::cmd_rcpt(const Command& cmd) {
    if (auto seq = check_sequence(Verb::Rcpt)) return client_error(*seq);
    if (!esmtp_ && cmd.rcpt != RcptParams{}) {
        return client_error(Reply(555, "5.5.4", "Parameters need EHLO"));
    }
    if (txn_->recipients.size() >= opts_.limits.recipients) {
        // RFC 5321 4.5.3.1.10: the client sends the rest in another transaction.
        return reply(Reply(452, "4.5.3", "Too many recipients"));
    }
    pending_rcpt_ = EnvelopeRecipient{cmd.path, cmd.rcpt.notify, cmd.rcpt.orcpt};
    actions_.emplace_back(CheckRecipient{cmd.path});
    state_ = State::WaitRecipient;
}

void ServerSession::cmd_data() {
    if (auto seq = check_sequence(Verb::Data)) return client_error(*seq);
    reply(Reply(354, "", "End data with <CR><LF>.<CR><LF>"));
    sink_.reset({opts_.limits.message_size, opts_.limits.text_line, opts_.limits.received_headers});
    data_reader_.reset();
    state_ = State::Data;
}

void ServerSession::finish_data() {
    state_ = State::Command;
    if (auto verdict = sink_.finish()) {
        client_error(*verdict);
        reset_transaction();
        return;
    }
    commit();
}

void ServerSession::cmd_bdat(const Command& cmd) {
    bdat_reader_.start(cmd.chunk_size);
    bdat_chunk_size_ = cmd.chunk_size;
    bdat_last_ = cmd.last;
    state_ = State::Bdat;
    if (auto seq = check_sequence(Verb::Bdat)) {
        reset_transaction();
        bdat_accepted_ = false;
        bdat_reply_ = *seq;
        return;
    }
    if (!bdat_used_) {
        sink_.reset({opts_.limits.message_size, opts_.limits.text_line, opts_.limits.received_headers});
    }
    bdat_used_ = true;
    bdat_accepted_ = true;
}

void ServerSession::finish_bdat_chunk() {
    state_ = State::Command;
    if (!bdat_accepted_) {
        client_error(bdat_reply_);
        return;
    }
    if (sink_.oversize()) {
        // The chunk that crossed the limit is answered 552 at once: no use sending the rest.
        client_error(*sink_.finish());
        reset_transaction();
        return;
    }
    if (!bdat_last_) {
        reply(Reply(250, "2.0.0", std::to_string(bdat_chunk_size_) + " octets received"));
        return;
    }
    if (auto verdict = sink_.finish()) {
        client_error(*verdict);
        reset_transaction();
        return;
    }
    commit();
}

void ServerSession::commit() {
    CommitMessage msg{*txn_, sink_.take_data()};
    actions_.emplace_back(std::move(msg));
    state_ = State::WaitCommit;
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

void ServerSession::reset_transaction() {
    txn_.reset();
    bdat_used_ = false;
    pending_rcpt_ = {};
    sink_.reset({opts_.limits.message_size, opts_.limits.text_line, opts_.limits.received_headers});
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
