// QRESYNC in the IMAP session (RFC 7162 3.2): what SELECT/EXAMINE (QRESYNC (...)) sends after
// the usual responses, the VANISHED (EARLIER) of UID FETCH (CHANGEDSINCE m VANISHED), and the
// VANISHED that replaces EXPUNGE once the client enabled QRESYNC.
//
// Policies worth knowing:
//  - VANISHED (EARLIER) names UIDs the client asked about (known UIDs, or 1:<highest UID> when
//    it gave none; the UID FETCH set, '*' being the highest UID ever assigned, so expunged
//    UIDs above the last message count) that were expunged after its mod-sequence, according
//    to the backend's expunge history. It may include UIDs expunged earlier or never used: RFC
//    7162 3.2.5.1 and 3.2.6 let the server over-report, and clients ignore UIDs they do not know.
//  - When that history does not reach back to the client's mod-sequence (or cannot be read),
//    every asked-about UID that no longer exists is reported instead: over-reporting again,
//    never under-reporting.
//  - UIDs the session still lists (an expunge not yet told, held back during FETCH/STORE/
//    SEARCH) are never in VANISHED (EARLIER): they come later as a plain VANISHED, which
//    changes the client's message count.
//  - seq-match-data (3.2.5.2): the pairs are walked in order while they name the same message
//    here; nothing below the last matching UID vanished unseen, so VANISHED (EARLIER) starts
//    above it. Pairs that are not ascending end the walk (bounded work for any input).
//  - The FETCH responses after SELECT (UID, FLAGS, MODSEQ) cover the known UIDs whose modseq is
//    above the client's; the client learns about new messages from EXISTS/UIDNEXT.
#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "imap/response_syntax.hpp"
#include "imap/server_session.hpp"

namespace tern::imap {
namespace {

// The UIDs in both sorted, disjoint range lists.
std::vector<SeqRange> intersect(const std::vector<SeqRange>& a,
                                const std::vector<std::pair<std::uint32_t, std::uint32_t>>& b) {
    std::vector<SeqRange> out;
    std::size_t i = 0, j = 0;
    while (i < a.size() && j < b.size()) {
        const std::uint32_t lo = std::max(a[i].first, b[j].first);
        const std::uint32_t hi = std::min(a[i].last, b[j].second);
        if (lo <= hi) out.push_back({lo, hi});
        if (a[i].last < b[j].second) {
            ++i;
        } else {
            ++j;
        }
    }
    return out;
}

// The numbers of a set without '*', in the order the client wrote them.
class WrittenOrder {
public:
    explicit WrittenOrder(const SequenceSet& set) : ranges_(set.ranges()) {}
    bool next(std::uint32_t& out) {
        while (i_ < ranges_.size()) {
            const auto& r = ranges_[i_];
            const std::uint64_t lo = std::min(r.first, r.last), hi = std::max(r.first, r.last);
            if (!started_) {
                at_ = lo;
                started_ = true;
            }
            if (at_ <= hi) {
                out = static_cast<std::uint32_t>(at_++);
                return true;
            }
            ++i_;
            started_ = false;
        }
        return false;
    }

private:
    const std::vector<SeqRange>& ranges_;
    std::size_t i_ = 0;
    std::uint64_t at_ = 0;
    bool started_ = false;
};

}  // namespace

std::uint32_t ServerSession::max_uid() const {
    std::uint32_t top = uidnext_ > 0 ? uidnext_ - 1 : 0;
    if (!messages_.empty()) top = std::max(top, messages_.back().uid);
    return top;
}

std::uint32_t ServerSession::seq_match_floor(const QresyncParams& q) const {
    if (!q.known_sequence_set || !q.known_uid_set) return 0;
    WrittenOrder seqs(*q.known_sequence_set), uids(*q.known_uid_set);
    std::uint32_t floor = 0, last_seq = 0, seq = 0, uid = 0;
    while (seqs.next(seq) && uids.next(uid)) {
        if (seq <= last_seq || uid <= floor) break;  // not ascending
        if (seq > messages_.size() || messages_[seq - 1].uid != uid) break;
        last_seq = seq;
        floor = uid;
    }
    return floor;
}

std::string ServerSession::vanished_earlier(const std::vector<SeqRange>& wanted, std::uint64_t modseq,
                                            std::uint32_t floor) {
    if (wanted.empty() || !selected_) return {};
    auto history = selected_->expunged_since(modseq);
    const auto* h = std::get_if<ExpungedHistory>(&history);
    const std::vector<SeqRange> candidates = h && h->complete ? intersect(wanted, h->ranges) : wanted;
    SequenceSet gone;
    for (const auto& c : candidates) {
        std::uint64_t next = std::max<std::uint64_t>(c.first, std::uint64_t{floor} + 1);
        const std::uint64_t hi = c.last;
        if (next > hi) continue;
        auto it = std::lower_bound(messages_.begin(), messages_.end(), next,
                                   [](const MessageMeta& m, std::uint64_t u) { return m.uid < u; });
        for (; it != messages_.end() && it->uid <= hi; ++it) {
            if (it->uid > next) gone.add_range(static_cast<std::uint32_t>(next), it->uid - 1);
            next = std::uint64_t{it->uid} + 1;
        }
        if (next <= hi) gone.add_range(static_cast<std::uint32_t>(next), static_cast<std::uint32_t>(hi));
    }
    if (gone.empty()) return {};
    std::string out = "* VANISHED (EARLIER) ";
    append_sequence_set(out, gone);
    out += "\r\n";
    return out;
}

std::string ServerSession::resync(const QresyncParams& q) {
    // RFC 7162 3.2.5.1: another UIDVALIDITY means the client starts over; a plain SELECT.
    if (q.uidvalidity != uidvalidity_) return {};
    const std::uint32_t top = max_uid();
    std::vector<SeqRange> known;
    if (q.known_uids) {
        known = q.known_uids->resolve(top);
    } else if (top > 0) {
        known.push_back({1, top});
    }
    std::string out = vanished_earlier(known, q.modseq, seq_match_floor(q));
    std::size_t r = 0;
    for (std::size_t i = 0; i < messages_.size() && r < known.size(); ++i) {
        const auto& m = messages_[i];
        while (r < known.size() && known[r].last < m.uid) ++r;
        if (r == known.size() || known[r].first > m.uid || m.modseq <= q.modseq) continue;
        out += flags_fetch(i, true);
    }
    return out;
}

std::string ServerSession::vanished(const std::vector<std::size_t>& gone) const {
    SequenceSet uids;
    for (auto i : gone) uids.add(messages_[i].uid);
    std::string out = "* VANISHED ";
    append_sequence_set(out, uids);
    out += "\r\n";
    return out;
}

}  // namespace tern::imap
