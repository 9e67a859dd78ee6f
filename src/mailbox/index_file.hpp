// The folder index on disk: one file, a snapshot followed by an append-only journal of
// checksummed batches (format: index_format.hpp). This class does the I/O and the recovery;
// it knows nothing about Maildir.
//
// Why this format: measured with bench/mailbox_index_bench.cpp on a 50,000-message folder
// (2-core VM, ext4, page cache warm, medians of 3 repetitions; durable = fdatasync'ed):
//                         own format     SQLite WAL     SQLite rollback journal
//   open (everything)       6.3 ms         31 ms          25 ms
//   append one message      189 us         224 us         1095 us   (CPU 73 / 99 / 413 us)
//   flags of one message    204 us         215 us         1092 us   (CPU 71 / 107 / 422 us)
//   file size               3.9 MB         4.3 MB         4.3 MB
// (With the disk busy with other work, the writes were ~3 ms for both the journal and WAL,
// 6-16 ms for the rollback journal; the ranking did not change.)
// Opening reads everything, and one sequential read plus a varint parse is 4-5x faster than
// SQLite's B-tree walk into the same in-memory snapshot. A durable change costs one
// fdatasync, as SQLite's WAL commit does, with less CPU, and far less than SQLite's rollback
// journal. The file is smaller, and there is no library to link. What SQLite would add —
// queries, partial reads — the store does not need: sessions work on in-memory snapshots.
// (Keeping the per-message cache inside the index would make the open 17 ms and the file
// 19 MB: see cache_file.hpp.)
//
// Crash safety:
//   * append(durable): the batch is written at the end and fdatasync'ed before the call
//     returns; the caller publishes the change only after that. A crash mid-write leaves a
//     torn last batch, which load() recognizes (length past the end, or CRC mismatch with
//     no valid batch at any later offset), drops whole and cuts off. Since no caller ever saw
//     the change, dropping it is invisible: no UID a client saw goes backwards. A payload
//     over kMaxJournalBatch is refused (the Folder writes such a change by rewrite()), so a
//     batch is never so long that a reader would take it for a torn tail.
//   * load() cuts a torn tail only after reading the whole file: an error or a short read
//     reports Failed (an I/O error, the file untouched); so does any open error but ENOENT.
//   * rewrite(): the full state goes to "tern-index.tmp" (an old one is unlinked first and the
//     new one created with O_EXCL, so a planted link cannot redirect the write), is
//     fdatasync'ed, renamed over the index and the directory fsync'ed. A crash before the
//     rename leaves the old file intact. Once the rename succeeded the change is visible, so a
//     failed directory fsync is not reported as a failure: the fsync is retried before the
//     next append (which fails if it still cannot be made durable).
//   * A failed write is cut back with ftruncate. After a failed fdatasync the page cache can no
//     longer be trusted ("fsyncgate"), and after a failed cut the tail is unknown: then
//     needs_rewrite() is set and the next change is written as a complete new file instead.
//   * A damaged batch in the middle (bit rot, not a crash) makes load() report Unreadable
//     (nothing is cut); the folder then rebuilds from the Maildir under a new, larger
//     UIDVALIDITY. So does a record that cannot be right (UID 0 or UINT32_MAX, a bad base).
// Not thread-safe: the owning Folder serializes access (and holds the folder's flock).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "mailbox/index_format.hpp"
#include "mailbox/io.hpp"
#include "mailbox/result.hpp"
#include "mailbox/snapshot.hpp"

namespace tern::mailbox {

inline constexpr std::string_view kIndexFileName = "tern-index";

class IndexFile {
public:
    IndexFile(std::filesystem::path path, IoHooks hooks);

    struct Loaded {
        // Missing: ENOENT. Unreadable: read completely, but not a valid index. Failed: an I/O
        // error (opening, reading, a short read); nothing was changed, this object included.
        enum class Kind { Ok, Missing, Unreadable, Failed } kind = Kind::Missing;
        SnapshotPtr snapshot;            // Ok
        index_format::DirStamps dirs;    // Ok
        std::uint32_t uidvalidity = 0;   // from the header when it was readable (also Unreadable)
        std::uint64_t torn_bytes = 0;    // cut from the tail
        std::string error;               // Unreadable, Failed
        int sys_errno = 0;               // Failed
    };
    // Opens and reads the file; cuts a torn tail (ftruncate + fdatasync).
    Loaded load();

    // Replaces the file with one holding `snapshot` (see above); the new file is then the one
    // appended to. On failure the old file (if any) is untouched. Success once the new file is
    // renamed into place, even if the directory fsync failed (then dir_sync_pending()).
    Result<void> rewrite(const Snapshot& snapshot, const index_format::DirStamps& dirs);

    // Appends one batch; `durable`: fdatasync before returning (an Error when that fails).
    // Non-durable appends are hints (directory stamps) that become durable with the next sync.
    // Refused (E2BIG, nothing written) over kMaxJournalBatch: use rewrite() for those.
    Result<void> append(std::string_view payload, bool durable);

    bool is_open() const { return fd_.get() >= 0; }
    bool needs_rewrite() const { return needs_rewrite_; }
    bool dir_sync_pending() const { return dir_sync_pending_; }
    std::uint64_t journal_bytes() const { return end_ - snapshot_end_; }
    std::uint64_t snapshot_bytes() const { return snapshot_end_; }
    std::uint64_t size() const { return end_; }
    // True when the file on disk is not the one this object last read or wrote (another process
    // rewrote or extended it, or it was removed): the caller reloads.
    bool changed_on_disk() const;
    const std::filesystem::path& path() const { return path_; }
    std::uint64_t inode() const { return static_cast<std::uint64_t>(ino_); }

private:
    std::filesystem::path path_;
    IoHooks hooks_;
    UniqueFd fd_;
    std::uint64_t nonce_ = 0;
    std::uint64_t end_ = 0;           // good length of the file
    std::uint64_t snapshot_end_ = 0;  // where the journal starts
    ino_t ino_ = 0;
    bool needs_rewrite_ = false;
    bool dir_sync_pending_ = false;  // a rewrite's rename is not yet durable
};

}  // namespace tern::mailbox
