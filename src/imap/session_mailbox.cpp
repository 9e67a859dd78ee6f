// The authenticated state of the IMAP session (RFC 9051 6.3): SELECT, EXAMINE, CREATE, DELETE,
// RENAME, SUBSCRIBE, UNSUBSCRIBE, LIST, LSUB (RFC 3501), NAMESPACE, STATUS, APPEND.
//
// Mailbox names arrive in modified UTF-7 (RFC 3501 5.1.3) unless the client enabled
// UTF8=ACCEPT or IMAP4rev2, then in UTF-8; they go to the backend as UTF-8 and come back
// encoded the same way. A name that does not decode, or holds control characters or
// wildcards, is refused with NO [CANNOT] before the backend sees it. INBOX is matched in any
// case (RFC 9051 5.1).
//
// LIST: one namespace ("" with '/'); attributes \HasChildren/\HasNoChildren (RFC 3348),
// \Noselect for folders the backend marks unselectable, the special-use attribute (RFC 6154).
// LIST-EXTENDED selection options SUBSCRIBED and SPECIAL-USE filter, RETURN (SUBSCRIBED) adds
// \Subscribed; other return options are ignored (LIST-EXTENDED is not advertised). Patterns
// longer than kMaxPattern are refused (matching is O(name x pattern)).
#include <algorithm>
#include <set>
#include <utility>

#include "core/address.hpp"
#include "core/mutf7.hpp"
#include "imap/mailbox_name.hpp"
#include "imap/response_syntax.hpp"
#include "imap/server_session.hpp"

namespace tern::imap {
namespace {

constexpr std::size_t kMaxPattern = 1024;

// A special-use attribute from storage goes on the wire only if it looks like one ("\\" and
// letters): it comes from a file, and a broken one must not break the LIST syntax.
bool special_use_attribute(std::string_view s) {
    return s.size() > 1 && s.front() == '\\' && std::all_of(s.begin() + 1, s.end(), [](char c) {
               return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
           });
}

std::string status_items(const FolderStatus& st, const std::vector<StatusItem>& items, std::uint64_t append_limit) {
    std::string out;
    auto add = [&](std::string_view name, std::uint64_t value) {
        if (!out.empty()) out += ' ';
        out += name;
        out += ' ';
        out += std::to_string(value);
    };
    for (auto item : items) {
        switch (item) {
            case StatusItem::Messages: add("MESSAGES", st.messages); break;
            case StatusItem::UidNext: add("UIDNEXT", st.uidnext); break;
            case StatusItem::UidValidity: add("UIDVALIDITY", st.uidvalidity); break;
            case StatusItem::Unseen: add("UNSEEN", st.unseen); break;
            case StatusItem::Deleted: add("DELETED", st.deleted); break;
            case StatusItem::Size: add("SIZE", st.size); break;
            case StatusItem::Recent: add("RECENT", 0); break;
            case StatusItem::HighestModseq: add("HIGHESTMODSEQ", st.highestmodseq); break;
            case StatusItem::AppendLimit: add("APPENDLIMIT", append_limit); break;
        }
    }
    return out;
}

}  // namespace

std::optional<std::string> ServerSession::decode_name(const Command& cmd, std::string_view raw) {
    if (is_inbox(raw)) return std::string("INBOX");
    std::optional<std::string> name;
    if (utf8_ || rev2_) {
        if (is_valid_utf8(raw)) name = std::string(raw);
    } else {
        name = mutf7_decode(raw);
    }
    if (name && name->size() > 1 && name->back() == kDelimiter) name->pop_back();  // "foo/" is "foo"
    if (!name || !valid_mailbox_name(*name)) {
        no(cmd, "CANNOT", "Invalid mailbox name");
        return std::nullopt;
    }
    return name;
}

std::string ServerSession::encode_name(std::string_view utf8) const {
    if (utf8_ || rev2_) return std::string(utf8);
    auto encoded = mutf7_encode(utf8);
    return encoded ? *encoded : std::string(utf8);
}

void ServerSession::unselect() {
    selected_.reset();
    selected_name_.clear();
    messages_.clear();
    pending_expunges_.clear();
    saved_uids_.clear();  // RFC 5182 2.1: "$" is empty in a newly selected mailbox
    read_only_ = false;
    if (state_ == State::Selected) state_ = State::Authenticated;
}

void ServerSession::cmd_select(const Command& cmd, const Select& s) {
    if (s.qresync && !qresync_) return bad(cmd.tag, "QRESYNC is not enabled");  // RFC 7162 3.2.5
    const bool was_selected = state_ == State::Selected;
    unselect();
    // RFC 9051 7.1: [CLOSED] tells the client the previous mailbox's updates are over.
    if (was_selected && (rev2_ || condstore_)) send("* OK [CLOSED] Previous mailbox closed\r\n");
    auto name = decode_name(cmd, s.mailbox);
    if (!name) return;
    auto result = backend_->select(*name, s.read_only);
    if (auto* e = error_of(result)) return backend_no(cmd, *e, s.read_only ? "EXAMINE" : "SELECT");
    selected_ = std::move(std::get<std::unique_ptr<SelectedFolder>>(result));
    if (!selected_) return backend_no(cmd, BackendError::Temporary, "SELECT");
    if (s.condstore) condstore_ = true;
    const FolderView& v = selected_->view();
    messages_ = v.messages;
    uidvalidity_ = v.uidvalidity;
    uidnext_ = v.uidnext;
    highestmodseq_ = v.highestmodseq;
    selected_name_ = *name;
    read_only_ = s.read_only;
    state_ = State::Selected;

    std::vector<std::string> flags = {"\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft"};
    std::set<std::string> keywords;
    for (const auto& m : messages_) {
        for (const auto& f : m.flags) {
            if (!f.empty() && f.front() != '\\') keywords.insert(f);
        }
    }
    flags.insert(flags.end(), keywords.begin(), keywords.end());
    std::string out = "* FLAGS ";
    append_flag_list(out, flags);
    out += "\r\n* " + std::to_string(messages_.size()) + " EXISTS\r\n";
    if (!rev2_) {
        out += "* 0 RECENT\r\n";
        for (std::size_t i = 0; i < messages_.size(); ++i) {
            const auto& fl = messages_[i].flags;
            if (std::find(fl.begin(), fl.end(), "\\Seen") == fl.end()) {
                out += "* OK [UNSEEN " + std::to_string(i + 1) + "] First unseen\r\n";
                break;
            }
        }
    }
    out += "* OK [UIDVALIDITY " + std::to_string(uidvalidity_) + "] UIDs valid\r\n";
    out += "* OK [UIDNEXT " + std::to_string(uidnext_) + "] Predicted next UID\r\n";
    if (read_only_) {
        out += "* OK [PERMANENTFLAGS ()] Read-only mailbox\r\n";
    } else {
        std::vector<std::string> permanent = flags;
        permanent.emplace_back("\\*");
        out += "* OK [PERMANENTFLAGS ";
        append_flag_list(out, permanent);
        out += "] Flags permitted\r\n";
    }
    out += "* OK [HIGHESTMODSEQ " + std::to_string(highestmodseq_) + "] Highest\r\n";
    if (rev2_) {
        out += "* LIST () \"/\" ";
        append_mailbox(out, encode_name(selected_name_), utf8_ || rev2_);
        out += "\r\n";
    }
    if (s.qresync) out += resync(*s.qresync);  // VANISHED (EARLIER), FETCH: session_qresync.cpp
    send(std::move(out));
    ok(cmd, std::string(s.read_only ? "EXAMINE" : "SELECT") + " completed", read_only_ ? "READ-ONLY" : "READ-WRITE");
}

void ServerSession::cmd_create(const Command& cmd, const Create& c) {
    auto name = decode_name(cmd, c.mailbox);
    if (!name) return;
    if (*name == "INBOX") return tagged(cmd, "NO", "ALREADYEXISTS", "Mailbox already exists");
    std::string use = c.special_use.empty() ? std::string() : c.special_use.front();
    auto r = backend_->create(*name, use);
    if (auto* e = error_of(r)) return backend_no(cmd, *e, "CREATE");
    ok(cmd, "CREATE completed");
}

void ServerSession::cmd_delete(const Command& cmd, const Delete& d) {
    auto name = decode_name(cmd, d.mailbox);
    if (!name) return;
    if (*name == "INBOX") return tagged(cmd, "NO", "CANNOT", "INBOX cannot be deleted");
    auto r = backend_->remove(*name);
    if (auto* e = error_of(r)) return backend_no(cmd, *e, "DELETE");
    ok(cmd, "DELETE completed");
}

void ServerSession::cmd_rename(const Command& cmd, const Rename& r) {
    auto from = decode_name(cmd, r.from);
    if (!from) return;
    auto to = decode_name(cmd, r.to);
    if (!to) return;
    if (*to == "INBOX") return tagged(cmd, "NO", "ALREADYEXISTS", "Mailbox already exists");
    auto result = backend_->rename(*from, *to);
    if (auto* e = error_of(result)) return backend_no(cmd, *e, "RENAME");
    ok(cmd, "RENAME completed");
}

void ServerSession::cmd_subscribe(const Command& cmd, std::string_view mailbox, bool subscribe) {
    auto name = decode_name(cmd, mailbox);
    if (!name) return;
    auto r = backend_->subscribe(*name, subscribe);
    if (auto* e = error_of(r)) return backend_no(cmd, *e, subscribe ? "SUBSCRIBE" : "UNSUBSCRIBE");
    ok(cmd, subscribe ? "SUBSCRIBE completed" : "UNSUBSCRIBE completed");
}

void ServerSession::cmd_list(const Command& cmd, const List& l) {
    const bool utf8 = utf8_ || rev2_;
    if (l.patterns.size() == 1 && l.patterns.front().empty()) {
        // RFC 9051 6.3.9: the hierarchy delimiter and root name.
        send("* LIST (\\Noselect) \"/\" \"\"\r\n");
        return ok(cmd, "LIST completed");
    }
    std::vector<std::string> patterns;
    for (const auto& p : l.patterns) {
        if (p.empty()) continue;
        std::string raw = l.reference + p;
        if (raw.size() > kMaxPattern) return bad(cmd.tag, "Pattern too long");
        auto decoded = utf8 ? (is_valid_utf8(raw) ? std::optional<std::string>(raw) : std::nullopt) : mutf7_decode(raw);
        if (!decoded) return no(cmd, "CANNOT", "Invalid mailbox pattern");
        patterns.push_back(std::move(*decoded));
    }
    auto r = backend_->list();
    if (auto* e = error_of(r)) return backend_no(cmd, *e, "LIST");
    auto folders = std::get<std::vector<FolderInfo>>(std::move(r));
    std::sort(folders.begin(), folders.end(), [](const FolderInfo& a, const FolderInfo& b) {
        if ((a.name == "INBOX") != (b.name == "INBOX")) return a.name == "INBOX";
        return a.name < b.name;
    });
    std::set<std::string_view> names;
    for (const auto& f : folders) names.insert(f.name);
    std::string out;
    for (const auto& f : folders) {
        if (l.selection.subscribed && !f.subscribed) continue;
        if (l.selection.special_use && f.special_use.empty()) continue;
        bool matched = std::any_of(patterns.begin(), patterns.end(),
                                   [&](const std::string& p) { return list_match(f.name, p, kDelimiter); });
        if (!matched) continue;
        // The first name after "name/" starts with it exactly when there is a child.
        const std::string prefix = f.name + kDelimiter;
        auto after = names.upper_bound(prefix);
        const bool children = after != names.end() && after->substr(0, prefix.size()) == prefix;
        std::string attrs = children ? "\\HasChildren" : "\\HasNoChildren";
        if (!f.selectable) attrs += " \\Noselect";
        if ((l.selection.subscribed || l.return_options.subscribed) && f.subscribed) attrs += " \\Subscribed";
        if (special_use_attribute(f.special_use)) attrs += " " + f.special_use;
        out += "* LIST (" + attrs + ") \"/\" ";
        append_mailbox(out, encode_name(f.name), utf8);
        out += "\r\n";
    }
    if (!out.empty()) send(std::move(out));
    ok(cmd, "LIST completed");
}

void ServerSession::cmd_lsub(const Command& cmd, const Lsub& l) {
    const bool utf8 = utf8_ || rev2_;
    if (l.pattern.empty()) {
        send("* LSUB (\\Noselect) \"/\" \"\"\r\n");
        return ok(cmd, "LSUB completed");
    }
    std::string raw = l.reference + l.pattern;
    if (raw.size() > kMaxPattern) return bad(cmd.tag, "Pattern too long");
    auto pattern = utf8 ? (is_valid_utf8(raw) ? std::optional<std::string>(raw) : std::nullopt) : mutf7_decode(raw);
    if (!pattern) return no(cmd, "CANNOT", "Invalid mailbox pattern");
    auto r = backend_->list();
    if (auto* e = error_of(r)) return backend_no(cmd, *e, "LSUB");
    auto folders = std::get<std::vector<FolderInfo>>(std::move(r));
    std::sort(folders.begin(), folders.end(), [](const FolderInfo& a, const FolderInfo& b) { return a.name < b.name; });
    std::string out;
    for (const auto& f : folders) {
        if (!f.subscribed || !list_match(f.name, *pattern, kDelimiter)) continue;
        out += "* LSUB () \"/\" ";
        append_mailbox(out, encode_name(f.name), utf8);
        out += "\r\n";
    }
    if (!out.empty()) send(std::move(out));
    ok(cmd, "LSUB completed");
}

void ServerSession::cmd_namespace(const Command& cmd) {
    send("* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n");
    ok(cmd, "NAMESPACE completed");
}

void ServerSession::cmd_status(const Command& cmd, const Status& s) {
    auto name = decode_name(cmd, s.mailbox);
    if (!name) return;
    auto r = backend_->status(*name);
    if (auto* e = error_of(r)) return backend_no(cmd, *e, "STATUS");
    const auto& st = std::get<FolderStatus>(r);
    std::string out = "* STATUS ";
    append_mailbox(out, encode_name(*name), utf8_ || rev2_);
    out += " (" + status_items(st, s.items, opts_.limits.append_limit) + ")\r\n";
    send(std::move(out));
    ok(cmd, "STATUS completed");
}

void ServerSession::cmd_append(const Command& cmd, const Append& a) {
    auto name = decode_name(cmd, a.mailbox);
    if (!name) return;
    // Check every message before storing any: MULTIAPPEND is all or nothing (RFC 3502 6.3.11),
    // at least as far as the checks go.
    std::vector<std::vector<std::string>> flag_lists;
    for (const auto& m : a.messages) {
        if (m.utf8 && !utf8_) return bad(cmd.tag, "UTF8 APPEND requires ENABLE UTF8=ACCEPT");  // RFC 6855 3
        if (m.data.empty()) return no(cmd, "CANNOT", "Empty message");
        if (m.data.size() > opts_.limits.append_limit) return tagged(cmd, "NO", "TOOBIG", "Message too large");
        // RFC 3516 4.4 (and RFC 9051 6.3.12): a mailbox that cannot store binary content
        // refuses it with UNKNOWN-CTE. 8-bit octets are stored as they are; NUL is refused,
        // because BODY[] could not serve it afterwards (a literal holds no NUL, and literal8
        // is for BINARY[] only).
        if (m.binary && m.data.find('\0') != std::string::npos) {
            return tagged(cmd, "NO", "UNKNOWN-CTE", "Messages holding NUL cannot be stored; send them encoded");
        }
        std::vector<std::string> flags;
        for (const auto& f : m.flags) {
            auto c = canonical_flag(f);
            if (!c) return bad(cmd.tag, "Invalid flag in APPEND");
            if (std::find(flags.begin(), flags.end(), *c) == flags.end()) flags.push_back(std::move(*c));
        }
        flag_lists.push_back(std::move(flags));
    }
    SequenceSet uids;
    std::uint32_t uidvalidity = 0;
    for (std::size_t i = 0; i < a.messages.size(); ++i) {
        const auto& m = a.messages[i];
        std::optional<std::int64_t> date;
        if (m.internal_date) date = m.internal_date->unix_seconds;
        auto r = backend_->append(*name, m.data, flag_lists[i], date);
        if (auto* e = error_of(r)) {
            if (*e == BackendError::NotFound) {
                return tagged(cmd, "NO", "TRYCREATE", "Mailbox does not exist");  // RFC 9051 6.3.12
            }
            return backend_no(cmd, *e, "APPEND");
        }
        const auto& out = std::get<AppendOutcome>(r);
        uidvalidity = out.uidvalidity;
        if (out.uid != 0) uids.add(out.uid);
    }
    if (state_ == State::Selected) send_updates(true);
    if (closed_) return;
    if (uids.empty()) return ok(cmd, "APPEND completed");
    std::string code = "APPENDUID " + std::to_string(uidvalidity) + " ";
    append_sequence_set(code, uids);
    ok(cmd, "APPEND completed", code);
}

}  // namespace tern::imap
