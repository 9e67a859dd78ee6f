// Folder: loading, rebuilding, syncing with the Maildir, publishing snapshots, reading
// messages. The mutating operations are in folder_ops.cpp. Design and crash-safety argument:
// folder.hpp.
#include "mailbox/folder.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <unordered_set>

#include "core/clock.hpp"
#include "store/maildir.hpp"

namespace tern::mailbox {

namespace fs = std::filesystem;
namespace fmt = index_format;

// ---- subscriptions

struct Subscription::List {
    std::mutex mu;
    std::uint64_t next_id = 1;
    std::map<std::uint64_t, std::shared_ptr<std::function<void(const SnapshotPtr&)>>> callbacks;
};

Subscription::~Subscription() {
    if (auto l = list_.lock()) {
        std::lock_guard lock(l->mu);
        l->callbacks.erase(id_);
    }
}

Subscription& Subscription::operator=(Subscription&& o) noexcept {
    if (this != &o) {
        Subscription dying(std::move(*this));
        list_ = std::move(o.list_);
        id_ = o.id_;
    }
    return *this;
}

// ---- locking

Folder::Locked::Locked(Folder& f) : f_(f), lock_(f.mu_) {
    // A failure is reported by prepare_locked(), which every operation calls first.
    f_.lock_err_ = f_.dir_fd_ ? io::lock_file(f_.opt_.hooks, f_.dir_fd_.get(), LOCK_EX) : 0;
}

Folder::Locked::~Locked() {
    auto pending = std::exchange(f_.to_notify_, nullptr);
    if (f_.dir_fd_ && f_.lock_err_ == 0) (void)io::lock_file(f_.opt_.hooks, f_.dir_fd_.get(), LOCK_UN);
    f_.lock_err_ = 0;
    lock_.unlock();
    if (pending) f_.notify(pending);
}

Folder::Folder(Options options)
    : opt_(std::move(options)),
      index_(opt_.dir / kIndexFileName, opt_.hooks),
      subscribers_(std::make_shared<Subscription::List>()),
      cache_(opt_.dir / kCacheFileName, opt_.hooks) {
    if (opt_.hostname.empty()) {
        char host[256] = {};
        ::gethostname(host, sizeof host - 1);
        opt_.hostname = host[0] ? host : "localhost";
    }
}

Folder::~Folder() = default;

SnapshotPtr Folder::snapshot() const {
    std::lock_guard lock(snap_mu_);
    return published_;
}

Subscription Folder::subscribe(std::function<void(const SnapshotPtr&)> callback) {
    std::lock_guard lock(subscribers_->mu);
    auto id = subscribers_->next_id++;
    subscribers_->callbacks.emplace(id, std::make_shared<std::function<void(const SnapshotPtr&)>>(std::move(callback)));
    return Subscription(subscribers_, id);
}

void Folder::notify(const SnapshotPtr& snap) {
    std::vector<std::shared_ptr<std::function<void(const SnapshotPtr&)>>> calls;
    {
        std::lock_guard lock(subscribers_->mu);
        for (const auto& [id, cb] : subscribers_->callbacks) calls.push_back(cb);
    }
    for (const auto& cb : calls) (*cb)(snap);
}

void Folder::publish_locked(SnapshotPtr next) {
    current_ = next;
    {
        std::lock_guard lock(snap_mu_);
        published_ = next;
    }
    to_notify_ = std::move(next);
}

void Folder::mark_gone_locked() {
    gone_ = true;
    poll_gone_ = true;
    dir_fd_.reset();
}

// ---- loading

Result<void> ensure_subdirs(const fs::path& dir) {
    bool complete = true;
    for (const char* sub : {"tmp", "new", "cur"}) {
        struct stat st {};
        if (::lstat((dir / sub).c_str(), &st) != 0) {
            if (errno != ENOENT) return io_error(errno, "reading folder");
            complete = false;
        } else if (!S_ISDIR(st.st_mode)) {  // a symlink (or a file) is never followed
            return io_error(ENOTDIR, std::string("folder's ") + sub + "/ is not a directory");
        }
    }
    if (complete) return {};  // the usual case: no mkdir, no fsync
    if (auto made = store::ensure_maildir(dir); !made.is_ok()) return Error{ErrorCode::Io, made.text};
    return {};
}

Result<void> Folder::lock_dir() {
    // Opened by an earlier load that failed later on: Locked's constructor already locked it
    // (a second descriptor's flock would wait for our own lock).
    if (dir_fd_) return {};
    // Only INBOX's directory (the user's root) may be a symlink set up by the administrator.
    const int nofollow = opt_.name == "INBOX" ? 0 : O_NOFOLLOW;
    UniqueFd fd(::open(opt_.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | nofollow));
    if (!fd) {
        if (errno == ENOENT || errno == ENOTDIR || errno == ELOOP) {
            mark_gone_locked();
            return Error{ErrorCode::NotFound, "no such folder"};
        }
        return io_error(errno, "opening folder");
    }
    if (int err = io::lock_file(opt_.hooks, fd.get(), LOCK_EX)) return io_error(err, "locking folder");
    dir_fd_ = std::move(fd);  // Locked's destructor releases the lock
    lock_err_ = 0;
    return {};
}

Result<void> Folder::load_locked() {
    if (auto r = lock_dir(); !r) return r;
    // A folder directory made by another program may lack tmp/, new/ or cur/.
    if (auto r = ensure_subdirs(opt_.dir); !r) return r;
    // Expunged files a crash left in tmp/ (see expunge in folder.hpp).
    for (const auto& n : io::list_dir(opt_.dir / "tmp").names)
        if (n.ends_with(kExpungedSuffix)) ::unlink((opt_.dir / "tmp" / n).c_str());
    auto l = index_.load();
    if (l.kind == IndexFile::Loaded::Kind::Failed) return io_error(l.sys_errno, "reading index");
    if (l.kind == IndexFile::Loaded::Kind::Ok) {
        new_stamp_ = {l.dirs.new_ns, l.dirs.new_ns != 0};
        cur_stamp_ = {l.dirs.cur_ns, l.dirs.cur_ns != 0};
        loaded_ = true;
        publish_locked(l.snapshot);
        to_notify_ = nullptr;  // nobody can have subscribed to a state not yet loaded
        update_poll_locked();
        return {};
    }
    return rebuild_locked(l.uidvalidity);
}

Result<void> Folder::rebuild_locked(std::uint32_t at_least) {
    std::uint32_t uidvalidity = 0;
    if (opt_.new_uidvalidity) {
        auto uv = opt_.new_uidvalidity(at_least);
        if (!uv) return uv.error();
        uidvalidity = *uv;
    } else {
        uidvalidity = std::max<std::uint32_t>(static_cast<std::uint32_t>(unix_now()), at_least + 1);
    }
    cache_.reset();
    current_ = SnapshotEditor(uidvalidity).finish();
    new_stamp_ = cur_stamp_ = {};
    bool changed = false;
    if (auto r = scan_locked(true, true, changed); !r) return r;
    if (!index_.is_open()) {  // an empty folder: the scan wrote nothing
        if (auto r = index_.rewrite(*current_, persisted_stamps()); !r) return r.error();
    }
    loaded_ = true;
    publish_locked(current_);
    return {};
}

Result<void> Folder::prepare_locked() {
    if (gone_) return Error{ErrorCode::NotFound, "folder was deleted or renamed"};
    if (lock_err_ != 0) return io_error(lock_err_, "locking folder");
    if (!loaded_) return load_locked();
    if (!index_.changed_on_disk()) return {};
    // Another process changed the index (or it was removed). Take its state if it is a
    // continuation of ours; otherwise our memory is the best truth: write it out again. An
    // I/O error reading it changes nothing (it may be a newer index we must not overwrite).
    auto l = index_.load();
    if (l.kind == IndexFile::Loaded::Kind::Failed) return io_error(l.sys_errno, "reading index");
    if (l.kind == IndexFile::Loaded::Kind::Ok &&
        (l.snapshot->uidvalidity != current_->uidvalidity || l.snapshot->uidnext >= current_->uidnext)) {
        new_stamp_ = {l.dirs.new_ns, l.dirs.new_ns != 0};
        cur_stamp_ = {l.dirs.cur_ns, l.dirs.cur_ns != 0};
        if (l.snapshot->uidvalidity != current_->uidvalidity ||
            l.snapshot->highestmodseq != current_->highestmodseq)
            publish_locked(l.snapshot);
        update_poll_locked();
        return {};
    }
    struct stat st {};
    if (::stat((opt_.dir / "cur").c_str(), &st) != 0 && errno == ENOENT) {
        mark_gone_locked();
        return Error{ErrorCode::NotFound, "folder was deleted or renamed"};
    }
    if (auto r = index_.rewrite(*current_, persisted_stamps()); !r) return r.error();
    return {};
}

fmt::DirStamps Folder::persisted_stamps() const {
    return {new_stamp_.trusted ? new_stamp_.mtime_ns : 0, cur_stamp_.trusted ? cur_stamp_.mtime_ns : 0};
}

Result<void> Folder::commit_locked(SnapshotPtr next, const std::string& batch, bool durable) {
    // A batch too large for the journal (see kMaxJournalBatch) goes through a rewrite, whose
    // batches are small: an oversized batch would be read back as a torn tail and dropped,
    // with everything after it, taking UIDNEXT and MODSEQ backwards.
    const bool whole = !index_.is_open() || index_.needs_rewrite() || batch.size() > fmt::kMaxJournalBatch;
    Result<void> r = whole ? index_.rewrite(*next, persisted_stamps()) : index_.append(batch, durable);
    if (!r) return r;
    // Fold the journal into a new snapshot once it is as large as the snapshot. A failure here
    // loses nothing (the append is durable); the next change tries again.
    if (index_.journal_bytes() > std::max<std::uint64_t>(kMinJournalBytes, index_.snapshot_bytes()))
        (void)index_.rewrite(*next, persisted_stamps());
    if (next != current_) publish_locked(std::move(next));
    return {};
}

// ---- syncing

namespace {

// Base name -> the record and its position in a snapshot, for matching a directory listing
// against the index: open addressing in one vector, so 50,000 entries cost one allocation
// instead of one node each (a listing of a big folder is matched in a few milliseconds).
class BaseIndex {
public:
    explicit BaseIndex(const MessageList& msgs) {
        std::size_t cap = 16;
        while (cap < msgs.size() * 2) cap <<= 1;
        mask_ = cap - 1;
        slots_.assign(cap, Slot{});
        std::size_t i = 0;
        for (const auto& m : msgs) {
            auto h = std::hash<std::string_view>{}(m.base) & mask_;
            while (slots_[h].rec != nullptr && slots_[h].rec->base != m.base) h = (h + 1) & mask_;
            if (slots_[h].rec == nullptr) slots_[h] = {&m, i};  // a duplicate base keeps the first
            ++i;
        }
    }
    std::pair<std::size_t, const MessageRecord*> find(std::string_view base) const {
        for (auto h = std::hash<std::string_view>{}(base) & mask_;; h = (h + 1) & mask_) {
            const auto& s = slots_[h];
            if (s.rec == nullptr) return {0, nullptr};
            if (s.rec->base == base) return {s.index, s.rec};
        }
    }

private:
    struct Slot {
        const MessageRecord* rec = nullptr;
        std::size_t index = 0;
    };
    std::vector<Slot> slots_;
    std::size_t mask_ = 0;
};

// "<base>:2,<letters>" with the letters in strictly ascending order, each one this store
// would keep (see parse_info_letters): the form every rename of ours produces.
bool is_canonical(const SplitName& sp) {
    if (!sp.standard_info) return false;
    char prev = 0;
    for (char c : sp.letters) {
        auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u >= 0x7F || c == '/' || c == ':' || c <= prev) return false;
        prev = c;
    }
    return true;
}

}  // namespace

bool Folder::needs_listing(const fs::path& sub, const DirStamp& stamp) const {
    int err = 0;
    auto m = io::mtime_ns(opt_.dir / sub, err);
    return !m || *m != stamp.mtime_ns || !stamp.trusted;
}

Result<void> Folder::sync_locked(SyncMode mode) {
    if (auto r = prepare_locked(); !r) return r;
    const bool full = mode == SyncMode::Full;
    const bool list_cur = full || needs_listing("cur", cur_stamp_);
    const bool list_new = list_cur || needs_listing("new", new_stamp_);
    if (!list_new && !list_cur) return {};
    bool changed = false;
    return scan_locked(list_new, list_cur, changed);
}

Result<SnapshotPtr> Folder::sync(SyncMode mode) {
    Locked lock(*this);
    if (auto r = sync_locked(mode); !r) return r.error();
    return current_;
}

StatusStamp status_stamp_on_disk(const fs::path& dir) {
    StatusStamp s;
    int err = 0;
    auto n = io::mtime_ns(dir / "new", err);
    auto c = io::mtime_ns(dir / "cur", err);
    struct stat st {};
    if (!n || !c || ::stat((dir / kIndexFileName).c_str(), &st) != 0) return s;
    s.valid = true;
    s.new_ns = *n;
    s.cur_ns = *c;
    s.index_ino = static_cast<std::uint64_t>(st.st_ino);
    s.index_size = static_cast<std::uint64_t>(st.st_size);
    return s;
}

bool Folder::changed_on_disk() const {
    if (poll_gone_) return true;
    int err = 0;
    auto n = io::mtime_ns(opt_.dir / "new", err);
    auto c = io::mtime_ns(opt_.dir / "cur", err);
    if (!n || !c) return true;
    if (*n != poll_new_ns_ || *c != poll_cur_ns_) return true;
    // A listing of a directory that was still "hot" is confirmed once it has settled.
    return poll_dirty_ && io::now_ns() - std::max(*n, *c) >= kSettleNs;
}

Result<FolderStatus> Folder::status(StatusStamp* stamp) {
    Locked lock(*this);
    if (auto r = sync_locked(SyncMode::IfChanged); !r) return r.error();
    if (stamp) {
        // Reusable only if the listings behind the numbers were settled (see needs_listing).
        stamp->valid = new_stamp_.trusted && cur_stamp_.trusted && index_.is_open() && !index_.needs_rewrite();
        stamp->new_ns = new_stamp_.mtime_ns;
        stamp->cur_ns = cur_stamp_.mtime_ns;
        stamp->index_ino = index_.inode();
        stamp->index_size = index_.size();
    }
    return current_->status();
}

Result<void> Folder::scan_locked(bool list_new, bool list_cur, bool& changed) {
    const fs::path new_dir = opt_.dir / "new", cur_dir = opt_.dir / "cur";
    const auto now = io::now_ns();
    int err = 0;
    auto pre_new = io::mtime_ns(new_dir, err);
    auto pre_cur = io::mtime_ns(cur_dir, err);
    if (!pre_new || !pre_cur) {
        if (err == ENOENT) {
            mark_gone_locked();
            return Error{ErrorCode::NotFound, "folder was deleted or renamed"};
        }
        return io_error(err, "reading folder");
    }
    // new/ before cur/: a file moving from new/ to cur/ meanwhile is seen at least once.
    io::Listing ln, lc;
    if (list_new && (ln = io::list_dir(new_dir)).err) return io_error(ln.err, "listing new/");
    if (list_cur && (lc = io::list_dir(cur_dir)).err) return io_error(lc.err, "listing cur/");

    const SnapshotPtr base = current_;
    const auto& msgs = base->messages;
    const BaseIndex known(msgs);
    std::vector<char> seen(msgs.size(), 0);
    SnapshotEditor ed(*base);
    const std::uint64_t modseq = base->highestmodseq + 1;
    fmt::EntryWriter w;
    bool any = false;
    struct Candidate {
        bool in_new;
        std::string name;
        std::int64_t mtime_ns = 0;
        std::uint64_t size = 0;
    };
    std::vector<Candidate> candidates;
    std::unordered_set<std::string_view> candidate_bases;

    for (const auto& name : lc.names) {
        auto sp = split_file_name(name);
        if (sp.base.empty()) continue;
        auto [pos, found] = known.find(sp.base);
        if (!found) {
            if (candidate_bases.insert(sp.base).second) candidates.push_back({false, name});
            continue;
        }
        if (seen[pos]) continue;  // a second file with a known base: ignored
        seen[pos] = 1;
        const auto& rec = *found;
        auto li = parse_info_letters(sp.letters);
        if (li.system != rec.flags.system || li.extra != rec.extra_info) {  // renamed by mutt & co
            MessageRecord m = rec;
            m.flags.system = li.system;
            m.extra_info = li.extra;
            m.modseq = modseq;
            w.flags(m);
            ed.update(std::move(m));
            any = true;
        }
        if (!is_canonical(sp)) {
            auto canonical = std::string(sp.base) + ":2," + info_letters(li.system, li.extra);
            ::rename((cur_dir / name).c_str(), (cur_dir / canonical).c_str());
        }
    }
    for (const auto& name : ln.names) {
        auto sp = split_file_name(name);
        if (sp.base.empty()) continue;
        auto [pos, found] = known.find(sp.base);
        if (!found) {
            if (candidate_bases.insert(sp.base).second) candidates.push_back({true, name});
            continue;
        }
        if (seen[pos]) continue;
        seen[pos] = 1;
        // Known but in new/: our move to cur/ was lost in a crash. Finish it.
        ::rename((new_dir / name).c_str(), (cur_dir / found->file_name()).c_str());
    }

    if (list_cur) {
        std::vector<std::uint32_t> gone;
        for (std::size_t i = 0; i < msgs.size(); ++i)
            if (!seen[i]) gone.push_back(msgs[i].uid);
        if (!gone.empty()) {
            // readdir may miss a file another program renames at that moment: only what a
            // second listing also lacks is gone.
            std::unordered_set<std::string> present;
            for (const auto* d : {&new_dir, &cur_dir}) {
                auto l = io::list_dir(*d);
                if (l.err) return io_error(l.err, "listing folder");
                for (auto& n : l.names) present.insert(std::string(split_file_name(n).base));
            }
            std::erase_if(gone, [&](std::uint32_t uid) { return present.count(msgs.find(uid)->base) > 0; });
        }
        if (!gone.empty()) {
            w.expunge(modseq, gone);
            ed.expunge(gone, modseq);
            cache_.forget(gone);
            any = true;
        }
    }

    // New files: UIDs in delivery order (mtime), then name.
    for (auto& c : candidates) {
        struct stat st {};
        if (::lstat(((c.in_new ? new_dir : cur_dir) / c.name).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
            c.name.clear();
            continue;
        }
        c.mtime_ns = std::int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec;
        c.size = static_cast<std::uint64_t>(st.st_size);
    }
    std::erase_if(candidates, [](const Candidate& c) { return c.name.empty(); });
    std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
        return a.mtime_ns != b.mtime_ns ? a.mtime_ns < b.mtime_ns : a.name < b.name;
    });
    for (const auto& c : candidates) {
        if (ed.uidnext() == UINT32_MAX) break;  // UIDs exhausted: the files stay unadopted
        auto sp = split_file_name(c.name);
        if (!fmt::is_valid_base(sp.base)) continue;
        auto li = parse_info_letters(sp.letters);
        MessageRecord m;
        m.base = std::string(sp.base);
        m.flags.system = li.system;
        m.extra_info = li.extra;
        const auto target = m.file_name();
        const auto from = (c.in_new ? new_dir : cur_dir) / c.name;
        if ((c.in_new || c.name != target) && ::rename(from.c_str(), (cur_dir / target).c_str()) != 0)
            continue;  // moved or removed by someone else meanwhile: the next sync sees it
        m.disk_size = c.size;
        if (auto w_size = io::size_field(m.base, 'W')) {
            m.rfc822_size = *w_size;
        } else {
            UniqueFd fd(::open((cur_dir / target).c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
            auto size = fd ? io::rfc822_size_of_file(fd.get()) : Result<std::uint64_t>(io_error(errno, "open"));
            m.rfc822_size = size ? *size : c.size;
        }
        m.uid = ed.uidnext();
        m.modseq = modseq;
        m.internal_date = c.mtime_ns / 1'000'000'000;
        if (!ed.add(m)) break;  // cannot happen: uid == uidnext < UINT32_MAX
        w.add(m);
        any = true;
    }

    // What this listing may vouch for, if it succeeds.
    const auto old_new = new_stamp_, old_cur = cur_stamp_;
    const auto old_persisted = persisted_stamps();
    if (list_new) new_stamp_ = {*pre_new, now - *pre_new >= kSettleNs};
    if (list_cur) cur_stamp_ = {*pre_cur, now - *pre_cur >= kSettleNs};
    if (any || persisted_stamps() != old_persisted) {
        w.dirs(persisted_stamps());
        if (any) w.state(ed.uidnext(), ed.highestmodseq());
        auto r = commit_locked(any ? std::move(ed).finish() : current_, w.bytes(), any);
        if (!r) {
            new_stamp_ = old_new;
            cur_stamp_ = old_cur;
            if (any) return r;  // stamps alone are only a hint
        }
    }
    changed = any;
    update_poll_locked();
    return {};
}

void Folder::update_poll_locked() {
    poll_new_ns_ = new_stamp_.mtime_ns;
    poll_cur_ns_ = cur_stamp_.mtime_ns;
    poll_dirty_ = !new_stamp_.trusted || !cur_stamp_.trusted;
}

// ---- reading

Result<MessageFile> Folder::open_message(std::uint32_t uid) {
    for (int attempt = 0; attempt < 2; ++attempt) {
        SnapshotPtr snap = snapshot();
        if (!snap || attempt > 0) {
            auto s = sync(attempt > 0 ? SyncMode::Full : SyncMode::IfChanged);
            if (!s) return s.error();
            snap = *s;
        }
        const auto* rec = snap->messages.find(uid);
        if (rec == nullptr) return Error{ErrorCode::NotFound, "no such message"};
        // O_NONBLOCK: a FIFO planted under a message's name must not block this thread.
        UniqueFd fd(::open((opt_.dir / "cur" / rec->file_name()).c_str(),
                           O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
        if (!fd) {
            if (errno == ENOENT) continue;  // renamed by another program: list and try again
            return io_error(errno, "opening message");
        }
        struct stat st {};
        if (::fstat(fd.get(), &st) != 0) return io_error(errno, "reading message");
        if (!S_ISREG(st.st_mode)) return io_error(EINVAL, "message is not a regular file");
        ::fcntl(fd.get(), F_SETFL, ::fcntl(fd.get(), F_GETFL) & ~O_NONBLOCK);  // ordinary reads for callers
        MessageFile f;
        f.fd = std::move(fd);
        f.disk_size = static_cast<std::uint64_t>(st.st_size);
        f.rfc822_size = rec->rfc822_size;
        return f;
    }
    return Error{ErrorCode::NotFound, "message file is gone"};
}

Result<std::string> Folder::read_message(std::uint32_t uid, bool crlf) {
    auto f = open_message(uid);
    if (!f) return f.error();
    std::string data(static_cast<std::size_t>(f->disk_size), '\0');
    std::size_t got = 0;
    while (got < data.size()) {
        ssize_t n = ::pread(f->fd.get(), data.data() + got, data.size() - got, static_cast<off_t>(got));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return io_error(errno, "reading message");
        if (n == 0) break;
        got += static_cast<std::size_t>(n);
    }
    data.resize(got);
    if (!crlf) return data;
    std::string out;
    out.reserve(data.size() + data.size() / 32);
    for (std::size_t i = 0; i < data.size(); ++i) {
        if (data[i] == '\n' && (i == 0 || data[i - 1] != '\r')) out += '\r';
        out += data[i];
    }
    return out;
}

Result<std::string> Folder::read_header(std::uint32_t uid) {
    auto f = open_message(uid);
    if (!f) return f.error();
    constexpr std::size_t kChunk = 4096;  // most headers fit; larger ones take a few more reads
    std::string data;
    std::size_t line = 0;  // start of the first line not yet known to be a field line
    for (;;) {
        const std::size_t got = data.size();
        data.resize(got + kChunk);
        ssize_t n = ::pread(f->fd.get(), data.data() + got, kChunk, static_cast<off_t>(got));
        if (n < 0 && errno == EINTR) {
            data.resize(got);
            continue;
        }
        if (n < 0) return io_error(errno, "reading message");
        data.resize(got + static_cast<std::size_t>(n));
        const bool eof = n == 0;
        // Walk the complete lines read so far (a line start needs its next byte to be judged).
        while (line < data.size()) {
            if (data[line] == '\n') return data.substr(0, line + 1);
            if (data[line] == '\r') {
                if (line + 1 >= data.size() && !eof) break;
                if (line + 1 < data.size() && data[line + 1] == '\n') return data.substr(0, line + 2);
            }
            const auto lf = data.find('\n', line);
            if (lf == std::string::npos) break;
            line = lf + 1;
        }
        if (eof) return data;  // no empty line: all header
    }
}

std::optional<std::string> Folder::cached(std::uint32_t uidvalidity, std::uint32_t uid) {
    auto snap = snapshot();
    if (!snap || snap->uidvalidity != uidvalidity) return std::nullopt;
    return cache_.get(snap->uidvalidity, uid);
}

void Folder::set_cached(std::uint32_t uidvalidity, std::uint32_t uid, std::string value) {
    auto snap = snapshot();
    if (!snap || snap->uidvalidity != uidvalidity || !snap->messages.find(uid)) return;
    cache_.put(snap->uidvalidity, uid, std::move(value));
}

}  // namespace tern::mailbox
