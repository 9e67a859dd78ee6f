// The TRANSACTION and UPDATE states of the POP3 session (RFC 1939 5, 6, 7): STAT, LIST,
// UIDL, RETR, TOP, DELE, RSET, NOOP, and QUIT's commit of the deletions.
//
// Replies:
//   STAT             +OK <count> <octets>           (messages not marked deleted)
//   LIST             +OK N messages (M octets), then "<msg> <octets>" lines, "."
//   LIST msg         +OK <msg> <octets>
//   UIDL             +OK Unique-ID listing follows, then "<msg> <uid>" lines, "."
//   UIDL msg         +OK <msg> <uid>
//   RETR msg         ReadMessage, then +OK <octets> octets and the message (multiline.hpp)
//   TOP msg n        ReadMessage, then +OK Top of message follows, header, blank line and
//                    the first n body lines
//   DELE msg         +OK Message <msg> deleted
//   RSET             +OK Maildrop has N messages (M octets)
//   NOOP             +OK
//   QUIT             CommitDeletes (when some are marked), then on update_done:
//                    +OK <host> POP3 server signing off (N messages left | maildrop empty)
//                    or -ERR [SYS/TEMP] Some deleted messages not removed; then Close.
//   errors           -ERR Syntax: <usage>              (counted)
//                    -ERR No such message              (0, beyond the listing; not counted)
//                    -ERR Message <msg> already deleted   (not counted)
//                    -ERR [SYS/TEMP] Cannot read message <msg>   (message_read(nullopt))
// The octet counts are the driver's (MessageInfo::size: CRLF line ends, before stuffing);
// the session does not recount the content it sends.
#include <cstdint>
#include <string>
#include <utility>

#include "pop3/multiline.hpp"
#include "pop3/server_session.hpp"

namespace tern::pop3 {

std::string ServerSession::maildrop_summary() const {
    const std::size_t count = messages_.size() - deleted_count_;
    const std::uint64_t octets = total_octets_ >= deleted_octets_ ? total_octets_ - deleted_octets_ : 0;
    return std::to_string(count) + (count == 1 ? " message (" : " messages (") + std::to_string(octets) + " octets)";
}

// The 0-based index of the message `arg` names, or nullopt once the error is answered.
std::optional<std::size_t> ServerSession::message_index(std::string_view arg, std::string_view syntax) {
    auto n = parse_number(arg);
    if (!n) {
        client_error("", syntax);
        return std::nullopt;
    }
    if (*n == 0 || *n > messages_.size()) {
        reply_err("", "No such message");
        return std::nullopt;
    }
    auto index = static_cast<std::size_t>(*n - 1);
    if (deleted_[index]) {
        reply_err("", "Message " + std::to_string(*n) + " already deleted");
        return std::nullopt;
    }
    return index;
}

void ServerSession::cmd_stat(const Command& cmd) {
    if (cmd.argc != 0) return client_error("", "Syntax: STAT");
    const std::uint64_t octets = total_octets_ >= deleted_octets_ ? total_octets_ - deleted_octets_ : 0;
    reply_ok(std::to_string(messages_.size() - deleted_count_) + " " + std::to_string(octets));
}

void ServerSession::cmd_list(const Command& cmd) {
    if (cmd.argc > 1) return client_error("", "Syntax: LIST [msg]");
    if (cmd.argc == 1) {
        auto i = message_index(cmd.args[0], "Syntax: LIST [msg]");
        if (i) reply_ok(std::to_string(*i + 1) + " " + std::to_string(messages_[*i].size));
        return;
    }
    std::string out = "+OK " + maildrop_summary() + "\r\n";
    for (std::size_t i = 0; i < messages_.size(); ++i) {
        if (deleted_[i]) continue;
        out += std::to_string(i + 1);
        out += ' ';
        out += std::to_string(messages_[i].size);
        out += "\r\n";
    }
    out += ".\r\n";
    send(std::move(out));
}

void ServerSession::cmd_uidl(const Command& cmd) {
    if (cmd.argc > 1) return client_error("", "Syntax: UIDL [msg]");
    if (cmd.argc == 1) {
        auto i = message_index(cmd.args[0], "Syntax: UIDL [msg]");
        if (i) reply_ok(std::to_string(*i + 1) + " " + messages_[*i].uid);
        return;
    }
    std::string out = "+OK Unique-ID listing follows\r\n";
    for (std::size_t i = 0; i < messages_.size(); ++i) {
        if (deleted_[i]) continue;
        out += std::to_string(i + 1);
        out += ' ';
        out += messages_[i].uid;
        out += "\r\n";
    }
    out += ".\r\n";
    send(std::move(out));
}

void ServerSession::cmd_retr(const Command& cmd) {
    if (cmd.argc != 1) return client_error("", "Syntax: RETR msg");
    auto i = message_index(cmd.args[0], "Syntax: RETR msg");
    if (!i) return;
    pending_index_ = *i;
    pending_top_.reset();
    actions_.emplace_back(ReadMessage{*i, std::nullopt});
    state_ = State::WaitMessage;
}

void ServerSession::cmd_top(const Command& cmd) {
    constexpr std::string_view kSyntax = "Syntax: TOP msg n";
    if (cmd.argc != 2) return client_error("", kSyntax);
    auto lines = parse_number(cmd.args[1]);  // RFC 1939 7: "a non-negative number"
    if (!lines || !parse_number(cmd.args[0])) return client_error("", kSyntax);
    auto i = message_index(cmd.args[0], kSyntax);
    if (!i) return;
    pending_index_ = *i;
    pending_top_ = *lines > SIZE_MAX ? SIZE_MAX : static_cast<std::size_t>(*lines);
    actions_.emplace_back(ReadMessage{*i, pending_top_});
    state_ = State::WaitMessage;
}

void ServerSession::cmd_dele(const Command& cmd) {
    if (cmd.argc != 1) return client_error("", "Syntax: DELE msg");
    auto i = message_index(cmd.args[0], "Syntax: DELE msg");
    if (!i) return;
    deleted_[*i] = true;
    ++deleted_count_;
    const auto size = messages_[*i].size;
    deleted_octets_ = size > UINT64_MAX - deleted_octets_ ? UINT64_MAX : deleted_octets_ + size;
    reply_ok("Message " + std::to_string(*i + 1) + " deleted");
}

void ServerSession::cmd_rset(const Command& cmd) {
    if (cmd.argc != 0) return client_error("", "Syntax: RSET");
    deleted_.assign(messages_.size(), false);
    deleted_count_ = 0;
    deleted_octets_ = 0;
    reply_ok("Maildrop has " + maildrop_summary());
}

void ServerSession::cmd_noop(const Command& cmd) {
    if (cmd.argc != 0) return client_error("", "Syntax: NOOP");
    reply_ok("");
}

// QUIT in TRANSACTION (RFC 1939 6): the only way deletions reach the maildrop.
void ServerSession::enter_update() {
    phase_ = Phase::Update;
    std::vector<std::size_t> indexes;
    indexes.reserve(deleted_count_);
    for (std::size_t i = 0; i < deleted_.size(); ++i) {
        if (deleted_[i]) indexes.push_back(i);
    }
    if (indexes.empty()) return sign_off(true);
    actions_.emplace_back(CommitDeletes{std::move(indexes)});
    state_ = State::WaitCommit;
}

// ---- completions -------------------------------------------------------------------------

void ServerSession::message_read(std::optional<std::string> content) {
    if (state_ != State::WaitMessage) return;
    state_ = State::Command;
    if (!content) {
        reply_err("SYS/TEMP", "Cannot read message " + std::to_string(pending_index_ + 1));
    } else if (!pending_top_) {
        // RFC 1939 5 RETR: "+OK 120 octets", the size as listed.
        send(multiline_response("+OK " + std::to_string(messages_[pending_index_].size) + " octets\r\n", *content));
    } else {
        send(multiline_response("+OK Top of message follows\r\n", *content, pending_top_));
    }
    content.reset();  // the stored copy is not needed any more
    process();
}

void ServerSession::update_done(bool ok) {
    if (state_ != State::WaitCommit) return;
    sign_off(ok);
}

void ServerSession::sign_off(bool ok) {
    if (!ok) {
        // RFC 1939 6: "-ERR some deleted messages not removed".
        return close_with("-ERR [SYS/TEMP] Some deleted messages not removed\r\n");
    }
    const std::size_t left = messages_.size() - deleted_count_;
    std::string state = left == 0   ? std::string("maildrop empty")
                        : left == 1 ? std::string("1 message left")
                                    : std::to_string(left) + " messages left";
    close_with("+OK " + opts_.hostname + " POP3 server signing off (" + state + ")\r\n");
}

}  // namespace tern::pop3
