#include "server/imap_backend.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "core/clock.hpp"
#include "mailbox/store.hpp"
#include "store/maildir.hpp"

namespace tern::server {
namespace {

imap::BackendError map_error(const mailbox::Error& e) {
    using C = mailbox::ErrorCode;
    switch (e.code) {
        case C::NotFound: return imap::BackendError::NotFound;
        case C::AlreadyExists: return imap::BackendError::AlreadyExists;
        case C::InvalidName:
        case C::NotAllowed:
        case C::HasChildren:
        case C::Limit: return imap::BackendError::Invalid;
        case C::InUse: return imap::BackendError::InUse;
        case C::OverQuota: return imap::BackendError::OverQuota;
        case C::NoSpace:
        case C::Io: return imap::BackendError::Temporary;
    }
    return imap::BackendError::Temporary;
}

imap::MessageMeta meta_of(const mailbox::MessageRecord& r) {
    return {r.uid, mailbox::flag_names(r.flags), r.internal_date, r.rfc822_size, r.modseq};
}

imap::FolderView view_of(const mailbox::Snapshot& s) {
    imap::FolderView v;
    v.uidvalidity = s.uidvalidity;
    v.uidnext = s.uidnext;
    v.highestmodseq = s.highestmodseq;
    v.messages.reserve(s.messages.size());
    for (const auto& r : s.messages) v.messages.push_back(meta_of(r));
    return v;
}

// The user's usage over all folders (bytes on disk), nullopt when it cannot be measured.
std::optional<std::uint64_t> used_bytes(mailbox::Store& store, const std::filesystem::path& root) {
    auto usage = store.usage(root);  // cached by directory mtimes: cheap when nothing changed
    if (usage) return usage->bytes;
    if (usage.error().code == mailbox::ErrorCode::NotFound) return 0;
    spdlog::warn("quota: cannot measure {}: {}", root.string(), usage.error().text);
    return std::nullopt;
}

// RFC 9208 / RFC 5530 OVERQUOTA: APPEND and COPY that would take the user over the limit
// ([retrieval] quota, the one SMTP applies in quota_check.hpp) store nothing. SMTP refuses a
// mailbox at or above the limit because it does not know the size at RCPT time; here the size
// is known, so the rule is usage + adding > limit (which also refuses anything at the limit).
// As at delivery, a usage that cannot be measured lets the operation through. Two sessions
// appending at once may both pass: the limit is soft by one operation per session.
bool over_quota(mailbox::Store& store, const std::filesystem::path& root, std::uint64_t limit, std::uint64_t adding) {
    if (limit == 0) return false;
    auto used = used_bytes(store, root);
    return used && (*used > limit || adding > limit - *used);
}

class Selected final : public imap::SelectedFolder {
public:
    Selected(mailbox::Store& store, std::filesystem::path root, std::uint64_t quota,
             std::shared_ptr<mailbox::Folder> folder, mailbox::SnapshotPtr snap)
        : store_(store), root_(std::move(root)), quota_(quota), folder_(std::move(folder)), last_(std::move(snap)),
          uidvalidity_(last_->uidvalidity) {}

    // Built from the select-time snapshot (take_view comes before any changes()), not kept.
    imap::FolderView take_view() override { return view_of(*last_); }

    imap::BackendResult<std::string> read(std::uint32_t uid) override {
        auto r = folder_->read_message(uid, false);  // LF as stored; mime/ reads either form
        if (!r) return map_error(r.error());
        return std::move(*r);
    }

    imap::BackendResult<std::string> read_header(std::uint32_t uid) override {
        auto r = folder_->read_header(uid);
        if (!r) return map_error(r.error());
        return std::move(*r);
    }

    // The folder's tern-cache, under the UIDVALIDITY this session's UIDs belong to (a rebuilt
    // folder answers nothing for them). Shared by every session on the folder (one Folder
    // object per folder; CacheFile has its own lock).
    std::optional<std::string> cached(std::uint32_t uid) override { return folder_->cached(uidvalidity_, uid); }
    void store_cached(std::uint32_t uid, std::string value) override {
        folder_->set_cached(uidvalidity_, uid, std::move(value));
    }

    imap::BackendResult<imap::StoreOutcome> store(const std::vector<std::uint32_t>& uids, imap::FlagMode mode,
                                                  const std::vector<std::string>& flags,
                                                  std::optional<std::uint64_t> unchanged_since) override {
        auto parsed = mailbox::flags_from_names(flags);
        if (!parsed) return imap::BackendError::Invalid;
        auto m = mode == imap::FlagMode::Add      ? mailbox::FlagMode::Add
                 : mode == imap::FlagMode::Remove ? mailbox::FlagMode::Remove
                                                  : mailbox::FlagMode::Replace;
        auto r = folder_->store_flags(uids, m, *parsed, unchanged_since);
        if (!r) return map_error(r.error());
        imap::StoreOutcome out;
        out.modified = r->modified;
        for (auto uid : r->changed)
            if (auto* rec = r->snapshot->messages.find(uid)) out.changed.push_back(meta_of(*rec));
        return out;
    }

    imap::BackendResult<imap::ExpungeOutcome> expunge(const std::vector<std::uint32_t>& uids) override {
        auto snap = folder_->snapshot();
        std::vector<std::uint32_t> deleted;
        for (auto uid : uids)
            if (auto* rec = snap ? snap->messages.find(uid) : nullptr; rec && rec->flags.has(mailbox::flag::kDeleted))
                deleted.push_back(uid);
        if (deleted.empty()) return imap::ExpungeOutcome{};
        auto r = folder_->expunge(deleted);
        if (!r) return map_error(r.error());
        return imap::ExpungeOutcome{r->expunged};
    }

    imap::BackendResult<imap::CopyOutcome> copy(const std::vector<std::uint32_t>& uids, std::string_view dest) override {
        return transfer(uids, dest, false);
    }
    imap::BackendResult<imap::CopyOutcome> move(const std::vector<std::uint32_t>& uids, std::string_view dest) override {
        return transfer(uids, dest, true);
    }

    imap::BackendResult<imap::FolderChanges> changes() override {
        auto s = folder_->sync();
        if (!s) {
            if (s.error().code == mailbox::ErrorCode::NotFound) return imap::BackendError::Gone;
            return map_error(s.error());
        }
        auto diff = mailbox::diff_snapshots(*last_, **s);
        if (diff.uidvalidity_changed) return imap::BackendError::Gone;
        imap::FolderChanges c;
        c.expunged = std::move(diff.expunged);
        for (auto uid : diff.added)
            if (auto* rec = (*s)->messages.find(uid)) c.added.push_back(meta_of(*rec));
        for (auto uid : diff.changed)
            if (auto* rec = (*s)->messages.find(uid)) c.changed.push_back(meta_of(*rec));
        c.uidnext = (*s)->uidnext;
        c.highestmodseq = (*s)->highestmodseq;
        last_ = *s;
        return c;
    }

    imap::BackendResult<imap::ExpungedHistory> expunged_since(std::uint64_t modseq) override {
        // The index keeps every expunge of this UIDVALIDITY (ranges are merged, never dropped;
        // a rebuilt index starts a new UIDVALIDITY), so the history always reaches back.
        imap::ExpungedHistory h;
        h.ranges = last_->expunged->since(modseq);
        return h;
    }

private:
    imap::BackendResult<imap::CopyOutcome> transfer(const std::vector<std::uint32_t>& uids, std::string_view dest,
                                                    bool move) {
        auto target = store_.open(root_, dest);
        if (!target) return map_error(target.error());
        // MOVE keeps usage as it is (one quota root): never refused for quota, so a full
        // mailbox can still be cleaned up by moving to Trash.
        if (!move && quota_ != 0) {
            std::uint64_t adding = 0;
            const std::set<std::uint32_t> wanted(uids.begin(), uids.end());
            if (auto snap = folder_->snapshot()) {
                for (auto uid : wanted)
                    if (auto* rec = snap->messages.find(uid)) adding += rec->disk_size;
            }
            if (over_quota(store_, root_, quota_, adding)) return imap::BackendError::OverQuota;
        }
        auto r = move ? folder_->move(uids, **target) : folder_->copy(uids, **target);
        if (!r) return map_error(r.error());
        return imap::CopyOutcome{r->dest_uidvalidity, r->uids};
    }

    mailbox::Store& store_;
    std::filesystem::path root_;
    std::uint64_t quota_;
    std::shared_ptr<mailbox::Folder> folder_;
    mailbox::SnapshotPtr last_;  // what the session has been told about
    std::uint32_t uidvalidity_;  // the session's UIDs belong to it (changes() says Gone on another)
};

class StoreBackend final : public imap::Backend {
public:
    StoreBackend(mailbox::Store& store, std::filesystem::path root, std::uint64_t quota)
        : store_(store), root_(std::move(root)), quota_(quota) {}

    imap::BackendResult<std::vector<imap::FolderInfo>> list() override {
        auto r = store_.list(root_);
        if (!r) return map_error(r.error());
        auto subs = store_.subscriptions(root_);
        if (!subs) return map_error(subs.error());
        std::vector<imap::FolderInfo> out;
        out.reserve(r->size());
        std::set<std::string> listed;
        for (const auto& f : *r) {
            out.push_back({f.name, f.subscribed, f.exists, f.special_use.empty() ? std::string() : f.special_use.front(),
                           f.exists});
            listed.insert(f.name);
        }
        // Subscriptions outlive their folders (RFC 9051 6.3.7): LIST (SUBSCRIBED) shows them
        // as \NonExistent.
        for (auto& name : *subs)
            if (!listed.count(name)) out.push_back({std::move(name), true, false, {}, false});
        return out;
    }

    imap::BackendResult<imap::FolderStatus> status(std::string_view name) override {
        auto r = store_.status(root_, name);
        if (!r) return map_error(r.error());
        return imap::FolderStatus{r->messages, r->unseen, r->deleted, r->size, r->uidnext, r->uidvalidity,
                                  r->highestmodseq};
    }

    imap::BackendResult<imap::Done> create(std::string_view name, std::string_view special_use) override {
        std::vector<std::string> use;
        if (!special_use.empty()) use.emplace_back(special_use);
        return done(store_.create(root_, name, use));
    }
    imap::BackendResult<imap::Done> remove(std::string_view name) override { return done(store_.remove(root_, name)); }
    imap::BackendResult<imap::Done> rename(std::string_view from, std::string_view to) override {
        return done(store_.rename(root_, from, to));
    }
    imap::BackendResult<imap::Done> subscribe(std::string_view name, bool subscribed) override {
        return done(subscribed ? store_.subscribe(root_, name) : store_.unsubscribe(root_, name));
    }

    imap::BackendResult<std::unique_ptr<imap::SelectedFolder>> select(std::string_view name, bool) override {
        auto folder = store_.open(root_, name);
        if (!folder) return map_error(folder.error());
        auto snap = (*folder)->sync();
        if (!snap) return map_error(snap.error());
        return std::unique_ptr<imap::SelectedFolder>(std::make_unique<Selected>(store_, root_, quota_, *folder, *snap));
    }

    imap::BackendResult<imap::AppendOutcome> append(std::string_view name, std::string_view message,
                                                    const std::vector<std::string>& flags,
                                                    std::optional<std::int64_t> internal_date) override {
        auto parsed = mailbox::flags_from_names(flags);
        if (!parsed) return imap::BackendError::Invalid;
        auto folder = store_.open(root_, name);
        if (!folder) return map_error(folder.error());
        if (quota_ != 0 && over_quota(store_, root_, quota_, store::stored_size("", message).on_disk))
            return imap::BackendError::OverQuota;
        auto r = (*folder)->append(message, *parsed, internal_date.value_or(unix_now()));
        if (!r) return map_error(r.error());
        return imap::AppendOutcome{r->uidvalidity, r->uid};
    }

    imap::BackendResult<imap::QuotaUsage> quota() override {
        if (quota_ == 0) return imap::QuotaUsage{};
        auto usage = store_.usage(root_);
        if (!usage && usage.error().code != mailbox::ErrorCode::NotFound) return map_error(usage.error());
        return imap::QuotaUsage{quota_, usage ? usage->bytes : 0};
    }

private:
    static imap::BackendResult<imap::Done> done(const mailbox::Result<void>& r) {
        if (!r) return map_error(r.error());
        return imap::Done{};
    }

    mailbox::Store& store_;
    std::filesystem::path root_;
    std::uint64_t quota_;
};

}  // namespace

std::shared_ptr<imap::Backend> make_imap_backend(mailbox::Store& store, std::filesystem::path root,
                                                 std::uint64_t quota) {
    return std::make_shared<StoreBackend>(store, std::move(root), quota);
}

}  // namespace tern::server
