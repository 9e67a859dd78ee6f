// The spool's public operations and its commit thread (group commit). Design, format and the
// durability argument: spool.hpp and format.hpp. Recovery and compaction: recovery.cpp.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <future>
#include <random>

#include "core/crc32c.hpp"
#include "queue/spool_impl.hpp"

namespace tern::queue {

using format::StateRecord;
using format::StateType;

namespace {

Outcome storage_failure() {
    return Outcome::temporary("4.3.1", "Insufficient system storage", 452);
}

std::uint64_t random_nonce() {
    std::random_device rd;
    return (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
}

Key key_of(const format::IdParts& p) { return {p.segment, p.offset}; }

bool all_final(const std::vector<RecipientState>& rs) {
    for (const auto& r : rs)
        if (!is_final(r.status)) return false;
    return true;
}

}  // namespace

void Fd::reset(int fd) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
}

// ---------------------------------------------------------------- system calls

bool Spool::Impl::write_all(int fd, std::vector<iovec> iov, std::uint64_t offset) {
    std::size_t first = 0;
    while (first < iov.size()) {
        int count = static_cast<int>(std::min<std::size_t>(iov.size() - first, IOV_MAX));
        ssize_t n = opt.pwritev_hook
                        ? opt.pwritev_hook(fd, &iov[first], count, static_cast<off_t>(offset))
                        : ::pwritev(fd, &iov[first], count, static_cast<off_t>(offset));
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        if (n == 0) {
            errno = EIO;
            return false;
        }
        offset += static_cast<std::uint64_t>(n);
        auto left = static_cast<std::size_t>(n);
        while (first < iov.size() && left >= iov[first].iov_len) left -= iov[first++].iov_len;
        if (left > 0) {
            iov[first].iov_base = static_cast<char*>(iov[first].iov_base) + left;
            iov[first].iov_len -= left;
        }
        while (first < iov.size() && iov[first].iov_len == 0) ++first;
    }
    return true;
}

bool Spool::Impl::sync_file(int fd) {
    int r = opt.fsync_hook ? opt.fsync_hook(fd) : ::fdatasync(fd);
    if (r == 0) stats.syncs.fetch_add(1, std::memory_order_relaxed);
    return r == 0;
}

bool Spool::Impl::sync_dir() {
    int r = opt.fsync_hook ? opt.fsync_hook(dir_fd.get()) : ::fsync(dir_fd.get());
    if (r == 0) stats.syncs.fetch_add(1, std::memory_order_relaxed);
    return r == 0;
}

std::optional<std::uint64_t> Spool::Impl::free_space() {
    if (opt.free_space_hook) return opt.free_space_hook();
    struct statvfs st {};
    if (::fstatvfs(dir_fd.get(), &st) != 0) return std::nullopt;
    return static_cast<std::uint64_t>(st.f_bavail) * st.f_frsize;
}

// ---------------------------------------------------------------- commit thread

void Spool::Impl::run() {
    for (;;) {
        std::vector<PendingCommit> batch;
        std::vector<PendingUpdate> ups;
        {
            std::unique_lock lk(mu);
            work_cv.wait(lk, [&] { return stopping || !commits.empty() || !updates.empty(); });
            if (commits.empty() && updates.empty()) {  // stopping, drained
                thread_running = false;
                break;
            }
            std::uint64_t bytes = 0;
            while (!commits.empty() &&
                   (batch.empty() || bytes + commits.front().record_len() <= opt.max_batch_bytes)) {
                bytes += commits.front().record_len();
                batch.push_back(std::move(commits.front()));
                commits.pop_front();
            }
            ups.swap(updates);
        }
        std::vector<CommitResult> results(batch.size());
        if (!batch.empty()) write_commits(batch, results);
        for (std::size_t i = 0; i < batch.size(); ++i) {
            (results[i].outcome.is_ok() ? stats.commits : stats.commit_failures)
                .fetch_add(1, std::memory_order_relaxed);
            batch[i].done(std::move(results[i]));
        }
        write_states(ups);
        {
            std::lock_guard lk(mu);
            commits_finished += batch.size();
            updates_finished += ups.size();
        }
        flushed_cv.notify_all();
    }
}

bool Spool::Impl::open_new_segment() {
    std::uint64_t number = next_segment++;
    std::string name = format::segment_file_name(number);
    Fd fd(::openat(dir_fd.get(), name.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!fd) return false;
    std::uint64_t nonce = random_nonce();
    std::string header = format::segment_header(number, nonce);
    std::vector<iovec> iov{{header.data(), header.size()}};
    // The header and the directory entry are durable before any record in the segment is
    // acknowledged; otherwise a crash could lose the whole file.
    if (!write_all(fd.get(), iov, 0) || !sync_file(fd.get()) || !sync_dir()) {
        ::unlinkat(dir_fd.get(), name.c_str(), 0);
        return false;
    }
    {
        std::unique_lock ix(index_mu);
        Segment& s = segments[number];
        s.nonce = nonce;
        s.size = format::kSegmentHeaderSize;
    }
    current = number;
    current_fd = std::move(fd);
    stats.segments_created.fetch_add(1, std::memory_order_relaxed);
    collect_segments();  // the previous newest may have nothing left in it
    return true;
}

void Spool::Impl::seal_current(std::uint64_t good_length) {
    {
        std::unique_lock ix(index_mu);
        segments[*current].sealed = good_length;
    }
    StateRecord seal;
    seal.type = StateType::Seal;
    seal.segment = *current;
    seal.offset = good_length;
    internal_records.push_back(seal);
    current.reset();
    current_fd.reset();
}

void Spool::Impl::write_commits(std::vector<PendingCommit>& batch,
                                std::vector<CommitResult>& results) {
    // Envelopes without recipients are refused outright; the rest forms the batch.
    std::vector<std::size_t> todo;
    std::uint64_t bytes = 0;
    for (std::size_t i = 0; i < batch.size(); ++i) {
        if (batch[i].envelope.recipients.empty()) {
            results[i].outcome = Outcome::permanent("5.5.1", "No valid recipients", 554);
            continue;
        }
        todo.push_back(i);
        bytes += batch[i].record_len();
    }
    if (todo.empty()) return;
    auto fail_all = [&] {
        for (std::size_t i : todo) results[i].outcome = storage_failure();
    };

    auto avail = free_space();
    if (!avail || *avail < opt.min_free_bytes || *avail - opt.min_free_bytes < bytes) {
        fail_all();
        return;
    }
    if (current) {
        std::uint64_t size = segments.at(*current).size;  // only this thread changes it
        if (size > format::kSegmentHeaderSize && size + bytes > opt.segment_size) {
            current.reset();  // rolled: the old segment stays, complete, until its mail is done
            current_fd.reset();
        }
    }
    if (!current && !open_new_segment()) {
        fail_all();
        return;
    }
    const std::uint64_t seg = *current;
    Segment& s = segments.at(seg);  // node stays valid: only this thread erases segments
    const std::uint64_t start = s.size;

    // Build the records: header | envelope | prefix | data | trailer, one pwritev for all.
    std::vector<format::RecordHeader> heads(todo.size());
    std::vector<char> frames(todo.size() * format::kRecordOverhead);
    std::vector<iovec> iov;
    iov.reserve(todo.size() * 5);
    std::vector<std::uint64_t> offsets(todo.size());
    std::uint64_t off = start;
    for (std::size_t k = 0; k < todo.size(); ++k) {
        PendingCommit& c = batch[todo[k]];
        format::RecordHeader& h = heads[k];
        h.envelope_len = static_cast<std::uint32_t>(c.envelope_bytes.size());
        h.envelope_crc = c.envelope_crc;
        h.body_len = c.prefix.size() + c.data.size();
        h.body_crc = c.body_crc;
        char* head = &frames[k * format::kRecordOverhead];
        char* trailer = head + format::kRecordHeaderSize;
        format::encode_record_header(h, s.nonce, off, head);
        format::encode_record_trailer(h, trailer);
        iov.push_back({head, format::kRecordHeaderSize});
        iov.push_back({c.envelope_bytes.data(), c.envelope_bytes.size()});
        if (!c.prefix.empty()) iov.push_back({c.prefix.data(), c.prefix.size()});
        if (!c.data.empty()) iov.push_back({c.data.data(), c.data.size()});
        iov.push_back({trailer, format::kRecordTrailerSize});
        offsets[k] = off;
        off += h.record_len();
    }

    if (!write_all(current_fd.get(), std::move(iov), start)) {
        // The page cache is still trustworthy after a failed write: cut the partial batch off
        // and keep appending here. If even that fails, seal the segment at its good length.
        if (::ftruncate(current_fd.get(), static_cast<off_t>(start)) != 0) seal_current(start);
        fail_all();
        return;
    }
    if (!sync_file(current_fd.get())) {
        // After a failed fsync the kernel may have dropped the dirty pages and cleared the
        // error: nothing in this file past `start` can be trusted. Truncate (best effort so
        // the batch does not reappear), seal, and start a fresh segment next time.
        if (::ftruncate(current_fd.get(), static_cast<off_t>(start)) == 0)
            (void)sync_file(current_fd.get());
        seal_current(start);
        fail_all();
        return;
    }
    stats.batches.fetch_add(1, std::memory_order_relaxed);
    {
        std::unique_lock ix(index_mu);
        for (std::size_t k = 0; k < todo.size(); ++k) {
            PendingCommit& c = batch[todo[k]];
            Message m;
            m.recipients.resize(c.envelope.recipients.size());
            m.envelope = std::move(c.envelope);
            m.envelope_len = heads[k].envelope_len;
            m.body_len = heads[k].body_len;
            m.body_crc = heads[k].body_crc;
            messages.emplace(Key{seg, offsets[k]}, std::move(m));
        }
        s.size = off;
        s.live += todo.size();
        live_count += todo.size();
    }
    for (std::size_t k = 0; k < todo.size(); ++k) {
        CommitResult& r = results[todo[k]];
        r.id = format::make_id(seg, offsets[k]);
        r.outcome = Outcome::ok("OK queued as " + r.id);
    }
}

void Spool::Impl::write_states(std::vector<PendingUpdate>& ups) {
    for (const auto& u : ups)
        if (u.makes_done)
            done_unsynced.push_back({u.record.segment, u.record.offset});
    if (state_broken) {
        // state.log is in an unknown state: rewrite it from memory, which already holds
        // every update and seal (they are applied before they are queued).
        if (!compact_state_log()) return;
        internal_records.clear();
        state_unwritten.clear();
    } else {
        // Records a failed write left over come first, keeping the log in memory order.
        std::string buf = std::move(state_unwritten);
        state_unwritten.clear();
        for (const auto& u : ups) format::append_state_record(u.record, buf);
        for (const auto& r : internal_records) format::append_state_record(r, buf);
        internal_records.clear();
        if (!buf.empty()) {
            std::vector<iovec> iov{{buf.data(), buf.size()}};
            if (!write_all(state_fd.get(), std::move(iov), state_size)) {
                // A failed write (ENOSPC) leaves the page cache trustworthy: cut the partial
                // write off and retry these records with the next batch.
                if (::ftruncate(state_fd.get(), static_cast<off_t>(state_size)) == 0)
                    state_unwritten = std::move(buf);
                else
                    state_broken = true;
                return;
            }
            if (!sync_file(state_fd.get())) {
                // After a failed sync nothing in this file can be trusted: rewrite it.
                state_broken = true;
                return;
            }
            state_size += buf.size();
            stats.state_records.fetch_add(ups.size(), std::memory_order_relaxed);
        }
    }
    // The final states are durable: the done messages leave the index for good.
    if (!done_unsynced.empty()) {
        std::unique_lock ix(index_mu);
        for (const Key& k : done_unsynced) {
            auto it = messages.find(k);
            if (it == messages.end() || !it->second.done) continue;
            messages.erase(it);
            auto s = segments.find(k.segment);
            if (s != segments.end()) {
                --s->second.live;
                s->second.done_offsets.push_back(k.offset);
            }
        }
        done_unsynced.clear();
    }
    collect_segments();
    if (state_size > opt.state_log_compact_bytes && state_size > 2 * state_compacted_size)
        (void)compact_state_log();
}

// ---------------------------------------------------------------- public API

Spool::Spool(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Spool::~Spool() { close(); }

std::unique_ptr<Spool> Spool::open(Options options, std::string& error) {
    auto impl = std::make_unique<Impl>(std::move(options));
    if (!impl->recover(error)) return nullptr;
    Impl* p = impl.get();
    p->thread_running = true;
    p->thread = std::thread([p] { p->run(); });
    return std::unique_ptr<Spool>(new Spool(std::move(impl)));
}

CommitResult Spool::commit_and_wait(Envelope envelope, std::string prefix, std::string data) {
    std::promise<CommitResult> done;
    auto result = done.get_future();
    commit(std::move(envelope), std::move(prefix), std::move(data),
           [&done](CommitResult r) { done.set_value(std::move(r)); });
    return result.get();
}

void Spool::commit(Envelope envelope, std::string prefix, std::string data,
                   std::function<void(CommitResult)> done) {
    Impl::PendingCommit c;
    // Serialize and checksum here, in the caller's thread, so the commit thread only writes.
    c.envelope_bytes = format::encode_envelope(envelope);
    c.envelope_crc = crc32c(c.envelope_bytes.data(), c.envelope_bytes.size());
    c.body_crc = crc32c_extend(crc32c(prefix.data(), prefix.size()), data.data(), data.size());
    c.envelope = std::move(envelope);
    c.prefix = std::move(prefix);
    c.data = std::move(data);
    c.done = std::move(done);
    {
        std::lock_guard lk(impl_->mu);
        if (!impl_->stopping) {
            impl_->commits.push_back(std::move(c));
            ++impl_->commits_queued;
            impl_->work_cv.notify_one();
            return;
        }
    }
    c.done({Outcome::temporary("4.3.0", "Queue is shut down", 451), {}});
}

void Spool::Impl::enqueue_update(format::StateRecord record, bool makes_done) {
    std::lock_guard lk(mu);
    if (!thread_running) return;  // closed: memory only
    updates.push_back({std::move(record), makes_done});
    ++updates_queued;
    work_cv.notify_one();
}

void Spool::update(const std::string& id, std::size_t recipient_index, RecipientState state) {
    auto parts = format::parse_id(id);
    if (!parts) return;
    // Memory and queue change under one lock so the log order matches the memory order.
    std::unique_lock ix(impl_->index_mu);
    auto it = impl_->messages.find(key_of(*parts));
    if (it == impl_->messages.end() || it->second.done ||
        recipient_index >= it->second.recipients.size())
        return;
    it->second.recipients[recipient_index] = state;
    bool done = all_final(it->second.recipients);
    if (done) {
        it->second.done = true;
        --impl_->live_count;
    }
    StateRecord r;
    r.type = StateType::Recipient;
    r.segment = parts->segment;
    r.offset = parts->offset;
    r.index = static_cast<std::uint32_t>(recipient_index);
    r.state = std::move(state);
    impl_->enqueue_update(std::move(r), done);
}

void Spool::remove(const std::string& id) {
    auto parts = format::parse_id(id);
    if (!parts) return;
    std::unique_lock ix(impl_->index_mu);
    auto it = impl_->messages.find(key_of(*parts));
    if (it == impl_->messages.end() || it->second.done) return;
    for (auto& r : it->second.recipients) {
        if (is_final(r.status)) continue;
        r.status = RecipientStatus::Failed;
        r.last_error = "removed by administrator";
    }
    it->second.done = true;
    --impl_->live_count;
    StateRecord r;
    r.type = StateType::Removed;
    r.segment = parts->segment;
    r.offset = parts->offset;
    impl_->enqueue_update(std::move(r), true);
}

void Spool::set_held(const std::string& id, bool held) {
    auto parts = format::parse_id(id);
    if (!parts) return;
    std::unique_lock ix(impl_->index_mu);
    auto it = impl_->messages.find(key_of(*parts));
    if (it == impl_->messages.end() || it->second.done || it->second.held == held) return;
    it->second.held = held;
    StateRecord r;
    r.type = StateType::Hold;
    r.segment = parts->segment;
    r.offset = parts->offset;
    r.held = held;
    impl_->enqueue_update(std::move(r), false);
}

bool Spool::retry_now(const std::string& id) {
    auto parts = format::parse_id(id);
    if (!parts) return false;
    std::unique_lock ix(impl_->index_mu);
    auto it = impl_->messages.find(key_of(*parts));
    if (it == impl_->messages.end() || it->second.done || it->second.held) return false;
    auto& rs = it->second.recipients;
    for (std::size_t i = 0; i < rs.size(); ++i) {
        if (is_final(rs[i].status) || rs[i].next_attempt == 0) continue;
        rs[i].next_attempt = 0;
        StateRecord r;
        r.type = StateType::Recipient;
        r.segment = parts->segment;
        r.offset = parts->offset;
        r.index = static_cast<std::uint32_t>(i);
        r.state = rs[i];
        impl_->enqueue_update(std::move(r), false);
    }
    return true;
}

std::optional<std::string> Spool::load(const std::string& id, std::string& error) const {
    auto parts = format::parse_id(id);
    if (!parts) {
        error = "malformed queue id \"" + id + "\"";
        return std::nullopt;
    }
    std::uint64_t body_offset, body_len;
    std::uint32_t body_crc;
    {
        std::shared_lock ix(impl_->index_mu);
        auto it = impl_->messages.find(key_of(*parts));
        if (it == impl_->messages.end()) {
            error = "no message " + id + " in the queue";
            return std::nullopt;
        }
        body_offset = parts->offset + format::kRecordHeaderSize + it->second.envelope_len;
        body_len = it->second.body_len;
        body_crc = it->second.body_crc;
    }
    // A descriptor of our own: the segment may be deleted meanwhile only if the message is done.
    std::string name = format::segment_file_name(parts->segment);
    Fd fd(::openat(impl_->dir_fd.get(), name.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        error = name + ": " + std::strerror(errno);
        return std::nullopt;
    }
    std::string body(body_len, '\0');
    std::uint64_t got = 0;
    while (got < body_len) {
        ssize_t n = ::pread(fd.get(), body.data() + got, body_len - got,
                            static_cast<off_t>(body_offset + got));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            error = name + ": " + (n == 0 ? std::string("unexpected end of file")
                                          : std::string(std::strerror(errno)));
            return std::nullopt;
        }
        got += static_cast<std::uint64_t>(n);
    }
    if (crc32c(body.data(), body.size()) != body_crc) {
        error = "message " + id + ": body checksum mismatch in " + name;
        return std::nullopt;
    }
    return body;
}

std::vector<QueueEntry> Spool::entries() const {
    std::shared_lock ix(impl_->index_mu);
    std::vector<QueueEntry> out;
    out.reserve(impl_->live_count);
    for (const auto& [k, m] : impl_->messages) {
        if (m.done) continue;
        out.push_back(
            {format::make_id(k.segment, k.offset), m.envelope, m.recipients, m.body_len, m.held});
    }
    return out;
}

std::optional<QueueEntry> Spool::entry(const std::string& id) const {
    auto parts = format::parse_id(id);
    if (!parts) return std::nullopt;
    std::shared_lock ix(impl_->index_mu);
    auto it = impl_->messages.find(key_of(*parts));
    if (it == impl_->messages.end() || it->second.done) return std::nullopt;
    return QueueEntry{format::make_id(parts->segment, parts->offset), it->second.envelope,
                      it->second.recipients, it->second.body_len, it->second.held};
}

std::size_t Spool::size() const {
    std::shared_lock ix(impl_->index_mu);
    return impl_->live_count;
}

void Spool::flush() {
    std::unique_lock lk(impl_->mu);
    if (!impl_->thread_running) return;
    std::uint64_t c = impl_->commits_queued, u = impl_->updates_queued;
    impl_->flushed_cv.wait(lk, [&] {
        return !impl_->thread_running ||
               (impl_->commits_finished >= c && impl_->updates_finished >= u);
    });
}

void Spool::close() {
    {
        std::lock_guard lk(impl_->mu);
        if (impl_->stopping) return;
        impl_->stopping = true;
    }
    impl_->work_cv.notify_all();
    impl_->thread.join();
    impl_->flushed_cv.notify_all();
    impl_->current_fd.reset();
    impl_->state_fd.reset();
    impl_->lock_fd.reset();  // releases the flock
}

SpoolStats Spool::stats() const {
    const auto& s = impl_->stats;
    auto l = [](const std::atomic<std::uint64_t>& a) { return a.load(std::memory_order_relaxed); };
    return {l(s.commits),       l(s.commit_failures),  l(s.batches),          l(s.syncs),
            l(s.state_records), l(s.segments_created), l(s.segments_deleted), l(s.compactions)};
}

const RecoveryReport& Spool::recovery() const { return impl_->report; }

}  // namespace tern::queue
