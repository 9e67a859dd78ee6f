// How much a user's mailbox holds, over all folders: for IMAP QUOTA (RFC 9208 STORAGE and
// MESSAGE) and for a quota check at delivery time.
//
// Why not from the indexes: delivery must work (and check quota) for users who never use
// IMAP, who have no index, and reading a user's mailbox must not change it (building an index
// would move new/ files to cur/, which mutt shows as "no longer new"). So usage is computed
// read-only from the directory listings: the Maildir file names carry the size (S=, written
// by delivery and this store; a stat() only for names without it). Each new/ and cur/ listing
// is cached with the directory's mtime and reused while the mtime is unchanged (with the same
// 1-second settling rule as Folder::sync), so the usual cost is one readdir of the small root
// plus two stat() per folder; after a delivery only that new/ is listed again.
//
// Bytes are on-disk sizes (LF line endings), what the file system is charged.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>

#include "mailbox/result.hpp"

namespace tern::mailbox {

struct Usage {
    std::uint64_t bytes = 0;
    std::uint64_t messages = 0;
    friend bool operator==(const Usage&, const Usage&) = default;
};

class UsageCache {
public:
    // Thread-safe. NotFound when the root does not exist.
    Result<Usage> usage(const std::filesystem::path& root);
    std::uint64_t listings() const;  // directories listed so far (tests: the cache works)

private:
    struct Entry {
        std::int64_t mtime_ns = 0;
        bool trusted = false;
        Usage usage;
    };
    Result<Usage> dir_usage(const std::filesystem::path& dir, std::map<std::filesystem::path, Entry>& next,
                            const std::map<std::filesystem::path, Entry>& old);
    mutable std::mutex mu_;
    std::map<std::filesystem::path, std::map<std::filesystem::path, Entry>> roots_;
    std::uint64_t listings_ = 0;
};

}  // namespace tern::mailbox
