#include "server/imap_backend.hpp"

#include <algorithm>

#include "core/clock.hpp"
#include "mailbox/store.hpp"

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

class Selected final : public imap::SelectedFolder {
public:
    Selected(mailbox::Store& store, std::filesystem::path root, std::shared_ptr<mailbox::Folder> folder,
             mailbox::SnapshotPtr snap)
        : store_(store), root_(std::move(root)), folder_(std::move(folder)), last_(std::move(snap)),
          view_(view_of(*last_)) {}

    const imap::FolderView& view() const override { return view_; }

    imap::BackendResult<std::string> read(std::uint32_t uid) override {
        auto r = folder_->read_message(uid, false);  // LF as stored; mime/ reads either form
        if (!r) return map_error(r.error());
        return std::move(*r);
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
        auto r = move ? folder_->move(uids, **target) : folder_->copy(uids, **target);
        if (!r) return map_error(r.error());
        return imap::CopyOutcome{r->dest_uidvalidity, r->uids};
    }

    mailbox::Store& store_;
    std::filesystem::path root_;
    std::shared_ptr<mailbox::Folder> folder_;
    mailbox::SnapshotPtr last_;  // what the session has been told about
    imap::FolderView view_;
};

class StoreBackend final : public imap::Backend {
public:
    StoreBackend(mailbox::Store& store, std::filesystem::path root) : store_(store), root_(std::move(root)) {}

    imap::BackendResult<std::vector<imap::FolderInfo>> list() override {
        auto r = store_.list(root_);
        if (!r) return map_error(r.error());
        std::vector<imap::FolderInfo> out;
        out.reserve(r->size());
        for (const auto& f : *r)
            out.push_back({f.name, f.subscribed, f.exists, f.special_use.empty() ? std::string() : f.special_use.front()});
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
        return std::unique_ptr<imap::SelectedFolder>(std::make_unique<Selected>(store_, root_, *folder, *snap));
    }

    imap::BackendResult<imap::AppendOutcome> append(std::string_view name, std::string_view message,
                                                    const std::vector<std::string>& flags,
                                                    std::optional<std::int64_t> internal_date) override {
        auto parsed = mailbox::flags_from_names(flags);
        if (!parsed) return imap::BackendError::Invalid;
        auto folder = store_.open(root_, name);
        if (!folder) return map_error(folder.error());
        auto r = (*folder)->append(message, *parsed, internal_date.value_or(unix_now()));
        if (!r) return map_error(r.error());
        return imap::AppendOutcome{r->uidvalidity, r->uid};
    }

private:
    static imap::BackendResult<imap::Done> done(const mailbox::Result<void>& r) {
        if (!r) return map_error(r.error());
        return imap::Done{};
    }

    mailbox::Store& store_;
    std::filesystem::path root_;
};

}  // namespace

std::shared_ptr<imap::Backend> make_imap_backend(mailbox::Store& store, std::filesystem::path root) {
    return std::make_shared<StoreBackend>(store, std::move(root));
}

}  // namespace tern::server
