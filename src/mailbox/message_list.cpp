// The chunked copy-on-write message list and the expunged-UID ranges: see message_list.hpp.
#include "mailbox/message_list.hpp"

#include <algorithm>

namespace tern::mailbox {

std::string MessageRecord::file_name() const {
    return base + ":2," + info_letters(flags.system, extra_info);
}

namespace {

// FNV-1a, 64 bits, from a given offset basis: stable across builds and machines (unlike
// std::hash), which a UIDL must be.
std::uint64_t fnv1a(std::string_view s, std::uint64_t h) {
    for (char c : s) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001b3ull;
    }
    return h;
}

// The base without Dovecot's ",S=<n>" and ",W=<n>" fields (they repeat the size).
std::string_view strip_size_fields(std::string_view base) {
    auto comma = base.find(",S=");
    if (comma == std::string_view::npos) comma = base.find(",W=");
    return comma == std::string_view::npos ? base : base.substr(0, comma);
}

}  // namespace

std::string pop3_uidl(const MessageRecord& record) {
    auto unique = strip_size_fields(record.base);
    bool printable = !unique.empty() && unique.size() <= 70;
    for (char c : unique)
        if (static_cast<unsigned char>(c) < 0x21 || static_cast<unsigned char>(c) > 0x7E) printable = false;
    if (printable) return std::string(unique);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out = "X";
    for (std::uint64_t h : {fnv1a(record.base, 0xcbf29ce484222325ull), fnv1a(record.base, 0x84222325cbf29ce4ull)})
        for (int shift = 60; shift >= 0; shift -= 4) out += kHex[(h >> shift) & 15];
    return out;
}

// ---- MessageList

const MessageRecord& MessageList::operator[](std::size_t i) const {
    auto c = static_cast<std::size_t>(std::upper_bound(ends_.begin(), ends_.end(), i) - ends_.begin());
    std::size_t start = c == 0 ? 0 : ends_[c - 1];
    return chunks_[c]->recs[i - start];
}

std::size_t MessageList::chunk_of_uid(std::uint32_t uid) const {
    // The last chunk whose first uid is <= uid.
    auto it = std::upper_bound(chunks_.begin(), chunks_.end(), uid,
                               [](std::uint32_t u, const auto& c) { return u < c->recs.front().uid; });
    if (it == chunks_.begin()) return chunks_.size();
    return static_cast<std::size_t>(it - chunks_.begin()) - 1;
}

std::optional<std::size_t> MessageList::index_of(std::uint32_t uid) const {
    auto c = chunk_of_uid(uid);
    if (c == chunks_.size()) return std::nullopt;
    const auto& recs = chunks_[c]->recs;
    auto it = std::lower_bound(recs.begin(), recs.end(), uid,
                               [](const MessageRecord& r, std::uint32_t u) { return r.uid < u; });
    if (it == recs.end() || it->uid != uid) return std::nullopt;
    return (c == 0 ? 0 : ends_[c - 1]) + static_cast<std::size_t>(it - recs.begin());
}

std::size_t MessageList::lower_index(std::uint32_t uid) const {
    auto c = chunk_of_uid(uid);
    if (c == chunks_.size()) return 0;  // below the first uid (or empty)
    const auto& recs = chunks_[c]->recs;
    auto it = std::lower_bound(recs.begin(), recs.end(), uid,
                               [](const MessageRecord& r, std::uint32_t u) { return r.uid < u; });
    return (c == 0 ? 0 : ends_[c - 1]) + static_cast<std::size_t>(it - recs.begin());
}

const MessageRecord* MessageList::find(std::uint32_t uid) const {
    auto i = index_of(uid);
    return i ? &(*this)[*i] : nullptr;
}

std::uint32_t MessageList::last_uid() const {
    return chunks_.empty() ? 0 : chunks_.back()->recs.back().uid;
}

std::size_t MessageList::shared_chunks(const MessageList& other) const {
    std::size_t n = 0;
    for (const auto& c : chunks_)
        for (const auto& o : other.chunks_)
            if (c == o) ++n;
    return n;
}

MessageList::const_iterator& MessageList::const_iterator::operator++() {
    if (++pos_ >= list_->chunks_[chunk_]->recs.size()) {
        ++chunk_;
        pos_ = 0;
    }
    return *this;
}

// ---- MessageListEditor

std::shared_ptr<MessageList::Chunk> MessageListEditor::own(std::size_t c) {
    if (!owned_[c]) {
        list_.chunks_[c] = std::make_shared<MessageList::Chunk>(*list_.chunks_[c]);
        owned_[c] = 1;
    }
    // Safe: an owned chunk was created by this editor and is shared with nobody yet.
    return std::const_pointer_cast<MessageList::Chunk>(list_.chunks_[c]);
}

void MessageListEditor::rebuild_ends() {
    list_.ends_.clear();
    std::size_t n = 0;
    for (const auto& c : list_.chunks_) list_.ends_.push_back(n += c->recs.size());
    list_.size_ = n;
}

bool MessageListEditor::push_back(MessageRecord record) {
    if (record.uid == 0 || record.uid <= list_.last_uid()) return false;
    if (list_.chunks_.empty() || list_.chunks_.back()->recs.size() >= MessageList::kChunk) {
        auto c = std::make_shared<MessageList::Chunk>();
        c->recs.reserve(MessageList::kChunk);
        list_.chunks_.push_back(std::move(c));
        owned_.push_back(1);
        list_.ends_.push_back(list_.size_);
    }
    auto c = own(list_.chunks_.size() - 1);
    c->max_modseq = std::max(c->max_modseq, record.modseq);
    c->recs.push_back(std::move(record));
    ++list_.size_;
    ++list_.ends_.back();
    return true;
}

bool MessageListEditor::replace(MessageRecord record) {
    auto c = list_.chunk_of_uid(record.uid);
    if (c == list_.chunks_.size()) return false;
    const auto& recs = list_.chunks_[c]->recs;
    auto it = std::lower_bound(recs.begin(), recs.end(), record.uid,
                               [](const MessageRecord& r, std::uint32_t u) { return r.uid < u; });
    if (it == recs.end() || it->uid != record.uid) return false;
    auto pos = static_cast<std::size_t>(it - recs.begin());
    auto chunk = own(c);
    chunk->max_modseq = std::max(chunk->max_modseq, record.modseq);
    chunk->recs[pos] = std::move(record);
    return true;
}

std::vector<MessageRecord> MessageListEditor::erase(const std::vector<std::uint32_t>& uids) {
    std::vector<MessageRecord> removed;
    // One pass over the chunks in order; each chunk's bounds are read before it is changed.
    std::size_t i = 0;
    for (std::size_t c = 0; c < list_.chunks_.size() && i < uids.size(); ++c) {
        const auto& recs = list_.chunks_[c]->recs;
        while (i < uids.size() && uids[i] < recs.front().uid) ++i;  // not in the list
        std::size_t j = i;
        while (j < uids.size() && uids[j] <= recs.back().uid) ++j;
        bool any = false;
        for (std::size_t k = i; k < j && !any; ++k) {
            auto it = std::lower_bound(recs.begin(), recs.end(), uids[k],
                                       [](const MessageRecord& r, std::uint32_t u) { return r.uid < u; });
            any = it != recs.end() && it->uid == uids[k];
        }
        if (any) {
            auto chunk = own(c);
            std::vector<MessageRecord> kept;
            kept.reserve(chunk->recs.size());
            std::size_t k = i;
            for (auto& r : chunk->recs) {
                while (k < j && uids[k] < r.uid) ++k;
                if (k < j && uids[k] == r.uid)
                    removed.push_back(std::move(r));
                else
                    kept.push_back(std::move(r));
            }
            chunk->recs = std::move(kept);
        }
        i = j;
    }
    if (removed.empty()) return removed;
    // Drop empty chunks; re-chunk when expunges left many small ones.
    std::vector<std::shared_ptr<const MessageList::Chunk>> chunks;
    std::vector<char> owned;
    for (std::size_t c = 0; c < list_.chunks_.size(); ++c) {
        if (list_.chunks_[c]->recs.empty()) continue;
        chunks.push_back(std::move(list_.chunks_[c]));
        owned.push_back(owned_[c]);
    }
    list_.chunks_ = std::move(chunks);
    owned_ = std::move(owned);
    rebuild_ends();
    if (list_.chunks_.size() > 2 * (list_.size_ / MessageList::kChunk + 1)) {
        MessageList old = std::move(list_);
        list_ = MessageList{};
        owned_.clear();
        for (const auto& r : old) push_back(r);
    }
    return removed;
}

MessageList MessageListEditor::finish() && {
    owned_.clear();
    return std::move(list_);
}

// ---- ExpungedSet

void ExpungedSet::add_range(ExpungedRange r) {
    // Merge r with every range that overlaps it or touches it (64-bit: no overflow at the top).
    auto first = std::lower_bound(ranges_.begin(), ranges_.end(), r, [](const ExpungedRange& a, const ExpungedRange& b) {
        return std::uint64_t{a.last} + 1 < b.first;
    });
    auto last = first;
    while (last != ranges_.end() && last->first <= std::uint64_t{r.last} + 1) {
        r.first = std::min(r.first, last->first);
        r.last = std::max(r.last, last->last);
        r.modseq = std::max(r.modseq, last->modseq);
        ++last;
    }
    auto pos = ranges_.erase(first, last);
    ranges_.insert(pos, r);
}

void ExpungedSet::add(std::vector<std::uint32_t> uids, std::uint64_t modseq) {
    std::sort(uids.begin(), uids.end());
    std::size_t i = 0;
    while (i < uids.size()) {
        std::size_t j = i;
        while (j + 1 < uids.size() && uids[j + 1] <= std::uint64_t{uids[j]} + 1) ++j;
        add_range({uids[i], uids[j], modseq});
        i = j + 1;
    }
}

std::vector<std::pair<std::uint32_t, std::uint32_t>> ExpungedSet::since(std::uint64_t modseq) const {
    std::vector<std::pair<std::uint32_t, std::uint32_t>> out;
    for (const auto& r : ranges_)
        if (r.modseq > modseq) out.emplace_back(r.first, r.last);
    return out;
}

bool ExpungedSet::contains(std::uint32_t uid) const {
    auto it = std::upper_bound(ranges_.begin(), ranges_.end(), uid,
                               [](std::uint32_t u, const ExpungedRange& r) { return u < r.first; });
    return it != ranges_.begin() && std::prev(it)->last >= uid;
}

}  // namespace tern::mailbox
