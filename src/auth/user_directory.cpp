// The live user database of a running server: see user_directory.hpp.
#include "auth/user_directory.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace tern::auth {

UserDirectory::UserDirectory(std::filesystem::path users_file,
                             std::chrono::steady_clock::duration recheck_interval, Clock clock)
    : path_(std::move(users_file)),
      interval_(recheck_interval),
      clock_(clock ? std::move(clock) : Clock([] { return std::chrono::steady_clock::now(); })),
      db_(std::make_shared<const UserDb>()) {
    reload_now();
}

UserDirectory::FileId UserDirectory::stat_file() const {
    struct stat st{};
    FileId id;
    if (::stat(path_.c_str(), &st) != 0) return id;  // missing (or unreadable: load reports it)
    id.exists = true;
    id.dev = st.st_dev;
    id.ino = st.st_ino;
    id.size = static_cast<unsigned long long>(st.st_size);
    id.mtime_s = st.st_mtim.tv_sec;
    id.mtime_ns = st.st_mtim.tv_nsec;
    id.ctime_s = st.st_ctim.tv_sec;
    id.ctime_ns = st.st_ctim.tv_nsec;
    return id;
}

bool UserDirectory::load_locked(const FileId& id) {
    // Remember the state even on failure, so a broken file is parsed once, not every second.
    // If the file changes between stat and read, the next check sees a new id and reloads.
    seen_ = id;
    auto loaded = UserDb::load(path_);
    if (!loaded.db) {
        std::string msg;
        for (auto& e : loaded.errors) msg += (msg.empty() ? "" : "\n") + e;
        last_error_ = msg.empty() ? path_.string() + ": cannot load" : msg;
        return false;
    }
    db_ = std::make_shared<const UserDb>(std::move(*loaded.db));
    last_error_.clear();
    return true;
}

std::shared_ptr<const UserDb> UserDirectory::current() {
    std::lock_guard lock(mutex_);
    auto now = clock_();
    if (now - last_check_ >= interval_) {
        last_check_ = now;
        auto id = stat_file();
        if (!(id == seen_)) load_locked(id);
    }
    return db_;
}

bool UserDirectory::reload_now() {
    std::lock_guard lock(mutex_);
    last_check_ = clock_();
    return load_locked(stat_file());
}

std::string UserDirectory::last_error() const {
    std::lock_guard lock(mutex_);
    return last_error_;
}

bool UserDirectory::verify_password(std::string_view address, std::string_view password) {
    return current()->verify_password(address, password);
}

bool UserDirectory::user_exists(std::string_view address) { return current()->contains(address); }

std::optional<ScramSecret> UserDirectory::scram_secret(std::string_view address) {
    auto db = current();
    if (const User* u = db->find(address)) return u->scram;
    return std::nullopt;
}

}  // namespace tern::auth
