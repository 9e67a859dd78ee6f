// Snapshots, their diff, and the editor that builds them: see snapshot.hpp.
#include "mailbox/snapshot.hpp"

#include <algorithm>

namespace tern::mailbox {

FolderStatus Snapshot::status() const {
    FolderStatus st;
    st.messages = static_cast<std::uint32_t>(messages.size());
    st.unseen = unseen;
    st.deleted = deleted;
    st.size = size;
    st.uidnext = uidnext;
    st.uidvalidity = uidvalidity;
    st.highestmodseq = highestmodseq;
    return st;
}

SnapshotDiff diff_snapshots(const Snapshot& from, const Snapshot& to) {
    SnapshotDiff d;
    if (from.uidvalidity != to.uidvalidity) {
        d.uidvalidity_changed = true;
        for (const auto& r : to.messages) d.added.push_back(r.uid);
        return d;
    }
    if (from.highestmodseq == to.highestmodseq) return d;
    // Expunged: every removal is recorded in to.expunged with a modseq above from's (ranges
    // only ever hold expunged UIDs), so only the messages of `from` inside those ranges can be
    // gone. Walk them with binary searches instead of comparing the two lists.
    for (auto [first, last] : to.expunged->since(from.highestmodseq)) {
        const auto& msgs = from.messages;
        for (std::size_t i = msgs.lower_index(first); i < msgs.size() && msgs[i].uid <= last; ++i) d.expunged.push_back(msgs[i].uid);
    }
    std::sort(d.expunged.begin(), d.expunged.end());
    d.expunged.erase(std::unique(d.expunged.begin(), d.expunged.end()), d.expunged.end());
    to.messages.for_each_changed_since(from.highestmodseq, [&](const MessageRecord& r) {
        if (r.uid >= from.uidnext)
            d.added.push_back(r.uid);
        else
            d.changed.push_back(r.uid);
    });
    return d;
}

std::vector<std::uint32_t> deleted_uids(const Snapshot& snapshot) {
    std::vector<std::uint32_t> out;
    if (snapshot.deleted == 0) return out;
    for (const auto& r : snapshot.messages)
        if (r.flags.has(flag::kDeleted)) out.push_back(r.uid);
    return out;
}

std::vector<std::string> folder_keywords(const Snapshot& snapshot) {
    std::vector<std::string> out;
    for (const auto& r : snapshot.messages)
        for (const auto& k : r.flags.keywords) add_keyword(out, k);
    return out;
}

// ---- SnapshotEditor

SnapshotEditor::SnapshotEditor(std::uint32_t uidvalidity)
    : expunged_(std::make_shared<ExpungedSet>()), expunged_owned_(true) {
    s_.uidvalidity = uidvalidity;
}

SnapshotEditor::SnapshotEditor(const Snapshot& base) : s_(base), list_(base.messages) {
    s_.messages = MessageList{};  // the editor holds the list
    expunged_ = std::const_pointer_cast<ExpungedSet>(base.expunged);
    if (!expunged_) {
        expunged_ = std::make_shared<ExpungedSet>();
        expunged_owned_ = true;
    }
}

void SnapshotEditor::count(const MessageRecord& r, int sign) {
    auto adjust = [sign](auto& v, auto by) { v = sign > 0 ? v + by : v - by; };
    if (!r.flags.has(flag::kSeen)) adjust(s_.unseen, 1u);
    if (r.flags.has(flag::kDeleted)) adjust(s_.deleted, 1u);
    adjust(s_.size, r.rfc822_size);
}

bool SnapshotEditor::add(MessageRecord record) {
    // UINT32_MAX is never a UID: UIDNEXT after it would wrap to 0.
    if (record.uid < s_.uidnext || record.uid == 0 || record.uid == UINT32_MAX) return false;
    const auto uid = record.uid;
    const auto modseq = record.modseq;
    count(record, +1);
    if (!list_.push_back(std::move(record))) return false;  // cannot happen: uid >= uidnext
    s_.uidnext = uid + 1;
    raise_modseq(modseq);
    return true;
}

bool SnapshotEditor::update(MessageRecord record) {
    const auto* old = list_.list().find(record.uid);
    if (old == nullptr) return false;
    count(*old, -1);
    count(record, +1);
    raise_modseq(record.modseq);
    return list_.replace(std::move(record));
}

std::vector<MessageRecord> SnapshotEditor::expunge(std::vector<std::uint32_t> uids, std::uint64_t modseq) {
    std::sort(uids.begin(), uids.end());
    uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
    auto removed = list_.erase(uids);
    if (removed.empty()) return removed;
    std::vector<std::uint32_t> gone;
    for (const auto& r : removed) {
        count(r, -1);
        gone.push_back(r.uid);
    }
    if (!expunged_owned_) {
        expunged_ = std::make_shared<ExpungedSet>(*expunged_);
        expunged_owned_ = true;
    }
    expunged_->add(std::move(gone), modseq);
    raise_modseq(modseq);
    return removed;
}

void SnapshotEditor::add_expunged(ExpungedRange range) {
    if (!expunged_owned_) {
        expunged_ = std::make_shared<ExpungedSet>(*expunged_);
        expunged_owned_ = true;
    }
    expunged_->add_range(range);
}

void SnapshotEditor::raise_uidnext(std::uint32_t uidnext) { s_.uidnext = std::max(s_.uidnext, uidnext); }
void SnapshotEditor::raise_modseq(std::uint64_t modseq) { s_.highestmodseq = std::max(s_.highestmodseq, modseq); }

SnapshotPtr SnapshotEditor::finish() && {
    auto out = std::make_shared<Snapshot>(std::move(s_));
    out->messages = std::move(list_).finish();
    out->expunged = std::move(expunged_);
    return out;
}

}  // namespace tern::mailbox
