// The folder index's on-disk format, version 1: pure functions on bytes (index_file does I/O).
//
// File "tern-index" in the folder's directory (INBOX: the Maildir root):
//   header, 32 bytes: "TERNMIDX", u32 version (1), u32 uidvalidity, u64 nonce (random per
//     file), u32 zero, u32 CRC32C of bytes 0..27. UIDVALIDITY sits in the header so that even
//     an index whose body is damaged tells the rebuild which value it must exceed.
//   batches, each: u32 payload length, u32 CRC32C(nonce || offset || length || payload), payload.
//     The CRC binds a batch to this file and position, so a stale or copied image never passes.
//     One batch is one atomic change: a torn batch is dropped whole, never half-applied.
//   payload: entries, each a type byte and fields. Integers are LEB128 varints (signed ones
//     zigzag), strings a varint length and bytes:
//     1 State     uidnext, highestmodseq
//     2 Add       uid, modseq, flags (u8), internal_date (signed), rfc822_size, disk_size,
//                 base, extra_info, keyword count, keywords
//     3 Flags     uid, modseq, flags (u8), extra_info, keyword count, keywords
//     4 Expunge   modseq, count, count x (first uid, last uid)   (ranges, ascending)
//     5 Expunged  first uid, last uid, modseq                     (history, in snapshots)
//     6 Dirs      new/ mtime ns, cur/ mtime ns (signed; 0 = unknown: rescan)
// A snapshot (what a rewrite produces) is the header followed by batches holding State, Dirs,
// every Expunged range and an Add per message; the journal is the batches appended after it.
// Both are read by the same code: the state is the result of applying every batch in order.
//
// Why varints and one format for both: the index is read whole at every open, so its size is
// its cost; see bench/mailbox_index_bench.cpp for the figures that chose this over SQLite.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mailbox/snapshot.hpp"

namespace tern::mailbox::index_format {

inline constexpr std::size_t kHeaderSize = 32;
inline constexpr std::size_t kBatchHeaderSize = 8;
inline constexpr std::uint32_t kVersion = 1;
inline constexpr std::uint32_t kMaxBatch = 64u << 20;  // larger lengths can only be corruption
// The largest payload appended to the journal; a larger change is written by a rewrite (whose
// batches are kSnapshotBatchBytes), so no batch on disk ever comes near kMaxBatch.
inline constexpr std::size_t kMaxJournalBatch = 16u << 20;
// Longest Maildir base an index record may hold (a file name is at most 255 bytes).
inline constexpr std::size_t kMaxBaseLength = 255;
inline constexpr std::size_t kSnapshotBatchBytes = 256u << 10;  // a rewrite's batch size

// Directory mtimes the index reflects (see folder.hpp: when a readdir can be skipped).
struct DirStamps {
    std::int64_t new_ns = 0;
    std::int64_t cur_ns = 0;
    friend bool operator==(const DirStamps&, const DirStamps&) = default;
};

struct Header {
    std::uint32_t uidvalidity = 0;
    std::uint64_t nonce = 0;
};
inline constexpr std::string_view kIndexMagic = "TERNMIDX";
inline constexpr std::string_view kCacheMagic = "TERNMCAC";  // cache_file.hpp: same layout
std::string encode_header(const Header& header, std::string_view magic = kIndexMagic);
// nullopt when the bytes are not a version 1 header with this magic (or the CRC is wrong).
std::optional<Header> parse_header(std::string_view bytes, std::string_view magic = kIndexMagic);

// Frames `payload` as the batch at file offset `offset`; nullopt (refused) when the payload is
// empty or longer than kMaxBatch, which a reader would take for a torn tail.
std::optional<std::string> frame_batch(std::uint64_t nonce, std::uint64_t offset, std::string_view payload);
// The payload of the batch at `offset` of `image` if a whole, valid one starts there.
std::optional<std::string_view> batch_at(std::string_view image, std::uint64_t nonce, std::uint64_t offset);

// Builds one batch payload.
class EntryWriter {
public:
    void state(std::uint32_t uidnext, std::uint64_t highestmodseq);
    void add(const MessageRecord& record);
    void flags(const MessageRecord& record);
    void expunge(std::uint64_t modseq, const std::vector<std::uint32_t>& sorted_uids);
    void expunged(const ExpungedRange& range);
    void dirs(const DirStamps& stamps);
    const std::string& bytes() const { return buf_; }
    std::string take() { return std::move(buf_); }
    bool empty() const { return buf_.empty(); }
    std::size_t size() const { return buf_.size(); }

private:
    void varint(std::uint64_t v);
    void svarint(std::int64_t v);
    void str(std::string_view s);
    void keywords(const std::vector<std::string>& kws);
    std::string buf_;
};

// A base name an index record may hold: non-empty, at most kMaxBaseLength bytes, not starting
// with '.', without '/', ':' or NUL (it becomes a file name in cur/).
bool is_valid_base(std::string_view base);

// Applies one batch payload's entries to `state`; false (state partly changed: discard it)
// when the payload is malformed or inconsistent (an Add below UIDNEXT, a UID of 0 or
// UINT32_MAX, an invalid base, an unknown type).
bool apply_batch(std::string_view payload, SnapshotEditor& state, DirStamps& dirs);

// The whole state as a snapshot file body: the batches' payloads, each under
// kSnapshotBatchBytes (the caller frames them at their offsets).
std::vector<std::string> snapshot_payloads(const Snapshot& snapshot, const DirStamps& dirs);

// Result of reading a whole index file image.
struct Parsed {
    enum class Kind { Ok, Unreadable } kind = Kind::Ok;
    Header header;
    SnapshotPtr snapshot;
    DirStamps dirs;
    std::uint64_t good_length = 0;  // bytes up to the end of the last good batch
    std::uint64_t torn_bytes = 0;   // bytes after it (a torn tail), to be cut off
    std::string error;              // for Unreadable
};
// Reads a whole image: header, then batches until the end. A bad batch (short, bad CRC) with
// no valid batch at any later offset is a torn write and is dropped (torn_bytes); a bad batch
// followed anywhere by a valid one is damage in the middle and makes the image Unreadable (the
// folder is then rebuilt under a new UIDVALIDITY). The image must be the complete file: a
// partial read would look like a torn tail (index_file refuses to parse one).
Parsed parse_image(std::string_view image);

}  // namespace tern::mailbox::index_format
