// The users of a running server: a thread-safe holder of the current UserDb snapshot that
// notices when `tern user` rewrote the file, so no restart is needed.
//
// current() re-stats the file at most once per interval (default 1 s); when device, inode,
// size, mtime or ctime changed it reloads. A parse error keeps the previous snapshot and is
// reported by last_error() until a good file appears. A missing file means no users.
// reload_now() is for SIGHUP. The clock is injectable so tests need not sleep.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "auth/credential_store.hpp"
#include "auth/user_db.hpp"

namespace tern::auth {

class UserDirectory final : public CredentialStore {
public:
    using Clock = std::function<std::chrono::steady_clock::time_point()>;

    // Loads the file once at construction (check last_error() afterwards).
    explicit UserDirectory(std::filesystem::path users_file,
                           std::chrono::steady_clock::duration recheck_interval = std::chrono::seconds(1),
                           Clock clock = {});

    std::shared_ptr<const UserDb> current();
    // Re-reads the file now. False when it could not be loaded (see last_error()).
    bool reload_now();
    // Why the last load failed, or empty when the snapshot matches the file.
    std::string last_error() const;
    const std::filesystem::path& path() const { return path_; }

    bool verify_password(std::string_view address, std::string_view password) override;
    bool user_exists(std::string_view address) override;
    std::optional<ScramSecret> scram_secret(std::string_view address) override;

private:
    struct FileId {
        bool exists = false;
        unsigned long long dev = 0, ino = 0, size = 0;
        long long mtime_s = 0, mtime_ns = 0, ctime_s = 0, ctime_ns = 0;
        friend bool operator==(const FileId&, const FileId&) = default;
    };
    FileId stat_file() const;
    bool load_locked(const FileId& id);

    const std::filesystem::path path_;
    const std::chrono::steady_clock::duration interval_;
    const Clock clock_;
    mutable std::mutex mutex_;
    std::shared_ptr<const UserDb> db_;
    FileId seen_;  // the file state last loaded (or last failed to load)
    std::chrono::steady_clock::time_point last_check_;
    std::string last_error_;
};

}  // namespace tern::auth
