// Read-only mailbox usage from cached directory listings: see usage.hpp.
#include "mailbox/usage.hpp"

#include <dirent.h>
#include <sys/stat.h>

#include <cerrno>

#include "mailbox/flags.hpp"
#include "mailbox/folder.hpp"
#include "mailbox/folder_name.hpp"
#include "mailbox/io.hpp"

namespace tern::mailbox {

namespace fs = std::filesystem;

std::uint64_t UsageCache::listings() const {
    std::lock_guard lock(mu_);
    return listings_;
}

Result<Usage> UsageCache::dir_usage(const fs::path& dir, std::map<fs::path, Entry>& next,
                                    const std::map<fs::path, Entry>& old) {
    const auto now = io::now_ns();
    int err = 0;
    auto mtime = io::mtime_ns(dir, err);
    if (!mtime) return err == ENOENT ? Result<Usage>(Usage{}) : Result<Usage>(io_error(err, "reading folder"));
    if (auto it = old.find(dir); it != old.end() && it->second.trusted && it->second.mtime_ns == *mtime) {
        next[dir] = it->second;
        return it->second.usage;
    }
    auto listing = io::list_dir(dir);
    ++listings_;
    if (listing.err) return listing.err == ENOENT ? Result<Usage>(Usage{}) : Result<Usage>(io_error(listing.err, "listing folder"));
    Usage u;
    for (const auto& name : listing.names) {
        auto base = split_file_name(name).base;
        if (auto s = io::size_field(base, 'S')) {
            u.bytes += *s;
        } else {
            struct stat st {};
            if (::lstat((dir / name).c_str(), &st) != 0) continue;  // gone meanwhile
            u.bytes += static_cast<std::uint64_t>(st.st_size);
        }
        ++u.messages;
    }
    next[dir] = Entry{*mtime, now - *mtime >= kSettleNs, u};
    return u;
}

Result<Usage> UsageCache::usage(const fs::path& root) {
    struct stat st {};
    if (::stat(root.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return Error{ErrorCode::NotFound, "no such mailbox"};
    std::vector<fs::path> folders{root};
    if (DIR* d = ::opendir(root.c_str())) {
        while (struct dirent* e = ::readdir(d)) {
            std::string_view n(e->d_name);
            struct stat fst {};  // a symlinked ".Name" is not a folder (folder_tree.cpp)
            if (n.size() > 1 && n[0] == '.' && folder_name_from_disk(n) &&
                ::lstat((root / n).c_str(), &fst) == 0 && S_ISDIR(fst.st_mode))
                folders.push_back(root / n);
        }
        ::closedir(d);
    }
    std::lock_guard lock(mu_);
    auto& old = roots_[root];
    std::map<fs::path, Entry> next;  // folders deleted since the last call fall out
    Usage total;
    for (const auto& f : folders) {
        for (const char* sub : {"new", "cur"}) {
            auto u = dir_usage(f / sub, next, old);
            if (!u) return u.error();
            total.bytes += u->bytes;
            total.messages += u->messages;
        }
    }
    old = std::move(next);
    return total;
}

}  // namespace tern::mailbox
