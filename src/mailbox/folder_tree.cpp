// The Maildir++ folder tree on disk: see folder_tree.hpp.
#include "mailbox/folder_tree.hpp"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <map>
#include <set>

#include "core/address.hpp"

namespace tern::mailbox::tree {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kStagingPrefix = "tern-new-";
constexpr std::string_view kTrashPrefix = "tern-trash-";
std::atomic<std::uint64_t> g_unique{0};

std::string unique_suffix() {
    return std::to_string(::getpid()) + "-" + std::to_string(io::now_ns()) + "-" + std::to_string(g_unique++);
}

// Every entry of the root starting with '.', except "." and "..".
std::vector<std::string> dot_entries(const fs::path& root) {
    std::vector<std::string> out;
    DIR* d = ::opendir(root.c_str());
    if (d == nullptr) return out;
    while (struct dirent* e = ::readdir(d)) {
        std::string_view n(e->d_name);
        if (n.size() > 1 && n[0] == '.' && n != "..") out.emplace_back(n);
    }
    ::closedir(d);
    return out;
}

// A folder's directory: lstat, so a symlinked ".Name" is not a folder (nothing is followed
// out of the user's tree). The root itself may be a symlink the administrator set up.
bool is_dir(const fs::path& p) {
    struct stat st {};
    return ::lstat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}
bool is_root_dir(const fs::path& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// Existing folders (with a directory), by API name.
std::set<std::string> existing(const fs::path& root) {
    std::set<std::string> out;
    for (const auto& e : dot_entries(root))
        if (auto n = folder_name_from_disk(e); n && is_dir(root / e)) out.insert(*n);
    return out;
}

}  // namespace

std::optional<std::string> canonical_special_use(std::string_view a) {
    for (std::string_view known : {"\\Archive", "\\Drafts", "\\Junk", "\\Sent", "\\Trash"})
        if (iequals(a, known)) return std::string(known);
    return std::nullopt;
}

bool exists(const fs::path& root, const FolderName& name) {
    return name.is_inbox() ? is_root_dir(name.path(root)) : is_dir(name.path(root));
}

Result<std::vector<FolderInfo>> list(const fs::path& root) {
    if (!is_root_dir(root)) return Error{ErrorCode::NotFound, "no such mailbox"};
    auto names = existing(root);
    names.insert("INBOX");
    const auto subs = subscriptions(root);
    std::map<std::string, FolderInfo> all;
    for (const auto& n : names) {
        all[n].exists = true;
        // Ancestors without a directory of their own still appear (as \NonExistent parents).
        for (auto p = parent_folder(n); !p.empty(); p = parent_folder(p))
            if (!names.count(p)) all[p].exists = false;
    }
    std::vector<FolderInfo> out;
    for (auto& [name, info] : all) {
        info.name = name;
        // Children sort right after "<name>/" ("a b" and "a-b" sort between "a" and "a/b").
        auto next = all.lower_bound(name + kDelimiter);
        info.has_children = next != all.end() && is_below(next->first, name);
        auto parsed = parse_folder_name(name);
        info.no_inferiors = !parsed || parsed->components.size() >= kMaxFolderDepth ||
                            parsed->disk.size() + 2 > kMaxDiskName;
        info.subscribed = std::find(subs.begin(), subs.end(), name) != subs.end();
        if (info.exists && parsed) info.special_use = special_use(parsed->path(root));
        out.push_back(std::move(info));
    }
    std::stable_partition(out.begin(), out.end(), [](const FolderInfo& i) { return i.name == "INBOX"; });
    return out;
}

Result<void> create(const IoHooks& hooks, const fs::path& root, const FolderName& name,
                    const std::vector<std::string>& special) {
    if (name.is_inbox() || exists(root, name)) return Error{ErrorCode::AlreadyExists, "folder exists"};
    const auto staging = root / (std::string(kStagingPrefix) + unique_suffix());
    auto fail = [&](int err, const char* what) -> Result<void> {
        io::remove_tree(staging);
        return io_error(err, what);
    };
    for (const auto& d : {staging, staging / "tmp", staging / "new", staging / "cur"})
        if (int err = io::make_dir(d)) return fail(err, "creating folder");
    // Maildir++: "maildirfolder" marks a sub-folder (Courier, Dovecot, maildrop look for it).
    if (auto r = io::write_file_atomic(hooks, staging / "maildirfolder", ""); !r) {
        io::remove_tree(staging);
        return r;
    }
    if (!special.empty()) {
        if (auto r = set_special_use(hooks, staging, special); !r) {
            io::remove_tree(staging);
            return r;
        }
    }
    for (const auto* d : {"tmp", "new", "cur"})
        if (int err = io::sync_dir(hooks, staging / d)) return fail(err, "syncing folder");
    if (int err = io::sync_dir(hooks, staging)) return fail(err, "syncing folder");
    if (int err = io::rename_noreplace(staging, name.path(root))) {
        io::remove_tree(staging);
        if (err == EEXIST || err == ENOTEMPTY) return Error{ErrorCode::AlreadyExists, "folder exists"};
        return io_error(err, "creating folder");
    }
    if (int err = io::sync_dir(hooks, root)) return io_error(err, "syncing mailbox root");
    return {};
}

Result<fs::path> detach(const IoHooks& hooks, const fs::path& root, const FolderName& name) {
    if (name.is_inbox()) return Error{ErrorCode::NotAllowed, "INBOX cannot be deleted"};
    const auto trash = root / (std::string(kTrashPrefix) + unique_suffix());
    if (::rename(name.path(root).c_str(), trash.c_str()) != 0) {
        if (errno == ENOENT) return Error{ErrorCode::NotFound, "no such folder"};
        return io_error(errno, "deleting folder");
    }
    if (int err = io::sync_dir(hooks, root)) return io_error(err, "syncing mailbox root");
    return trash;
}

std::vector<std::string> children(const fs::path& root, std::string_view name) {
    std::vector<std::string> out;
    for (const auto& n : existing(root))
        if (is_below(n, name)) out.push_back(n);
    return out;
}

Result<std::vector<std::pair<std::string, std::string>>> rename(const IoHooks& hooks, const fs::path& root,
                                                                  const FolderName& from, const FolderName& to) {
    if (!exists(root, from)) return Error{ErrorCode::NotFound, "no such folder"};
    // Plan every rename and check every target before touching anything.
    std::vector<std::pair<FolderName, FolderName>> plan{{from, to}};
    for (const auto& child : children(root, from.name)) {
        auto old_name = parse_folder_name(child);
        auto new_name = parse_folder_name(to.name + child.substr(from.name.size()));
        if (!old_name) continue;
        if (!new_name) return new_name.error();
        plan.emplace_back(std::move(*old_name), std::move(*new_name));
    }
    for (const auto& [a, b] : plan)
        if (exists(root, b)) return Error{ErrorCode::AlreadyExists, "target folder exists"};
    std::vector<std::pair<std::string, std::string>> done;
    for (const auto& [a, b] : plan) {
        if (int err = io::rename_noreplace(a.path(root), b.path(root))) {
            for (auto it = done.rbegin(); it != done.rend(); ++it)
                ::rename(parse_folder_name(it->second)->path(root).c_str(), parse_folder_name(it->first)->path(root).c_str());
            if (err == EEXIST || err == ENOTEMPTY) return Error{ErrorCode::AlreadyExists, "target folder exists"};
            return io_error(err, "renaming folder");
        }
        done.emplace_back(a.name, b.name);
    }
    if (int err = io::sync_dir(hooks, root)) return io_error(err, "syncing mailbox root");
    return done;
}

std::vector<std::string> special_use(const fs::path& folder_dir) {
    int err = 0;
    auto text = io::read_file(folder_dir / kSpecialUseFile, err);
    std::vector<std::string> out;
    if (!text) return out;
    std::size_t start = 0;
    while (start < text->size()) {
        auto nl = text->find('\n', start);
        auto line = std::string_view(*text).substr(start, nl == std::string::npos ? std::string::npos : nl - start);
        if (auto a = canonical_special_use(line)) out.push_back(*a);
        if (nl == std::string::npos) break;
        start = nl + 1;
    }
    return out;
}

Result<void> set_special_use(const IoHooks& hooks, const fs::path& folder_dir, const std::vector<std::string>& attrs) {
    std::string text;
    for (const auto& a : attrs) {
        auto c = canonical_special_use(a);
        if (!c) return Error{ErrorCode::NotAllowed, "unsupported special-use attribute"};
        text += *c + "\n";
    }
    if (text.empty()) {
        if (::unlink((folder_dir / kSpecialUseFile).c_str()) != 0 && errno != ENOENT)
            return io_error(errno, "removing special-use");
        return {};
    }
    return io::write_file_atomic(hooks, folder_dir / kSpecialUseFile, text);
}

std::vector<std::string> subscriptions(const fs::path& root) {
    int err = 0;
    auto text = io::read_file(root / kSubscriptionsFile, err);
    std::vector<std::string> out;
    if (!text) return out;
    std::size_t start = 0;
    while (start < text->size()) {
        auto nl = text->find('\n', start);
        auto line = text->substr(start, nl == std::string::npos ? std::string::npos : nl - start);
        if (auto n = parse_folder_name(line)) out.push_back(n->name);  // ignore lines we cannot trust
        if (nl == std::string::npos) break;
        start = nl + 1;
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

Result<void> write_subscriptions(const IoHooks& hooks, const fs::path& root, std::vector<std::string> names) {
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    std::string text;
    for (const auto& n : names) text += n + "\n";
    return io::write_file_atomic(hooks, root / kSubscriptionsFile, text);
}

void cleanup_leftovers(const fs::path& root) {
    for (const auto& n : io::list_dir(root).names)
        if (n.starts_with(kStagingPrefix) || n.starts_with(kTrashPrefix)) io::remove_tree(root / n);
}

}  // namespace tern::mailbox::tree
