// The selected state of the IMAP session (RFC 9051 6.4): FETCH (with RFC 3516 BINARY), STORE,
// EXPUNGE (and UID EXPUNGE, RFC 4315), CLOSE, COPY and MOVE (RFC 6851) with COPYUID, SEARCH
// with ESEARCH (RFC 4731) and SAVE / "$" (RFC 5182 SEARCHRES), CONDSTORE's MODSEQ,
// CHANGEDSINCE and UNCHANGEDSINCE (RFC 7162 3.1), and the unsolicited EXPUNGE / EXISTS / FETCH
// updates taken from the backend's changes(). SORT and THREAD are in session_sort.cpp.
//
// Policies worth knowing:
//  - The session keeps its own copy of the message list (UID, flags, modseq, date, size): the
//    sequence numbers the client knows. It changes only when the client is told (EXPUNGE,
//    EXISTS, FETCH), so numbers stay stable between responses.
//  - Updates are polled after every successful command in the selected state (and while
//    idling), but EXPUNGEs found during FETCH, STORE or SEARCH are held back (RFC 9051 7.5.1),
//    which keeps expunged messages addressable: a FETCH of a message already removed from
//    storage answers NO [EXPUNGEISSUED] for it (RFC 5530) and serves the others.
//  - Message sequence numbers beyond the mailbox are BAD (RFC 9051 6.4.5: "invalid"), UIDs
//    that do not exist are simply skipped (RFC 9051 6.4.8).
//  - FETCH BODY[...] (not PEEK), RFC822 and RFC822.TEXT set \Seen in a read-write mailbox
//    before the data is sent, and the FETCH then carries FLAGS (RFC 9051 6.4.5).
//  - ENVELOPE, BODY and BODYSTRUCTURE come from the backend's per-message cache
//    (fetch_cache.hpp); a message not cached yet is read and parsed once and its renderings
//    stored. A FETCH of only those items (and the index data) never reads the message, so it
//    does not notice a message already removed from storage (RFC 9051 allows serving it).
//  - Flags: system flags case-insensitive, \Recent cannot be stored (BAD).
//  - SEARCH: CHARSET US-ASCII or UTF-8 (else NO [BADCHARSET]); text keys go through
//    mime/search (decoded headers, body text, case folding); dates compare in UTC. After
//    ENABLE IMAP4rev2 the answer is ESEARCH.
//  - "$" (RFC 5182, RFC 9051 6.4.4.1): the result of the last SEARCH (or SORT) RETURN (SAVE),
//    kept as UIDs, so it follows expunges by itself; it works wherever a sequence set does
//    (FETCH, STORE, COPY, MOVE, UID EXPUNGE, SEARCH keys, and their UID forms) and is empty
//    after SELECT, EXAMINE, UNSELECT and CLOSE, and after a SAVE that failed (BADCHARSET). SAVE
//    alone sends no ESEARCH; with only MIN and/or MAX it saves just those.
//  - BINARY[part]<partial>, BINARY.PEEK, BINARY.SIZE (RFC 3516): the part with its transfer
//    encoding undone (mime::ParsedMessage::binary()); literal8 "~{n}" only when the data holds
//    NUL. An encoding we cannot undo answers NO [UNKNOWN-CTE] for the command; the message's
//    FETCH response is left out (a \Seen it gained still goes out as FLAGS), the others are
//    served. BINARY (not PEEK) sets \Seen like BODY[].
// After ENABLE QRESYNC, expunges are reported as VANISHED (session_qresync.cpp has the rest).
// Left out: "$" after a SEARCH ... SAVE the parser rejected (BAD) stays as it
// was (RFC 5182 would empty it, but an unparsable command has no known options).
#include <algorithm>
#include <optional>
#include <utility>

#include "core/address.hpp"
#include "imap/date_time.hpp"
#include "imap/fetch_cache.hpp"
#include "imap/mailbox_name.hpp"
#include "imap/response_syntax.hpp"
#include "imap/server_session.hpp"
#include "mime/crlf.hpp"
#include "mime/message.hpp"
#include "mime/search.hpp"
#include "mime/sort_keys.hpp"

namespace tern::imap {
namespace {

bool has_flag(const MessageMeta& m, std::string_view flag) {
    return std::any_of(m.flags.begin(), m.flags.end(), [&](const std::string& f) { return iequals(f, flag); });
}

std::optional<std::vector<std::string>> canonical_flags(const std::vector<std::string>& flags) {
    std::vector<std::string> out;
    for (const auto& f : flags) {
        auto c = canonical_flag(f);
        if (!c) return std::nullopt;
        if (std::find(out.begin(), out.end(), *c) == out.end()) out.push_back(std::move(*c));
    }
    return out;
}

mime::SectionSpec to_spec(const Section& s) {
    mime::SectionSpec spec;
    spec.part.assign(s.part.begin(), s.part.end());
    spec.fields = s.fields;
    switch (s.text) {
        case Section::Text::None: spec.kind = mime::SectionSpec::Kind::Whole; break;
        case Section::Text::Header: spec.kind = mime::SectionSpec::Kind::Header; break;
        case Section::Text::HeaderFields: spec.kind = mime::SectionSpec::Kind::HeaderFields; break;
        case Section::Text::HeaderFieldsNot: spec.kind = mime::SectionSpec::Kind::HeaderFieldsNot; break;
        case Section::Text::Text: spec.kind = mime::SectionSpec::Kind::Text; break;
        case Section::Text::Mime: spec.kind = mime::SectionSpec::Kind::Mime; break;
    }
    return spec;
}

bool sets_seen(const FetchAttribute& a) {
    switch (a.kind) {
        case FetchAttribute::Kind::Rfc822:
        case FetchAttribute::Kind::Rfc822Text: return true;
        case FetchAttribute::Kind::BodySection:
        case FetchAttribute::Kind::Binary: return !a.peek;
        default: return false;
    }
}

// ENVELOPE, BODY, BODYSTRUCTURE: served from the backend's cache (fetch_cache.hpp).
bool needs_structure(const FetchAttribute& a) {
    switch (a.kind) {
        case FetchAttribute::Kind::Envelope:
        case FetchAttribute::Kind::Body:
        case FetchAttribute::Kind::BodyStructure: return true;
        default: return false;
    }
}

// The items that need the message itself, read and parsed.
bool needs_content(const FetchAttribute& a) {
    switch (a.kind) {
        case FetchAttribute::Kind::Rfc822:
        case FetchAttribute::Kind::Rfc822Header:
        case FetchAttribute::Kind::Rfc822Text:
        case FetchAttribute::Kind::BodySection:
        case FetchAttribute::Kind::Binary:
        case FetchAttribute::Kind::BinarySize: return true;
        default: return false;
    }
}

bool uses_modseq(const SearchKey& k) {
    if (k.kind == SearchKey::Kind::Modseq) return true;
    return std::any_of(k.children.begin(), k.children.end(), uses_modseq);
}

// BODY and TEXT look past the header; every other key needs at most the header section.
bool needs_body(const SearchKey& k) {
    if (k.kind == SearchKey::Kind::Body || k.kind == SearchKey::Kind::Text) return true;
    return std::any_of(k.children.begin(), k.children.end(), needs_body);
}

// One message as SEARCH sees it: the metadata, and the content read and parsed on demand.
// With header_only (no key needs the body), `stored` holds just the header section: a few KiB
// read instead of the whole file.
struct SearchTarget {
    const MessageMeta& meta;
    std::uint32_t seq;
    std::uint32_t count;
    std::uint32_t max_uid;
    SelectedFolder& folder;
    const std::vector<std::uint32_t>& saved;  // "$" as UIDs, ascending
    std::optional<std::string> stored;
    std::optional<mime::ParsedMessage> parsed;
    bool unreadable = false;
    bool header_only = false;

    const std::string* content() {
        if (!stored && !unreadable) {
            auto r = header_only ? folder.read_header(meta.uid) : folder.read(meta.uid);
            if (auto* s = std::get_if<std::string>(&r)) {
                stored = std::move(*s);
            } else {
                unreadable = true;
            }
        }
        return stored ? &*stored : nullptr;
    }
    const mime::ParsedMessage* message() {
        if (!parsed && content()) parsed.emplace(*stored);
        return parsed ? &*parsed : nullptr;
    }
};

bool header_has(SearchTarget& t, std::string_view field, std::string_view needle) {
    const std::string* c = t.content();
    if (!c) return false;
    for (const auto& v : mime::header_value_decoded(*c, field)) {
        if (mime::contains_casefold(v, needle)) return true;
    }
    return false;
}

bool evaluate(const SearchKey& k, SearchTarget& t) {
    using K = SearchKey::Kind;
    const MessageMeta& m = t.meta;
    switch (k.kind) {
        case K::And:
            return std::all_of(k.children.begin(), k.children.end(), [&](const SearchKey& c) { return evaluate(c, t); });
        case K::Or: return k.children.size() == 2 && (evaluate(k.children[0], t) || evaluate(k.children[1], t));
        case K::Not: return !k.children.empty() && !evaluate(k.children[0], t);
        case K::All: return true;
        case K::Answered: return has_flag(m, "\\Answered");
        case K::Deleted: return has_flag(m, "\\Deleted");
        case K::Draft: return has_flag(m, "\\Draft");
        case K::Flagged: return has_flag(m, "\\Flagged");
        case K::Seen: return has_flag(m, "\\Seen");
        case K::Recent: return false;  // no session ever sees \Recent here
        case K::New: return false;
        case K::Old: return true;
        case K::Unanswered: return !has_flag(m, "\\Answered");
        case K::Undeleted: return !has_flag(m, "\\Deleted");
        case K::Undraft: return !has_flag(m, "\\Draft");
        case K::Unflagged: return !has_flag(m, "\\Flagged");
        case K::Unseen: return !has_flag(m, "\\Seen");
        case K::Keyword: return has_flag(m, k.text);
        case K::Unkeyword: return !has_flag(m, k.text);
        case K::Bcc: return header_has(t, "Bcc", k.text);
        case K::Cc: return header_has(t, "Cc", k.text);
        case K::From: return header_has(t, "From", k.text);
        case K::Subject: return header_has(t, "Subject", k.text);
        case K::To: return header_has(t, "To", k.text);
        case K::Header: return header_has(t, k.field, k.text);
        case K::Body: {
            const auto* p = t.message();
            return p && mime::body_contains(*p, k.text);
        }
        case K::Text: {
            const auto* p = t.message();
            if (!p) return false;
            return mime::contains_casefold(mime::header_text(*t.stored), k.text) ||
                   mime::body_contains(*p, k.text);
        }
        case K::Before: return date_of(m.internal_date, 0) < k.date;
        case K::On: return date_of(m.internal_date, 0) == k.date;
        case K::Since: return date_of(m.internal_date, 0) >= k.date;
        case K::SentBefore:
        case K::SentOn:
        case K::SentSince: {
            const std::string* c = t.content();
            if (!c) return false;
            auto values = mime::header_value_decoded(*c, "Date");
            if (values.empty()) return false;
            auto secs = mime::sent_date(values.front());
            if (!secs) return false;
            Date d = date_of(*secs, 0);
            if (k.kind == K::SentBefore) return d < k.date;
            if (k.kind == K::SentOn) return d == k.date;
            return d >= k.date;
        }
        case K::Larger: return m.size > k.number;
        case K::Smaller: return m.size < k.number;
        case K::SequenceNumbers:
        case K::Uid:
            if (k.set.is_saved_result()) return std::binary_search(t.saved.begin(), t.saved.end(), m.uid);
            return k.kind == K::Uid ? k.set.contains(m.uid, t.max_uid) : k.set.contains(t.seq, t.count);
        case K::Modseq: return m.modseq >= k.number;
    }
    return false;
}

}  // namespace

std::vector<std::size_t> ServerSession::resolve(const SequenceSet& set, bool uid) const {
    if (set.is_saved_result()) return resolve_saved();
    std::vector<std::size_t> out;
    if (messages_.empty()) return out;
    if (!uid) {
        set.for_each(static_cast<std::uint32_t>(messages_.size()), [&](std::uint32_t n) { out.push_back(n - 1); });
        return out;
    }
    auto ranges = set.resolve(messages_.back().uid);
    std::size_t r = 0;
    for (std::size_t i = 0; i < messages_.size() && r < ranges.size(); ++i) {
        const auto u = messages_[i].uid;
        while (r < ranges.size() && ranges[r].last < u) ++r;
        if (r < ranges.size() && ranges[r].first <= u) out.push_back(i);
    }
    return out;
}

std::vector<std::size_t> ServerSession::resolve_saved() const {
    std::vector<std::size_t> out;
    auto it = messages_.begin();
    for (auto uid : saved_uids_) {
        it = std::lower_bound(it, messages_.end(), uid, [](const MessageMeta& m, std::uint32_t u) { return m.uid < u; });
        if (it == messages_.end()) break;
        if (it->uid == uid) out.push_back(static_cast<std::size_t>(it - messages_.begin()));
    }
    return out;
}

namespace {
// Sequence numbers beyond the mailbox (RFC 9051 6.4.5: the client must not send them). "$"
// names only messages that exist (RFC 5182 2.1).
bool valid_sequence_set(const SequenceSet& set, std::size_t count) {
    if (set.is_saved_result()) return true;
    for (const auto& r : set.ranges()) {
        if (count == 0) return false;
        if (r.first != kStar && r.first > count) return false;
        if (r.last != kStar && r.last > count) return false;
    }
    return true;
}
}  // namespace

std::string ServerSession::flags_fetch(std::size_t index, bool with_uid) const {
    const auto& m = messages_[index];
    std::string out = "* " + std::to_string(index + 1) + " FETCH (";
    if (with_uid || qresync_) out += "UID " + std::to_string(m.uid) + " ";  // RFC 7162 3.2.4
    out += "FLAGS ";
    append_flag_list(out, m.flags);
    if (condstore_) out += " MODSEQ (" + std::to_string(m.modseq) + ")";
    out += ")\r\n";
    return out;
}

// One EXPUNGE per UID the client knows, ascending, each with the sequence number it has once
// the earlier ones are gone; linear in the mailbox (a large expunge must not be quadratic).
void ServerSession::send_expunged(const std::vector<std::uint32_t>& uids) {
    std::vector<std::size_t> gone;
    for (auto uid : uids) {
        auto it = std::lower_bound(messages_.begin(), messages_.end(), uid,
                                   [](const MessageMeta& m, std::uint32_t u) { return m.uid < u; });
        if (it != messages_.end() && it->uid == uid) gone.push_back(static_cast<std::size_t>(it - messages_.begin()));
    }
    if (gone.empty()) return;
    std::sort(gone.begin(), gone.end());
    gone.erase(std::unique(gone.begin(), gone.end()), gone.end());
    std::string out;
    if (qresync_) {
        out = vanished(gone);  // RFC 7162 3.2.10: VANISHED replaces EXPUNGE
    } else {
        for (std::size_t k = 0; k < gone.size(); ++k) out += "* " + std::to_string(gone[k] + 1 - k) + " EXPUNGE\r\n";
    }
    std::size_t next = 0, write = 0;
    for (std::size_t i = 0; i < messages_.size(); ++i) {
        if (next < gone.size() && gone[next] == i) {
            ++next;
            continue;
        }
        if (write != i) messages_[write] = std::move(messages_[i]);
        ++write;
    }
    messages_.resize(write);
    send(std::move(out));
}

void ServerSession::send_updates(bool allow_expunge) {
    if (!selected_ || closed_) return;
    auto r = selected_->changes();
    if (auto* e = error_of(r)) {
        if (*e == BackendError::Gone) close_with("* BYE [UNAVAILABLE] The selected mailbox is gone\r\n");
        return;  // a temporary failure: the next poll gets the changes
    }
    auto& c = std::get<FolderChanges>(r);
    if (pending_expunges_.empty() && !c.expunged.empty()) pending_modseq_ = highestmodseq_;
    pending_expunges_.insert(pending_expunges_.end(), c.expunged.begin(), c.expunged.end());
    if (allow_expunge && !pending_expunges_.empty()) {
        std::sort(pending_expunges_.begin(), pending_expunges_.end());
        send_expunged(std::exchange(pending_expunges_, {}));
    }
    const std::size_t before = messages_.size();
    for (auto& m : c.added) {
        if (!messages_.empty() && m.uid <= messages_.back().uid) continue;
        messages_.push_back(std::move(m));
    }
    std::string out;
    if (messages_.size() != before) out += "* " + std::to_string(messages_.size()) + " EXISTS\r\n";
    for (auto& m : c.changed) {
        auto it = std::lower_bound(messages_.begin(), messages_.end(), m.uid,
                                   [](const MessageMeta& x, std::uint32_t u) { return x.uid < u; });
        if (it == messages_.end() || it->uid != m.uid) continue;
        const bool differs = it->flags != m.flags || (condstore_ && it->modseq != m.modseq);
        it->flags = std::move(m.flags);
        it->modseq = m.modseq;
        if (differs) out += flags_fetch(static_cast<std::size_t>(it - messages_.begin()), true);
    }
    uidnext_ = std::max(uidnext_, c.uidnext);
    highestmodseq_ = std::max(highestmodseq_, c.highestmodseq);
    // RFC 7162 3.2: while expunges are held back, the client must not take a MODSEQ it saw as
    // its HIGHESTMODSEQ, or a resync after a lost connection would miss them.
    if (qresync_ && !pending_expunges_.empty()) {
        out += "* OK [HIGHESTMODSEQ " + std::to_string(pending_modseq_) + "] Expunges pending\r\n";
    }
    if (!out.empty()) send(std::move(out));
}

// ---- FETCH ---------------------------------------------------------------------------------

void ServerSession::cmd_fetch(const Command& cmd, const Fetch& f) {
    if (!cmd.uid && !valid_sequence_set(f.set, messages_.size())) return bad(cmd.tag, "Invalid message sequence number");
    if (f.vanished && !qresync_) return bad(cmd.tag, "VANISHED requires ENABLE QRESYNC");
    bool content = false;
    bool structure = false;
    bool seen = false;
    bool want_modseq = f.changed_since.has_value();
    for (const auto& a : f.attributes) {
        content = content || needs_content(a);
        structure = structure || needs_structure(a);
        seen = seen || sets_seen(a);
        want_modseq = want_modseq || a.kind == FetchAttribute::Kind::Modseq;
    }
    if (want_modseq) condstore_ = true;  // RFC 7162 3.1: a CONDSTORE-enabling command
    auto indexes = resolve(f.set, cmd.uid);
    if (f.changed_since) {
        std::erase_if(indexes, [&](std::size_t i) { return messages_[i].modseq <= *f.changed_since; });
    }

    // \Seen first, in one call, so the responses show the flags as they now are.
    std::vector<bool> flags_changed(messages_.size(), false);
    if (seen && !read_only_) {
        std::vector<std::uint32_t> unseen;
        for (auto i : indexes) {
            if (!has_flag(messages_[i], "\\Seen")) unseen.push_back(messages_[i].uid);
        }
        if (!unseen.empty()) {
            auto r = selected_->store(unseen, FlagMode::Add, {"\\Seen"}, std::nullopt);
            if (auto* e = error_of(r)) return backend_no(cmd, *e, "FETCH");
            for (auto& m : std::get<StoreOutcome>(r).changed) {
                auto it = std::lower_bound(messages_.begin(), messages_.end(), m.uid,
                                           [](const MessageMeta& x, std::uint32_t u) { return x.uid < u; });
                if (it == messages_.end() || it->uid != m.uid) continue;
                it->flags = std::move(m.flags);
                it->modseq = m.modseq;
                flags_changed[static_cast<std::size_t>(it - messages_.begin())] = true;
            }
        }
    }

    // RFC 7162 3.2.6: VANISHED (EARLIER) comes before the FETCH responses.
    if (f.vanished) {
        auto v = vanished_earlier(f.set.resolve(max_uid()), *f.changed_since, 0);
        if (!v.empty()) send(std::move(v));
    }

    fetch_ = std::make_unique<FetchInProgress>(FetchInProgress{cmd, std::move(indexes), std::move(flags_changed), content, structure});
    continue_fetch();
    if (wait_ != Wait::Output) fetch_.reset();
}

// The FETCH responses from where the previous batch stopped: parks for a Drain whenever a batch
// of output waits (SessionLimits::output_batch), so a whole folder is never held in memory.
void ServerSession::continue_fetch() {
    const Command& cmd = fetch_->cmd;
    const Fetch& f = std::get<Fetch>(cmd.body);
    const auto& flags_changed = fetch_->flags_changed;
    const bool content = fetch_->content;
    const bool structure = fetch_->structure;
    bool& expunged = fetch_->expunged;
    bool& unknown_cte = fetch_->unknown_cte;
    const bool utf8 = utf8_ || rev2_;
    while (fetch_->next < fetch_->indexes.size()) {
        if (output_full()) return wait_for_drain();
        const std::size_t i = fetch_->indexes[fetch_->next++];
        const MessageMeta& m = messages_[i];
        std::optional<mime::ParsedMessage> parsed;
        std::optional<FetchRendering> rendering;
        if (structure) {
            if (auto v = selected_->cached(m.uid)) rendering = FetchRendering::decode(std::move(*v));
        }
        if (content || (structure && !rendering)) {
            auto r = selected_->read(m.uid);
            if (auto* e = error_of(r)) {
                if (*e == BackendError::NotFound) {
                    expunged = true;
                    continue;
                }
                return backend_no(cmd, *e, "FETCH");
            }
            parsed.emplace(std::get<std::string>(r));
        }
        if (structure && !rendering) {  // a miss, or an entry of another version: parse once, keep it
            rendering = FetchRendering::render(*parsed);
            selected_->store_cached(m.uid, rendering->encoded());
        }
        std::string out = "* " + std::to_string(i + 1) + " FETCH (";
        bool first = true;
        auto item = [&](std::string_view name) {
            if (!first) out += ' ';
            first = false;
            out += name;
        };
        bool uid_done = false, flags_done = false, modseq_done = false, cte_failed = false;
        if (cmd.uid) {
            item("UID " + std::to_string(m.uid));
            uid_done = true;
        }
        for (const auto& a : f.attributes) {
            using Kind = FetchAttribute::Kind;
            if (cte_failed) break;
            switch (a.kind) {
                case Kind::Uid:
                    if (!uid_done) item("UID " + std::to_string(m.uid));
                    uid_done = true;
                    break;
                case Kind::Flags:
                    if (flags_done) break;
                    item("FLAGS ");
                    append_flag_list(out, m.flags);
                    flags_done = true;
                    break;
                case Kind::InternalDate:
                    item("INTERNALDATE \"" + format_date_time(m.internal_date, 0) + "\"");
                    break;
                case Kind::Rfc822Size: item("RFC822.SIZE " + std::to_string(m.size)); break;
                case Kind::Modseq:
                    if (!modseq_done) item("MODSEQ (" + std::to_string(m.modseq) + ")");
                    modseq_done = true;
                    break;
                case Kind::Envelope:
                    item("ENVELOPE ");
                    out += rendering->item(CachedItem::Envelope, utf8);
                    break;
                case Kind::Body:
                case Kind::BodyStructure:
                    item(a.kind == Kind::Body ? "BODY " : "BODYSTRUCTURE ");
                    out += rendering->item(a.kind == Kind::Body ? CachedItem::Body : CachedItem::BodyStructure, utf8);
                    break;
                case Kind::Rfc822:
                    item("RFC822 ");
                    append_literal(out, parsed->crlf());
                    break;
                case Kind::Rfc822Header:
                case Kind::Rfc822Text: {
                    mime::SectionSpec spec;
                    spec.kind = a.kind == Kind::Rfc822Header ? mime::SectionSpec::Kind::Header
                                                              : mime::SectionSpec::Kind::Text;
                    auto data = parsed->section(spec);
                    item(a.kind == Kind::Rfc822Header ? "RFC822.HEADER " : "RFC822.TEXT ");
                    append_literal(out, data.bytes());
                    break;
                }
                case Kind::BodySection: {
                    auto data = parsed->section(to_spec(a.section));
                    if (data.status() == mime::SectionStatus::Invalid) return bad(cmd.tag, "Invalid section");
                    std::string_view bytes = data.bytes();
                    item("BODY[");
                    append_section(out, a.section);
                    out += ']';
                    if (a.partial) {
                        out += '<' + std::to_string(a.partial->offset) + '>';
                        bytes = mime::partial(bytes, a.partial->offset, a.partial->length);
                    }
                    out += ' ';
                    append_literal(out, bytes);
                    break;
                }
                case Kind::Binary:
                case Kind::BinarySize: {
                    auto data = parsed->binary(std::vector<unsigned>(a.section.part.begin(), a.section.part.end()));
                    if (data.status() == mime::SectionStatus::Invalid) return bad(cmd.tag, "Invalid section");
                    if (data.status() == mime::SectionStatus::UnknownEncoding) {
                        cte_failed = true;
                        break;
                    }
                    // A part that does not exist is served empty, as BODY[] serves it.
                    std::string_view bytes = data.bytes();
                    item(a.kind == Kind::Binary ? "BINARY[" : "BINARY.SIZE[");
                    append_section(out, a.section);
                    out += ']';
                    if (a.kind == Kind::BinarySize) {
                        out += ' ' + std::to_string(bytes.size());
                        break;
                    }
                    if (a.partial) {
                        out += '<' + std::to_string(a.partial->offset) + '>';
                        bytes = mime::partial(bytes, a.partial->offset, a.partial->length);
                    }
                    out += ' ';
                    append_binary(out, bytes);
                    break;
                }
            }
        }
        if (cte_failed) {
            unknown_cte = true;
            if (flags_changed[i]) send(flags_fetch(i, cmd.uid));
            continue;
        }
        if (flags_changed[i] && !flags_done) {
            item("FLAGS ");
            append_flag_list(out, m.flags);
        }
        // RFC 7162 3.2.4: a FETCH that set \Seen reports UID and MODSEQ once QRESYNC is on.
        if (flags_changed[i] && qresync_ && !uid_done) item("UID " + std::to_string(m.uid));
        if ((f.changed_since || (flags_changed[i] && qresync_)) && !modseq_done) {
            item("MODSEQ (" + std::to_string(m.modseq) + ")");
        }
        out += ")\r\n";
        send(std::move(out));
    }
    if (unknown_cte) return tagged(cmd, "NO", "UNKNOWN-CTE", "Cannot decode the content-transfer-encoding");
    if (expunged) return tagged(cmd, "NO", "EXPUNGEISSUED", "Some messages were expunged");
    ok(cmd, cmd.uid ? "UID FETCH completed" : "FETCH completed");
}

// ---- STORE ---------------------------------------------------------------------------------

void ServerSession::cmd_store(const Command& cmd, const Store& s) {
    if (!cmd.uid && !valid_sequence_set(s.set, messages_.size())) return bad(cmd.tag, "Invalid message sequence number");
    auto flags = canonical_flags(s.flags);
    if (!flags) return bad(cmd.tag, "Invalid flag");
    if (read_only_) return no(cmd, "CANNOT", "Mailbox is read-only");
    if (s.unchanged_since) condstore_ = true;
    auto indexes = resolve(s.set, cmd.uid);
    std::vector<std::uint32_t> uids;
    for (auto i : indexes) uids.push_back(messages_[i].uid);
    const FlagMode mode = s.mode == StoreMode::Add ? FlagMode::Add
                          : s.mode == StoreMode::Remove ? FlagMode::Remove : FlagMode::Replace;
    StoreOutcome outcome;
    if (!uids.empty()) {
        auto r = selected_->store(uids, mode, *flags, s.unchanged_since);
        if (auto* e = error_of(r)) return backend_no(cmd, *e, "STORE");
        outcome = std::move(std::get<StoreOutcome>(r));
    }
    std::vector<bool> changed(messages_.size(), false);
    for (auto& m : outcome.changed) {
        auto it = std::lower_bound(messages_.begin(), messages_.end(), m.uid,
                                   [](const MessageMeta& x, std::uint32_t u) { return x.uid < u; });
        if (it == messages_.end() || it->uid != m.uid) continue;
        it->flags = std::move(m.flags);
        it->modseq = m.modseq;
        changed[static_cast<std::size_t>(it - messages_.begin())] = true;
    }
    std::string out;
    SequenceSet modified;
    std::sort(outcome.modified.begin(), outcome.modified.end());
    for (auto i : indexes) {
        const auto uid = messages_[i].uid;
        if (std::binary_search(outcome.modified.begin(), outcome.modified.end(), uid)) {
            modified.add(cmd.uid ? uid : static_cast<std::uint32_t>(i + 1));
            continue;
        }
        if (!s.silent) {
            out += flags_fetch(i, cmd.uid);
        } else if (condstore_ && changed[i]) {
            // RFC 7162 3.1.3: the new MODSEQ goes out even with .SILENT.
            out += "* " + std::to_string(i + 1) + " FETCH (" +
                   (cmd.uid || qresync_ ? "UID " + std::to_string(uid) + " " : "") +
                   "MODSEQ (" + std::to_string(messages_[i].modseq) + "))\r\n";
        }
    }
    if (!out.empty()) send(std::move(out));
    if (!modified.empty()) {
        std::string code = "MODIFIED ";
        append_sequence_set(code, modified);
        return ok(cmd, "Conditional STORE failed", code);
    }
    ok(cmd, cmd.uid ? "UID STORE completed" : "STORE completed");
}

// ---- EXPUNGE, CLOSE ------------------------------------------------------------------------

void ServerSession::cmd_expunge(const Command& cmd, const Expunge& e) {
    if (read_only_) return no(cmd, "CANNOT", "Mailbox is read-only");
    std::vector<std::size_t> candidates;
    if (e.uids) {
        candidates = resolve(*e.uids, true);
    } else {
        for (std::size_t i = 0; i < messages_.size(); ++i) candidates.push_back(i);
    }
    std::vector<std::uint32_t> uids;
    for (auto i : candidates) {
        if (has_flag(messages_[i], "\\Deleted")) uids.push_back(messages_[i].uid);
    }
    if (!uids.empty()) {
        auto r = selected_->expunge(uids);
        if (auto* err = error_of(r)) return backend_no(cmd, *err, "EXPUNGE");
        send_expunged(std::get<ExpungeOutcome>(r).expunged);
    }
    send_updates(true);
    if (closed_) return;
    ok(cmd, cmd.uid ? "UID EXPUNGE completed" : "EXPUNGE completed");
}

void ServerSession::cmd_close(const Command& cmd) {
    // RFC 9051 6.4.1: expunge silently, no EXPUNGE responses; a failure does not keep the
    // mailbox selected.
    if (!read_only_) {
        std::vector<std::uint32_t> uids;
        for (const auto& m : messages_) {
            if (has_flag(m, "\\Deleted")) uids.push_back(m.uid);
        }
        if (!uids.empty()) (void)selected_->expunge(uids);
    }
    unselect();
    ok(cmd, "CLOSE completed");
}

// ---- COPY, MOVE ----------------------------------------------------------------------------

void ServerSession::cmd_copy(const Command& cmd, const SequenceSet& set, std::string_view mailbox, bool move) {
    const std::string_view name_of = move ? "MOVE" : "COPY";
    if (!cmd.uid && !valid_sequence_set(set, messages_.size())) return bad(cmd.tag, "Invalid message sequence number");
    if (move && read_only_) return no(cmd, "CANNOT", "Mailbox is read-only");
    auto dest = decode_name(cmd, mailbox);
    if (!dest) return;
    auto indexes = resolve(set, cmd.uid);
    if (indexes.empty()) return ok(cmd, std::string(cmd.uid ? "UID " : "") + std::string(name_of) + " completed");
    std::vector<std::uint32_t> uids;
    for (auto i : indexes) uids.push_back(messages_[i].uid);
    auto r = move ? selected_->move(uids, *dest) : selected_->copy(uids, *dest);
    if (auto* e = error_of(r)) {
        if (*e == BackendError::NotFound) return tagged(cmd, "NO", "TRYCREATE", "Mailbox does not exist");
        return backend_no(cmd, *e, name_of);
    }
    const auto& out = std::get<CopyOutcome>(r);
    std::string code;
    if (!out.uids.empty()) {
        SequenceSet src, dst;
        for (const auto& [s, d] : out.uids) {
            src.add(s);
            dst.add(d);
        }
        code = "COPYUID " + std::to_string(out.dest_uidvalidity) + " ";
        append_sequence_set(code, src);
        code += ' ';
        append_sequence_set(code, dst);
    }
    const std::string done = std::string(cmd.uid ? "UID " : "") + std::string(name_of) + " completed";
    if (!move) {
        send_updates(true);
        if (closed_) return;
        return ok(cmd, done, code);
    }
    // RFC 6851 4.3: COPYUID in an untagged OK before the EXPUNGEs.
    if (!code.empty()) send("* OK [" + code + "] Moved\r\n");
    std::vector<std::uint32_t> moved;
    for (const auto& p : out.uids) moved.push_back(p.first);
    std::sort(moved.begin(), moved.end());
    send_expunged(moved);
    send_updates(true);
    if (closed_) return;
    ok(cmd, done);
}

// ---- SEARCH --------------------------------------------------------------------------------

void ServerSession::for_each_match(const SearchKey& criteria, bool want_header, const MatchVisitor& hit) {
    const auto count = static_cast<std::uint32_t>(messages_.size());
    const std::uint32_t max_uid = messages_.empty() ? 0 : messages_.back().uid;
    const bool header_only = !needs_body(criteria);
    for (std::uint32_t i = 0; i < count; ++i) {
        SearchTarget t{messages_[i], i + 1, count, max_uid, *selected_, saved_uids_,
                       std::nullopt, std::nullopt, false, header_only};
        if (!evaluate(criteria, t)) continue;
        hit(i, want_header ? t.content() : nullptr);
    }
}

void ServerSession::save_result(const SearchReturn& ret, const std::vector<std::size_t>& ordered) {
    std::vector<std::uint32_t> uids;
    if ((ret.min || ret.max) && !ret.all && !ret.count) {
        // RFC 9051 6.4.4.1: SAVE with MIN and/or MAX alone saves just those.
        if (!ordered.empty()) {
            if (ret.min) uids.push_back(messages_[ordered.front()].uid);
            if (ret.max) uids.push_back(messages_[ordered.back()].uid);
        }
    } else {
        for (auto i : ordered) uids.push_back(messages_[i].uid);
    }
    std::sort(uids.begin(), uids.end());
    uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
    saved_uids_ = std::move(uids);
}

void ServerSession::cmd_search(const Command& cmd, const Search& s) {
    const bool save = s.return_options && s.return_options->save;
    if (s.charset && !iequals(*s.charset, "UTF-8") && !iequals(*s.charset, "US-ASCII")) {
        if (save) saved_uids_.clear();  // RFC 5182 2.1: a failed SAVE empties "$"
        return tagged(cmd, "NO", "BADCHARSET (US-ASCII UTF-8)", "Unsupported charset");
    }
    const bool modseq_key = uses_modseq(s.criteria);
    if (modseq_key) condstore_ = true;
    std::vector<std::size_t> found;
    std::uint64_t max_modseq = 0;
    for_each_match(s.criteria, false, [&](std::size_t i, const std::string*) {
        found.push_back(i);
        max_modseq = std::max(max_modseq, messages_[i].modseq);
    });
    // Saved before the response is built: "$" in this very command meant the previous result.
    if (save) save_result(*s.return_options, found);
    std::vector<std::uint32_t> hits;  // sequence numbers or UIDs
    hits.reserve(found.size());
    for (auto i : found) hits.push_back(cmd.uid ? messages_[i].uid : static_cast<std::uint32_t>(i + 1));
    std::string out;
    if (s.return_options || rev2_) {
        SearchReturn ret = s.return_options.value_or(SearchReturn{});
        const bool none = !ret.min && !ret.max && !ret.count && !ret.all;
        // RFC 9051 6.4.4.1: SAVE alone asks for no ESEARCH response at all.
        if (none && ret.save) return ok(cmd, cmd.uid ? "UID SEARCH completed" : "SEARCH completed");
        if (none) ret.all = true;
        out = "* ESEARCH (TAG ";
        append_quoted(out, cmd.tag);
        out += ')';
        if (cmd.uid) out += " UID";
        if (!hits.empty()) {
            if (ret.min) out += " MIN " + std::to_string(hits.front());
            if (ret.max) out += " MAX " + std::to_string(hits.back());
        }
        if (ret.count) out += " COUNT " + std::to_string(hits.size());
        if (ret.all && !hits.empty()) {
            SequenceSet all;
            for (auto h : hits) all.add(h);
            out += " ALL ";
            append_sequence_set(out, all);
        }
        if (modseq_key && !hits.empty()) out += " MODSEQ " + std::to_string(max_modseq);
        out += "\r\n";
    } else {
        out = "* SEARCH";
        for (auto h : hits) out += " " + std::to_string(h);
        if (modseq_key && !hits.empty()) out += " (MODSEQ " + std::to_string(max_modseq) + ")";
        out += "\r\n";
    }
    send(std::move(out));
    ok(cmd, cmd.uid ? "UID SEARCH completed" : "SEARCH completed");
}

}  // namespace tern::imap
