// SORT and THREAD in the selected state (RFC 5256 3; RFC 5957 DISPLAYFROM/DISPLAYTO; RFC 5267
// ESORT, i.e. SORT RETURN (...) answered with ESEARCH; RFC 5182 SAVE), and their UID forms.
//
// How: the search criteria are evaluated as SEARCH evaluates them (for_each_match(), which
// reads a stored message at most once per command, and only when a key needs it: just the
// header section unless BODY or TEXT needs more, as the sort keys never do); for each
// match the keys come from mime::sort_keys() (base subject, sent date, first addresses,
// message-ids), copied into a small row so memory is per match, not per message body. Then
// std::sort, or mime::thread_references() / thread_orderedsubject(), and the response.
//
// Policies worth knowing:
//  - CHARSET: US-ASCII or UTF-8, else NO [BADCHARSET] (RFC 5256 3: both must be supported).
//  - Comparisons: strings with i;ascii-casemap (RFC 5256 3's default collation), DISPLAYFROM/
//    DISPLAYTO too (RFC 5957 3 uses the SORT collation); DATE is the Date field in UTC, or the
//    INTERNALDATE when it is missing or unparsable (RFC 5256 2.2); a message that cannot be
//    read has empty keys. Messages equal on every key are in mailbox order (RFC 5256 3).
//  - ESORT (RFC 5267 4.2): MIN and MAX are the first and last message in sort order; ALL lists
//    the result in sort order, ascending consecutive runs written as ranges ("3:5"). SAVE
//    works as it does for SEARCH (RFC 9051 6.4.4.1), with MIN/MAX read the same way.
//  - A MODSEQ search key adds the highest mod-sequence of the result (RFC 7162 3.1.5), to SORT
//    and ESORT responses (not to THREAD, which has no place for it).
//  - The thread tree is rendered without recursion: a reply chain of 50,000 messages must not
//    exhaust the stack (mime/thread.hpp builds it the same way).
// Left out: THREAD=REFS (RFC 5256bis), CONTEXT=SORT (RFC 5267 4.3), i;unicode-casemap.
#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/address.hpp"
#include "imap/response_syntax.hpp"
#include "imap/server_session.hpp"
#include "mime/sort_keys.hpp"
#include "mime/thread.hpp"

namespace tern::imap {
namespace {

bool charset_supported(std::string_view charset) {
    return iequals(charset, "UTF-8") || iequals(charset, "US-ASCII");
}

bool uses_modseq_key(const SearchKey& k) {
    if (k.kind == SearchKey::Kind::Modseq) return true;
    return std::any_of(k.children.begin(), k.children.end(), uses_modseq_key);
}

// i;ascii-casemap: octets compared with a-z folded to A-Z.
int compare_casemap(std::string_view a, std::string_view b) {
    const std::size_t n = std::min(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i) {
        auto fold = [](char c) {
            auto u = static_cast<unsigned char>(c);
            return u >= 'a' && u <= 'z' ? static_cast<unsigned char>(u - 32) : u;
        };
        const unsigned char x = fold(a[i]), y = fold(b[i]);
        if (x != y) return x < y ? -1 : 1;
    }
    if (a.size() == b.size()) return 0;
    return a.size() < b.size() ? -1 : 1;
}

template <class T>
int compare_values(const T& a, const T& b) {
    return a < b ? -1 : (b < a ? 1 : 0);
}

struct SortRow {
    std::size_t index = 0;  // into the session's message list
    std::int64_t arrival = 0;
    std::int64_t date = 0;  // sent date, else arrival
    std::uint64_t size = 0;
    std::string subject, from, to, cc, display_from, display_to;
};

int compare_by(SortKey key, const SortRow& a, const SortRow& b) {
    switch (key) {
        case SortKey::Arrival: return compare_values(a.arrival, b.arrival);
        case SortKey::Date: return compare_values(a.date, b.date);
        case SortKey::Size: return compare_values(a.size, b.size);
        case SortKey::Subject: return compare_casemap(a.subject, b.subject);
        case SortKey::From: return compare_casemap(a.from, b.from);
        case SortKey::To: return compare_casemap(a.to, b.to);
        case SortKey::Cc: return compare_casemap(a.cc, b.cc);
        case SortKey::DisplayFrom: return compare_casemap(a.display_from, b.display_from);
        case SortKey::DisplayTo: return compare_casemap(a.display_to, b.display_to);
    }
    return 0;
}

bool needs_header(const std::vector<SortCriterion>& order) {
    return std::any_of(order.begin(), order.end(), [](const SortCriterion& c) {
        return c.key != SortKey::Arrival && c.key != SortKey::Size;
    });
}

// ESORT ALL (RFC 5267 4.2): the numbers in sort order; ascending runs as "first:last".
void append_ordered_set(std::string& out, const std::vector<std::uint32_t>& numbers) {
    for (std::size_t i = 0; i < numbers.size();) {
        std::size_t j = i;
        while (j + 1 < numbers.size() && numbers[j + 1] == numbers[j] + 1) ++j;
        if (i != 0) out += ',';
        out += std::to_string(numbers[i]);
        if (j > i) out += ':' + std::to_string(numbers[j]);
        i = j + 1;
    }
}

// The thread list of RFC 5256 4 ("(1 2 (3)(4))"): a message with a single child continues the
// same list; several children open one list each; a dummy is a list with no number.
std::string render_threads(const mime::ThreadTree& tree, const std::vector<std::uint32_t>& numbers) {
    struct Step {
        std::uint32_t node = 0;
        bool open = false;   // start a parenthesised list
        bool close = false;  // only ")"
    };
    std::string out;
    std::vector<Step> stack;
    for (auto it = tree.roots.rbegin(); it != tree.roots.rend(); ++it) stack.push_back({*it, true, false});
    while (!stack.empty()) {
        Step s = stack.back();
        stack.pop_back();
        if (s.close) {
            out += ')';
            continue;
        }
        const auto& node = tree.nodes[s.node];
        if (s.open) {
            if (!out.empty() && out.back() != '(' && out.back() != ')') out += ' ';
            out += '(';
            stack.push_back({0, false, true});
        }
        if (node.message) {
            if (!out.empty() && out.back() != '(') out += ' ';
            out += std::to_string(numbers[*node.message]);
        }
        if (node.message && node.children.size() == 1) {
            stack.push_back({node.children.front(), false, false});
        } else {
            for (auto it = node.children.rbegin(); it != node.children.rend(); ++it) stack.push_back({*it, true, false});
        }
    }
    return out;
}

}  // namespace

void ServerSession::cmd_sort(const Command& cmd, const Sort& s) {
    const bool save = s.return_options && s.return_options->save;
    if (!charset_supported(s.charset)) {
        if (save) saved_uids_.clear();  // RFC 5182 2.1: a failed SAVE empties "$"
        return tagged(cmd, "NO", "BADCHARSET (US-ASCII UTF-8)", "Unsupported charset");
    }
    const bool modseq_key = uses_modseq_key(s.criteria);
    if (modseq_key) condstore_ = true;
    const bool header = needs_header(s.order);
    std::vector<SortRow> rows;
    std::uint64_t max_modseq = 0;
    for_each_match(s.criteria, header, [&](std::size_t i, const std::string* content) {
        const MessageMeta& m = messages_[i];
        SortRow row;
        row.index = i;
        row.arrival = m.internal_date;
        row.date = m.internal_date;
        row.size = m.size;
        if (content) {
            mime::SortKeys k = mime::sort_keys(*content);
            if (k.sent_date) row.date = *k.sent_date;
            row.subject = std::move(k.subject.text);
            row.from = std::move(k.from_mailbox);
            row.to = std::move(k.to_mailbox);
            row.cc = std::move(k.cc_mailbox);
            row.display_from = std::move(k.display_from);
            row.display_to = std::move(k.display_to);
        }
        max_modseq = std::max(max_modseq, m.modseq);
        rows.push_back(std::move(row));
    });
    std::sort(rows.begin(), rows.end(), [&](const SortRow& a, const SortRow& b) {
        for (const auto& c : s.order) {
            int r = compare_by(c.key, a, b);
            if (r != 0) return c.reverse ? r > 0 : r < 0;
        }
        return a.index < b.index;
    });
    std::vector<std::size_t> ordered;
    ordered.reserve(rows.size());
    for (const auto& r : rows) ordered.push_back(r.index);
    rows = {};
    if (save) save_result(*s.return_options, ordered);
    std::vector<std::uint32_t> numbers;
    numbers.reserve(ordered.size());
    for (auto i : ordered) numbers.push_back(cmd.uid ? messages_[i].uid : static_cast<std::uint32_t>(i + 1));

    const std::string_view done = cmd.uid ? "UID SORT completed" : "SORT completed";
    std::string out;
    if (s.return_options) {
        SearchReturn ret = *s.return_options;
        const bool none = !ret.min && !ret.max && !ret.count && !ret.all;
        if (none && ret.save) return ok(cmd, done);  // SAVE alone: no ESEARCH (RFC 9051 6.4.4.1)
        if (none) ret.all = true;
        out = "* ESEARCH (TAG ";
        append_quoted(out, cmd.tag);
        out += ')';
        if (cmd.uid) out += " UID";
        if (!numbers.empty()) {
            if (ret.min) out += " MIN " + std::to_string(numbers.front());
            if (ret.max) out += " MAX " + std::to_string(numbers.back());
        }
        if (ret.count) out += " COUNT " + std::to_string(numbers.size());
        if (ret.all && !numbers.empty()) {
            out += " ALL ";
            append_ordered_set(out, numbers);
        }
        if (modseq_key && !numbers.empty()) out += " MODSEQ " + std::to_string(max_modseq);
    } else {
        out = "* SORT";
        for (auto n : numbers) out += ' ' + std::to_string(n);
        if (modseq_key && !numbers.empty()) out += " (MODSEQ " + std::to_string(max_modseq) + ")";
    }
    out += "\r\n";
    send(std::move(out));
    ok(cmd, done);
}

void ServerSession::cmd_thread(const Command& cmd, const Thread& t) {
    if (!charset_supported(t.charset)) return tagged(cmd, "NO", "BADCHARSET (US-ASCII UTF-8)", "Unsupported charset");
    if (uses_modseq_key(t.criteria)) condstore_ = true;
    std::vector<mime::ThreadInput> inputs;
    std::vector<std::uint32_t> numbers;  // per input: sequence number or UID
    for_each_match(t.criteria, true, [&](std::size_t i, const std::string* content) {
        const MessageMeta& m = messages_[i];
        mime::ThreadInput in;
        in.sent_date = m.internal_date;
        if (content) {
            mime::SortKeys k = mime::sort_keys(*content);
            in.message_id = std::move(k.message_id);
            in.references = std::move(k.references);
            in.base_subject = std::move(k.subject.text);
            in.reply_or_forward = k.subject.reply_or_forward;
            if (k.sent_date) in.sent_date = *k.sent_date;
        }
        inputs.push_back(std::move(in));
        numbers.push_back(cmd.uid ? m.uid : static_cast<std::uint32_t>(i + 1));
    });
    const mime::ThreadTree tree = t.algorithm == ThreadAlgorithm::References ? mime::thread_references(inputs)
                                                                              : mime::thread_orderedsubject(inputs);
    inputs = {};
    std::string out = "* THREAD";
    if (!tree.roots.empty()) out += ' ' + render_threads(tree, numbers);
    out += "\r\n";
    send(std::move(out));
    ok(cmd, cmd.uid ? "UID THREAD completed" : "THREAD completed");
}

}  // namespace tern::imap
