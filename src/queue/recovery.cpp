// Opening a spool: taking the directory lock, reading state.log, scanning the segments
// (headers, envelopes and end markers only; bodies are skipped by length), cutting a torn tail,
// replaying states, deleting finished segments and rewriting state.log. Also the state-log
// compaction and segment deletion the commit thread uses. Policy: spool.hpp.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/crc32c.hpp"
#include "queue/spool_impl.hpp"

namespace tern::queue {

using format::StateRecord;
using format::StateType;

namespace {

constexpr const char* kStateLog = "state.log";
constexpr const char* kStateLogTmp = "state.log.tmp";
constexpr std::size_t kWindow = 1u << 20;

std::string errno_text(const std::string& what) { return what + ": " + std::strerror(errno); }

// Sequential reads through a 1 MiB window: small records are read in bulk, large bodies are
// skipped (a request outside the window refills it at the requested offset).
class SegmentReader {
public:
    SegmentReader(int fd, std::uint64_t size) : fd_(fd), size_(size) {}

    // `len` bytes at `off`, valid until the next call; nullptr past the end or on an I/O
    // error (then io_error() is set).
    const char* get(std::uint64_t off, std::size_t len) {
        if (off >= buf_off_ && off - buf_off_ + len <= buf_len_) return buf_.data() + (off - buf_off_);
        if (off > size_ || len > size_ - off) return nullptr;
        std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(std::max(len, kWindow), size_ - off));
        if (buf_.size() < want) buf_.resize(want);
        std::size_t got = 0;
        while (got < want) {
            ssize_t n = ::pread(fd_, buf_.data() + got, want - got, static_cast<off_t>(off + got));
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) {
                io_error_ = errno;
                break;
            }
            if (n == 0) break;
            got += static_cast<std::size_t>(n);
        }
        buf_off_ = off;
        buf_len_ = got;
        return got >= len ? buf_.data() : nullptr;
    }
    int io_error() const { return io_error_; }

private:
    int fd_;
    std::uint64_t size_;
    std::vector<char> buf_;
    std::uint64_t buf_off_ = 0;
    std::size_t buf_len_ = 0;
    int io_error_ = 0;
};

struct Found {
    format::RecordHeader header;
    Envelope envelope;
};

// The complete, checked record at `off`, or nullopt. The body checksum is left to load().
std::optional<Found> try_record(SegmentReader& r, std::uint64_t nonce, std::uint64_t off,
                                std::uint64_t limit) {
    const char* p = r.get(off, format::kRecordHeaderSize);
    if (!p) return std::nullopt;
    auto h = format::decode_record_header(p, nonce, off);
    if (!h || h->record_len() > limit - off) return std::nullopt;
    p = r.get(off + format::kRecordHeaderSize, h->envelope_len);
    if (!p || crc32c(p, h->envelope_len) != h->envelope_crc) return std::nullopt;
    auto env = format::decode_envelope(std::string_view(p, h->envelope_len));
    if (!env) return std::nullopt;
    p = r.get(off + format::kRecordHeaderSize + h->envelope_len + h->body_len,
              format::kRecordTrailerSize);
    if (!p || !format::check_record_trailer(*h, p)) return std::nullopt;
    return Found{*h, std::move(*env)};
}

// The offset of the next valid record after a bad one, or nullopt when none follows.
std::optional<std::uint64_t> resync(SegmentReader& r, std::uint64_t nonce, std::uint64_t from,
                                    std::uint64_t limit) {
    std::vector<char> chunk;
    std::uint64_t pos = from;
    while (pos + format::kRecordOverhead <= limit) {
        auto n = static_cast<std::size_t>(std::min<std::uint64_t>(kWindow, limit - pos));
        const char* p = r.get(pos, n);
        if (!p) return std::nullopt;
        chunk.assign(p, p + n);
        for (std::size_t i = 0; i + 4 <= n; ++i) {
            const void* hit = ::memmem(chunk.data() + i, n - i, format::kRecordMagic, 4);
            if (!hit) break;
            i = static_cast<std::size_t>(static_cast<const char*>(hit) - chunk.data());
            if (try_record(r, nonce, pos + i, limit)) return pos + i;
        }
        if (n < kWindow) break;
        pos += n - 3;  // a magic may straddle the chunk boundary
    }
    return std::nullopt;
}

bool all_final(const std::vector<RecipientState>& rs) {
    for (const auto& r : rs)
        if (!is_final(r.status)) return false;
    return true;
}

}  // namespace

// ---------------------------------------------------------------- open

bool Spool::Impl::recover(std::string& error) {
    const std::string dir = opt.dir.string();
    std::error_code ec;
    bool created = std::filesystem::create_directories(opt.dir, ec);
    if (ec) {
        error = dir + ": " + ec.message();
        return false;
    }
    if (created && opt.dir.has_parent_path()) {  // make the new directory's entry durable
        Fd parent(::open(opt.dir.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (parent) (void)::fsync(parent.get());
    }
    dir_fd.reset(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir_fd) {
        error = errno_text(dir);
        return false;
    }
    lock_fd.reset(::openat(dir_fd.get(), "lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    if (!lock_fd) {
        error = errno_text(dir + "/lock");
        return false;
    }
    if (::flock(lock_fd.get(), LOCK_EX | LOCK_NB) != 0) {
        error = errno == EWOULDBLOCK ? dir + ": spool is in use by another process"
                                     : errno_text(dir + "/lock");
        return false;
    }
    if (::unlinkat(dir_fd.get(), kStateLogTmp, 0) != 0 && errno != ENOENT) {
        error = errno_text(dir + "/" + kStateLogTmp);
        return false;
    }

    // 1. state.log: read first, since its Seal records bound the segment scans.
    std::vector<StateRecord> states;
    std::string state_bytes;  // the log as read, to skip rewriting an already compact one
    {
        Fd fd(::openat(dir_fd.get(), kStateLog, O_RDONLY | O_CLOEXEC));
        if (!fd && errno != ENOENT) {
            error = errno_text(dir + "/" + kStateLog);
            return false;
        }
        std::string& bytes = state_bytes;
        if (fd) {
            char buf[65536];
            for (;;) {
                ssize_t n = ::read(fd.get(), buf, sizeof buf);
                if (n < 0 && errno == EINTR) continue;
                if (n < 0) {
                    error = errno_text(dir + "/" + kStateLog);
                    return false;
                }
                if (n == 0) break;
                bytes.append(buf, static_cast<std::size_t>(n));
            }
            const std::size_t header_size = format::state_log_header_size(bytes);
            if (header_size == 0) {
                error = dir + "/" + kStateLog +
                        (bytes.starts_with("TERNS ") ? ": unsupported state log version"
                                                     : ": not a Tern state log");
                return false;
            }
            std::string_view rest(bytes);
            rest.remove_prefix(header_size);
            std::uint64_t pos = header_size;
            while (!rest.empty()) {
                std::size_t used = 0;
                auto rec = format::decode_state_record(rest, used);
                if (!rec) {
                    report.warnings.push_back(
                        "state.log: unreadable record at offset " + std::to_string(pos) + "; " +
                        std::to_string(rest.size()) +
                        " bytes ignored (those state changes are lost: deliveries are retried)");
                    break;
                }
                states.push_back(std::move(*rec));
                rest.remove_prefix(used);
                pos += used;
            }
        }
    }
    report.state_records = states.size();
    std::map<std::uint64_t, std::uint64_t> seals;
    for (const auto& s : states)
        if (s.type == StateType::Seal) seals[s.segment] = s.offset;

    // 2. Segments, oldest first.
    std::vector<std::uint64_t> numbers;
    for (const auto& de : std::filesystem::directory_iterator(opt.dir, ec)) {
        if (auto n = format::parse_segment_file_name(de.path().filename().string()))
            numbers.push_back(*n);
    }
    if (ec) {
        error = dir + ": " + ec.message();
        return false;
    }
    std::sort(numbers.begin(), numbers.end());
    if (!numbers.empty()) next_segment = numbers.back() + 1;

    for (std::size_t i = 0; i < numbers.size(); ++i) {
        const std::uint64_t number = numbers[i];
        const bool newest = i + 1 == numbers.size();
        const std::string name = format::segment_file_name(number);
        const std::string path = dir + "/" + name;
        Fd fd(::openat(dir_fd.get(), name.c_str(), O_RDWR | O_CLOEXEC));
        struct stat st {};
        if (!fd || ::fstat(fd.get(), &st) != 0) {
            error = errno_text(path);
            return false;
        }
        const auto file_size = static_cast<std::uint64_t>(st.st_size);
        if (file_size < format::kSegmentHeaderSize) {
            // A crash while the segment was being created: it never held a record.
            if (::unlinkat(dir_fd.get(), name.c_str(), 0) != 0) {
                error = errno_text(path);
                return false;
            }
            report.warnings.push_back(name + ": incomplete segment header; file removed");
            continue;
        }
        SegmentReader reader(fd.get(), file_size);
        const char* hp = reader.get(0, format::kSegmentHeaderSize);
        std::string herr;
        auto header = hp ? format::parse_segment_header(
                               std::string_view(hp, format::kSegmentHeaderSize), herr)
                         : std::nullopt;
        if (!header || header->segment != number) {
            error = path + ": " +
                    (!hp ? std::string("cannot read header")
                         : header ? "header names segment " + std::to_string(header->segment)
                                  : herr);
            return false;
        }
        Segment seg;
        seg.nonce = header->nonce;
        if (auto s = seals.find(number); s != seals.end()) seg.sealed = s->second;
        const std::uint64_t limit = seg.sealed ? std::min(*seg.sealed, file_size) : file_size;

        std::uint64_t off = format::kSegmentHeaderSize;
        bool bad_tail = false;
        while (off < limit) {
            if (auto rec = try_record(reader, seg.nonce, off, limit)) {
                Message m;
                m.recipients.resize(rec->envelope.recipients.size());
                m.envelope = std::move(rec->envelope);
                m.envelope_len = rec->header.envelope_len;
                m.body_len = rec->header.body_len;
                m.body_crc = rec->header.body_crc;
                messages.emplace(Key{number, off}, std::move(m));
                ++report.messages;
                off += rec->header.record_len();
                continue;
            }
            if (reader.io_error()) break;
            if (auto next = resync(reader, seg.nonce, off + 1, limit)) {
                report.warnings.push_back(name + ": corrupt record at offset " +
                                          std::to_string(off) + "; skipped " +
                                          std::to_string(*next - off) + " bytes");
                ++report.skipped_regions;
                off = *next;
                continue;
            }
            bad_tail = true;
            break;
        }
        if (reader.io_error()) {
            errno = reader.io_error();
            error = errno_text(path);
            return false;
        }
        seg.size = off;
        if (bad_tail && newest && !seg.sealed) {
            // A torn write of a batch that was never acknowledged: cut it off.
            if (::ftruncate(fd.get(), static_cast<off_t>(off)) == 0 && sync_file(fd.get())) {
                report.torn_bytes += file_size - off;
            } else {
                seg.sealed = off;  // cannot cut: never append here, ignore the rest
                report.warnings.push_back(name + ": cannot truncate torn tail (" +
                                          std::strerror(errno) + "); segment sealed");
            }
        } else if (bad_tail) {
            report.warnings.push_back(name + ": " + std::to_string(limit - off) +
                                      " unreadable bytes at the end ignored");
        }
        if (newest && !seg.sealed && seg.size < opt.segment_size) {
            current = number;
            current_fd = std::move(fd);
        }
        segments.emplace(number, std::move(seg));
    }
    report.segments = segments.size();

    // 3. Replay the states; messages with every recipient final are done.
    std::map<Key, bool> done_marks;
    for (const auto& s : states) {
        if (s.type == StateType::Seal) continue;
        auto it = messages.find(Key{s.segment, s.offset});
        if (it == messages.end()) continue;  // its segment is gone: the message was done
        Message& m = it->second;
        if (s.type == StateType::Recipient) {
            if (s.index < m.recipients.size()) m.recipients[s.index] = s.state;
            continue;
        }
        if (s.type == StateType::Hold) {
            m.held = s.held;
            continue;
        }
        if (s.type == StateType::Removed)
            for (auto& r : m.recipients)
                if (!is_final(r.status)) {
                    r.status = RecipientStatus::Failed;
                    r.last_error = "removed by administrator";
                }
        m.done = true;
    }
    for (auto it = messages.begin(); it != messages.end();) {
        Segment& seg = segments.at(it->first.segment);
        if (it->second.done || all_final(it->second.recipients)) {
            seg.done_offsets.push_back(it->first.offset);
            it = messages.erase(it);
        } else {
            ++seg.live;
            ++live_count;
            ++it;
        }
    }

    // 4. Delete finished segments, then rewrite state.log with just what is still needed.
    collect_segments();
    if (!compact_state_log(&state_bytes))
        report.warnings.push_back(std::string("state.log: cannot rewrite (") +
                                  std::strerror(errno) + "); will retry");
    return true;
}

// ---------------------------------------------------------------- maintenance

void Spool::Impl::collect_segments() {
    if (segments.empty()) return;
    // The newest segment always stays: its number is the high-water mark that keeps segment
    // numbers (and so message ids) from ever being reused.
    const std::uint64_t newest = segments.rbegin()->first;
    std::vector<std::uint64_t> removed;
    for (const auto& [n, s] : segments) {
        if (n == newest || s.live > 0 || (current && *current == n)) continue;
        std::string name = format::segment_file_name(n);
        if (::unlinkat(dir_fd.get(), name.c_str(), 0) == 0 || errno == ENOENT)
            removed.push_back(n);
    }
    if (removed.empty()) return;
    // Make the unlinks durable before a compaction forgets their Done records (on failure a
    // crash could bring a segment back, with its messages delivered again: retries are safe).
    (void)sync_dir();
    std::unique_lock ix(index_mu);
    for (auto n : removed) segments.erase(n);
    stats.segments_deleted.fetch_add(removed.size(), std::memory_order_relaxed);
}

bool Spool::Impl::compact_state_log(const std::string* existing) {
    std::string buf(format::kStateLogHeader);
    {
        std::shared_lock ix(index_mu);
        StateRecord r;
        for (const auto& [n, s] : segments) {
            r.segment = n;
            if (s.sealed) {
                r.type = StateType::Seal;
                r.offset = *s.sealed;
                format::append_state_record(r, buf);
            }
            r.type = StateType::Done;
            for (auto off : s.done_offsets) {
                r.offset = off;
                format::append_state_record(r, buf);
            }
        }
        for (const auto& [k, m] : messages) {
            r.segment = k.segment;
            r.offset = k.offset;
            if (m.done) {
                r.type = StateType::Done;
                format::append_state_record(r, buf);
                continue;
            }
            if (m.held) {  // a release needs no record: not held is the default
                r.type = StateType::Hold;
                r.held = true;
                format::append_state_record(r, buf);
            }
            r.type = StateType::Recipient;
            for (std::size_t i = 0; i < m.recipients.size(); ++i) {
                if (m.recipients[i] == RecipientState{}) continue;
                r.index = static_cast<std::uint32_t>(i);
                r.state = m.recipients[i];
                format::append_state_record(r, buf);
            }
        }
    }
    if (existing && *existing == buf) {
        // At open, after a clean shutdown: the log is already exactly this. Keep it, but sync it,
        // since after a kill -9 what we read may still be only in the page cache.
        Fd fd(::openat(dir_fd.get(), kStateLog, O_RDWR | O_CLOEXEC));
        if (fd && sync_file(fd.get())) {
            state_fd = std::move(fd);
            state_size = state_compacted_size = buf.size();
            state_broken = false;
            return true;
        }
    }
    // temp file, fsync, rename, fsync the directory: the old log stays valid until the rename,
    // so a failure before it leaves the spool appending to the old log as before.
    Fd fd(::openat(dir_fd.get(), kStateLogTmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    std::vector<iovec> iov{{buf.data(), buf.size()}};
    if (!fd || !write_all(fd.get(), std::move(iov), 0) || !sync_file(fd.get()) ||
        ::renameat(dir_fd.get(), kStateLogTmp, dir_fd.get(), kStateLog) != 0) {
        int saved = errno;
        ::unlinkat(dir_fd.get(), kStateLogTmp, 0);
        errno = saved;
        if (!state_fd) state_broken = true;  // at open: no log to append to yet
        return false;
    }
    state_fd = std::move(fd);
    state_size = state_compacted_size = buf.size();
    state_unwritten.clear();
    if (!sync_dir()) {
        state_broken = true;  // the rename may not be durable: rewrite again next batch
        return false;
    }
    state_broken = false;
    stats.compactions.fetch_add(1, std::memory_order_relaxed);
    return true;
}

}  // namespace tern::queue
