// Maildir delivery: see maildir.hpp.
#include "store/maildir.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <vector>

namespace tern::store {
namespace {

namespace fs = std::filesystem;

std::string errno_text(int err) { return std::error_code(err, std::generic_category()).message(); }

// Converts CRLF to LF, passing every other byte (a bare CR or LF too) through unchanged.
// Streams: `in` may arrive in pieces; a CR at the end of a piece waits in `pending_cr` for the
// next one. The sink receives runs of output bytes (never copies of the whole message).
class CrlfToLf {
public:
    template <class Sink>
    void feed(std::string_view in, Sink& sink) {
        if (in.empty()) return;
        std::size_t i = 0;
        if (pending_cr_) {
            pending_cr_ = false;
            if (in[0] != '\n') sink(std::string_view("\r", 1));  // a bare CR is kept
        }
        while (i < in.size()) {
            auto cr = in.find('\r', i);
            if (cr == std::string_view::npos) {
                sink(in.substr(i));
                return;
            }
            if (cr + 1 == in.size()) {  // the LF, if any, is in the next piece
                if (cr > i) sink(in.substr(i, cr - i));
                pending_cr_ = true;
                return;
            }
            if (in[cr + 1] == '\n') {
                if (cr > i) sink(in.substr(i, cr - i));  // drop the CR; the LF starts the next run
                i = cr + 1;
            } else {
                sink(in.substr(i, cr + 1 - i));
                i = cr + 1;
            }
        }
    }
    template <class Sink>
    void finish(Sink& sink) {
        if (pending_cr_) sink(std::string_view("\r", 1));
        pending_cr_ = false;
    }

private:
    bool pending_cr_ = false;
};

// Counts what the converter emits: bytes on disk, and every LF not preceded by a CR (each of
// those is one CRLF in the RFC 822 form). This is how Dovecot computes W= from the file.
struct SizeSink {
    StoredSize size;
    char last = 0;
    void operator()(std::string_view run) {
        for (char c : run) {
            if (c == '\n' && last != '\r') ++size.rfc822;
            last = c;
        }
        size.on_disk += run.size();
        size.rfc822 += run.size();
    }
};

// Buffered writes to a file descriptor; remembers the first error.
class FdSink {
public:
    explicit FdSink(int fd) : fd_(fd) { buf_.reserve(kBuffer); }
    void operator()(std::string_view run) {
        if (err_ != 0) return;
        if (buf_.size() + run.size() > kBuffer) {
            flush();
            if (run.size() >= kBuffer) {
                write_all(run);
                return;
            }
        }
        buf_.append(run);
    }
    void flush() {
        if (err_ == 0 && !buf_.empty()) write_all(buf_);
        buf_.clear();
    }
    int error() const { return err_; }
    std::uint64_t written() const { return written_; }

private:
    static constexpr std::size_t kBuffer = 64 * 1024;
    void write_all(std::string_view run) {
        while (!run.empty() && err_ == 0) {
            auto n = ::write(fd_, run.data(), run.size());
            if (n < 0) {
                if (errno != EINTR) err_ = errno;
                continue;
            }
            if (n == 0) {  // should not happen for regular files; do not spin
                err_ = EIO;
                continue;
            }
            written_ += static_cast<std::uint64_t>(n);
            run.remove_prefix(static_cast<std::size_t>(n));
        }
    }
    int fd_;
    std::string buf_;
    int err_ = 0;
    std::uint64_t written_ = 0;
};

// fsync a directory so that entries created in or renamed into it are durable.
int fsync_dir(const fs::path& dir) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return errno;
    int err = ::fsync(fd) == 0 ? 0 : errno;
    ::close(fd);
    return err;
}

// mkdir 0700 that accepts an existing directory (another thread may have just created it).
int make_dir(const fs::path& dir) {
    if (::mkdir(dir.c_str(), 0700) == 0) return 0;
    int err = errno;
    if (err != EEXIST) return err;
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0) return errno;
    return S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
}

bool path_exists(const fs::path& p) {
    struct stat st {};
    return ::lstat(p.c_str(), &st) == 0;
}

// Does `dir` hold an entry "<base>" followed by ',' or ':' or nothing? 0 = no, 1 = yes,
// negative = -errno (a missing directory counts as "no").
int has_entry_with_base(const fs::path& dir, std::string_view base) {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) return errno == ENOENT ? 0 : -errno;
    int found = 0;
    while (true) {
        errno = 0;
        struct dirent* e = ::readdir(d);
        if (e == nullptr) {
            if (errno != 0) found = -errno;
            break;
        }
        std::string_view name(e->d_name);
        if (name.size() >= base.size() && name.substr(0, base.size()) == base &&
            (name.size() == base.size() || name[base.size()] == ',' || name[base.size()] == ':')) {
            found = 1;
            break;
        }
    }
    ::closedir(d);
    return found;
}

}  // namespace

Outcome local_io_failure(int err, std::string_view what) {
    std::string text = std::string(what) + ": " + errno_text(err);
    switch (err) {
        case ENOSPC: return Outcome::temporary("4.3.1", std::move(text), 452);
        case EDQUOT: return Outcome::temporary("4.2.2", std::move(text), 452);
        case EFBIG: return Outcome::temporary("4.3.4", std::move(text), 452);
        default: return Outcome::temporary("4.3.0", std::move(text), 451);
    }
}

Outcome ensure_maildir(const fs::path& maildir) {
    if (maildir.empty()) return Outcome::temporary("4.3.0", "empty mailbox path");
    // Find the missing ancestors, then create them top-down, each followed by an fsync of its
    // parent, so a crash never leaves a delivered message under a directory entry that was lost.
    std::vector<fs::path> missing;
    for (fs::path p = maildir; !p.empty() && !path_exists(p); p = p.parent_path()) {
        missing.push_back(p);
        if (p == p.parent_path()) break;
    }
    // The parent is synced even when another thread won the race to create `dir`: that thread
    // may not have synced yet, and this one is about to rely on the entry.
    auto create = [](const fs::path& dir) -> int {
        if (int err = make_dir(dir)) return err;
        auto parent = dir.parent_path();
        if (parent.empty()) parent = ".";
        return fsync_dir(parent);
    };
    for (auto it = missing.rbegin(); it != missing.rend(); ++it)
        if (int err = create(*it)) return local_io_failure(err, "creating mailbox directory");
    for (const char* sub : {"tmp", "new", "cur"})
        if (int err = create(maildir / sub)) return local_io_failure(err, "creating mailbox directory");
    return Outcome::ok();
}

StoredSize stored_size(std::string_view prefix, std::string_view data) {
    CrlfToLf conv;
    SizeSink sink;
    conv.feed(prefix, sink);
    conv.feed(data, sink);
    conv.finish(sink);
    return sink.size;
}

std::string maildir_file_name(std::string_view unique_base, StoredSize size) {
    return std::string(unique_base) + ",S=" + std::to_string(size.on_disk) +
           ",W=" + std::to_string(size.rfc822);
}

bool is_valid_unique_base(std::string_view base) {
    if (base.empty() || base.size() > 200 || base.front() == '.') return false;
    for (char ch : base) {
        auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7F || c == '/' || c == ':' || c == ',') return false;
    }
    return true;
}

Outcome deliver(const fs::path& maildir, std::string_view unique_base, std::string_view prefix,
                std::string_view data, bool maybe_duplicate) {
    // A bad base is a caller bug; keep the message queued (temporary) rather than bounce it.
    if (!is_valid_unique_base(unique_base))
        return Outcome::temporary("4.3.0", "invalid maildir file name");

    const auto size = stored_size(prefix, data);
    const auto name = maildir_file_name(unique_base, size);
    const auto tmp = maildir / "tmp" / name;
    const auto dst = maildir / "new" / name;

    if (maybe_duplicate) {
        // Cheap first: the copy is most likely still in new/ under exactly this name. Then a
        // scan of new/ and cur/ for the base with other fields or ":2,<flags>" appended.
        if (path_exists(dst)) return Outcome::ok("already delivered");
        for (const char* sub : {"new", "cur"}) {
            int found = has_entry_with_base(maildir / sub, unique_base);
            if (found < 0) return local_io_failure(-found, "reading mailbox directory");
            if (found > 0) return Outcome::ok("already delivered");
        }
    }

    // A leftover tmp file with this name is from an earlier attempt of this very delivery that
    // crashed before the rename: nobody else uses the name, so it is safe to replace.
    auto open_tmp = [&]() -> int {
        constexpr int kFlags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
        int fd = ::open(tmp.c_str(), kFlags, 0600);
        // A file of the same name is left over from an attempt a crash interrupted: replace it.
        // (Trying the open first saves an unlink per delivery in the common case.)
        if (fd < 0 && errno == EEXIST) {
            if (::unlink(tmp.c_str()) != 0 && errno != ENOENT) return -errno;
            fd = ::open(tmp.c_str(), kFlags, 0600);
        }
        return fd >= 0 ? fd : -errno;
    };
    int fd = open_tmp();
    if (fd == -ENOENT) {  // first delivery to this mailbox
        auto made = ensure_maildir(maildir);
        if (!made.is_ok()) return made;
        fd = open_tmp();
    }
    if (fd < 0) return local_io_failure(-fd, "creating message file");

    auto fail = [&](int err, std::string_view what) {
        if (fd >= 0) ::close(fd);
        ::unlink(tmp.c_str());
        return local_io_failure(err, what);
    };

    CrlfToLf conv;
    FdSink sink(fd);
    conv.feed(prefix, sink);
    conv.feed(data, sink);
    conv.finish(sink);
    sink.flush();
    if (sink.error() != 0) return fail(sink.error(), "writing message file");
    if (sink.written() != size.on_disk) return fail(EIO, "writing message file");
    if (::fsync(fd) != 0) return fail(errno, "syncing message file");
    int rc = ::close(fd);
    fd = -1;
    if (rc != 0) return fail(errno, "closing message file");
    int moved = ::rename(tmp.c_str(), dst.c_str()) == 0 ? 0 : errno;
    if (moved == ENOENT) {
        // tmp/ existed but new/ did not yet: another thread is creating this Maildir right now
        // (or someone removed new/). Complete it and try once more.
        auto made = ensure_maildir(maildir);
        if (!made.is_ok()) {
            ::unlink(tmp.c_str());
            return made;
        }
        moved = ::rename(tmp.c_str(), dst.c_str()) == 0 ? 0 : errno;
    }
    if (moved != 0) return fail(moved, "moving message file into new/");
    // The message is in new/ but not yet durable. On failure the retry finds it (with
    // maybe_duplicate) or replaces it with the same content under the same name.
    if (int err = fsync_dir(maildir / "new")) return local_io_failure(err, "syncing mailbox directory");
    return Outcome::ok("delivered");
}

std::string escape_name_part(std::string_view text) {
    static constexpr char kOct[] = "01234567";
    std::string out;
    out.reserve(text.size());
    for (char ch : text) {
        auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7F || c == '/' || c == ':' || c == ',' || c == '\\') {
            out.push_back('\\');
            out.push_back(kOct[(c >> 6) & 7]);
            out.push_back(kOct[(c >> 3) & 7]);
            out.push_back(kOct[c & 7]);
        } else {
            out.push_back(ch);
        }
    }
    return out;
}

std::string make_unique_base(std::int64_t seconds, std::int64_t microseconds, std::int64_t pid,
                             std::uint64_t counter, std::string_view hostname) {
    return std::to_string(seconds) + ".M" + std::to_string(microseconds) + "P" +
           std::to_string(pid) + "Q" + std::to_string(counter) + "." + escape_name_part(hostname);
}

std::string make_unique_base(std::chrono::system_clock::time_point time,
                             std::string_view hostname, std::uint64_t counter) {
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch()).count();
    auto sec = us / 1000000;
    auto usec = us % 1000000;
    if (usec < 0) {  // before 1970: keep usec in [0, 1e6)
        usec += 1000000;
        --sec;
    }
    return make_unique_base(sec, usec, static_cast<std::int64_t>(::getpid()), counter, hostname);
}

}  // namespace tern::store
