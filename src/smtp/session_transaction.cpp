// The mail transaction in the server session (RFC 5321 3.3): MAIL (with CheckSender for
// authenticated clients), RCPT, DATA and BDAT, their completions, and the commit.
// See server_session.hpp for the contract and server_session.cpp for the policies.
#include "smtp/server_session.hpp"

#include <utility>

namespace tern::smtp {

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

void ServerSession::sender_checked(const Outcome& outcome) {
    if (state_ != State::WaitSender) return;
    state_ = State::Command;
    if (outcome.is_ok() && pending_txn_) {
        txn_ = std::move(pending_txn_);
        bdat_used_ = false;
        sink_.reset({opts_.limits.message_size, opts_.limits.text_line, opts_.limits.received_headers});
        reply(Reply(250, "2.1.0", "Sender OK"));
    } else if (outcome.is_permanent()) {
        client_error(reply_from_outcome(outcome));
    } else {
        reply(reply_from_outcome(outcome));
    }
    pending_txn_.reset();
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
    if (authenticated()) {
        // Authenticated users may send only as the addresses the driver's rules allow.
        actions_.emplace_back(CheckSender{cmd.path});
        pending_txn_ = std::move(env);
        state_ = State::WaitSender;
        return;
    }
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

void ServerSession::reset_transaction() {
    txn_.reset();
    pending_txn_.reset();
    bdat_used_ = false;
    pending_rcpt_ = {};
    sink_.reset({opts_.limits.message_size, opts_.limits.text_line, opts_.limits.received_headers});
}

}  // namespace tern::smtp
