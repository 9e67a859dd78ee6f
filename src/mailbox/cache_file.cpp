// The lazily read, non-durable per-message cache: see cache_file.hpp.
#include "mailbox/cache_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <random>

#include "mailbox/index_format.hpp"

namespace tern::mailbox {

namespace fs = std::filesystem;
namespace fmt = index_format;

namespace {

std::string header(std::uint32_t uidvalidity, std::uint64_t nonce) {
    return fmt::encode_header({uidvalidity, nonce}, fmt::kCacheMagic);
}

std::optional<fmt::Header> parse(std::string_view b) { return fmt::parse_header(b, fmt::kCacheMagic); }

std::string varint(std::uint64_t v) {
    std::string out;
    while (v >= 0x80) {
        out += static_cast<char>((v & 0x7F) | 0x80);
        v >>= 7;
    }
    out += static_cast<char>(v);
    return out;
}

bool read_varint(std::string_view& in, std::uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64 && !in.empty(); shift += 7) {
        auto b = static_cast<std::uint8_t>(in.front());
        in.remove_prefix(1);
        v |= std::uint64_t{b & 0x7Fu} << shift;
        if ((b & 0x80) == 0) return true;
    }
    return false;
}

}  // namespace

CacheFile::CacheFile(fs::path path, IoHooks hooks) : path_(std::move(path)), hooks_(std::move(hooks)) {}

bool CacheFile::loaded() const {
    std::lock_guard lock(mu_);
    return loaded_;
}

void CacheFile::start_file_locked(std::uint32_t uidvalidity) {
    values_.clear();
    live_bytes_ = 0;
    uidvalidity_ = uidvalidity;
    std::random_device rd;
    nonce_ = (std::uint64_t{rd()} << 32) ^ rd() ^ static_cast<std::uint64_t>(io::now_ns());
    // A new file, never an existing one truncated: a planted hard link is not written through.
    ::unlink(path_.c_str());
    fd_.reset(::open(path_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    end_ = 0;
    if (!fd_) return;
    auto h = header(uidvalidity, nonce_);
    if (io::write_all(hooks_, fd_.get(), h, 0) != 0) {
        fd_.reset();
        return;
    }
    end_ = h.size();
}

void CacheFile::load_locked(std::uint32_t uidvalidity) {
    if (loaded_ && uidvalidity_ == uidvalidity) return;
    loaded_ = true;
    int err = 0;
    auto image = io::read_file(path_, err);
    auto h = image ? parse(*image) : std::nullopt;
    if (!h || h->uidvalidity != uidvalidity) {
        start_file_locked(uidvalidity);
        return;
    }
    values_.clear();
    live_bytes_ = 0;
    uidvalidity_ = uidvalidity;
    nonce_ = h->nonce;
    std::string_view all(*image);
    std::uint64_t off = fmt::kHeaderSize;
    while (auto record = fmt::batch_at(all, nonce_, off)) {
        const auto len = record->size();
        auto payload = *record;
        std::uint64_t uid = 0;
        if (!read_varint(payload, uid) || uid == 0 || uid > UINT32_MAX) break;
        auto& slot = values_[static_cast<std::uint32_t>(uid)];
        live_bytes_ -= std::min<std::uint64_t>(live_bytes_, slot.size());
        slot.assign(payload);
        live_bytes_ += slot.size();
        off += fmt::kBatchHeaderSize + len;
    }
    end_ = off;
    fd_.reset(::open(path_.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC));
    if (fd_ && off < all.size() && ::ftruncate(fd_.get(), static_cast<off_t>(off)) != 0) fd_.reset();
}

std::optional<std::string> CacheFile::get(std::uint32_t uidvalidity, std::uint32_t uid) {
    std::lock_guard lock(mu_);
    load_locked(uidvalidity);
    auto it = values_.find(uid);
    if (it == values_.end()) return std::nullopt;
    return it->second;
}

void CacheFile::put(std::uint32_t uidvalidity, std::uint32_t uid, std::string value) {
    if (value.size() > kMaxCacheValue || uid == 0) return;
    std::lock_guard lock(mu_);
    load_locked(uidvalidity);
    if (fd_) {
        auto frame = fmt::frame_batch(nonce_, end_, varint(uid) + value);  // fits: kMaxCacheValue
        if (frame && io::write_all(hooks_, fd_.get(), *frame, static_cast<off_t>(end_)) == 0) {
            end_ += frame->size();
        } else if (::ftruncate(fd_.get(), static_cast<off_t>(end_)) != 0) {
            fd_.reset();  // unknown tail: stop writing; the next load cuts it off
        }
    }
    auto& slot = values_[uid];
    live_bytes_ -= std::min<std::uint64_t>(live_bytes_, slot.size());
    slot = std::move(value);
    live_bytes_ += slot.size();
    if (end_ > 64 * 1024 && end_ > 2 * (live_bytes_ + 16 * values_.size())) compact_locked();
}

void CacheFile::forget(const std::vector<std::uint32_t>& uids) {
    std::lock_guard lock(mu_);
    if (!loaded_) return;  // the next load keeps them until a compaction; harmless (UIDs are never reused)
    for (auto uid : uids) {
        auto it = values_.find(uid);
        if (it == values_.end()) continue;
        live_bytes_ -= std::min<std::uint64_t>(live_bytes_, it->second.size());
        values_.erase(it);
    }
}

void CacheFile::reset() {
    std::lock_guard lock(mu_);
    values_.clear();
    live_bytes_ = 0;
    loaded_ = false;
    fd_.reset();
    ::unlink(path_.c_str());
}

void CacheFile::compact_locked() {
    auto tmp = path_;
    tmp += ".tmp";
    std::random_device rd;
    const std::uint64_t nonce = (std::uint64_t{rd()} << 32) ^ rd();
    std::string image = header(uidvalidity_, nonce);
    for (const auto& [uid, value] : values_)
        if (auto frame = fmt::frame_batch(nonce, image.size(), varint(uid) + value)) image += *frame;
    // Never written through a leftover or planted file: unlink, then O_EXCL.
    ::unlink(tmp.c_str());
    UniqueFd fd(::open(tmp.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd || io::write_all(hooks_, fd.get(), image, 0) != 0 || ::rename(tmp.c_str(), path_.c_str()) != 0) {
        ::unlink(tmp.c_str());
        return;
    }
    fd_ = std::move(fd);
    nonce_ = nonce;
    end_ = image.size();
}

}  // namespace tern::mailbox
