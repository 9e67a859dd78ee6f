// Grammar of the mailbox commands of the authenticated state: SELECT / EXAMINE (RFC 9051
// 6.3.2-3, RFC 7162 3.1.8 CONDSTORE and 3.2.5 QRESYNC parameters), CREATE (6.3.4, RFC 6154 5.2
// USE), DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, LIST (6.3.9, RFC 5258 LIST-EXTENDED, RFC 6154,
// RFC 5819 RETURN STATUS), LSUB (RFC 3501 6.3.9), STATUS (6.3.11) and APPEND (6.3.12, RFC 3502
// MULTIAPPEND, RFC 3516 literal8, RFC 6855 UTF8 append-data).
//
// Unknown SELECT, CREATE and LIST options are syntax errors (RFC 5258 3: a server MUST reply
// BAD to an unrecognised selection or return option).
#include <algorithm>
#include <cstdint>
#include <utility>

#include "imap/command_grammar.hpp"

namespace tern::imap::detail {
namespace {

// How many numbers a set without '*' names as written (repeats counted).
std::uint64_t written_count(const SequenceSet& set) {
    std::uint64_t n = 0;
    for (const auto& r : set.ranges()) {
        n += static_cast<std::uint64_t>(std::max(r.first, r.last)) - std::min(r.first, r.last) + 1;
    }
    return n;
}

QresyncParams parse_qresync(Cursor& in) {
    QresyncParams q;
    in.sp("QRESYNC parameters");
    in.expect('(', "\"(\" to start the QRESYNC parameters");
    q.uidvalidity = in.nz_number("UIDVALIDITY");
    in.sp("mod-sequence");
    q.modseq = in.mod_sequence("mod-sequence", false);
    if (in.accept_sp()) {
        if (in.peek() != '(') {
            q.known_uids = in.sequence_set("known UIDs", false, false);
            if (!in.accept_sp()) {
                in.expect(')', "\")\" to end the QRESYNC parameters");
                return q;
            }
        }
        in.expect('(', "\"(\" to start the sequence match data");
        q.known_sequence_set = in.sequence_set("known sequence set", false, false);
        in.sp("known UID set");
        q.known_uid_set = in.sequence_set("known UID set", false, false);
        // RFC 7162 3.2.5.2: the two sets are pairs, message number and UID ("*" is not allowed).
        if (written_count(*q.known_sequence_set) != written_count(*q.known_uid_set)) {
            fail("known sequence set and known UID set differ in size");
        }
        in.expect(')', "\")\" to end the sequence match data");
    }
    in.expect(')', "\")\" to end the QRESYNC parameters");
    return q;
}

Select parse_select_like(Cursor& in, bool read_only) {
    Select s;
    s.read_only = read_only;
    in.sp("mailbox name");
    s.mailbox = in.mailbox("mailbox name");
    if (!in.accept_sp()) return s;
    in.expect('(', "\"(\" to start the parameters");
    while (true) {
        if (in.accept_word("CONDSTORE")) {
            if (s.condstore) fail("CONDSTORE given twice");
            s.condstore = true;
        } else if (in.accept_word("QRESYNC")) {
            if (s.qresync) fail("QRESYNC given twice");
            s.qresync = parse_qresync(in);
        } else {
            fail("unknown parameter");
        }
        if (in.accept(')')) return s;
        in.sp("parameter");
    }
}

void parse_list_selection(Cursor& in, ListSelection& sel) {
    in.expect('(', "\"(\" to start the selection options");
    if (in.accept(')')) return;
    while (true) {
        if (in.accept_word("SUBSCRIBED")) sel.subscribed = true;
        else if (in.accept_word("REMOTE")) sel.remote = true;
        else if (in.accept_word("RECURSIVEMATCH")) sel.recursive_match = true;
        else if (in.accept_word("SPECIAL-USE")) sel.special_use = true;
        else fail("unknown selection option");
        if (in.accept(')')) break;
        in.sp("selection option");
    }
    // RFC 5258 3.1: RECURSIVEMATCH only modifies another option.
    if (sel.recursive_match && !sel.subscribed && !sel.special_use)
        fail("RECURSIVEMATCH needs SUBSCRIBED or SPECIAL-USE");
}

void parse_list_return(Cursor& in, ListReturn& ret) {
    in.sp("return options");
    in.expect('(', "\"(\" to start the return options");
    if (in.accept(')')) return;
    while (true) {
        if (in.accept_word("SUBSCRIBED")) {
            ret.subscribed = true;
        } else if (in.accept_word("CHILDREN")) {
            ret.children = true;
        } else if (in.accept_word("SPECIAL-USE")) {
            ret.special_use = true;
        } else if (in.accept_word("STATUS")) {
            if (ret.status) fail("STATUS given twice");
            ret.status = true;
            in.sp("status items");
            ret.status_items = parse_status_items(in);
        } else {
            fail("unknown return option");
        }
        if (in.accept(')')) return;
        in.sp("return option");
    }
}

}  // namespace

std::vector<StatusItem> parse_status_items(Cursor& in) {
    struct Name {
        std::string_view name;
        StatusItem item;
    };
    static constexpr Name kItems[] = {
        {"MESSAGES", StatusItem::Messages}, {"UIDNEXT", StatusItem::UidNext},
        {"UIDVALIDITY", StatusItem::UidValidity}, {"UNSEEN", StatusItem::Unseen},
        {"DELETED", StatusItem::Deleted}, {"SIZE", StatusItem::Size},
        {"RECENT", StatusItem::Recent}, {"HIGHESTMODSEQ", StatusItem::HighestModseq},
        {"APPENDLIMIT", StatusItem::AppendLimit},
    };
    std::vector<StatusItem> items;
    in.expect('(', "\"(\" to start the status items");
    while (true) {
        std::string name = upper(in.atom("status item"));
        bool found = false;
        for (const auto& n : kItems) {
            if (n.name == name) {
                items.push_back(n.item);
                found = true;
                break;
            }
        }
        if (!found) fail("unknown status item");
        if (in.accept(')')) return items;
        in.sp("status item");
    }
}

CommandBody parse_select(Cursor& in, bool) { return parse_select_like(in, false); }
CommandBody parse_examine(Cursor& in, bool) { return parse_select_like(in, true); }

CommandBody parse_create(Cursor& in, bool) {
    Create c;
    in.sp("mailbox name");
    c.mailbox = in.mailbox("mailbox name");
    if (!in.accept_sp()) return c;
    in.expect('(', "\"(\" to start the parameters");
    bool use_seen = false;
    while (true) {
        if (!in.accept_word("USE")) fail("unknown parameter");
        if (use_seen) fail("USE given twice");
        use_seen = true;
        in.sp("special-use attributes");
        in.expect('(', "\"(\" to start the special-use attributes");
        if (!in.accept(')')) {
            while (true) {
                in.expect('\\', "special-use attribute");
                c.special_use.push_back("\\" + std::string(in.atom("special-use attribute")));
                if (in.accept(')')) break;
                in.sp("special-use attribute");
            }
        }
        if (in.accept(')')) return c;
        in.sp("parameter");
    }
}

CommandBody parse_delete(Cursor& in, bool) {
    in.sp("mailbox name");
    return Delete{in.mailbox("mailbox name")};
}

CommandBody parse_rename(Cursor& in, bool) {
    Rename r;
    in.sp("mailbox name");
    r.from = in.mailbox("mailbox name");
    in.sp("new mailbox name");
    r.to = in.mailbox("new mailbox name");
    return r;
}

CommandBody parse_subscribe(Cursor& in, bool) {
    in.sp("mailbox name");
    return Subscribe{in.mailbox("mailbox name")};
}

CommandBody parse_unsubscribe(Cursor& in, bool) {
    in.sp("mailbox name");
    return Unsubscribe{in.mailbox("mailbox name")};
}

CommandBody parse_list(Cursor& in, bool) {
    List l;
    in.sp("reference name");
    if (in.peek() == '(') {
        l.extended = true;
        parse_list_selection(in, l.selection);
        in.sp("reference name");
    }
    l.reference = in.mailbox("reference name");
    in.sp("mailbox pattern");
    if (in.accept('(')) {
        l.extended = true;
        while (true) {
            l.patterns.push_back(in.list_mailbox("mailbox pattern"));
            if (in.accept(')')) break;
            in.sp("mailbox pattern");
        }
    } else {
        l.patterns.push_back(in.list_mailbox("mailbox pattern"));
    }
    if (in.accept_sp()) {
        if (!in.accept_word("RETURN")) fail("expected RETURN");
        l.extended = true;
        parse_list_return(in, l.return_options);
    }
    return l;
}

CommandBody parse_lsub(Cursor& in, bool) {
    Lsub l;
    in.sp("reference name");
    l.reference = in.mailbox("reference name");
    in.sp("mailbox pattern");
    l.pattern = in.list_mailbox("mailbox pattern");
    return l;
}

CommandBody parse_status(Cursor& in, bool) {
    Status s;
    in.sp("mailbox name");
    s.mailbox = in.mailbox("mailbox name");
    in.sp("status items");
    s.items = parse_status_items(in);
    return s;
}

CommandBody parse_append(Cursor& in, bool) {
    Append a;
    in.sp("mailbox name");
    a.mailbox = in.mailbox("mailbox name");
    do {
        AppendMessage m;
        in.sp("message literal");
        if (in.peek() == '(') {
            m.flags = in.flag_list("flag list");
            in.sp("message literal");
        }
        if (in.peek() == '"') {
            auto dt = parse_date_time(in.string("date-time"));
            if (!dt) fail("invalid date-time");
            m.internal_date = *dt;
            in.sp("message literal");
        }
        if (in.at_literal()) {
            m.data = in.literal("message literal", true, &m.binary);
        } else if (in.accept_word("UTF8")) {
            in.sp("\"(\" and a literal8");
            in.expect('(', "\"(\" and a literal8");
            if (in.peek() != '~') fail("UTF8 data must be a literal8");
            m.data = in.literal("message literal8", true, &m.binary);
            m.utf8 = true;
            in.expect(')', "\")\" after the literal8");
        } else {
            fail("expected message literal");
        }
        a.messages.push_back(std::move(m));
    } while (!in.at_end());
    return a;
}

}  // namespace tern::imap::detail
