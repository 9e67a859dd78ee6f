// The durable message queue (spool): a log-structured store with group commit.
//
// Why: "250 OK" after DATA is a promise (RFC 5321 6.1: the server takes responsibility for the
// message), so a message must be on stable storage before it is acknowledged and survive
// kill -9 and power loss — yet one fsync per message caps throughput at 1/fsync-latency.
// Appending every pending message to one file and syncing once per batch amortises the sync
// over all sessions waiting at that moment.
//
// Layout of <dir>/ (every integer little-endian; full details in queue/format.hpp):
//   lock                 flock()ed while a Spool has the directory open (one process only).
//   seg-<16 hex>.q       append-only segments. 64-byte text header
//                        "TERNQ 1 seg=<16 hex> nonce=<16 hex>" (padded, ends in '\n'), then
//                        message records:
//                          32-byte header: "TQMR", version 1, type 1, envelope length, CRC32C
//                            of the envelope, body length, CRC32C of the body, and a CRC32C of
//                            the header itself seeded with the segment nonce and the record's
//                            own offset (a record image copied elsewhere, e.g. inside a message
//                            body, never validates);
//                          the serialized envelope (every field of tern::Envelope);
//                          the body (prefix + data, byte-exact, CRLF kept);
//                          16-byte end marker: "TQME", the header CRC again, the record length.
//   state.log            "TERNS 2\n", then records [ "TQSR", u32 length, u32 CRC32C, payload ]:
//                        recipient state changes, Done, Removed (admin), Seal(segment, length),
//                        Hold(message, held) (admin). Version 1 logs (before Hold existed)
//                        are still read, and rewritten as version 2 at open.
//   state.log.tmp        a compaction in progress (deleted at open).
//
// Message ids are "<segment hex>-<record offset hex>" (e.g. "0000002a-00013f40"): printable,
// stable across restarts, never reused (segment numbers only grow — the newest segment file is
// never deleted — and offsets within a segment only grow).
//
// Group commit: commit() serializes and checksums in the caller's thread and queues the
// request. One commit thread takes everything pending (up to max_batch_bytes), appends it with
// pwritev, calls fdatasync ONCE, inserts the messages into the index and then runs all their
// callbacks; requests arriving meanwhile form the next batch. State changes (update/remove)
// are applied to memory at once and made durable by the same thread, one fdatasync of
// state.log per batch, after the batch's messages are acknowledged.
//
// Durability guarantee: a commit callback with an Ok outcome means the record (header,
// envelope, body, end marker) has been fdatasync'ed, and, if the record opened a new segment,
// that segment's header was fdatasync'ed and the directory fsync'ed before. So after kill -9
// or power loss (on a file system and disk that honour fsync) every acknowledged message is
// found again, with its envelope and bytes intact. Records of a batch that was not acknowledged
// may or may not reappear: a torn/incomplete one is discarded, a complete one is kept — a
// possible duplicate of a message the client will retry, never a loss. State changes are
// durable only after the batch that carries them is synced: after a crash the latest changes
// may be lost, which makes the delivery layer retry (its deliveries are idempotent); a message
// is never reported done before its final states are synced, and a segment is only deleted
// after that.
//
// Recovery (open): state.log is read first (it may seal segments), then every segment is
// scanned reading record headers, envelopes and end markers only — bodies are skipped by length
// and their checksum is verified lazily by load(). A record that fails a check:
//   * followed by a valid record later in the segment (found by scanning for the next header
//     that validates): skipped, with a warning in recovery().warnings (corruption, not a crash);
//   * at the tail of the newest segment: a torn write — the segment is truncated to the last
//     good record (recovery().torn_bytes);
//   * at the tail of an older segment: ignored with a warning.
// A segment shorter than its header never held a record and is deleted; a segment whose header
// is not "TERNQ" or has another version makes open() fail with an error naming the file (never
// silently drop what may be acknowledged mail). The state log is then replayed (a bad record
// ends it: later state changes are lost, i.e. retried) and rewritten compactly.
//
// Errors: before each batch the free space of the spool's file system is checked; below
// min_free_bytes (plus the batch) every commit of the batch completes with
// 452 4.3.1 "Insufficient system storage". A failed write or sync also fails the whole batch
// with 452 4.3.1; the segment is truncated back to its last good offset. After a failed sync
// (whose page cache cannot be trusted any more: "fsyncgate") or a failed truncation, the
// segment is sealed — a Seal record in state.log tells recovery to ignore anything past the
// good length — and the next batch starts a fresh segment. Nothing not synced is ever reported
// Ok; the spool keeps working once the cause goes away. State changes are not held to
// min_free_bytes: that reserve is what lets deliveries record their results, finished segments
// be deleted and space come back. A failed state.log write is cut off and retried with the next
// batch; after a failed state.log sync the next batch rewrites it from memory (compaction).
//
// Hold (set_held): an administrator's "do not deliver this message until released". The spool
// only keeps the flag — QueueEntry::held — and makes it durable like a recipient state change
// (a Hold record in state.log, synced with the next batch; the latest change may be lost in a
// crash). Compaction writes a Hold record for every live message on hold (a release writes
// none: not held is the default). Honouring the flag is the delivery layer's job. retry_now()
// (the administrator's "flush") skips held messages.
//
// Threads: callbacks run on the commit thread and must be quick; they may call commit(),
// update() and remove(), but never flush(), close() or the destructor (those wait for it).
//
// Deliberately left out: encryption at rest, multiple spool directories, and logging (the
// caller logs outcomes and the recovery report).
#pragma once

#include <sys/types.h>
#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/envelope.hpp"
#include "core/outcome.hpp"

namespace tern::queue {

enum class RecipientStatus : std::uint8_t { Pending, Deferred, Delivered, Failed };

inline bool is_final(RecipientStatus s) {
    return s == RecipientStatus::Delivered || s == RecipientStatus::Failed;
}

struct RecipientState {
    RecipientStatus status = RecipientStatus::Pending;
    std::uint32_t attempts = 0;
    std::int64_t next_attempt = 0;  // unix seconds
    std::string last_error;
    // A delay DSN (RFC 3461 "delayed") went out for this recipient: never send a second one,
    // even after a restart.
    bool delay_notified = false;

    friend bool operator==(const RecipientState&, const RecipientState&) = default;
};

struct QueueEntry {
    std::string id;
    Envelope envelope;
    std::vector<RecipientState> recipients;  // parallel to envelope.recipients
    std::uint64_t size = 0;                  // message bytes (prefix + data)
    bool held = false;                       // on hold: deliver nothing until released
};

struct CommitResult {
    Outcome outcome;  // Ok: 250 2.0.0 "OK queued as <id>"; else 452 4.3.1 (or 451/554, see commit)
    std::string id;   // empty unless Ok
};

// What open() found and did; the caller logs it.
struct RecoveryReport {
    std::size_t segments = 0;         // segment files kept
    std::size_t messages = 0;         // records found (done or not)
    std::size_t state_records = 0;    // state.log records replayed
    std::uint64_t torn_bytes = 0;     // cut from the tail of the newest segment
    std::size_t skipped_regions = 0;  // corrupt regions skipped in the middle of a segment
    std::vector<std::string> warnings;
};

// Counters for tests and monitoring.
struct SpoolStats {
    std::uint64_t commits = 0;         // commits acknowledged Ok
    std::uint64_t commit_failures = 0; // commits completed with a failure
    std::uint64_t batches = 0;         // message batches written (one data sync each)
    std::uint64_t syncs = 0;           // fdatasync/fsync calls that succeeded
    std::uint64_t state_records = 0;   // state records appended to state.log
    std::uint64_t segments_created = 0;
    std::uint64_t segments_deleted = 0;
    std::uint64_t compactions = 0;
};

class Spool {
public:
    struct Options {
        std::filesystem::path dir;
        std::uint64_t segment_size = 64ull << 20;     // roll to a new segment past this
        std::uint64_t min_free_bytes = 64ull << 20;   // refuse commits (452) below this
        std::size_t max_batch_bytes = 16u << 20;      // one batch carries at most this (>= 1 msg)
        std::uint64_t state_log_compact_bytes = 16ull << 20;  // rewrite state.log past this

        // Fault-injection seams; empty = the real system call. They return like the system
        // call (-1 with errno set on failure). pwritev_hook is used for every write to a
        // segment or state log, fsync_hook for every fdatasync (files) and fsync (directory),
        // free_space_hook replaces statvfs (nullopt = cannot tell, which fails the batch).
        std::function<ssize_t(int fd, const iovec* iov, int iovcnt, off_t offset)> pwritev_hook;
        std::function<int(int fd)> fsync_hook;
        std::function<std::optional<std::uint64_t>()> free_space_hook;
    };

    // Creates the directory if needed, takes its lock, recovers (see above) and starts the
    // commit thread. nullptr with `error` set when the directory cannot be used.
    static std::unique_ptr<Spool> open(Options options, std::string& error);
    ~Spool();  // close()
    Spool(const Spool&) = delete;
    Spool& operator=(const Spool&) = delete;

    // Thread-safe. `done` is called exactly once, on the commit thread, after the batch holding
    // the message is durable (Ok) or has failed (452 4.3.1). Exceptions: after close() it is
    // called at once on the caller's thread with 451 4.3.0; an envelope without recipients
    // completes with 554 5.5.1. The message is prefix + data, stored byte-exact.
    void commit(Envelope envelope, std::string prefix, std::string data,
                std::function<void(CommitResult)> done);
    // commit() and wait for its result: for threads that may block (delivery workers queueing
    // a bounce or an alias copy). Never from a commit callback: that would wait for itself.
    CommitResult commit_and_wait(Envelope envelope, std::string prefix, std::string data);

    // The message bytes, body checksum verified. Thread-safe (its own descriptor + pread).
    std::optional<std::string> load(const std::string& id, std::string& error) const;

    // Thread-safe; visible at once to entries()/entry(), durable with the next batch. Ignored
    // for an unknown id, a message already done, or an index out of range. When every recipient
    // is Delivered or Failed the message is done and leaves entries().
    void update(const std::string& id, std::size_t recipient_index, RecipientState state);

    // Every message not yet done, in acceptance order.
    std::vector<QueueEntry> entries() const;
    std::optional<QueueEntry> entry(const std::string& id) const;  // nullopt when done/unknown
    // Admin delete: every pending recipient becomes Failed ("removed by administrator"), with
    // no bounce — the caller must not generate DSNs. Recorded as a Removed record.
    void remove(const std::string& id);
    // Admin hold/release: sets QueueEntry::held. Thread-safe; visible at once, durable with the
    // next batch (a Hold record). Ignored for an unknown id, a message already done, or when the
    // flag already has that value.
    void set_held(const std::string& id, bool held);
    // Admin "retry now": next_attempt = 0 for every recipient still Pending or Deferred
    // (status, attempts and last_error kept), in one step under the index lock, so a delivery
    // result recorded meanwhile by update() is never overwritten with an older state.
    // Thread-safe; durable with the next batch. False, changing nothing, for an unknown id, a
    // message already done, or one on hold.
    bool retry_now(const std::string& id);
    std::size_t size() const;  // messages not done

    // Blocks until everything queued before the call (commits and state changes) is durable
    // or failed. For tests, the queue CLI and orderly shutdown.
    void flush();
    // Flushes and stops the commit thread; later commits fail with 451. Idempotent.
    void close();

    SpoolStats stats() const;
    const RecoveryReport& recovery() const;

    struct Impl;

private:
    explicit Spool(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace tern::queue
