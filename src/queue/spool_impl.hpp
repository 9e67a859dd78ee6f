// Internals of the spool shared by spool.cpp (API, commit thread) and recovery.cpp (open,
// recovery, state-log compaction). Not part of the library's interface.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <thread>

#include "queue/format.hpp"
#include "queue/spool.hpp"

namespace tern::queue {

// An owned file descriptor.
class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    Fd(Fd&& o) noexcept : fd_(o.release()) {}
    Fd& operator=(Fd&& o) noexcept {
        reset(o.release());
        return *this;
    }
    ~Fd() { reset(); }
    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }
    int release() {
        int f = fd_;
        fd_ = -1;
        return f;
    }
    void reset(int fd = -1);

private:
    int fd_ = -1;
};

struct Key {
    std::uint64_t segment = 0;
    std::uint64_t offset = 0;
    auto operator<=>(const Key&) const = default;
};

struct Spool::Impl {
    explicit Impl(Options o) : opt(std::move(o)) {}

    Options opt;
    Fd dir_fd;
    Fd lock_fd;
    RecoveryReport report;

    // ---- the index: guarded by index_mu. Only the commit thread (or open) adds or erases
    // messages and segments; update()/remove() change recipient states.
    struct Message {
        Envelope envelope;
        std::vector<RecipientState> recipients;
        std::uint32_t envelope_len = 0;
        std::uint64_t body_len = 0;
        std::uint32_t body_crc = 0;
        bool done = false;  // every recipient final (in memory; durable once erased)
        bool held = false;  // on hold (Spool::set_held): no delivery until released
    };
    struct Segment {
        std::uint64_t nonce = 0;
        std::uint64_t size = 0;  // end of the last good record
        std::uint64_t live = 0;  // messages of this segment still in `messages`
        std::vector<std::uint64_t> done_offsets;  // erased (done) messages; kept for compaction
        std::optional<std::uint64_t> sealed;      // never append; ignore bytes past this
    };
    mutable std::shared_mutex index_mu;
    std::map<Key, Message> messages;
    std::map<std::uint64_t, Segment> segments;
    std::size_t live_count = 0;  // messages not done

    // ---- commit-thread state (open() before the thread starts, then only the commit thread)
    std::optional<std::uint64_t> current;  // segment being appended to
    Fd current_fd;
    std::uint64_t next_segment = 1;
    Fd state_fd;
    std::uint64_t state_size = 0;
    std::uint64_t state_compacted_size = 0;
    bool state_broken = false;         // last state.log write/sync failed: rewrite it
    std::vector<Key> done_unsynced;    // done messages whose final state is not yet durable
    std::vector<format::StateRecord> internal_records;  // Seal records to write
    std::string state_unwritten;  // encoded records a failed write must retry (log order)

    // ---- the request queue: guarded by mu
    struct PendingCommit {
        Envelope envelope;
        std::string envelope_bytes;
        std::string prefix;
        std::string data;
        std::uint32_t envelope_crc = 0;
        std::uint32_t body_crc = 0;
        std::function<void(CommitResult)> done;
        std::uint64_t record_len() const {
            return format::kRecordOverhead + envelope_bytes.size() + prefix.size() + data.size();
        }
    };
    struct PendingUpdate {
        format::StateRecord record;
        bool makes_done = false;
    };
    std::mutex mu;
    std::condition_variable work_cv;
    std::condition_variable flushed_cv;
    std::deque<PendingCommit> commits;
    std::vector<PendingUpdate> updates;
    std::uint64_t commits_queued = 0, commits_finished = 0;
    std::uint64_t updates_queued = 0, updates_finished = 0;
    bool stopping = false;
    bool thread_running = false;
    std::thread thread;

    struct AtomicStats {
        std::atomic<std::uint64_t> commits{0}, commit_failures{0}, batches{0}, syncs{0},
            state_records{0}, segments_created{0}, segments_deleted{0}, compactions{0};
    } stats;

    // ---- system calls through the fault-injection seams
    bool write_all(int fd, std::vector<iovec> iov, std::uint64_t offset);
    bool sync_file(int fd);
    bool sync_dir();
    std::optional<std::uint64_t> free_space();

    // ---- recovery.cpp
    bool recover(std::string& error);
    // Rewrites state.log from memory (commit thread / open). With `existing` (the log's bytes
    // as read at open), a log that is already exactly that is kept instead.
    bool compact_state_log(const std::string* existing = nullptr);
    // Deletes non-newest segments without live messages; commit thread / open.
    void collect_segments();

    // ---- spool.cpp (commit thread)
    void run();
    void write_commits(std::vector<PendingCommit>& batch, std::vector<CommitResult>& results);
    void write_states(std::vector<PendingUpdate>& ups);
    bool open_new_segment();
    void seal_current(std::uint64_t good_length);
    void enqueue_update(format::StateRecord record, bool makes_done);
};

}  // namespace tern::queue
