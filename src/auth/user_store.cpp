// Locked, atomic changes to the users file: see user_store.hpp.
#include "auth/user_store.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <utility>

#include "auth/password.hpp"
#include "auth/user_db.hpp"

namespace tern::auth {
namespace {

namespace fs = std::filesystem;

class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    int get() const { return fd_; }
    int release() { return std::exchange(fd_, -1); }

private:
    int fd_;
};

std::string sys_error(const std::string& what, const fs::path& p) {
    return what + " " + p.string() + ": " + std::strerror(errno);
}

std::string write_all(int fd, std::string_view data, const fs::path& p) {
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return sys_error("cannot write", p);
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return {};
}

// Runs `change` on the current users under the lock and writes the result atomically.
std::string modify(const fs::path& users_file, const std::function<std::string(UserDb&)>& change) {
    fs::path dir = users_file.parent_path();
    if (dir.empty()) dir = ".";
    std::error_code ec;
    if (!fs::exists(dir, ec)) {
        if (!fs::create_directories(dir, ec) && ec)
            return "cannot create directory " + dir.string() + ": " + ec.message();
        // Mail and credentials live here: owner only.
        fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
    }
    fs::path lock_path = users_file;
    lock_path += ".lock";
    Fd lock(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    if (lock.get() < 0) return sys_error("cannot open", lock_path);
    while (::flock(lock.get(), LOCK_EX) != 0) {
        if (errno != EINTR) return sys_error("cannot lock", lock_path);
    }

    auto loaded = UserDb::load(users_file);
    if (!loaded.db) {
        std::string msg = "refusing to change a damaged users file:";
        for (auto& e : loaded.errors) msg += "\n  " + e;
        return msg;
    }
    UserDb db = std::move(*loaded.db);
    if (auto err = change(db); !err.empty()) return err;

    fs::path tmp = users_file;
    tmp += ".tmp";
    {
        // The lock makes the fixed temp name safe; O_TRUNC discards a crash leftover.
        Fd out(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600));
        if (out.get() < 0) return sys_error("cannot create", tmp);
        if (::fchmod(out.get(), 0600) != 0) return sys_error("cannot chmod", tmp);
        if (auto err = write_all(out.get(), db.serialize(), tmp); !err.empty()) return err;
        if (::fsync(out.get()) != 0) return sys_error("cannot fsync", tmp);
        if (::close(out.release()) != 0) return sys_error("cannot close", tmp);
    }
    if (::rename(tmp.c_str(), users_file.c_str()) != 0) return sys_error("cannot rename onto", users_file);
    Fd d(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (d.get() < 0 || ::fsync(d.get()) != 0) return sys_error("cannot fsync directory", dir);
    return {};
}

}  // namespace

std::string add_user(const fs::path& users_file, std::string_view address, std::string_view password) {
    auto a = check_user_address(address);
    if (!a.error.empty()) return a.error;
    if (auto p = password_problem(password); !p.empty()) return p;
    return modify(users_file, [&](UserDb& db) -> std::string {
        if (db.contains(a.key)) return "user '" + a.key + "' already exists";
        return db.add(make_user(a.key, password));
    });
}

std::string delete_user(const fs::path& users_file, std::string_view address) {
    return modify(users_file, [&](UserDb& db) { return db.remove(address); });
}

std::string set_password(const fs::path& users_file, std::string_view address, std::string_view password) {
    auto a = check_user_address(address);
    if (!a.error.empty()) return a.error;
    if (auto p = password_problem(password); !p.empty()) return p;
    return modify(users_file, [&](UserDb& db) -> std::string {
        if (!db.contains(a.key)) return "no such user '" + a.key + "'";
        return db.replace(make_user(a.key, password));
    });
}

}  // namespace tern::auth
