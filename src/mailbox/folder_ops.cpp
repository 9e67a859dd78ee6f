// Folder: the mutating operations (APPEND, STORE, EXPUNGE, COPY, MOVE). Each follows the
// order argued in folder.hpp: change the Maildir, make it durable, then write the index
// durably, then publish; a failure undoes the Maildir change and publishes nothing.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>

#include "core/clock.hpp"
#include "mailbox/folder.hpp"
#include "store/maildir.hpp"

namespace tern::mailbox {

namespace fs = std::filesystem;
namespace fmt = index_format;

namespace {

// Distinguishes names made in the same microsecond by this process (make_unique_base's Q).
std::atomic<std::uint64_t> g_name_counter{0};

struct Rename {
    fs::path from, to;
};

void undo(const std::vector<Rename>& plan, std::vector<char>& done) {
    for (std::size_t i = plan.size(); i-- > 0;) {
        if (done[i]) ::rename(plan[i].to.c_str(), plan[i].from.c_str());
        done[i] = 0;
    }
}

// Performs the renames in order; a source that is missing (ENOENT) is skipped and left with
// done = 0. Any other failure undoes everything done and returns its errno.
int rename_all(const std::vector<Rename>& plan, std::vector<char>& done) {
    done.assign(plan.size(), 0);
    for (std::size_t i = 0; i < plan.size(); ++i) {
        if (::rename(plan[i].from.c_str(), plan[i].to.c_str()) == 0) {
            done[i] = 1;
        } else if (errno != ENOENT) {
            int err = errno;
            undo(plan, done);
            return err;
        }
    }
    return 0;
}

bool all_done(const std::vector<char>& done) {
    return std::all_of(done.begin(), done.end(), [](char d) { return d != 0; });
}

Result<void> check_flags(const Flags& f) {
    if (f.keywords.size() > kMaxKeywordsPerMessage) return Error{ErrorCode::Limit, "too many keywords"};
    for (const auto& k : f.keywords)
        if (!is_valid_keyword(k)) return Error{ErrorCode::NotAllowed, "invalid keyword"};
    return {};
}

std::vector<std::uint32_t> sorted_unique(std::vector<std::uint32_t> uids) {
    std::sort(uids.begin(), uids.end());
    uids.erase(std::unique(uids.begin(), uids.end()), uids.end());
    return uids;
}

// Writes `data` to a new file `path`, fsyncs it and sets its mtime; 0 or an errno.
int write_message_file(const IoHooks& hooks, const fs::path& path, std::string_view data, std::int64_t mtime) {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd) return errno;
    int err = io::write_all(hooks, fd.get(), data, 0);
    if (err == 0) err = io::sync_file(hooks, fd.get());
    const struct timespec times[2] = {{static_cast<time_t>(mtime), 0}, {static_cast<time_t>(mtime), 0}};
    if (err == 0 && ::futimens(fd.get(), times) != 0) err = errno;
    if (err != 0) ::unlink(path.c_str());
    return err;
}

}  // namespace

std::string Folder::new_base(std::uint64_t disk_size, std::uint64_t rfc822_size) const {
    auto unique = store::make_unique_base(std::chrono::system_clock::now(), opt_.hostname, g_name_counter++);
    return store::maildir_file_name(unique, {disk_size, rfc822_size});
}

Result<AppendResult> Folder::append(std::string_view message, const Flags& flags, std::int64_t internal_date) {
    if (auto r = check_flags(flags); !r) return r.error();
    if (internal_date <= 0) internal_date = unix_now();
    const auto size = store::stored_size("", message);
    const auto base = new_base(size.on_disk, size.rfc822);
    const auto tmp = opt_.dir / "tmp" / base;
    // The slow part (write + fsync) runs before taking the folder lock.
    if (int err = write_message_file(opt_.hooks, tmp, io::crlf_to_lf(message), internal_date)) {
        if (err == ENOENT) return Error{ErrorCode::NotFound, "no such folder"};
        return io_error(err, "writing message file");
    }
    Locked lock(*this);
    if (auto r = prepare_locked(); !r) {
        ::unlink(tmp.c_str());
        return r.error();
    }
    if (current_->uidnext == UINT32_MAX) {
        ::unlink(tmp.c_str());
        return Error{ErrorCode::Limit, "no UIDs left in this folder"};
    }
    MessageRecord m;
    m.uid = current_->uidnext;
    m.modseq = current_->highestmodseq + 1;
    m.flags.system = flags.system;
    for (const auto& k : flags.keywords) add_keyword(m.flags.keywords, k);
    m.internal_date = internal_date;
    m.rfc822_size = size.rfc822;
    m.disk_size = size.on_disk;
    m.base = base;
    const auto dst = opt_.dir / "cur" / m.file_name();
    if (::rename(tmp.c_str(), dst.c_str()) != 0) {
        int err = errno;
        ::unlink(tmp.c_str());
        return io_error(err, "moving message into cur/");
    }
    if (int err = io::sync_dir(opt_.hooks, opt_.dir / "cur")) {
        ::unlink(dst.c_str());
        return io_error(err, "syncing folder");
    }
    SnapshotEditor ed(*current_);
    fmt::EntryWriter w;
    if (!ed.add(m)) {  // cannot happen: m.uid == uidnext < UINT32_MAX
        ::unlink(dst.c_str());
        (void)io::sync_dir(opt_.hooks, opt_.dir / "cur");
        return Error{ErrorCode::Limit, "no UIDs left in this folder"};
    }
    w.add(m);
    w.state(ed.uidnext(), ed.highestmodseq());
    if (auto r = commit_locked(std::move(ed).finish(), w.bytes(), true); !r) {
        ::unlink(dst.c_str());
        (void)io::sync_dir(opt_.hooks, opt_.dir / "cur");
        return r.error();
    }
    return AppendResult{current_->uidvalidity, m.uid, current_};
}

Result<StoreResult> Folder::store_flags(const std::vector<std::uint32_t>& uid_list, FlagMode mode, const Flags& flags,
                                        std::optional<std::uint64_t> unchanged_since) {
    if (auto r = check_flags(flags); !r) return r.error();
    const auto uids = sorted_unique(uid_list);
    Locked lock(*this);
    if (auto r = prepare_locked(); !r) return r.error();
    const fs::path cur = opt_.dir / "cur";
    for (int attempt = 0;; ++attempt) {
        StoreResult out;
        const std::uint64_t modseq = current_->highestmodseq + 1;
        std::vector<MessageRecord> next;
        std::vector<Rename> plan;
        std::vector<std::size_t> plan_of;  // next[i] -> its rename, or SIZE_MAX
        for (auto uid : uids) {
            const auto* rec = current_->messages.find(uid);
            if (rec == nullptr) continue;  // expunged meanwhile: STORE ignores it
            if (unchanged_since && rec->modseq > *unchanged_since) {
                out.modified.push_back(uid);
                continue;
            }
            MessageRecord m = *rec;
            m.flags = apply_flags(rec->flags, mode, flags);
            if (m.flags.keywords.size() > kMaxKeywordsPerMessage)
                return Error{ErrorCode::Limit, "too many keywords on a message"};
            if (m.flags == rec->flags) continue;
            m.modseq = modseq;
            auto from = rec->file_name(), to = m.file_name();
            plan_of.push_back(from == to ? SIZE_MAX : plan.size());
            if (from != to) plan.push_back({cur / from, cur / to});
            next.push_back(std::move(m));
        }
        std::vector<char> done;
        if (int err = rename_all(plan, done)) return io_error(err, "renaming message file");
        if (!all_done(done) && attempt == 0) {
            // Another program renamed a file since our last listing: list, then plan again.
            undo(plan, done);
            bool changed = false;
            if (auto r = scan_locked(true, true, changed); !r) return r.error();
            continue;
        }
        // Second attempt: files still missing are being changed by someone else right now;
        // leave those messages alone.
        std::vector<MessageRecord> applied;
        for (std::size_t i = 0; i < next.size(); ++i)
            if (plan_of[i] == SIZE_MAX || done[plan_of[i]]) applied.push_back(std::move(next[i]));
        if (!plan.empty()) {
            if (int err = io::sync_dir(opt_.hooks, cur)) {
                undo(plan, done);
                return io_error(err, "syncing folder");
            }
        }
        if (applied.empty()) {
            out.snapshot = current_;
            return out;
        }
        SnapshotEditor ed(*current_);
        fmt::EntryWriter w;
        for (auto& m : applied) {
            out.changed.push_back(m.uid);
            w.flags(m);
            ed.update(std::move(m));
        }
        w.state(ed.uidnext(), ed.highestmodseq());
        if (auto r = commit_locked(std::move(ed).finish(), w.bytes(), true); !r) {
            undo(plan, done);
            (void)io::sync_dir(opt_.hooks, cur);
            return r.error();
        }
        out.snapshot = current_;
        return out;
    }
}

Result<ExpungeResult> Folder::expunge(const std::vector<std::uint32_t>& uid_list) {
    const auto uids = sorted_unique(uid_list);
    Locked lock(*this);
    if (auto r = prepare_locked(); !r) return r.error();
    const fs::path cur = opt_.dir / "cur", tmp = opt_.dir / "tmp";
    for (int attempt = 0;; ++attempt) {
        std::vector<std::uint32_t> present;
        std::vector<Rename> plan;
        for (auto uid : uids) {
            const auto* rec = current_->messages.find(uid);
            if (rec == nullptr) continue;
            present.push_back(uid);
            plan.push_back({cur / rec->file_name(), tmp / (rec->base + std::string(kExpungedSuffix))});
        }
        std::vector<char> done;
        if (int err = rename_all(plan, done)) return io_error(err, "moving message file out");
        if (!all_done(done) && attempt == 0) {
            undo(plan, done);
            bool changed = false;
            if (auto r = scan_locked(true, true, changed); !r) return r.error();
            continue;
        }
        ExpungeResult out;
        for (std::size_t i = 0; i < present.size(); ++i)
            (done[i] ? out.expunged : out.failed).push_back(present[i]);
        if (out.expunged.empty()) {
            out.snapshot = current_;
            return out;
        }
        // The files must have left cur/ durably before the index forgets them; otherwise a
        // crash could bring them back as new messages.
        if (int err = io::sync_dir(opt_.hooks, cur)) {
            undo(plan, done);
            return io_error(err, "syncing folder");
        }
        const std::uint64_t modseq = current_->highestmodseq + 1;
        SnapshotEditor ed(*current_);
        fmt::EntryWriter w;
        w.expunge(modseq, out.expunged);
        ed.expunge(out.expunged, modseq);
        w.state(ed.uidnext(), ed.highestmodseq());
        if (auto r = commit_locked(std::move(ed).finish(), w.bytes(), true); !r) {
            undo(plan, done);
            (void)io::sync_dir(opt_.hooks, cur);
            return r.error();
        }
        for (std::size_t i = 0; i < plan.size(); ++i)
            if (done[i]) ::unlink(plan[i].to.c_str());
        cache_.forget(out.expunged);
        out.snapshot = current_;
        return out;
    }
}

Result<std::vector<std::pair<std::uint32_t, std::uint32_t>>> Folder::copy_once(
    const std::vector<std::uint32_t>& uids, Folder& dest, std::vector<std::uint32_t>& missing) {
    // Phase 1, under the source's lock: what to copy, under which names.
    std::vector<MessageRecord> recs;
    {
        Locked lock(*this);
        if (auto r = prepare_locked(); !r) return r.error();
        for (auto uid : uids)
            if (const auto* rec = current_->messages.find(uid)) recs.push_back(*rec);
    }
    // Phase 2, under the destination's lock only (the two are never held together, so two
    // copies in opposite directions cannot deadlock). A source file renamed in between shows up
    // as ENOENT and is retried by copy().
    std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs;
    Locked lock(dest);
    if (auto r = dest.prepare_locked(); !r) return r.error();
    const fs::path dcur = dest.opt_.dir / "cur";
    std::vector<fs::path> created;
    std::vector<MessageRecord> added;
    auto cleanup = [&] {
        for (const auto& p : created) ::unlink(p.c_str());
    };
    SnapshotEditor ed(*dest.current_);
    const std::uint64_t modseq = dest.current_->highestmodseq + 1;
    for (const auto& rec : recs) {
        if (ed.uidnext() == UINT32_MAX) {
            cleanup();
            return Error{ErrorCode::Limit, "no UIDs left in the destination folder"};
        }
        MessageRecord m;
        m.base = dest.new_base(rec.disk_size, rec.rfc822_size);
        m.flags = rec.flags;  // system flags and keywords; other programs' letters stay behind
        m.internal_date = rec.internal_date;
        m.rfc822_size = rec.rfc822_size;
        m.disk_size = rec.disk_size;
        const auto src = opt_.dir / "cur" / rec.file_name();
        const auto dst = dcur / m.file_name();
        if (::link(src.c_str(), dst.c_str()) != 0) {
            if (errno == ENOENT) {
                missing.push_back(rec.uid);
                continue;
            }
            // Another file system, or links not allowed: copy the bytes.
            int err = 0;
            auto data = io::read_file(src, err);
            if (!data) {
                if (err == ENOENT) {
                    missing.push_back(rec.uid);
                    continue;
                }
                cleanup();
                return io_error(err, "reading message");
            }
            const auto tmp = dest.opt_.dir / "tmp" / m.base;
            err = write_message_file(opt_.hooks, tmp, *data, rec.internal_date);
            if (err == 0 && ::rename(tmp.c_str(), dst.c_str()) != 0) {
                err = errno;
                ::unlink(tmp.c_str());
            }
            if (err != 0) {
                cleanup();
                return io_error(err, "copying message");
            }
        }
        created.push_back(dst);
        m.uid = ed.uidnext();
        m.modseq = modseq;
        if (!ed.add(m)) {  // cannot happen: checked above
            cleanup();
            return Error{ErrorCode::Limit, "no UIDs left in the destination folder"};
        }
        pairs.emplace_back(rec.uid, m.uid);
        added.push_back(std::move(m));
    }
    if (added.empty()) return pairs;
    if (int err = io::sync_dir(opt_.hooks, dcur)) {
        cleanup();
        return io_error(err, "syncing folder");
    }
    fmt::EntryWriter w;
    for (const auto& m : added) w.add(m);
    w.state(ed.uidnext(), ed.highestmodseq());
    if (auto r = dest.commit_locked(std::move(ed).finish(), w.bytes(), true); !r) {
        cleanup();
        (void)io::sync_dir(opt_.hooks, dcur);
        return r.error();
    }
    return pairs;
}

Result<CopyResult> Folder::copy(const std::vector<std::uint32_t>& uid_list, Folder& dest) {
    const auto uids = sorted_unique(uid_list);
    std::vector<std::uint32_t> missing;
    auto pairs = copy_once(uids, dest, missing);
    if (!pairs) return pairs.error();
    if (!missing.empty()) {
        // Renamed by another program between the two phases: list and try those once more.
        if (auto s = sync(SyncMode::Full); !s) return s.error();
        std::vector<std::uint32_t> still;
        auto more = copy_once(missing, dest, still);
        if (!more) return more.error();
        pairs->insert(pairs->end(), more->begin(), more->end());
        std::sort(pairs->begin(), pairs->end());
    }
    CopyResult out;
    auto snap = dest.snapshot();
    out.dest_uidvalidity = snap ? snap->uidvalidity : 0;
    out.uids = std::move(*pairs);
    return out;
}

Result<CopyResult> Folder::move(const std::vector<std::uint32_t>& uids, Folder& dest) {
    auto copied = copy(uids, dest);
    if (!copied) return copied;
    std::vector<std::uint32_t> sources;
    for (auto [src, dst] : copied->uids) sources.push_back(src);
    if (auto r = expunge(sources); !r) return r.error();
    return copied;
}

}  // namespace tern::mailbox
