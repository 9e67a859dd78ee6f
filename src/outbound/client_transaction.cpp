// The SMTP client session, message part: one mail transaction per message (RFC 5321 3.3,
// 4.1.1.2-4.1.1.5), pipelined when the peer offers PIPELINING (RFC 2920 3.1), the data sent
// through the streaming DataEncoder (RFC 5321 4.5.2), per-recipient outcomes (RFC 5321
// 3.3: a recipient is delivered only by the reply to the end of data). See
// client_session.hpp.
#include "outbound/client_session.hpp"

namespace tern::outbound {

std::size_t ClientSession::add_message(MessageJob job) {
    std::size_t index = jobs_.size();
    jobs_.push_back(std::move(job));
    if (state_ == State::Closed || quit_sent_) {
        fail_message(index, Outcome::temporary("4.4.2", "Connection already closed"), true);
        next_job_ = jobs_.size();
        return index;
    }
    next_message();
    return index;
}

void ClientSession::no_more_messages() {
    no_more_ = true;
    next_message();
}

void ClientSession::fail_message(std::size_t index, const Outcome& why, bool host_failure) {
    MessageResult res;
    res.message = index;
    res.recipients.assign(jobs_[index].recipients.size(), why);
    res.data = why;
    res.host_failure = host_failure;
    res.peer_dsn = caps_.dsn;
    actions_.push_back(std::move(res));
}

void ClientSession::finish_txn(const Outcome& data, bool host_failure) {
    OpenTransaction& t = *txn_;
    MessageResult res;
    res.message = t.index;
    res.data = data;
    res.host_failure = host_failure;
    res.peer_dsn = caps_.dsn;
    for (auto& f : t.final) res.recipients.push_back(f ? std::move(*f) : data);
    actions_.push_back(std::move(res));
    txn_.reset();
}

void ClientSession::next_message() {
    if (!ready_ || state_ != State::Active || txn_ || !expect_.empty()) return;
    while (next_job_ < jobs_.size()) {
        if (need_rset_) {
            // The last transaction is still open at the server (MAIL accepted, no data).
            return send("RSET\r\n", {Expect::Rset});
        }
        std::size_t index = next_job_++;
        if (auto why = precheck_message(jobs_[index], caps_)) {
            fail_message(index, *why, false);
            continue;
        }
        begin(index);
        if (txn_) return;
    }
    if (no_more_ && !quit_sent_) {
        quit_sent_ = true;
        send("QUIT\r\n", {Expect::Quit});
    }
}

void ClientSession::begin(std::size_t index) {
    const MessageJob& job = jobs_[index];
    txn_.emplace();
    OpenTransaction& t = *txn_;
    t.index = index;
    t.final.resize(job.recipients.size());
    bool any = false;
    for (std::size_t i = 0; i < job.recipients.size(); ++i) {
        t.final[i] = precheck_recipient(job.recipients[i]);
        if (!t.final[i]) any = true;
    }
    if (!any) {
        // Nothing to send at all (no recipients, or none usable).
        Outcome none = job.recipients.empty() ? Outcome::permanent("5.1.3", "No recipients", 554) : *t.final[0];
        return finish_txn(none);
    }
    if (!caps_.pipelining) return send(mail_command(job, caps_), {Expect::Mail});
    // RFC 2920 3.1: MAIL, RCPT... and DATA as one group; the replies come back in order.
    std::string batch = mail_command(job, caps_);
    std::vector<Expect> expects{Expect::Mail};
    for (std::size_t i = 0; i < job.recipients.size(); ++i) {
        if (t.final[i]) continue;
        batch += rcpt_command(job.recipients[i], caps_);
        t.sent.push_back(i);
        expects.push_back(Expect::Rcpt);
    }
    batch += "DATA\r\n";
    expects.push_back(Expect::Data);
    actions_.push_back(Send{std::move(batch)});
    expect_.insert(expect_.end(), expects.begin(), expects.end());
}

void ClientSession::on_mail(const Reply& r) {
    if (!txn_ || r.cls() == 3) return protocol_violation("unexpected reply to MAIL");
    OpenTransaction& t = *txn_;
    if (r.cls() == 2) {
        t.mail_ok = true;
        if (!caps_.pipelining) send_next_rcpt_or_data();
        return;
    }
    Outcome why = outcome_of(r);
    if (caps_.pipelining) {
        // The RCPT and DATA replies are still coming; they cannot change this.
        t.refused = why;
        return;
    }
    finish_txn(why);
    next_message();
}

void ClientSession::send_next_rcpt_or_data() {
    OpenTransaction& t = *txn_;
    const MessageJob& job = jobs_[t.index];
    std::size_t next = t.sent.empty() ? 0 : t.sent.back() + 1;
    while (next < job.recipients.size() && t.final[next]) ++next;
    if (next < job.recipients.size()) {
        t.sent.push_back(next);
        return send(rcpt_command(job.recipients[next], caps_), {Expect::Rcpt});
    }
    if (t.any_accepted) return send("DATA\r\n", {Expect::Data});
    // Every recipient refused: the transaction stays open at the server until RSET.
    need_rset_ = true;
    Outcome first = *t.final[t.sent.empty() ? 0 : t.sent.front()];
    finish_txn(first);
    next_message();
}

void ClientSession::on_rcpt(const Reply& r) {
    if (!txn_ || r.cls() == 3 || txn_->rcpt_replies >= txn_->sent.size()) {
        return protocol_violation("unexpected reply to RCPT");
    }
    OpenTransaction& t = *txn_;
    std::size_t idx = t.sent[t.rcpt_replies++];
    if (!t.refused) {
        if (r.cls() == 2) t.any_accepted = true;
        else t.final[idx] = outcome_of(r);
    }
    if (!caps_.pipelining) send_next_rcpt_or_data();
}

void ClientSession::on_data(const Reply& r) {
    if (!txn_) return protocol_violation("unexpected reply to DATA");
    OpenTransaction& t = *txn_;
    if (r.cls() == 2) return protocol_violation("2xx reply to DATA");
    if (r.cls() == 3) {
        if (t.mail_ok && t.any_accepted && !t.refused) {
            state_ = State::SendingData;  // take_actions() streams the message
            t.encoder.reset();
            return;
        }
        // RFC 2920 3.1: DATA accepted although no recipient was: send an empty message
        // ("." alone); the server must refuse it.
        t.dummy_data = true;
        return send(".\r\n", {Expect::DataEnd});
    }
    Outcome why = t.refused ? *t.refused : outcome_of(r);
    need_rset_ = t.mail_ok;
    finish_txn(why);
    next_message();
}

void ClientSession::pump_data(std::vector<Action>& out) {
    OpenTransaction& t = *txn_;
    std::string_view data = jobs_[t.index].data;
    std::size_t n = 0;
    std::string bytes;
    // A chunk can encode to nothing (the LF of a CRLF split across chunks); never send
    // an empty write, take the next chunk instead.
    do {
        n = std::min(opts_.data_chunk, data.size() - t.data_off);
        t.encoder.encode(data.substr(t.data_off, n), bytes);
        t.data_off += n;
    } while (bytes.empty() && t.data_off < data.size());
    if (t.data_off == data.size()) {
        t.encoder.finish(bytes);
        state_ = State::Active;
        expect_.push_back(Expect::DataEnd);
    }
    out.push_back(Send{std::move(bytes)});
}

void ClientSession::on_data_end(const Reply& r) {
    if (!txn_ || r.cls() == 3) return protocol_violation("unexpected reply to the end of data");
    OpenTransaction& t = *txn_;
    Outcome o = outcome_of(r);
    if (t.dummy_data) {
        // Every recipient already has its refusal; a 250 here would not deliver anything.
        o = t.refused ? *t.refused : Outcome::permanent("5.5.0", "No recipient accepted: " + r.str(), 554);
    }
    finish_txn(o);
    next_message();
}

void ClientSession::on_rset(const Reply& r) {
    if (r.cls() != 2) return fail_connection(host_refusal(r, "Host refused RSET"), true);
    need_rset_ = false;
    next_message();
}

}  // namespace tern::outbound
