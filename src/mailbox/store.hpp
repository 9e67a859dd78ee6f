// The mailbox store of one server process: the entry point POP3 and IMAP sessions use.
//
//   Store store({.hostname = "mx.example"});            // one per process, shared by sessions
//   store.ensure_user(root);                            // at login: INBOX + special-use folders
//   auto inbox = store.open(root, "INBOX");             // shared Folder (folder.hpp)
//   store.list(root); store.create(root, "Archive/2026", {"\\Archive"});
//   store.rename(root, "A", "B"); store.remove(root, "B");
//   store.subscribe(root, "B"); store.subscriptions(root);
//   store.status(root, "Sent"); store.usage(root);
//   auto lock = store.try_lock_pop3(root);              // POP3 maildrop lock (RFC 1939 8)
// `root` is the user's Maildir (store/mailbox_path.hpp); names are UTF-8 with '/' (see
// folder_name.hpp for what is refused).
//
// One Folder object per folder: open() hands every session the same object while any holds
// it, so all of them see one state, one snapshot stream and one set of change notifications;
// the store keeps the `keep_open` most recently used folders loaded after their last session
// left, so STATUS over many folders and frequent SELECTs do not re-read indexes.
//
// STATUS: for an open folder, Folder::status(), i.e. a sync that costs two stat() calls when
// nothing changed; only a folder that changed on disk is listed, only new files examined. For
// a folder no longer open, the numbers computed last time are kept with what they depended on
// (new/ and cur/ mtimes, the index file's inode and size; only settled listings count): if
// three stat() calls show all of it unchanged, they are returned without reading the index.
// So LIST-STATUS over many folders reads each index once per process, not once per STATUS.
//
// UIDVALIDITY: every folder index created or rebuilt for this user takes its value from one
// per-user counter, "<root>/tern-uidvalidity" (ten digits, rewritten in place and
// fdatasync'ed under flock): max(now, last + 1, what the old index had + 1). Values are thus
// strictly increasing per user across folders, deletes, re-creates and rebuilds, so no client
// can mistake a new folder or a rebuilt index for the one it cached. If that file is lost as
// well, the clock alone still moves forward (unless it was set back).
//
// Deliberately left out: shared and public folders (RFC 2342 namespaces), ACLs, the \Recent
// flag (IMAP4rev1 only; RFC 9051 dropped it), storing an INTERNALDATE time zone (dates are
// kept as unix seconds), and cross-process POP3 locking.
#pragma once

#include <cstdint>
#include <filesystem>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "mailbox/folder.hpp"
#include "mailbox/folder_tree.hpp"
#include "mailbox/io.hpp"
#include "mailbox/result.hpp"
#include "mailbox/usage.hpp"

namespace tern::mailbox {

inline constexpr std::string_view kUidValidityFile = "tern-uidvalidity";
inline constexpr std::string_view kUserMarkerFile = "tern-user";
// STATUS results kept for folders no longer open (cleared when exceeded).
inline constexpr std::size_t kMaxCachedStatuses = 10000;

// Held by a POP3 session for the whole session; releases the maildrop when destroyed.
class Pop3Lock {
public:
    Pop3Lock(Pop3Lock&&) noexcept = default;
    Pop3Lock& operator=(Pop3Lock&&) noexcept = default;
    ~Pop3Lock();
    struct Table;

private:
    friend class Store;
    Pop3Lock(std::shared_ptr<Table> table, std::filesystem::path root) : table_(std::move(table)), root_(std::move(root)) {}
    std::shared_ptr<Table> table_;
    std::filesystem::path root_;
};

// The next UIDVALIDITY for a folder of `root` (see above): > at_least, > every earlier one.
// Safe across threads and processes (flock on the counter file).
Result<std::uint32_t> allocate_uidvalidity(const IoHooks& hooks, const std::filesystem::path& root,
                                           std::uint32_t at_least);

class Store {
public:
    struct Options {
        std::string hostname;        // for Maildir unique names; empty = gethostname()
        IoHooks hooks;               // fault injection (tests)
        std::size_t keep_open = 64;  // folders kept loaded after their last user
    };
    Store();
    explicit Store(Options options);
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    // Creates the Maildir if needed, and the first time (marker file "tern-user") the
    // special-use folders Sent, Drafts, Trash, Junk, Archive (RFC 6154), subscribing them and
    // INBOX. An existing folder of that name gets the attribute if no folder has it yet. Later
    // calls only remove leftovers of interrupted creates/deletes: a folder the user deleted
    // is not created again.
    Result<void> ensure_user(const std::filesystem::path& root);

    Result<std::vector<FolderInfo>> list(const std::filesystem::path& root);
    // CREATE (RFC 9051 6.3.4; USE, RFC 6154 5.1). Missing ancestors are created as well.
    Result<void> create(const std::filesystem::path& root, std::string_view name,
                        const std::vector<std::string>& special_use = {});
    // DELETE (RFC 9051 6.3.5): NotAllowed for INBOX, NotFound for a name without a folder
    // (also a parent that only has children). Children are kept; the name then lists as
    // \NonExistent \HasChildren. Open sessions of the folder get NotFound from then on.
    Result<void> remove(const std::filesystem::path& root, std::string_view name);
    // RENAME (RFC 9051 6.3.6), with its children; UIDVALIDITY and UIDs are kept. Renaming
    // INBOX creates `to` and moves every message there (INBOX stays, empty; its children stay).
    Result<void> rename(const std::filesystem::path& root, std::string_view from, std::string_view to);
    Result<void> subscribe(const std::filesystem::path& root, std::string_view name);
    Result<void> unsubscribe(const std::filesystem::path& root, std::string_view name);
    Result<std::vector<std::string>> subscriptions(const std::filesystem::path& root);
    Result<void> set_special_use(const std::filesystem::path& root, std::string_view name,
                                 const std::vector<std::string>& special_use);

    // The shared Folder, loaded and synced. NotFound when the folder does not exist.
    Result<std::shared_ptr<Folder>> open(const std::filesystem::path& root, std::string_view name);
    Result<FolderStatus> status(const std::filesystem::path& root, std::string_view name);
    // All folders, read-only (usage.hpp).
    Result<Usage> usage(const std::filesystem::path& root);
    // For the delivery side: INBOX of `root` got a file; if a session has it open, sync it now
    // (its subscribers are notified) instead of waiting for their poll.
    void notify_delivered(const std::filesystem::path& root);

    // RFC 1939 8: one POP3 session per maildrop. nullopt (InUse) while another holds it. In
    // this process only.
    std::optional<Pop3Lock> try_lock_pop3(const std::filesystem::path& root);

private:
    std::shared_ptr<Folder> folder_object(const std::filesystem::path& root, const FolderName& name);
    std::shared_ptr<Folder> live_folder(const std::filesystem::path& dir);
    void forget_folder(const std::filesystem::path& dir);
    Result<void> create_locked(const std::filesystem::path& root, const FolderName& name,
                               const std::vector<std::string>& special_use);
    Result<void> rename_inbox(const std::filesystem::path& root, const FolderName& to);

    Options opt_;
    std::mutex tree_mu_;  // create / delete / rename / subscriptions / ensure_user
    std::mutex reg_mu_;   // the registry below
    std::map<std::filesystem::path, std::weak_ptr<Folder>> folders_;
    std::list<std::shared_ptr<Folder>> recent_;  // LRU of folders kept loaded, front = newest
    std::shared_ptr<Pop3Lock::Table> pop3_;
    UsageCache usage_;
    std::mutex status_mu_;  // the STATUS numbers of folders no longer held open
    std::map<std::filesystem::path, std::pair<StatusStamp, FolderStatus>> statuses_;
};

}  // namespace tern::mailbox
