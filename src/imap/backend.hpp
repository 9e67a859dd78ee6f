// The storage the IMAP session works on, in IMAP terms: one user's folders (LIST, CREATE,
// DELETE, RENAME, SUBSCRIBE, STATUS, APPEND) and one selected folder (its view of UIDs, flags
// and mod-sequences; message bytes; STORE, EXPUNGE, COPY, MOVE; changes since the last view;
// the UIDs expunged since a mod-sequence, for QRESYNC).
//
// Synchronous on purpose: the network driver runs command execution on a file-I/O thread
// pool, so the session calls these directly while it executes a command. The shapes follow
// mailbox::Store / mailbox::Folder (and FolderStatus, AppendResult, StoreResult, ExpungeResult,
// CopyResult, Snapshot diffs and expunged ranges) so an adapter maps them one to one.
//
// Conventions:
//  - Folder names are UTF-8 with '/' as the hierarchy delimiter (kDelimiter), "INBOX" for the
//    inbox (the session canonicalises its case). The session has already refused names it
//    cannot decode; the backend refuses what the store refuses (Invalid).
//  - Flags are IMAP spellings: system flags canonical ("\\Seen", "\\Answered", "\\Flagged",
//    "\\Deleted", "\\Draft"), keywords as the client wrote them. Never "\\Recent".
//  - Dates are Unix seconds (UTC).
//  - Every call may fail with a BackendError; the session answers NO with the matching
//    RFC 5530 response code. Nothing here throws for expected failures.
//  - Quota (RFC 9208): one quota root per user covering every folder, with a storage limit set
//    by the administrator. The backend enforces it on append() and copy() (OverQuota); move()
//    within the user's folders does not change usage and is never refused for quota.
// Left out: quota roots per folder, setting limits over IMAP, ACLs, metadata, shared namespaces.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace tern::imap {

inline constexpr char kDelimiter = '/';

enum class BackendError : std::uint8_t {
    NotFound,       // [NONEXISTENT]
    AlreadyExists,  // [ALREADYEXISTS]
    Invalid,        // [CANNOT] the name or operation is not allowed (e.g. DELETE INBOX)
    NoPermission,   // [NOPERM]
    InUse,          // [INUSE]
    OverQuota,      // [OVERQUOTA]
    TooBig,         // [TOOBIG]
    Temporary,      // [UNAVAILABLE] I/O error, try again
    Gone,           // the selected folder was deleted or its UIDVALIDITY changed: BYE
};

template <class T>
using BackendResult = std::variant<T, BackendError>;
struct Done {};

template <class T>
inline const BackendError* error_of(const BackendResult<T>& r) { return std::get_if<BackendError>(&r); }

struct FolderInfo {
    std::string name;          // UTF-8, '/'-separated
    bool subscribed = false;
    bool selectable = true;    // false: \Noselect (a parent that exists only as a path)
    std::string special_use;   // "" or "\\Sent", "\\Drafts", "\\Trash", "\\Junk", "\\Archive", ...
    // false: no folder of this name, only a path to folders below it or a subscription kept
    // after the folder was deleted (RFC 5258 \NonExistent). Implies !selectable.
    bool exists = true;
};

struct QuotaUsage {  // RFC 9208 STORAGE for the user's one quota root
    std::uint64_t storage_limit = 0;  // bytes; 0: no limit configured, hence no quota root
    std::uint64_t storage_used = 0;   // bytes over all folders; measured only when limited
};

struct FolderStatus {  // STATUS (RFC 9051 6.3.11; SIZE RFC 8438; HIGHESTMODSEQ RFC 7162)
    std::uint32_t messages = 0;
    std::uint32_t unseen = 0;
    std::uint32_t deleted = 0;
    std::uint64_t size = 0;
    std::uint32_t uidnext = 1;
    std::uint32_t uidvalidity = 0;
    std::uint64_t highestmodseq = 0;
};

struct MessageMeta {
    std::uint32_t uid = 0;
    std::vector<std::string> flags;
    std::int64_t internal_date = 0;
    std::uint64_t size = 0;    // RFC822.SIZE: octets in CRLF form
    std::uint64_t modseq = 1;
};

struct FolderView {
    std::uint32_t uidvalidity = 0;
    std::uint32_t uidnext = 1;
    std::uint64_t highestmodseq = 0;
    std::vector<MessageMeta> messages;  // ascending UID; index + 1 = sequence number
};

// What changed since the previous view (select() or the last changes() call), the session's
// own operations included. The session ignores what it already knows.
struct FolderChanges {
    std::vector<std::uint32_t> expunged;  // UIDs gone, ascending
    std::vector<MessageMeta> added;       // new messages, ascending UID
    std::vector<MessageMeta> changed;     // existing messages whose flags/modseq changed
    std::uint32_t uidnext = 1;
    std::uint64_t highestmodseq = 0;
};

enum class FlagMode : std::uint8_t { Replace, Add, Remove };

struct StoreOutcome {
    std::vector<MessageMeta> changed;      // the messages whose flags changed, new flags and modseq
    std::vector<std::uint32_t> modified;   // refused by UNCHANGEDSINCE (RFC 7162 [MODIFIED])
};
struct ExpungeOutcome {
    std::vector<std::uint32_t> expunged;   // UIDs removed, ascending
};
struct CopyOutcome {
    std::uint32_t dest_uidvalidity = 0;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> uids;  // (source, destination) ascending
};
// UIDs expunged after a mod-sequence (RFC 7162 QRESYNC, VANISHED (EARLIER)).
struct ExpungedHistory {
    std::vector<std::pair<std::uint32_t, std::uint32_t>> ranges;  // [first, last], ascending, disjoint
    bool complete = true;  // false: the history does not reach back to that mod-sequence
};
struct AppendOutcome {
    std::uint32_t uidvalidity = 0;
    std::uint32_t uid = 0;
};

class SelectedFolder {
public:
    virtual ~SelectedFolder() = default;
    // The view at select time, called once right after select(): the session keeps it, so
    // the backend hands it over rather than keeping a copy (50,000 flag lists at a SELECT).
    virtual FolderView take_view() = 0;
    // The stored message (LF or CRLF line ends).
    virtual BackendResult<std::string> read(std::uint32_t uid) = 0;
    // Only the header section: the stored bytes up to and including the first empty line
    // ("\n" or "\r\n"), or the whole message when it has none (mime/header.hpp's rule). For
    // SEARCH, SORT and THREAD keys that look at nothing else; reads only that much.
    virtual BackendResult<std::string> read_header(std::uint32_t uid) = 0;
    // An opaque per-message value the session stored earlier (fetch_cache.hpp: rendered
    // ENVELOPE/BODYSTRUCTURE), nullopt when there is none. Keyed by this view's UIDVALIDITY
    // and the UID: a message's bytes never change and UIDs are never reused, so an entry never
    // goes stale; after a UIDVALIDITY change the backend answers nullopt and stores nothing.
    // Best effort both ways: a lost or refused value is only computed again.
    virtual std::optional<std::string> cached(std::uint32_t uid) = 0;
    virtual void store_cached(std::uint32_t uid, std::string value) = 0;
    // unchanged_since: RFC 7162 UNCHANGEDSINCE; messages with a higher modseq are left alone.
    virtual BackendResult<StoreOutcome> store(const std::vector<std::uint32_t>& uids, FlagMode mode,
                                              const std::vector<std::string>& flags,
                                              std::optional<std::uint64_t> unchanged_since) = 0;
    // Removes those of `uids` that carry \Deleted.
    virtual BackendResult<ExpungeOutcome> expunge(const std::vector<std::uint32_t>& uids) = 0;
    virtual BackendResult<CopyOutcome> copy(const std::vector<std::uint32_t>& uids, std::string_view dest) = 0;
    virtual BackendResult<CopyOutcome> move(const std::vector<std::uint32_t>& uids, std::string_view dest) = 0;
    virtual BackendResult<FolderChanges> changes() = 0;
    // UIDs expunged after `modseq` as of the last view (select() or changes()), for QRESYNC
    // (RFC 7162 3.2.5.1, 3.2.6). The ranges may also hold UIDs expunged earlier (RFC 7162
    // allows reporting those); the session drops the UIDs it still lists.
    virtual BackendResult<ExpungedHistory> expunged_since(std::uint64_t modseq) = 0;
};

class Backend {
public:
    virtual ~Backend() = default;
    // Every folder, any order, and the subscribed names that have no folder (exists = false).
    // Ancestors without a folder may be listed (exists = false); the session adds any missing.
    virtual BackendResult<std::vector<FolderInfo>> list() = 0;
    virtual BackendResult<FolderStatus> status(std::string_view name) = 0;
    virtual BackendResult<Done> create(std::string_view name, std::string_view special_use) = 0;
    virtual BackendResult<Done> remove(std::string_view name) = 0;
    virtual BackendResult<Done> rename(std::string_view from, std::string_view to) = 0;
    virtual BackendResult<Done> subscribe(std::string_view name, bool subscribed) = 0;
    virtual BackendResult<std::unique_ptr<SelectedFolder>> select(std::string_view name, bool read_only) = 0;
    virtual BackendResult<AppendOutcome> append(std::string_view name, std::string_view message,
                                                const std::vector<std::string>& flags,
                                                std::optional<std::int64_t> internal_date) = 0;  // nullopt: now
    virtual BackendResult<QuotaUsage> quota() = 0;
};

}  // namespace tern::imap
