// An in-memory imap::Backend for the session tests: folders with messages, UIDs, flags and
// mod-sequences, subscriptions and special-use; changes() diffs the folder against what the
// selected view last reported, like mailbox snapshots do. Tests change folders directly
// ("another session") with add(), set_flags() and remove_message(), and can make the next call
// fail with fail_next. Expunges are remembered with their mod-sequence (expunged_since); a
// folder's history_from makes the history incomplete below it, as after a lost index.
#pragma once

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "imap/backend.hpp"

namespace tern::imap::session_test {

struct FakeMessage {
    std::uint32_t uid = 0;
    std::vector<std::string> flags;
    std::int64_t date = 0;
    std::string data;
    std::uint64_t modseq = 1;
};

struct FakeFolder {
    std::uint32_t uidvalidity = 0;
    std::uint32_t uidnext = 1;
    std::uint64_t modseq = 1;
    std::vector<FakeMessage> messages;
    bool subscribed = false;
    bool selectable = true;
    std::string special_use;
    std::vector<std::pair<std::uint32_t, std::uint64_t>> expunged;  // (uid, modseq of its expunge)
    std::uint64_t history_from = 0;  // expunged_since(m) is incomplete for m below this
    bool exists = true;  // false: a subscribed name without a folder
    std::map<std::uint32_t, std::string> cache;  // SelectedFolder::cached / store_cached, by UID
};

class FakeBackend;

class FakeSelected : public SelectedFolder {
public:
    FakeSelected(FakeBackend& backend, std::string name);
    FolderView take_view() override { return std::move(view_); }
    BackendResult<std::string> read(std::uint32_t uid) override;
    BackendResult<std::string> read_header(std::uint32_t uid) override;
    std::optional<std::string> cached(std::uint32_t uid) override;
    void store_cached(std::uint32_t uid, std::string value) override;
    BackendResult<StoreOutcome> store(const std::vector<std::uint32_t>& uids, FlagMode mode,
                                      const std::vector<std::string>& flags,
                                      std::optional<std::uint64_t> unchanged_since) override;
    BackendResult<ExpungeOutcome> expunge(const std::vector<std::uint32_t>& uids) override;
    BackendResult<CopyOutcome> copy(const std::vector<std::uint32_t>& uids, std::string_view dest) override;
    BackendResult<CopyOutcome> move(const std::vector<std::uint32_t>& uids, std::string_view dest) override;
    BackendResult<FolderChanges> changes() override;
    BackendResult<ExpungedHistory> expunged_since(std::uint64_t modseq) override;

private:
    FakeFolder* folder();
    FakeBackend& b_;
    std::string name_;
    FolderView view_;
    std::uint32_t uidvalidity_ = 0;  // of the view handed out
    std::map<std::uint32_t, std::uint64_t> known_;  // uid -> modseq last reported
    std::uint32_t known_uidnext_ = 1;
};

inline MessageMeta meta_of(const FakeMessage& m) {
    return MessageMeta{m.uid, m.flags, m.date, m.data.size(), m.modseq};
}

class FakeBackend : public Backend {
public:
    std::map<std::string, FakeFolder> folders;
    std::optional<BackendError> fail_next;
    std::uint32_t next_uidvalidity = 1000;
    std::int64_t now = 1'700'000'000;
    std::size_t reads = 0;  // SelectedFolder::read() calls, to check a command's cost
    std::size_t header_reads = 0;  // SelectedFolder::read_header() calls
    std::size_t cache_stores = 0;  // SelectedFolder::store_cached() calls that stored
    std::uint64_t storage_limit = 0;  // bytes; 0: no quota. append() enforces it.

    FakeBackend() { folders["INBOX"] = FakeFolder{next_uidvalidity++, 1, 1, {}, true, true, "", {}, 0, true, {}}; }

    std::uint32_t add(const std::string& folder, std::string data, std::vector<std::string> flags = {},
                      std::int64_t date = 1'700'000'000) {
        auto& f = folders.at(folder);
        ++f.modseq;
        f.messages.push_back(FakeMessage{f.uidnext, std::move(flags), date, std::move(data), f.modseq});
        return f.uidnext++;
    }
    void set_flags(const std::string& folder, std::uint32_t uid, std::vector<std::string> flags) {
        auto& f = folders.at(folder);
        for (auto& m : f.messages) {
            if (m.uid == uid) {
                m.flags = std::move(flags);
                m.modseq = ++f.modseq;
            }
        }
    }
    void remove_message(const std::string& folder, std::uint32_t uid) {
        auto& f = folders.at(folder);
        std::erase_if(f.messages, [&](const FakeMessage& m) { return m.uid == uid; });
        f.cache.erase(uid);
        ++f.modseq;
        f.expunged.emplace_back(uid, f.modseq);
    }

    bool failing(BackendError& e) {
        if (!fail_next) return false;
        e = *fail_next;
        fail_next.reset();
        return true;
    }

    BackendResult<std::vector<FolderInfo>> list() override {
        BackendError e;
        if (failing(e)) return e;
        std::vector<FolderInfo> out;
        for (const auto& [name, f] : folders)
            out.push_back(FolderInfo{name, f.subscribed, f.selectable && f.exists, f.special_use, f.exists});
        return out;
    }
    BackendResult<FolderStatus> status(std::string_view name) override {
        BackendError e;
        if (failing(e)) return e;
        auto it = folders.find(std::string(name));
        if (it == folders.end()) return BackendError::NotFound;
        FolderStatus st;
        const auto& f = it->second;
        st.messages = static_cast<std::uint32_t>(f.messages.size());
        for (const auto& m : f.messages) {
            if (std::find(m.flags.begin(), m.flags.end(), "\\Seen") == m.flags.end()) ++st.unseen;
            if (std::find(m.flags.begin(), m.flags.end(), "\\Deleted") != m.flags.end()) ++st.deleted;
            st.size += m.data.size();
        }
        st.uidnext = f.uidnext;
        st.uidvalidity = f.uidvalidity;
        st.highestmodseq = f.modseq;
        return st;
    }
    BackendResult<Done> create(std::string_view name, std::string_view special_use) override {
        BackendError e;
        if (failing(e)) return e;
        if (folders.count(std::string(name))) return BackendError::AlreadyExists;
        FakeFolder f;
        f.uidvalidity = next_uidvalidity++;
        f.special_use = std::string(special_use);
        folders[std::string(name)] = std::move(f);
        return Done{};
    }
    BackendResult<Done> remove(std::string_view name) override {
        BackendError e;
        if (failing(e)) return e;
        if (!folders.erase(std::string(name))) return BackendError::NotFound;
        return Done{};
    }
    BackendResult<Done> rename(std::string_view from, std::string_view to) override {
        BackendError e;
        if (failing(e)) return e;
        auto it = folders.find(std::string(from));
        if (it == folders.end()) return BackendError::NotFound;
        if (folders.count(std::string(to))) return BackendError::AlreadyExists;
        auto f = std::move(it->second);
        folders.erase(it);
        folders[std::string(to)] = std::move(f);
        return Done{};
    }
    BackendResult<Done> subscribe(std::string_view name, bool subscribed) override {
        BackendError e;
        if (failing(e)) return e;
        auto it = folders.find(std::string(name));
        if (it == folders.end()) return BackendError::NotFound;
        it->second.subscribed = subscribed;
        return Done{};
    }
    BackendResult<std::unique_ptr<SelectedFolder>> select(std::string_view name, bool) override {
        BackendError e;
        if (failing(e)) return e;
        auto it = folders.find(std::string(name));
        if (it == folders.end()) return BackendError::NotFound;
        if (!it->second.selectable) return BackendError::Invalid;
        return std::unique_ptr<SelectedFolder>(std::make_unique<FakeSelected>(*this, std::string(name)));
    }
    BackendResult<AppendOutcome> append(std::string_view name, std::string_view message,
                                        const std::vector<std::string>& flags,
                                        std::optional<std::int64_t> internal_date) override {
        BackendError e;
        if (failing(e)) return e;
        auto it = folders.find(std::string(name));
        if (it == folders.end() || !it->second.exists) return BackendError::NotFound;
        if (storage_limit != 0 && used() + message.size() > storage_limit) return BackendError::OverQuota;
        auto uid = add(std::string(name), std::string(message), flags, internal_date.value_or(now));
        return AppendOutcome{it->second.uidvalidity, uid};
    }
    BackendResult<QuotaUsage> quota() override {
        BackendError e;
        if (failing(e)) return e;
        if (storage_limit == 0) return QuotaUsage{};
        return QuotaUsage{storage_limit, used()};
    }
    std::uint64_t used() const {
        std::uint64_t n = 0;
        for (const auto& [name, f] : folders)
            for (const auto& m : f.messages) n += m.data.size();
        return n;
    }
};

inline FakeSelected::FakeSelected(FakeBackend& backend, std::string name) : b_(backend), name_(std::move(name)) {
    const auto& f = b_.folders.at(name_);
    view_.uidvalidity = uidvalidity_ = f.uidvalidity;
    view_.uidnext = f.uidnext;
    view_.highestmodseq = f.modseq;
    for (const auto& m : f.messages) {
        view_.messages.push_back(meta_of(m));
        known_[m.uid] = m.modseq;
    }
    known_uidnext_ = f.uidnext;
}

inline FakeFolder* FakeSelected::folder() {
    auto it = b_.folders.find(name_);
    return it == b_.folders.end() ? nullptr : &it->second;
}

inline BackendResult<std::string> FakeSelected::read(std::uint32_t uid) {
    ++b_.reads;
    BackendError e;
    if (b_.failing(e)) return e;
    auto* f = folder();
    if (!f) return BackendError::Gone;
    for (const auto& m : f->messages) {
        if (m.uid == uid) return m.data;
    }
    return BackendError::NotFound;
}

inline BackendResult<std::string> FakeSelected::read_header(std::uint32_t uid) {
    ++b_.header_reads;
    BackendError e;
    if (b_.failing(e)) return e;
    auto* f = folder();
    if (!f) return BackendError::Gone;
    for (const auto& m : f->messages) {
        if (m.uid != uid) continue;
        // Up to and including the first empty line, else everything (as mailbox::Folder does).
        const std::string& d = m.data;
        for (std::size_t line = 0; line < d.size();) {
            if (d[line] == '\n') return d.substr(0, line + 1);
            if (d.compare(line, 2, "\r\n") == 0) return d.substr(0, line + 2);
            const auto lf = d.find('\n', line);
            if (lf == std::string::npos) break;
            line = lf + 1;
        }
        return d;
    }
    return BackendError::NotFound;
}

// Like the store's: nothing for a view of another UIDVALIDITY, nothing kept for a UID that is gone.
inline std::optional<std::string> FakeSelected::cached(std::uint32_t uid) {
    auto* f = folder();
    if (!f || f->uidvalidity != uidvalidity_) return std::nullopt;
    auto it = f->cache.find(uid);
    if (it == f->cache.end()) return std::nullopt;
    return it->second;
}

inline void FakeSelected::store_cached(std::uint32_t uid, std::string value) {
    auto* f = folder();
    if (!f || f->uidvalidity != uidvalidity_) return;
    if (std::none_of(f->messages.begin(), f->messages.end(), [&](const FakeMessage& m) { return m.uid == uid; })) return;
    f->cache[uid] = std::move(value);
    ++b_.cache_stores;
}

inline BackendResult<StoreOutcome> FakeSelected::store(const std::vector<std::uint32_t>& uids, FlagMode mode,
                                                       const std::vector<std::string>& flags,
                                                       std::optional<std::uint64_t> unchanged_since) {
    BackendError e;
    if (b_.failing(e)) return e;
    auto* f = folder();
    if (!f) return BackendError::Gone;
    StoreOutcome out;
    const std::set<std::uint32_t> wanted(uids.begin(), uids.end());
    for (auto& m : f->messages) {
        if (!wanted.count(m.uid)) continue;
        if (unchanged_since && m.modseq > *unchanged_since) {
            out.modified.push_back(m.uid);
            continue;
        }
        auto next = m.flags;
        if (mode == FlagMode::Replace) next = flags;
        for (const auto& fl : flags) {
            auto it = std::find(next.begin(), next.end(), fl);
            if (mode == FlagMode::Add && it == next.end()) next.push_back(fl);
            if (mode == FlagMode::Remove && it != next.end()) next.erase(it);
        }
        if (next == m.flags) continue;
        m.flags = std::move(next);
        m.modseq = ++f->modseq;
        out.changed.push_back(meta_of(m));
    }
    return out;
}

inline BackendResult<ExpungeOutcome> FakeSelected::expunge(const std::vector<std::uint32_t>& uids) {
    BackendError e;
    if (b_.failing(e)) return e;
    auto* f = folder();
    if (!f) return BackendError::Gone;
    ExpungeOutcome out;
    const std::set<std::uint32_t> wanted(uids.begin(), uids.end());
    std::erase_if(f->messages, [&](const FakeMessage& m) {
        bool del = wanted.count(m.uid) &&
                   std::find(m.flags.begin(), m.flags.end(), "\\Deleted") != m.flags.end();
        if (del) out.expunged.push_back(m.uid);
        return del;
    });
    if (!out.expunged.empty()) ++f->modseq;
    for (auto uid : out.expunged) f->expunged.emplace_back(uid, f->modseq);
    return out;
}

inline BackendResult<CopyOutcome> FakeSelected::copy(const std::vector<std::uint32_t>& uids, std::string_view dest) {
    BackendError e;
    if (b_.failing(e)) return e;
    auto* f = folder();
    if (!f) return BackendError::Gone;
    auto dit = b_.folders.find(std::string(dest));
    if (dit == b_.folders.end()) return BackendError::NotFound;
    CopyOutcome out;
    out.dest_uidvalidity = dit->second.uidvalidity;
    std::vector<FakeMessage> src = f->messages;  // dest may be this folder
    for (const auto& m : src) {
        if (std::find(uids.begin(), uids.end(), m.uid) == uids.end()) continue;
        auto uid = b_.add(std::string(dest), m.data, m.flags, m.date);
        out.uids.emplace_back(m.uid, uid);
    }
    return out;
}

inline BackendResult<CopyOutcome> FakeSelected::move(const std::vector<std::uint32_t>& uids, std::string_view dest) {
    auto r = copy(uids, dest);
    if (auto* c = std::get_if<CopyOutcome>(&r)) {
        auto* f = folder();
        for (const auto& p : c->uids) {
            std::erase_if(f->messages, [&](const FakeMessage& m) { return m.uid == p.first; });
        }
        ++f->modseq;
        for (const auto& p : c->uids) f->expunged.emplace_back(p.first, f->modseq);
    }
    return r;
}

inline BackendResult<FolderChanges> FakeSelected::changes() {
    BackendError e;
    if (b_.failing(e)) return e;
    auto* f = folder();
    if (!f) return BackendError::Gone;
    FolderChanges c;
    std::map<std::uint32_t, std::uint64_t> now;
    for (const auto& m : f->messages) {
        now[m.uid] = m.modseq;
        auto it = known_.find(m.uid);
        if (it == known_.end()) {
            if (m.uid >= known_uidnext_) c.added.push_back(meta_of(m));
        } else if (it->second != m.modseq) {
            c.changed.push_back(meta_of(m));
        }
    }
    for (const auto& [uid, modseq] : known_) {
        if (!now.count(uid)) c.expunged.push_back(uid);
    }
    known_ = std::move(now);
    known_uidnext_ = f->uidnext;
    c.uidnext = f->uidnext;
    c.highestmodseq = f->modseq;
    return c;
}

// The folder's history as it is now (the real store answers as of the last view; the session
// drops UIDs it still lists either way).
inline BackendResult<ExpungedHistory> FakeSelected::expunged_since(std::uint64_t modseq) {
    BackendError e;
    if (b_.failing(e)) return e;
    auto* f = folder();
    if (!f) return BackendError::Gone;
    ExpungedHistory h;
    h.complete = modseq >= f->history_from;
    std::vector<std::uint32_t> uids;
    for (const auto& [uid, at] : f->expunged) {
        if (at > modseq) uids.push_back(uid);
    }
    std::sort(uids.begin(), uids.end());
    for (auto uid : uids) {
        if (!h.ranges.empty() && h.ranges.back().second + 1 == uid) {
            h.ranges.back().second = uid;
        } else {
            h.ranges.emplace_back(uid, uid);
        }
    }
    return h;
}

}  // namespace tern::imap::session_test
