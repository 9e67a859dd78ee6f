// POSIX helpers for the mailbox store: see io.hpp.
#include "mailbox/io.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <system_error>

namespace tern::mailbox {

namespace fs = std::filesystem;

Error io_error(int err, std::string what) {
    Error e;
    e.sys_errno = err;
    e.code = err == ENOSPC ? ErrorCode::NoSpace : err == EDQUOT ? ErrorCode::OverQuota : ErrorCode::Io;
    e.text = std::move(what) + ": " + std::error_code(err, std::generic_category()).message();
    return e;
}

void UniqueFd::reset(int fd) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
}

namespace io {

int write_all(const IoHooks& hooks, int fd, std::string_view data, off_t offset) {
    while (!data.empty()) {
        ssize_t n = hooks.pwrite ? hooks.pwrite(fd, data.data(), data.size(), offset)
                                 : ::pwrite(fd, data.data(), data.size(), offset);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        if (n == 0) return EIO;
        data.remove_prefix(static_cast<std::size_t>(n));
        offset += n;
    }
    return 0;
}

int sync_file(const IoHooks& hooks, int fd) {
    int rc = hooks.fsync ? hooks.fsync(fd) : ::fdatasync(fd);
    return rc == 0 ? 0 : errno;
}

int sync_dir(const IoHooks& hooks, const fs::path& dir) {
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) return errno;
    int rc = hooks.fsync ? hooks.fsync(fd.get()) : ::fsync(fd.get());
    return rc == 0 ? 0 : errno;
}

int lock_file(const IoHooks& hooks, int fd, int operation) {
    while (true) {
        int rc = hooks.flock ? hooks.flock(fd, operation) : ::flock(fd, operation);
        if (rc == 0) return 0;
        if (errno != EINTR) return errno;
    }
}

Result<void> write_file_atomic(const IoHooks& hooks, const fs::path& path, std::string_view content) {
    auto tmp = path;
    tmp += ".tmp";
    if (::unlink(tmp.c_str()) != 0 && errno != ENOENT) return io_error(errno, "removing " + tmp.filename().string());
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd) return io_error(errno, "creating " + path.filename().string());
    auto fail = [&](int err, const char* what) {
        ::unlink(tmp.c_str());
        return io_error(err, std::string(what) + " " + path.filename().string());
    };
    if (int err = write_all(hooks, fd.get(), content, 0)) return fail(err, "writing");
    if (int err = sync_file(hooks, fd.get())) return fail(err, "syncing");
    fd.reset();
    if (::rename(tmp.c_str(), path.c_str()) != 0) return fail(errno, "renaming");
    if (int err = sync_dir(hooks, path.parent_path())) return io_error(err, "syncing directory");
    return {};
}

std::optional<std::string> read_file(const fs::path& path, int& err) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
    if (!fd) {
        err = errno;
        return std::nullopt;
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
        err = errno;
        return std::nullopt;
    }
    if (!S_ISREG(st.st_mode)) {
        err = EINVAL;
        return std::nullopt;
    }
    std::string out;
    out.resize(static_cast<std::size_t>(st.st_size));
    std::size_t got = 0;
    while (true) {
        if (got == out.size()) out.resize(out.size() + 4096);  // it grew meanwhile
        ssize_t n = ::pread(fd.get(), out.data() + got, out.size() - got, static_cast<off_t>(got));
        if (n < 0) {
            if (errno == EINTR) continue;
            err = errno;
            return std::nullopt;
        }
        if (n == 0) break;
        got += static_cast<std::size_t>(n);
    }
    out.resize(got);
    err = 0;
    return out;
}

std::optional<std::int64_t> mtime_ns(const fs::path& path, int& err) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        err = errno;
        return std::nullopt;
    }
    err = 0;
    return std::int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec;
}

std::int64_t now_ns() {
    struct timespec ts {};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

Listing list_dir(const fs::path& dir) {
    Listing out;
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) {
        out.err = errno;
        return out;
    }
    while (true) {
        errno = 0;
        struct dirent* e = ::readdir(d);
        if (e == nullptr) {
            out.err = errno;
            break;
        }
        if (e->d_name[0] == '.') continue;
        out.names.emplace_back(e->d_name);
    }
    ::closedir(d);
    return out;
}

int make_dir(const fs::path& dir) {
    if (::mkdir(dir.c_str(), 0700) == 0) return 0;
    int err = errno;
    if (err != EEXIST) return err;
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0) return errno;
    return S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
}

int rename_noreplace(const fs::path& from, const fs::path& to) {
    if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return 0;
    if (errno != EINVAL && errno != ENOSYS) return errno;
    struct stat st {};
    if (::lstat(to.c_str(), &st) == 0) return EEXIST;
    return ::rename(from.c_str(), to.c_str()) == 0 ? 0 : errno;
}

int remove_tree(const fs::path& dir) {
    std::error_code ec;
    fs::remove_all(dir, ec);
    return ec ? ec.value() : 0;
}

std::string crlf_to_lf(std::string_view data) {
    std::string out;
    out.reserve(data.size());
    for (std::size_t i = 0; i < data.size(); ++i) {
        if (data[i] == '\r' && i + 1 < data.size() && data[i + 1] == '\n') continue;
        out += data[i];
    }
    return out;
}

Result<std::uint64_t> rfc822_size_of_file(int fd) {
    char buf[64 * 1024];
    std::uint64_t size = 0;
    char last = 0;
    off_t off = 0;
    while (true) {
        ssize_t n = ::pread(fd, buf, sizeof buf, off);
        if (n < 0) {
            if (errno == EINTR) continue;
            return io_error(errno, "reading message");
        }
        if (n == 0) break;
        for (ssize_t i = 0; i < n; ++i) {
            if (buf[i] == '\n' && last != '\r') ++size;
            last = buf[i];
        }
        size += static_cast<std::uint64_t>(n);
        off += n;
    }
    return size;
}

std::optional<std::uint64_t> size_field(std::string_view base, char key) {
    const char pat[] = {',', key, '='};
    auto pos = base.find(std::string_view(pat, 3));
    if (pos == std::string_view::npos) return std::nullopt;
    std::uint64_t v = 0;
    std::size_t i = pos + 3, digits = 0;
    for (; i < base.size() && base[i] >= '0' && base[i] <= '9' && digits < 19; ++i, ++digits)
        v = v * 10 + static_cast<std::uint64_t>(base[i] - '0');
    if (digits == 0 || (i < base.size() && base[i] != ',')) return std::nullopt;
    return v;
}

}  // namespace io
}  // namespace tern::mailbox
