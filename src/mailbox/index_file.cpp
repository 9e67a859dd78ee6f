// The folder index file: load with torn-tail recovery, durable appends, atomic rewrites.
// See index_file.hpp for the crash-safety argument.
#include "mailbox/index_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <random>

namespace tern::mailbox {

namespace fs = std::filesystem;
namespace fmt = index_format;

namespace {

std::uint64_t random_nonce() {
    std::random_device rd;
    return (std::uint64_t{rd()} << 32) ^ rd() ^ static_cast<std::uint64_t>(io::now_ns());
}

}  // namespace

IndexFile::IndexFile(fs::path path, IoHooks hooks) : path_(std::move(path)), hooks_(std::move(hooks)) {}

IndexFile::Loaded IndexFile::load() {
    Loaded out;
    auto failed = [&](int err, const char* what) {
        out.kind = Loaded::Kind::Failed;
        out.sys_errno = err;
        out.error = io_error(err, what).text;
        return out;
    };
    // Nothing about this object changes until the file was read completely: after a failure
    // the caller keeps working with what it had (and retries).
    UniqueFd fd(::open(path_.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
    if (!fd) {
        int err = errno;
        if (err != ENOENT) return failed(err, "opening index");
        fd_.reset();
        needs_rewrite_ = dir_sync_pending_ = false;
        end_ = snapshot_end_ = 0;
        return out;  // Missing
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return failed(errno, "reading index");
    if (!S_ISREG(st.st_mode)) return failed(EINVAL, "index is not a regular file");
    std::string image(static_cast<std::size_t>(st.st_size), '\0');
    std::size_t got = 0;
    while (got < image.size()) {
        const auto off = static_cast<off_t>(got);
        ssize_t n = hooks_.pread ? hooks_.pread(fd.get(), image.data() + got, image.size() - got, off)
                                 : ::pread(fd.get(), image.data() + got, image.size() - got, off);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return failed(errno, "reading index");
        if (n == 0) return failed(EIO, "reading index (short read)");
        got += static_cast<std::size_t>(n);
    }
    fd_.reset();
    needs_rewrite_ = dir_sync_pending_ = false;
    end_ = snapshot_end_ = 0;
    auto parsed = fmt::parse_image(image);
    out.uidvalidity = parsed.header.uidvalidity;
    if (parsed.kind != fmt::Parsed::Kind::Ok) {
        out.kind = Loaded::Kind::Unreadable;
        out.error = parsed.error;
        if (auto h = fmt::parse_header(image)) out.uidvalidity = h->uidvalidity;
        return out;
    }
    out.kind = Loaded::Kind::Ok;
    out.snapshot = std::move(parsed.snapshot);
    out.dirs = parsed.dirs;
    out.torn_bytes = parsed.torn_bytes;
    nonce_ = parsed.header.nonce;
    end_ = parsed.good_length;
    // Where the snapshot ends is not recorded; treating the whole file as snapshot postpones
    // the next rewrite until as many bytes again have been appended, which is what we want.
    snapshot_end_ = end_;
    ino_ = st.st_ino;
    if (parsed.torn_bytes > 0) {
        // The whole file was read and nothing valid follows the bad batch: a torn write. Cut
        // it so that the next append starts on a clean boundary. If that fails, the next
        // change rewrites the whole file instead.
        if (::ftruncate(fd.get(), static_cast<off_t>(end_)) != 0 || io::sync_file(hooks_, fd.get()) != 0)
            needs_rewrite_ = true;
    }
    fd_ = std::move(fd);
    return out;
}

Result<void> IndexFile::rewrite(const Snapshot& snapshot, const fmt::DirStamps& dirs) {
    auto tmp = path_;
    tmp += ".tmp";
    // A leftover (or planted) tmp file is removed, never written through: O_EXCL.
    if (::unlink(tmp.c_str()) != 0 && errno != ENOENT) return io_error(errno, "removing old index tmp file");
    UniqueFd fd(::open(tmp.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd) return io_error(errno, "creating index");
    auto fail = [&](int err, const char* what) -> Result<void> {
        ::unlink(tmp.c_str());
        return io_error(err, what);
    };
    const auto nonce = random_nonce();
    std::string image = fmt::encode_header({snapshot.uidvalidity, nonce});
    for (const auto& payload : fmt::snapshot_payloads(snapshot, dirs)) {
        auto frame = fmt::frame_batch(nonce, image.size(), payload);
        if (!frame) return fail(E2BIG, "index record too large");
        image += *frame;
    }
    if (int err = io::write_all(hooks_, fd.get(), image, 0)) return fail(err, "writing index");
    if (int err = io::sync_file(hooks_, fd.get())) return fail(err, "syncing index");
    if (::rename(tmp.c_str(), path_.c_str()) != 0) return fail(errno, "renaming index");
    // From here the new file is in place and visible: success, whatever the directory fsync
    // says (a caller undoing its change now would contradict the file). A failed fsync is
    // retried before the next append.
    struct stat st {};
    ::fstat(fd.get(), &st);
    fd_ = std::move(fd);
    nonce_ = nonce;
    end_ = snapshot_end_ = image.size();
    ino_ = st.st_ino;
    needs_rewrite_ = false;
    dir_sync_pending_ = io::sync_dir(hooks_, path_.parent_path()) != 0;
    return {};
}

Result<void> IndexFile::append(std::string_view payload, bool durable) {
    if (!fd_ || needs_rewrite_) return io_error(EIO, "index needs a rewrite");
    if (payload.size() > fmt::kMaxJournalBatch) return io_error(E2BIG, "index batch too large for the journal");
    auto framed = fmt::frame_batch(nonce_, end_, payload);
    if (!framed) return io_error(E2BIG, "index batch refused");
    // The last rewrite's rename must be durable before anything is built on it.
    if (dir_sync_pending_) {
        if (int err = io::sync_dir(hooks_, path_.parent_path())) return io_error(err, "syncing index directory");
        dir_sync_pending_ = false;
    }
    const std::string& frame = *framed;
    int err = io::write_all(hooks_, fd_.get(), frame, static_cast<off_t>(end_));
    bool sync_failed = false;
    if (err == 0 && durable) {
        err = io::sync_file(hooks_, fd_.get());
        sync_failed = err != 0;
    }
    if (err != 0) {
        // Cut the batch off so that neither this process (on a reload) nor a later open applies
        // a change the caller was told failed. After a failed fdatasync ("fsyncgate") what the
        // kernel writes back later is unknown, so the next change rewrites the whole file.
        if (::ftruncate(fd_.get(), static_cast<off_t>(end_)) != 0 || sync_failed) needs_rewrite_ = true;
        return io_error(err, sync_failed ? "syncing index" : "writing index");
    }
    end_ += frame.size();
    return {};
}

bool IndexFile::changed_on_disk() const {
    struct stat st {};
    if (::stat(path_.c_str(), &st) != 0) return true;
    return st.st_ino != ino_ || static_cast<std::uint64_t>(st.st_size) != end_;
}

}  // namespace tern::mailbox
