// Small POSIX helpers the mailbox store shares: an owning descriptor, durable small-file
// writes (tmp + fsync + rename + fsync dir, the same discipline as store/maildir and the
// spool), directory listing and stat, and the fault-injection seams the tests use.
//
// Every write this store makes goes through IoHooks::pwrite and every fsync/fdatasync through
// IoHooks::fsync, so a test can make a disk "fail" at any of them and check that the failed
// operation leaves the previous state in place (tests/mailbox/fault_test.cpp). The folder
// lock goes through IoHooks::flock and the index's reads through IoHooks::pread
// (tests/mailbox/hardening_test.cpp).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mailbox/result.hpp"

namespace tern::mailbox {

// Fault-injection seams; empty = the real system call. Same contract as the system call
// (-1 with errno set on failure).
struct IoHooks {
    std::function<ssize_t(int fd, const void* data, std::size_t size, off_t offset)> pwrite;
    std::function<int(int fd)> fsync;  // used for fdatasync on files and fsync on directories
    std::function<int(int fd, int operation)> flock;  // the folder lock (Folder)
    std::function<ssize_t(int fd, void* data, std::size_t size, off_t offset)> pread;  // index reads
};

class UniqueFd {
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : fd_(fd) {}
    ~UniqueFd() { reset(); }
    UniqueFd(UniqueFd&& o) noexcept : fd_(o.release()) {}
    UniqueFd& operator=(UniqueFd&& o) noexcept {
        if (this != &o) reset(o.release());
        return *this;
    }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }
    int release() {
        int fd = fd_;
        fd_ = -1;
        return fd;
    }
    void reset(int fd = -1);

private:
    int fd_ = -1;
};

namespace io {

// Writes all of `data` at `offset` (through hooks.pwrite); 0 or an errno.
int write_all(const IoHooks& hooks, int fd, std::string_view data, off_t offset);
// fdatasync(fd) through hooks.fsync; 0 or an errno.
int sync_file(const IoHooks& hooks, int fd);
// fsync of a directory (its entries become durable); 0 or an errno.
int sync_dir(const IoHooks& hooks, const std::filesystem::path& dir);

// flock(fd, operation) through hooks.flock, retried on EINTR; 0 or an errno.
int lock_file(const IoHooks& hooks, int fd, int operation);

// Replaces `path` with `content` atomically and durably: <path>.tmp (a stale one unlinked,
// the new one made with O_EXCL so a planted link is never written through), fsync, rename,
// fsync dir.
Result<void> write_file_atomic(const IoHooks& hooks, const std::filesystem::path& path, std::string_view content);
// The whole file; nullopt with errno in `err` (ENOENT when missing). Symlinks are not
// followed (ELOOP) and anything but a regular file is refused (EINVAL) without blocking:
// a FIFO cannot hold the calling thread.
std::optional<std::string> read_file(const std::filesystem::path& path, int& err);

// st_mtim in nanoseconds; nullopt (errno in err) when stat fails.
std::optional<std::int64_t> mtime_ns(const std::filesystem::path& path, int& err);
std::int64_t now_ns();

// Names in `dir` that do not start with '.', or an errno (ENOENT when missing).
struct Listing {
    int err = 0;
    std::vector<std::string> names;
};
Listing list_dir(const std::filesystem::path& dir);

// mkdir 0700, accepting an existing directory (not a symlink to one: ENOTDIR); 0 or an errno.
int make_dir(const std::filesystem::path& dir);
// rename that fails with EEXIST instead of replacing `to` (renameat2 RENAME_NOREPLACE; where
// the file system lacks it, a check then rename, which the store's own locks make sufficient).
int rename_noreplace(const std::filesystem::path& from, const std::filesystem::path& to);
// Removes a directory tree; 0 or the first errno.
int remove_tree(const std::filesystem::path& dir);

// CRLF -> LF (other bytes unchanged), as delivery stores messages.
std::string crlf_to_lf(std::string_view data);
// RFC822 size of a stored (LF) file's content: bytes + one per LF not preceded by CR.
Result<std::uint64_t> rfc822_size_of_file(int fd);

// The value of Dovecot's ",<key>=<n>" field in a Maildir base name ('S' or 'W').
std::optional<std::uint64_t> size_field(std::string_view base, char key);

}  // namespace io
}  // namespace tern::mailbox
