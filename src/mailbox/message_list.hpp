// The messages of a folder as an immutable list ordered by UID, and the remembered expunged
// UIDs. Snapshots (snapshot.hpp) hold these; sessions keep old snapshots as long as they like.
//
// Why chunks: every change publishes a new snapshot, and a folder may hold 50,000 messages.
// Copying 50,000 records (each with a heap-allocated name) per STORE costs milliseconds and
// keeps one full copy alive per session still looking at an older snapshot. The list is
// therefore a vector of shared, immutable chunks of up to kChunk records: a new version copies
// only the chunk pointers and the chunks it changes (copy-on-write through MessageListEditor),
// and versions share everything else. Each chunk knows its largest modseq, so "what changed
// since modseq M" skips untouched chunks.
//
// Expunged UIDs are kept as ranges [first, last] with the largest modseq of their expunges, for
// QRESYNC's VANISHED (EARLIER) (RFC 7162 3.2.10). Adjacent ranges are merged, keeping the
// larger modseq: a client may then be told about a UID it already knew was gone, which RFC 7162
// allows, and the set never holds more ranges than the folder has messages (plus one).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mailbox/flags.hpp"

namespace tern::mailbox {

struct MessageRecord {
    std::uint32_t uid = 0;
    Flags flags;
    std::uint64_t modseq = 0;         // the modseq of the last change to this message
    std::int64_t internal_date = 0;   // unix seconds: the file's mtime (delivery time / APPEND date)
    std::uint64_t rfc822_size = 0;    // bytes with CRLF line endings (RFC822.SIZE)
    std::uint64_t disk_size = 0;      // bytes in the file (LF line endings)
    std::string base;                 // Maildir base name: the file name before ":"
    std::string extra_info;           // info letters the store does not interpret (see flags.hpp)

    // The name in cur/: "<base>:2,<letters>".
    std::string file_name() const;
    friend bool operator==(const MessageRecord&, const MessageRecord&) = default;
};

// POP3's UIDL (RFC 1939 7) for a message: its Maildir base name without Dovecot's ",S=" and
// ",W=" fields, when that is 1-70 characters of 0x21-0x7E; otherwise "X" + 32 hex digits of a
// fixed 128-bit hash of the base. The base, unlike "<uidvalidity>.<uid>", survives an index
// rebuild (which changes UIDVALIDITY) and is what other Maildir servers use, so a POP3 client
// that leaves mail on the server never downloads everything again.
std::string pop3_uidl(const MessageRecord& record);

class MessageList {
public:
    static constexpr std::size_t kChunk = 512;

    std::size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    // The i-th message (0-based; IMAP sequence number i + 1). O(log chunks).
    const MessageRecord& operator[](std::size_t i) const;
    const MessageRecord* find(std::uint32_t uid) const;
    std::optional<std::size_t> index_of(std::uint32_t uid) const;
    // The index of the first message with a uid >= `uid` (size() when none).
    std::size_t lower_index(std::uint32_t uid) const;
    std::uint32_t last_uid() const;  // 0 when empty

    // Calls f(record) for every record whose modseq is above `modseq`, in UID order.
    template <class F>
    void for_each_changed_since(std::uint64_t modseq, F&& f) const {
        for (const auto& c : chunks_) {
            if (c->max_modseq <= modseq) continue;
            for (const auto& r : c->recs)
                if (r.modseq > modseq) f(r);
        }
    }

    class const_iterator {
    public:
        using value_type = MessageRecord;
        using difference_type = std::ptrdiff_t;
        using reference = const MessageRecord&;
        using pointer = const MessageRecord*;
        using iterator_category = std::forward_iterator_tag;
        const_iterator() = default;
        reference operator*() const { return (*list_->chunks_[chunk_]).recs[pos_]; }
        pointer operator->() const { return &**this; }
        const_iterator& operator++();
        const_iterator operator++(int) {
            auto old = *this;
            ++*this;
            return old;
        }
        friend bool operator==(const const_iterator& a, const const_iterator& b) {
            return a.chunk_ == b.chunk_ && a.pos_ == b.pos_;
        }

    private:
        friend class MessageList;
        const_iterator(const MessageList* l, std::size_t c, std::size_t p) : list_(l), chunk_(c), pos_(p) {}
        const MessageList* list_ = nullptr;
        std::size_t chunk_ = 0;
        std::size_t pos_ = 0;
    };
    const_iterator begin() const { return {this, 0, 0}; }
    const_iterator end() const { return {this, chunks_.size(), 0}; }

    // Number of chunks shared with `other` (tests: copy-on-write really shares).
    std::size_t shared_chunks(const MessageList& other) const;

private:
    friend class MessageListEditor;
    struct Chunk {
        std::vector<MessageRecord> recs;  // never empty, ascending uid
        std::uint64_t max_modseq = 0;
    };
    std::size_t chunk_of_uid(std::uint32_t uid) const;  // chunks_.size() when none can hold it
    std::vector<std::shared_ptr<const Chunk>> chunks_;
    std::vector<std::size_t> ends_;  // ends_[i] = records in chunks 0..i
    std::size_t size_ = 0;
};

// Builds a new MessageList version from an old one, copying only the chunks it changes (once
// each). Used by the folder's single writer; the result is immutable.
class MessageListEditor {
public:
    MessageListEditor() = default;
    explicit MessageListEditor(const MessageList& base) : list_(base), owned_(base.chunks_.size(), 0) {}

    const MessageList& list() const { return list_; }
    // Appends a record whose uid is above every uid in the list; false (nothing done) otherwise.
    bool push_back(MessageRecord record);
    // Replaces the record with the same uid; false when there is none.
    bool replace(MessageRecord record);
    // Removes the records with these uids (ascending); returns the records removed.
    std::vector<MessageRecord> erase(const std::vector<std::uint32_t>& sorted_uids);
    MessageList finish() &&;

private:
    std::shared_ptr<MessageList::Chunk> own(std::size_t chunk);
    void rebuild_ends();
    MessageList list_;
    std::vector<char> owned_;  // chunks this editor copied and may change in place
};

struct ExpungedRange {
    std::uint32_t first = 0;
    std::uint32_t last = 0;
    std::uint64_t modseq = 0;
    friend bool operator==(const ExpungedRange&, const ExpungedRange&) = default;
};

class ExpungedSet {
public:
    // Adds UIDs (any order) expunged at `modseq`.
    void add(std::vector<std::uint32_t> uids, std::uint64_t modseq);
    void add_range(ExpungedRange range);  // merged with neighbours
    // Ranges holding a UID expunged after `modseq` (RFC 7162 VANISHED (EARLIER)).
    std::vector<std::pair<std::uint32_t, std::uint32_t>> since(std::uint64_t modseq) const;
    bool contains(std::uint32_t uid) const;
    const std::vector<ExpungedRange>& ranges() const { return ranges_; }

private:
    std::vector<ExpungedRange> ranges_;  // ascending, disjoint, never adjacent
};

}  // namespace tern::mailbox
