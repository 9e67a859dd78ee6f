// The per-message opaque cache of a folder ("tern-cache"): what the IMAP layer renders once
// per message (ENVELOPE, BODY, BODYSTRUCTURE strings of a few hundred bytes; the encoding is
// imap/fetch_cache.hpp's) and wants back later without parsing the message again.
//
// Why a separate file, read lazily: at a few hundred bytes per message it would be most of the
// index, and opening a folder reads the whole index. Measured (bench/mailbox_index_bench.cpp,
// 50,000 messages, 300 B each): index open 6.3 ms / 3.9 MB without the cache, 17 ms / 19 MB
// with it inline; this file loads in 20 ms (15.5 MB), once, when a session first asks for a
// cached value. Most opens (STATUS, POP3, flag changes, IDLE) never look at the cache.
//
// Format: a 32-byte header like the index's ("TERNMCAC", version, the folder's UIDVALIDITY, a
// nonce, CRC), then framed records as in index_format (length, CRC bound to nonce and offset),
// each holding a varint UID and the value; a later record for a UID replaces an earlier one.
//
// Durability: none needed, and none paid for — a cache can always be recomputed. Records are
// appended without fsync; a torn or damaged tail is cut off at load, a file with another
// UIDVALIDITY (the folder was rebuilt) is discarded. Entries of expunged messages are dropped
// from memory at once and from the file when it is compacted (when more than half of it is
// dead), by writing a new file and renaming it over the old one.
// Thread-safe (its own mutex).
#pragma once

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "mailbox/io.hpp"

namespace tern::mailbox {

inline constexpr std::string_view kCacheFileName = "tern-cache";
// A value larger than this is not cached (the caller recomputes it).
inline constexpr std::size_t kMaxCacheValue = 64 * 1024;

class CacheFile {
public:
    CacheFile(std::filesystem::path path, IoHooks hooks);

    std::optional<std::string> get(std::uint32_t uidvalidity, std::uint32_t uid);
    // Best effort: a failed write only means the value is computed again next time.
    void put(std::uint32_t uidvalidity, std::uint32_t uid, std::string value);
    void forget(const std::vector<std::uint32_t>& uids);
    // Drops everything (the folder got a new UIDVALIDITY) and removes the file.
    void reset();
    bool loaded() const;  // tests: was the file read?

private:
    void load_locked(std::uint32_t uidvalidity);
    void start_file_locked(std::uint32_t uidvalidity);
    void compact_locked();

    std::filesystem::path path_;
    IoHooks hooks_;
    mutable std::mutex mu_;
    bool loaded_ = false;
    std::uint32_t uidvalidity_ = 0;
    std::uint64_t nonce_ = 0;
    std::uint64_t end_ = 0;
    std::uint64_t live_bytes_ = 0;
    UniqueFd fd_;
    std::unordered_map<std::uint32_t, std::string> values_;
};

}  // namespace tern::mailbox
