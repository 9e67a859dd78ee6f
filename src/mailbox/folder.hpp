// One open mail folder (a Maildir) with its index: the object every POP3/IMAP session that has
// the folder open shares (Store hands out one per folder and process).
//
// What a session does:
//   auto snap = folder->sync();                   // SELECT / NOOP / after IDLE wakes
//   ... diff_snapshots(old, *snap) -> EXPUNGE/EXISTS/FETCH FLAGS; keep snap ...
//   folder->store_flags(uids, FlagMode::Add, flags, unchangedsince);
//   folder->append(bytes, flags, date); folder->expunge(uids); folder->copy(uids, *other);
//   folder->open_message(uid) -> a descriptor on the (LF) file, with both sizes;
//   auto token = folder->subscribe(cb);           // IDLE: cb(snapshot) after every change
//   folder->changed_on_disk()                     // IDLE poll, ~1/s: deliveries by SMTP
// Every call is thread-safe. Mutations and syncs are serialized per folder (a mutex, plus a
// flock() on the folder directory against a second Tern process; an operation whose flock
// fails returns an Io error); snapshot() never waits for them. Each returns only after its change is durable, and publishes a new snapshot; a failed
// call publishes nothing and leaves the previous state in place (details per call below).
//
// Maildir rules (https://cr.yp.to/proto/maildir.html and Dovecot's practice):
//   * sync() assigns UIDs to files it has not seen, in new/ or cur/, in the order
//     (mtime, name), and moves new/ files to cur/ as "<base>:2,<letters>". Files are matched to
//     index entries by base name (before ':'), so a rename by another program changes flags,
//     never identity. An index entry whose file is gone from new/ and cur/ (checked twice,
//     against readdir races with renames) is expunged.
//   * System flags: the file name is the truth (see flags.hpp); keywords: the index only.
//   * Skipping readdir: new/ and cur/ are listed only when their mtime (ns) differs from what
//     the index recorded after its last listing. A listing whose directory mtime was less than
//     1 s old at the time is not trusted (a change in the same clock tick would not move the
//     mtime), so the next sync lists again; 1 s later the directory is settled. For 50,000
//     messages this is the difference between ~6.5 ms and ~70 ms per open or sync
//     (bench/mailbox_index_bench.cpp). Any change in cur/, ours included, costs one listing at
//     the next sync: a rename of ours cannot be told apart from one by mutt in the same tick.
//   * Internal date = the file's mtime (APPEND sets it with futimens), so it survives rebuilds.
//
// Crash safety, per operation (always: Maildir change first, made durable, then the index):
//   append:   tmp/ file written + fsync'ed, renamed into cur/, cur/ fsync'ed, then the index
//             entry fsync'ed. Crash before the index: the file is adopted by the next sync
//             (with a UID the client never saw; keywords lost).
//   flags:    renames in cur/, cur/ fsync'ed, then the index. Crash before the index: the next
//             sync reads the flags from the names. Index failure: the renames are undone.
//   expunge:  files renamed cur/ -> tmp/, cur/ fsync'ed, then the index, then unlinked. Crash
//             before the index: the next sync tombstones them; never resurrected, because they
//             left cur/ durably before the index forgot them. Index failure: moved back.
//   copy:     hard link (or a copied file) into the destination's cur/, fsync'ed, then the
//             destination's index; failure removes the links.
//   index missing (ENOENT) or unreadable (read completely, but damaged or invalid): rebuilt
//             from new/ + cur/ under a new UIDVALIDITY larger than any this user's folders
//             used (Store's allocator), so no client sees a reused UID. Any other error
//             opening or reading it (EMFILE, EACCES, EIO, a short read) fails the operation
//             with an Io error and changes nothing: no rebuild, no rewrite.
//   large changes: a change whose journal batch would exceed kMaxJournalBatch is written as a
//             whole new index (rewrite), never as one oversized batch.
//   UIDs: UINT32_MAX is never assigned; when UIDNEXT reaches it, APPEND/COPY fail with Limit
//             and sync() leaves new files unadopted.
//   Files: a folder directory, tmp/, new/, cur/ and message files are not followed through
//             symlinks (only INBOX's directory, the user's root, may be one); message files
//             are opened O_NONBLOCK and must be regular files, so a FIFO cannot block.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mailbox/cache_file.hpp"
#include "mailbox/flags.hpp"
#include "mailbox/index_file.hpp"
#include "mailbox/io.hpp"
#include "mailbox/result.hpp"
#include "mailbox/snapshot.hpp"

namespace tern::mailbox {

// How long a directory's mtime must lie in the past before a listing of it is trusted.
inline constexpr std::int64_t kSettleNs = 1'000'000'000;
// The index journal is folded into a new snapshot when it exceeds both this and the snapshot.
inline constexpr std::uint64_t kMinJournalBytes = 64 * 1024;
// Suffix of files an expunge parks in tmp/ until the index has forgotten them.
inline constexpr std::string_view kExpungedSuffix = ".tern-expunged";

struct AppendResult {
    std::uint32_t uidvalidity = 0;  // APPENDUID (RFC 4315)
    std::uint32_t uid = 0;
    SnapshotPtr snapshot;
};

struct StoreResult {
    std::vector<std::uint32_t> changed;   // UIDs whose flags changed (new modseq), ascending
    std::vector<std::uint32_t> modified;  // UIDs refused by UNCHANGEDSINCE (RFC 7162 [MODIFIED])
    SnapshotPtr snapshot;                 // includes the change
};

struct ExpungeResult {
    std::vector<std::uint32_t> expunged;  // UIDs removed (those that existed), ascending
    SnapshotPtr snapshot;
    // UIDs that existed but were not removed (their file was being renamed by another program
    // on both attempts), ascending: POP3 answers "-ERR some deleted messages not removed".
    std::vector<std::uint32_t> failed;
};

struct CopyResult {
    std::uint32_t dest_uidvalidity = 0;                          // COPYUID (RFC 4315)
    std::vector<std::pair<std::uint32_t, std::uint32_t>> uids;   // (source, destination)
};

// An open message file. The content has LF line endings (as delivery stores it): a session
// serving BODY[] converts to CRLF; rfc822_size is the size after that conversion. The
// descriptor stays readable even if the message is expunged meanwhile.
struct MessageFile {
    UniqueFd fd;
    std::uint64_t disk_size = 0;
    std::uint64_t rfc822_size = 0;
};

// What a status() result depended on: when none of it changed, neither did the numbers.
// Store keeps these to answer STATUS for folders it no longer holds open (store.hpp).
struct StatusStamp {
    bool valid = false;  // false: the listing was not settled yet; do not reuse the numbers
    std::int64_t new_ns = 0;
    std::int64_t cur_ns = 0;
    std::uint64_t index_ino = 0;
    std::uint64_t index_size = 0;
    friend bool operator==(const StatusStamp&, const StatusStamp&) = default;
};
// The current stamp of a folder directory on disk (valid = false when something is missing).
StatusStamp status_stamp_on_disk(const std::filesystem::path& dir);
// Creates tmp/, new/, cur/ of a Maildir when one is missing (store::ensure_maildir); only
// stat() calls when they exist.
Result<void> ensure_subdirs(const std::filesystem::path& dir);

enum class SyncMode {
    IfChanged,  // list new/ and cur/ only when their mtimes say so (the normal case)
    Full,       // list both regardless (after an ENOENT, or on request)
};

class Folder;

// Keeps a change callback registered; unregisters on destruction. A notification already in
// flight on another thread may still arrive once after the destructor returns, so callbacks
// should capture what they use by shared_ptr/weak_ptr.
class Subscription {
public:
    Subscription() = default;
    ~Subscription();
    Subscription(Subscription&& o) noexcept : list_(std::move(o.list_)), id_(o.id_) {}
    Subscription& operator=(Subscription&& o) noexcept;
    Subscription(const Subscription&) = delete;
    Subscription& operator=(const Subscription&) = delete;

    struct List;

private:
    friend class Folder;
    Subscription(std::weak_ptr<List> list, std::uint64_t id) : list_(std::move(list)), id_(id) {}
    std::weak_ptr<List> list_;
    std::uint64_t id_ = 0;
};

class Folder {
public:
    struct Options {
        std::filesystem::path dir;  // the Maildir: the user's root for INBOX, <root>/.<x> otherwise
        std::string name;           // the folder's UTF-8 name ("INBOX", "Archive/2026")
        std::string hostname;       // for the unique names of appended and copied messages
        IoHooks hooks;
        // Returns a UIDVALIDITY > at_least and > every one handed out before (Store's
        // per-user allocator, allocate_uidvalidity()). Called when the index must be created
        // or rebuilt. Empty: max(now, at_least + 1).
        std::function<Result<std::uint32_t>(std::uint32_t at_least)> new_uidvalidity;
    };
    explicit Folder(Options options);  // cheap; the index is read by the first call
    ~Folder();
    Folder(const Folder&) = delete;
    Folder& operator=(const Folder&) = delete;

    const std::string& name() const { return opt_.name; }
    const std::filesystem::path& dir() const { return opt_.dir; }

    // Loads the index (rebuilding it when needed) and picks up changes in new/ and cur/;
    // returns the current snapshot. NotFound when the folder was deleted or renamed.
    Result<SnapshotPtr> sync(SyncMode mode = SyncMode::IfChanged);
    // The last published snapshot without touching the disk (nullptr before the first sync).
    SnapshotPtr snapshot() const;
    // Cheap (two stat calls, no lock): would sync() find something new? True when new/ or
    // cur/ changed since the last listing, or a listing is due to become trusted.
    bool changed_on_disk() const;
    // STATUS numbers; syncs first (cheap when nothing changed). With `stamp`, also what they
    // depend on.
    Result<FolderStatus> status(StatusStamp* stamp = nullptr);

    // APPEND (RFC 9051 6.3.12): `message` with CRLF or LF line endings; stored with LF.
    // internal_date: unix seconds (becomes the file's mtime).
    Result<AppendResult> append(std::string_view message, const Flags& flags, std::int64_t internal_date);
    // STORE (RFC 9051 6.4.6, RFC 7162 3.1.3). UIDs that do not exist are ignored. Limit error
    // (nothing changed) when a message would exceed kMaxKeywordsPerMessage.
    Result<StoreResult> store_flags(const std::vector<std::uint32_t>& uids, FlagMode mode, const Flags& flags,
                                    std::optional<std::uint64_t> unchanged_since = std::nullopt);
    // Removes these messages (whatever their flags: the caller picks \Deleted ones for EXPUNGE).
    Result<ExpungeResult> expunge(const std::vector<std::uint32_t>& uids);
    // COPY / MOVE (RFC 9051 6.4.7, 6.4.8): flags and internal date go along; hard links where
    // the file system allows. `dest` may be this folder. MOVE = copy, then expunge of the
    // copied sources; if only the expunge fails, the messages exist in both (never in none).
    Result<CopyResult> copy(const std::vector<std::uint32_t>& uids, Folder& dest);
    Result<CopyResult> move(const std::vector<std::uint32_t>& uids, Folder& dest);

    Result<MessageFile> open_message(std::uint32_t uid);
    // The whole message; with `crlf`, line endings converted to CRLF (what IMAP sends).
    Result<std::string> read_message(std::uint32_t uid, bool crlf = true);
    // The header section as stored (LF): the bytes up to and including the first empty line
    // ("\n" or "\r\n" at a line start), or the whole file when there is none. Read in small
    // chunks, so SEARCH HEADER / SORT read a few KiB instead of the whole message.
    Result<std::string> read_header(std::uint32_t uid);

    // The opaque per-message cache (rendered ENVELOPE/BODYSTRUCTURE): a separate file read on
    // first use, not durable (a lost entry is recomputed). nullopt when absent. `uidvalidity`
    // is the one the caller's UID belongs to: when the folder has another (it was rebuilt),
    // cached() answers nullopt and set_cached() stores nothing, so a value rendered from a
    // message of an older UIDVALIDITY is never served for the new message with that UID.
    std::optional<std::string> cached(std::uint32_t uidvalidity, std::uint32_t uid);
    void set_cached(std::uint32_t uidvalidity, std::uint32_t uid, std::string value);

    // Registers a callback run after every change a sync or operation produced, on the thread
    // that made it, outside the folder's locks, with the new snapshot — or with nullptr when
    // the folder was deleted or renamed. It must be quick (post to the session's executor).
    // Callbacks on different threads may overtake each other: treat a call as "look again"
    // and take snapshot(), the newest.
    Subscription subscribe(std::function<void(const SnapshotPtr&)> callback);

    // ---- for Store
    // Held while the Store renames or deletes the folder's directory: no operation runs.
    std::unique_lock<std::mutex> exclusive() { return std::unique_lock<std::mutex>(mu_); }
    // With exclusive() held: the directory is gone; every later call answers NotFound.
    void mark_gone_locked();
    // Without the lock, after mark_gone_locked(): tells the subscribers (nullptr snapshot).
    void notify_gone() { notify(nullptr); }

private:
    // mu_ for this process plus flock() on the folder directory against another process;
    // the destructor releases both, then runs the change notification prepared under them.
    class Locked {
    public:
        explicit Locked(Folder& f);
        ~Locked();
        Locked(const Locked&) = delete;
        Locked& operator=(const Locked&) = delete;

    private:
        Folder& f_;
        std::unique_lock<std::mutex> lock_;
    };
    struct DirStamp {
        std::int64_t mtime_ns = 0;  // what the last listing saw; 0 = never listed
        bool trusted = false;       // mtime was settled at that listing
    };
    Result<void> prepare_locked();
    Result<void> sync_locked(SyncMode mode);
    Result<void> load_locked();
    Result<void> rebuild_locked(std::uint32_t at_least);
    Result<void> scan_locked(bool list_new, bool list_cur, bool& changed);
    Result<void> commit_locked(SnapshotPtr next, const std::string& batch, bool durable);
    void publish_locked(SnapshotPtr next);
    void notify(const SnapshotPtr& snap);
    void update_poll_locked();
    index_format::DirStamps persisted_stamps() const;
    bool needs_listing(const std::filesystem::path& sub, const DirStamp& stamp) const;
    std::string new_base(std::uint64_t disk_size, std::uint64_t rfc822_size) const;
    Result<std::vector<std::pair<std::uint32_t, std::uint32_t>>> copy_once(
        const std::vector<std::uint32_t>& uids, Folder& dest, std::vector<std::uint32_t>& missing);
    Result<void> lock_dir();

    Options opt_;
    std::mutex mu_;                 // serializes loads, syncs and mutations
    int lock_err_ = 0;              // under mu_: errno of this operation's failed flock()
    bool loaded_ = false;
    bool gone_ = false;
    IndexFile index_;
    UniqueFd dir_fd_;               // flock()ed during each operation
    SnapshotPtr current_;           // under mu_ (what operations build on)
    SnapshotPtr to_notify_;         // under mu_: published, subscribers not yet called
    DirStamp new_stamp_, cur_stamp_;
    std::atomic<std::int64_t> poll_new_ns_{0}, poll_cur_ns_{0};  // copies for changed_on_disk
    std::atomic<bool> poll_dirty_{false};
    std::atomic<bool> poll_gone_{false};

    mutable std::mutex snap_mu_;    // guards published_ only: snapshot() never waits for I/O
    SnapshotPtr published_;

    std::shared_ptr<Subscription::List> subscribers_;
    CacheFile cache_;
};

}  // namespace tern::mailbox
