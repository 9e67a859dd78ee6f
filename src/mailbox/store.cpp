// The process-wide mailbox store: folder registry, folder tree operations with their effect on
// open folders, UIDVALIDITY allocation, usage, POP3 locks. See store.hpp.
#include "mailbox/store.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <set>

#include "core/clock.hpp"

namespace tern::mailbox {

namespace fs = std::filesystem;

namespace {

fs::path normal(const fs::path& p) {
    auto n = p.lexically_normal();
    return n.has_filename() ? n : n.parent_path();
}

Result<void> ensure_root(const fs::path& root) { return ensure_subdirs(root); }

struct Defaults {
    const char* name;
    const char* use;
};
constexpr Defaults kDefaultFolders[] = {
    {"Sent", "\\Sent"}, {"Drafts", "\\Drafts"}, {"Trash", "\\Trash"}, {"Junk", "\\Junk"}, {"Archive", "\\Archive"},
};

}  // namespace

// ---- POP3 locks

struct Pop3Lock::Table {
    std::mutex mu;
    std::set<fs::path> held;
};

Pop3Lock::~Pop3Lock() {
    if (!table_) return;
    std::lock_guard lock(table_->mu);
    table_->held.erase(root_);
}

std::optional<Pop3Lock> Store::try_lock_pop3(const fs::path& root) {
    auto key = normal(root);
    std::lock_guard lock(pop3_->mu);
    if (!pop3_->held.insert(key).second) return std::nullopt;
    return Pop3Lock(pop3_, key);
}

// ---- UIDVALIDITY

Result<std::uint32_t> allocate_uidvalidity(const IoHooks& hooks, const fs::path& root, std::uint32_t at_least) {
    const auto path = root / kUidValidityFile;
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd) return io_error(errno, "opening UIDVALIDITY counter");
    // flock conflicts between descriptors of one process too, so this serializes everyone.
    while (::flock(fd.get(), LOCK_EX) != 0)
        if (errno != EINTR) return io_error(errno, "locking UIDVALIDITY counter");
    char buf[16] = {};
    ssize_t n = 0;
    while ((n = ::pread(fd.get(), buf, sizeof buf - 1, 0)) < 0)
        if (errno != EINTR) return io_error(errno, "reading UIDVALIDITY counter");  // never guess lower
    std::uint64_t last = 0;
    for (ssize_t i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; ++i) last = last * 10 + static_cast<std::uint64_t>(buf[i] - '0');
    const std::uint64_t now = static_cast<std::uint64_t>(std::max<std::int64_t>(unix_now(), 1));
    const std::uint64_t next = std::max({now, last + 1, std::uint64_t{at_least} + 1});
    if (next > UINT32_MAX) return Error{ErrorCode::Limit, "UIDVALIDITY exhausted"};
    // Ten digits and a newline, rewritten in place: the file never changes length, and a
    // single 11-byte write does not straddle a sector.
    char out[16];
    std::snprintf(out, sizeof out, "%010llu\n", static_cast<unsigned long long>(next));
    if (int err = io::write_all(hooks, fd.get(), std::string_view(out, 11), 0)) return io_error(err, "writing UIDVALIDITY counter");
    if (int err = io::sync_file(hooks, fd.get())) return io_error(err, "syncing UIDVALIDITY counter");
    if (int err = io::sync_dir(hooks, root)) return io_error(err, "syncing mailbox root");
    return static_cast<std::uint32_t>(next);
}

// ---- construction and the registry

Store::Store() : Store(Options{}) {}

Store::Store(Options options) : opt_(std::move(options)), pop3_(std::make_shared<Pop3Lock::Table>()) {}

Store::~Store() = default;

std::shared_ptr<Folder> Store::folder_object(const fs::path& root, const FolderName& name) {
    const auto dir = normal(name.path(root));
    std::lock_guard lock(reg_mu_);
    std::shared_ptr<Folder> f;
    if (auto it = folders_.find(dir); it != folders_.end()) f = it->second.lock();
    if (!f) {
        Folder::Options o;
        o.dir = dir;
        o.name = name.name;
        o.hostname = opt_.hostname;
        o.hooks = opt_.hooks;
        o.new_uidvalidity = [hooks = opt_.hooks, root = normal(root)](std::uint32_t at_least) {
            return allocate_uidvalidity(hooks, root, at_least);
        };
        f = std::make_shared<Folder>(std::move(o));
        folders_[dir] = f;
        // Drop registry entries whose folders nobody holds any more.
        std::erase_if(folders_, [](const auto& e) { return e.second.expired(); });
    }
    recent_.remove(f);
    recent_.push_front(f);
    while (recent_.size() > opt_.keep_open) recent_.pop_back();
    return f;
}

std::shared_ptr<Folder> Store::live_folder(const fs::path& dir) {
    std::lock_guard lock(reg_mu_);
    auto it = folders_.find(normal(dir));
    return it == folders_.end() ? nullptr : it->second.lock();
}

void Store::forget_folder(const fs::path& dir) {
    std::lock_guard lock(reg_mu_);
    auto key = normal(dir);
    folders_.erase(key);
    recent_.remove_if([&](const std::shared_ptr<Folder>& f) { return f->dir() == key; });
}

Result<std::shared_ptr<Folder>> Store::open(const fs::path& root, std::string_view name) {
    auto fn = parse_folder_name(name);
    if (!fn) return fn.error();
    if (fn->is_inbox()) {
        if (auto r = ensure_root(root); !r) return r.error();
    } else if (!tree::exists(root, *fn)) {
        return Error{ErrorCode::NotFound, "no such folder"};
    }
    auto f = folder_object(root, *fn);
    if (auto s = f->sync(); !s) {
        if (s.error().code == ErrorCode::NotFound) forget_folder(f->dir());
        return s.error();
    }
    return f;
}

Result<FolderStatus> Store::status(const fs::path& root, std::string_view name) {
    auto fn = parse_folder_name(name);
    if (!fn) return fn.error();
    const auto dir = normal(fn->path(root));
    auto f = live_folder(dir);
    if (!f) {
        // Not open: the numbers from last time are still right if nothing they depend on moved.
        std::lock_guard lock(status_mu_);
        if (auto it = statuses_.find(dir); it != statuses_.end()) {
            if (status_stamp_on_disk(dir) == it->second.first) return it->second.second;
            statuses_.erase(it);
        }
    }
    if (!f) {
        auto opened = open(root, name);
        if (!opened) return opened.error();
        f = *opened;
    }
    StatusStamp stamp;
    auto st = f->status(&stamp);
    if (!st) return st;
    std::lock_guard lock(status_mu_);
    if (stamp.valid) {
        if (statuses_.size() >= kMaxCachedStatuses) statuses_.clear();
        statuses_[dir] = {stamp, *st};
    } else {
        statuses_.erase(dir);
    }
    return st;
}

Result<Usage> Store::usage(const fs::path& root) { return usage_.usage(normal(root)); }

void Store::notify_delivered(const fs::path& root) {
    if (auto f = live_folder(root)) (void)f->sync();
}

// ---- the folder tree

Result<void> Store::create_locked(const fs::path& root, const FolderName& name, const std::vector<std::string>& special) {
    if (name.is_inbox() || tree::exists(root, name)) return Error{ErrorCode::AlreadyExists, "folder exists"};
    // RFC 9051 6.3.4: create the superior names that are needed.
    std::string prefix;
    for (std::size_t i = 0; i + 1 < name.components.size(); ++i) {
        prefix += (i ? "/" : "") + name.components[i];
        auto parent = parse_folder_name(prefix);
        if (!parent) return parent.error();
        if (parent->is_inbox() || tree::exists(root, *parent)) continue;
        if (auto r = tree::create(opt_.hooks, root, *parent, {}); !r && r.error().code != ErrorCode::AlreadyExists)
            return r;
    }
    return tree::create(opt_.hooks, root, name, special);
}

Result<void> Store::create(const fs::path& root, std::string_view name, const std::vector<std::string>& special_use) {
    auto fn = parse_folder_name(name);
    if (!fn) return fn.error();
    std::vector<std::string> uses;
    for (const auto& u : special_use) {
        auto c = tree::canonical_special_use(u);
        if (!c) return Error{ErrorCode::NotAllowed, "unsupported special-use attribute " + u};
        uses.push_back(*c);
    }
    if (auto r = ensure_root(root); !r) return r;
    std::lock_guard lock(tree_mu_);
    return create_locked(root, *fn, uses);
}

Result<void> Store::remove(const fs::path& root, std::string_view name) {
    auto fn = parse_folder_name(name);
    if (!fn) return fn.error();
    if (fn->is_inbox()) return Error{ErrorCode::NotAllowed, "INBOX cannot be deleted"};
    fs::path trash;
    std::shared_ptr<Folder> open_folder;
    {
        std::lock_guard lock(tree_mu_);
        if (!tree::exists(root, *fn)) return Error{ErrorCode::NotFound, "no such folder"};
        open_folder = live_folder(fn->path(root));
        std::unique_lock<std::mutex> folder_lock;
        if (open_folder) folder_lock = open_folder->exclusive();
        auto detached = tree::detach(opt_.hooks, root, *fn);
        if (!detached) return detached.error();
        trash = *detached;
        if (open_folder) {
            open_folder->mark_gone_locked();
            forget_folder(open_folder->dir());
        }
    }
    if (open_folder) open_folder->notify_gone();
    io::remove_tree(trash);  // outside every lock: may take a while
    return {};
}

Result<void> Store::rename_inbox(const fs::path& root, const FolderName& to) {
    // RFC 9051 6.3.6: all messages move to the new folder; INBOX stays (empty); its children
    // are not affected. Messages arriving meanwhile stay in INBOX.
    if (auto r = create_locked(root, to, {}); !r) return r;
    auto inbox = open(root, "INBOX");
    if (!inbox) return inbox.error();
    auto dest = open(root, to.name);
    if (!dest) return dest.error();
    auto snap = (*inbox)->snapshot();
    std::vector<std::uint32_t> uids;
    for (const auto& m : snap->messages) uids.push_back(m.uid);
    if (uids.empty()) return {};
    auto moved = (*inbox)->move(uids, **dest);
    if (!moved) return moved.error();
    return {};
}

Result<void> Store::rename(const fs::path& root, std::string_view from_name, std::string_view to_name) {
    auto from = parse_folder_name(from_name);
    if (!from) return from.error();
    auto to = parse_folder_name(to_name);
    if (!to) return to.error();
    if (to->is_inbox() || from->name == to->name) return Error{ErrorCode::AlreadyExists, "target folder exists"};
    if (is_below(to->name, from->name)) return Error{ErrorCode::NotAllowed, "cannot move a folder below itself"};
    std::vector<std::shared_ptr<Folder>> affected;
    std::vector<std::pair<std::string, std::string>> renamed;
    {
        std::lock_guard lock(tree_mu_);
        if (from->is_inbox()) return rename_inbox(root, *to);
        if (!tree::exists(root, *from)) return Error{ErrorCode::NotFound, "no such folder"};
        if (tree::exists(root, *to)) return Error{ErrorCode::AlreadyExists, "target folder exists"};
        if (to->components.size() > 1) {
            auto parent = parse_folder_name(parent_folder(to->name));
            if (parent && !parent->is_inbox() && !tree::exists(root, *parent))
                if (auto r = create_locked(root, *parent, {}); !r && r.error().code != ErrorCode::AlreadyExists) return r;
        }
        // Sessions of the folder or its children must not run while the directories move.
        // Several folder locks at once, always in path order; nothing else nests them.
        std::vector<std::string> names{from->name};
        for (auto& c : tree::children(root, from->name)) names.push_back(std::move(c));
        for (const auto& n : names)
            if (auto fn = parse_folder_name(n))
                if (auto f = live_folder(fn->path(root))) affected.push_back(std::move(f));
        std::sort(affected.begin(), affected.end(), [](const auto& a, const auto& b) { return a->dir() < b->dir(); });
        std::vector<std::unique_lock<std::mutex>> locks;
        for (const auto& f : affected) locks.push_back(f->exclusive());
        auto r = tree::rename(opt_.hooks, root, *from, *to);
        if (!r) return r.error();
        renamed = std::move(*r);
        for (const auto& f : affected) {
            f->mark_gone_locked();
            forget_folder(f->dir());
        }
        locks.clear();
        // Subscriptions follow the folders.
        auto subs = tree::subscriptions(root);
        bool changed = false;
        for (auto& s : subs) {
            for (const auto& [old_name, new_name] : renamed) {
                if (s == old_name) {
                    s = new_name;
                    changed = true;
                    break;
                }
            }
        }
        if (changed) (void)tree::write_subscriptions(opt_.hooks, root, subs);
    }
    for (const auto& f : affected) f->notify_gone();
    return {};
}

Result<void> Store::subscribe(const fs::path& root, std::string_view name) {
    auto fn = parse_folder_name(name);
    if (!fn) return fn.error();
    std::lock_guard lock(tree_mu_);
    auto subs = tree::subscriptions(root);
    if (std::find(subs.begin(), subs.end(), fn->name) != subs.end()) return {};
    subs.push_back(fn->name);
    return tree::write_subscriptions(opt_.hooks, root, std::move(subs));
}

Result<void> Store::unsubscribe(const fs::path& root, std::string_view name) {
    auto fn = parse_folder_name(name);
    if (!fn) return fn.error();
    std::lock_guard lock(tree_mu_);
    auto subs = tree::subscriptions(root);
    if (std::erase(subs, fn->name) == 0) return {};
    return tree::write_subscriptions(opt_.hooks, root, std::move(subs));
}

Result<std::vector<std::string>> Store::subscriptions(const fs::path& root) {
    std::lock_guard lock(tree_mu_);
    return tree::subscriptions(root);
}

Result<std::vector<FolderInfo>> Store::list(const fs::path& root) {
    std::lock_guard lock(tree_mu_);
    return tree::list(root);
}

Result<void> Store::set_special_use(const fs::path& root, std::string_view name, const std::vector<std::string>& uses) {
    auto fn = parse_folder_name(name);
    if (!fn) return fn.error();
    std::lock_guard lock(tree_mu_);
    if (!fn->is_inbox() && !tree::exists(root, *fn)) return Error{ErrorCode::NotFound, "no such folder"};
    return tree::set_special_use(opt_.hooks, fn->path(root), uses);
}

Result<void> Store::ensure_user(const fs::path& root) {
    if (auto r = ensure_root(root); !r) return r;
    std::lock_guard lock(tree_mu_);
    tree::cleanup_leftovers(root);
    if (::access((root / kUserMarkerFile).c_str(), F_OK) == 0) return {};
    auto folders = tree::list(root);
    if (!folders) return folders.error();
    auto subs = tree::subscriptions(root);
    subs.push_back("INBOX");
    for (const auto& d : kDefaultFolders) {
        // A folder that already has the attribute (whatever its name) is the one.
        auto holder = std::find_if(folders->begin(), folders->end(), [&](const FolderInfo& f) {
            return std::find(f.special_use.begin(), f.special_use.end(), d.use) != f.special_use.end();
        });
        if (holder != folders->end()) {
            subs.push_back(holder->name);
            continue;
        }
        auto fn = parse_folder_name(d.name);
        if (tree::exists(root, *fn)) {
            if (tree::special_use(fn->path(root)).empty())
                if (auto r = tree::set_special_use(opt_.hooks, fn->path(root), {d.use}); !r) return r;
        } else if (auto r = create_locked(root, *fn, {d.use}); !r) {
            return r;
        }
        subs.push_back(fn->name);
    }
    if (auto r = tree::write_subscriptions(opt_.hooks, root, subs); !r) return r;
    return io::write_file_atomic(opt_.hooks, root / kUserMarkerFile, "1\n");
}

}  // namespace tern::mailbox
