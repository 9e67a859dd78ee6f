// The authenticated state of the IMAP session (RFC 9051 6.3): SELECT, EXAMINE, CREATE, DELETE,
// RENAME, SUBSCRIBE, UNSUBSCRIBE, LIST, LSUB (RFC 3501), NAMESPACE, STATUS, APPEND, and
// GETQUOTA, GETQUOTAROOT, SETQUOTA (RFC 9208).
//
// Mailbox names arrive in modified UTF-7 (RFC 3501 5.1.3) unless the client enabled
// UTF8=ACCEPT or IMAP4rev2, then in UTF-8; they go to the backend as UTF-8 and come back
// encoded the same way. A name that does not decode, or holds control characters or
// wildcards, is refused with NO [CANNOT] before the backend sees it. INBOX is matched in any
// case (RFC 9051 5.1).
//
// LIST: one namespace ("" with '/'); attributes \HasChildren/\HasNoChildren (RFC 3348, always
// sent), \Noselect for folders the backend marks unselectable, \NonExistent (RFC 5258) for
// names without a folder (\Noselect instead for a plain LIST from an IMAP4rev1 client), the
// special-use attribute (RFC 6154, always sent). RFC 5258 LIST-EXTENDED: selection options
// SUBSCRIBED, SPECIAL-USE, RECURSIVEMATCH (CHILDINFO) and REMOTE (no remote mailboxes: no
// effect), return options SUBSCRIBED, CHILDREN, SPECIAL-USE, several patterns; RFC 5819
// RETURN (STATUS (...)). Left out: OLDNAME extended data (RFC 9051 7.3.1). Patterns
// longer than kMaxPattern, or more than kMaxPatterns of them, are refused (matching is
// O(name x pattern) per pattern).
#include <algorithm>
#include <map>
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
// LIST-EXTENDED patterns per command: every candidate name is matched against each of them.
constexpr std::size_t kMaxPatterns = 64;

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
    FolderView v = selected_->take_view();
    messages_ = std::move(v.messages);
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

// RFC 5258 (and RFC 9051 6.3.9, RFC 6154, RFC 5819). Every name the backend knows, plus the
// ancestors it did not list, is a candidate; a candidate that matches a pattern is listed when
//  - there are no selection criteria: it exists, or has a folder below it (a level of the
//    hierarchy: "\Noselect", or "\NonExistent" for LIST-EXTENDED and IMAP4rev2 clients);
//  - with SUBSCRIBED / SPECIAL-USE: it meets them (a subscribed name may not exist:
//    \NonExistent), or RECURSIVEMATCH is given and a name below it meets them without matching
//    a pattern (so is not listed itself): then CHILDINFO says which criteria (3.5).
void ServerSession::cmd_list(const Command& cmd, const List& l) {
    const bool utf8 = utf8_ || rev2_;
    if (l.patterns.size() > kMaxPatterns) return bad(cmd.tag, "Too many patterns");
    std::vector<std::string> patterns;
    for (const auto& p : l.patterns) {
        if (p.empty()) continue;
        std::string raw = l.reference + p;
        if (raw.size() > kMaxPattern) return bad(cmd.tag, "Pattern too long");
        auto decoded = utf8 ? (is_valid_utf8(raw) ? std::optional<std::string>(raw) : std::nullopt) : mutf7_decode(raw);
        if (!decoded) return no(cmd, "CANNOT", "Invalid mailbox pattern");
        patterns.push_back(std::move(*decoded));
    }
    if (patterns.empty()) {
        // RFC 9051 6.3.9: the hierarchy delimiter and root name.
        send("* LIST (\\Noselect) \"/\" \"\"\r\n");
        return ok(cmd, "LIST completed");
    }
    auto r = backend_->list();
    if (auto* e = error_of(r)) return backend_no(cmd, *e, "LIST");

    struct Entry {
        FolderInfo info;
        bool has_children = false;  // a folder exists below it
        bool child_match = false;   // RECURSIVEMATCH: a name below meets the criteria, matches no pattern
    };
    std::map<std::string, Entry> entries;
    for (auto& f : std::get<std::vector<FolderInfo>>(r)) {
        if (!f.exists) f.selectable = false;
        auto it = entries.find(f.name);
        if (it == entries.end()) {
            std::string name = f.name;
            entries.emplace(std::move(name), Entry{std::move(f)});
        } else if (!it->second.info.exists && f.exists) {
            it->second.info = std::move(f);  // a folder wins over a name without one
        }
    }
    // Ancestors the backend left out ("a" for "a/b").
    std::vector<std::string> missing;
    for (const auto& [name, e] : entries) {
        for (auto pos = name.find(kDelimiter); pos != std::string::npos; pos = name.find(kDelimiter, pos + 1)) {
            if (!entries.count(name.substr(0, pos))) missing.push_back(name.substr(0, pos));
        }
    }
    for (auto& name : missing) {
        FolderInfo f;
        f.name = name;
        f.selectable = false;
        f.exists = false;
        entries.emplace(std::move(name), Entry{std::move(f)});
    }

    const ListSelection& sel = l.selection;
    const bool criteria = sel.subscribed || sel.special_use;
    auto meets = [&](const FolderInfo& f) {
        if (sel.subscribed && !f.subscribed) return false;
        if (sel.special_use && (!f.exists || !special_use_attribute(f.special_use))) return false;
        return true;
    };
    auto matches = [&](const std::string& name) {
        return std::any_of(patterns.begin(), patterns.end(),
                           [&](const std::string& p) { return list_match(name, p, kDelimiter); });
    };
    for (const auto& [name, e] : entries) {
        const bool mark_children = e.info.exists;
        const bool mark_match = sel.recursive_match && criteria && meets(e.info) && !matches(name);
        if (!mark_children && !mark_match) continue;
        for (auto pos = name.find(kDelimiter); pos != std::string::npos; pos = name.find(kDelimiter, pos + 1)) {
            auto& parent = entries.at(name.substr(0, pos));
            if (mark_children) parent.has_children = true;
            if (mark_match) parent.child_match = true;
        }
    }

    std::vector<const Entry*> order;
    for (const auto& [name, e] : entries) order.push_back(&e);
    std::stable_partition(order.begin(), order.end(), [](const Entry* e) { return e->info.name == "INBOX"; });

    std::string childinfo;
    if (sel.recursive_match) {
        childinfo = " (\"CHILDINFO\" (";
        if (sel.subscribed) childinfo += "\"SUBSCRIBED\"";
        if (sel.special_use) childinfo += sel.subscribed ? " \"SPECIAL-USE\"" : "\"SPECIAL-USE\"";
        childinfo += "))";
    }
    const bool show_subscribed = sel.subscribed || l.return_options.subscribed;
    std::string out;
    for (const Entry* e : order) {
        const FolderInfo& f = e->info;
        if (!matches(f.name)) continue;
        const bool listed = criteria ? meets(f) || e->child_match : f.exists || e->has_children;
        if (!listed) continue;
        std::string attrs = e->has_children ? "\\HasChildren" : "\\HasNoChildren";
        if (!f.exists) {
            attrs += l.extended || rev2_ ? " \\NonExistent" : " \\Noselect";
        } else if (!f.selectable) {
            attrs += " \\Noselect";
        }
        if (show_subscribed && f.subscribed) attrs += " \\Subscribed";
        if (f.exists && special_use_attribute(f.special_use)) attrs += " " + f.special_use;
        out += "* LIST (" + attrs + ") \"/\" ";
        append_mailbox(out, encode_name(f.name), utf8);
        if (e->child_match) out += childinfo;
        out += "\r\n";
        // RFC 5819: STATUS right after the LIST line, for selectable mailboxes only. A folder
        // that vanished meanwhile (or cannot be read) just gets no STATUS line.
        if (l.return_options.status && f.exists && f.selectable) {
            auto st = backend_->status(f.name);
            if (const auto* status = std::get_if<FolderStatus>(&st)) {
                out += "* STATUS ";
                append_mailbox(out, encode_name(f.name), utf8);
                out += " (" + status_items(*status, l.return_options.status_items, opts_.limits.append_limit) + ")\r\n";
            }
        }
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

// ---- QUOTA (RFC 9208) ------------------------------------------------------------------------
// One quota root, "", per user, over all folders, with the STORAGE resource (units of 1024
// octets, rounded up) when the administrator set a limit. Without a limit there is no quota
// root: GETQUOTAROOT lists none (4.1.2), GETQUOTA "" is "no such quota root". SETQUOTA is
// refused (limits come from the configuration; QUOTASET is not advertised).

namespace {

std::string quota_line(const QuotaUsage& q) {
    auto kib = [](std::uint64_t bytes) { return bytes / 1024 + (bytes % 1024 != 0 ? 1 : 0); };
    return "* QUOTA \"\" (STORAGE " + std::to_string(kib(q.storage_used)) + " " + std::to_string(kib(q.storage_limit)) +
           ")\r\n";
}

}  // namespace

void ServerSession::cmd_getquotaroot(const Command& cmd, const GetQuotaRoot& q) {
    // The name need not exist (4.1.2: which root a mailbox would get once created).
    auto name = decode_name(cmd, q.mailbox);
    if (!name) return;
    auto r = backend_->quota();
    if (auto* e = error_of(r)) return backend_no(cmd, *e, "GETQUOTAROOT");
    const auto& usage = std::get<QuotaUsage>(r);
    std::string out = "* QUOTAROOT ";
    append_mailbox(out, encode_name(*name), utf8_ || rev2_);
    if (usage.storage_limit != 0) {
        out += " \"\"\r\n" + quota_line(usage);
    } else {
        out += "\r\n";
    }
    send(std::move(out));
    ok(cmd, "GETQUOTAROOT completed");
}

void ServerSession::cmd_getquota(const Command& cmd, const GetQuota& q) {
    if (!q.root.empty()) return tagged(cmd, "NO", "NONEXISTENT", "No such quota root");
    auto r = backend_->quota();
    if (auto* e = error_of(r)) return backend_no(cmd, *e, "GETQUOTA");
    const auto& usage = std::get<QuotaUsage>(r);
    if (usage.storage_limit == 0) return tagged(cmd, "NO", "NONEXISTENT", "No such quota root");
    send(quota_line(usage));
    ok(cmd, "GETQUOTA completed");
}

void ServerSession::cmd_setquota(const Command& cmd) {
    tagged(cmd, "NO", "NOPERM", "Quota limits are set by the administrator");
}

}  // namespace tern::imap
