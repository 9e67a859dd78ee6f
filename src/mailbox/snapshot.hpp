// An immutable view of one folder at one moment, and the helpers sessions use to compare two.
//
// The store keeps no per-session state. A session holds the snapshot it last reported to its
// client; after a sync or a notification it takes the new one and diffs: UIDs gone are
// EXPUNGE/VANISHED, UIDs at or above its old UIDNEXT are EXISTS/new, and records whose modseq is
// above its old HIGHESTMODSEQ are FETCH FLAGS. Every change bumps HIGHESTMODSEQ (an expunge too,
// RFC 7162 3.2.10), so equal HIGHESTMODSEQ and UIDVALIDITY means nothing changed.
//
// SnapshotEditor is how the folder's single writer (and the index loader) builds the next
// snapshot: it keeps UIDNEXT, HIGHESTMODSEQ, the expunged set and the STATUS counters in step
// with the message list, so they can never disagree.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "mailbox/message_list.hpp"

namespace tern::mailbox {

// STATUS numbers (RFC 9051 6.3.11; SIZE is RFC 8438, HIGHESTMODSEQ RFC 7162).
struct FolderStatus {
    std::uint32_t messages = 0;
    std::uint32_t unseen = 0;   // messages without \Seen
    std::uint32_t deleted = 0;  // messages with \Deleted (STATUS DELETED, RFC 9051)
    std::uint64_t size = 0;     // sum of RFC822.SIZE
    std::uint32_t uidnext = 1;
    std::uint32_t uidvalidity = 0;
    std::uint64_t highestmodseq = 0;
    friend bool operator==(const FolderStatus&, const FolderStatus&) = default;
};

struct Snapshot {
    std::uint32_t uidvalidity = 0;
    std::uint32_t uidnext = 1;
    std::uint64_t highestmodseq = 0;
    MessageList messages;                          // ascending UID; index + 1 = sequence number
    std::shared_ptr<const ExpungedSet> expunged;   // never null
    std::uint32_t unseen = 0;
    std::uint32_t deleted = 0;
    std::uint64_t size = 0;

    FolderStatus status() const;
};
using SnapshotPtr = std::shared_ptr<const Snapshot>;

struct SnapshotDiff {
    bool uidvalidity_changed = false;    // everything the session knew is void: start over
    std::vector<std::uint32_t> expunged; // UIDs in `from` that `to` no longer has, ascending
    std::vector<std::uint32_t> added;    // UIDs in `to` at or above from.uidnext, ascending
    std::vector<std::uint32_t> changed;  // UIDs in both whose flags changed, ascending
    bool empty() const { return !uidvalidity_changed && expunged.empty() && added.empty() && changed.empty(); }
};

// What happened between two snapshots of the same folder (`from` older than `to`). Cost:
// O(expunged ranges + results + changed chunks), not O(messages).
SnapshotDiff diff_snapshots(const Snapshot& from, const Snapshot& to);

// UIDs of the messages with \Deleted (what EXPUNGE / CLOSE remove).
std::vector<std::uint32_t> deleted_uids(const Snapshot& snapshot);
// Every keyword used by a message of the folder (for FLAGS / PERMANENTFLAGS), sorted.
std::vector<std::string> folder_keywords(const Snapshot& snapshot);

class SnapshotEditor {
public:
    explicit SnapshotEditor(std::uint32_t uidvalidity);  // an empty folder
    explicit SnapshotEditor(const Snapshot& base);

    std::uint32_t uidvalidity() const { return s_.uidvalidity; }
    std::uint32_t uidnext() const { return s_.uidnext; }
    std::uint64_t highestmodseq() const { return s_.highestmodseq; }
    const MessageList& messages() const { return list_.list(); }
    const MessageRecord* find(std::uint32_t uid) const { return list_.list().find(uid); }

    // Adds a message; its uid must be >= uidnext and < UINT32_MAX (false, nothing changed,
    // otherwise).
    bool add(MessageRecord record);
    // Replaces the message with the same uid (flags, modseq, extra info); false when absent.
    bool update(MessageRecord record);
    // Removes these messages, remembering them as expunged at `modseq`; returns the removed.
    std::vector<MessageRecord> expunge(std::vector<std::uint32_t> uids, std::uint64_t modseq);
    // Remembers UIDs expunged earlier (the index's compact history).
    void add_expunged(ExpungedRange range);
    void raise_uidnext(std::uint32_t uidnext);
    void raise_modseq(std::uint64_t modseq);

    SnapshotPtr finish() &&;

private:
    void count(const MessageRecord& r, int sign);
    Snapshot s_;
    MessageListEditor list_;
    std::shared_ptr<ExpungedSet> expunged_;  // copied on first change
    bool expunged_owned_ = false;
};

}  // namespace tern::mailbox
