// Folder names: the one place where a name chosen by a client becomes a directory name.
//
// API names are UTF-8 with '/' as the hierarchy delimiter (what the IMAP layer sees after
// decoding modified UTF-7, or directly with UTF8=ACCEPT): "INBOX", "Archive/2026". "INBOX" in
// any case is the Maildir root. On disk (Maildir++, as Dovecot lays it out), "Archive/2026" is
// the directory "<root>/.Archive.2026": a leading '.', components joined by '.', each
// component in modified UTF-7 (core/mutf7) with '.' and '^' escaped as "^2e" and "^5e"
// (Dovecot's escape character). The result is ASCII 0x20-0x7E without '/', so it is always
// exactly one directory entry inside the root, never "." or "..".
//
// Refused (never reaching the file system): invalid UTF-8; empty names and empty components
// ("a//b", "/a", "a/"); components "." and ".."; control characters (C0, DEL, C1); the LIST
// wildcards '%' and '*'; more than kMaxFolderDepth levels; a disk name longer than
// kMaxDiskName bytes (NAME_MAX with room to spare). Decoding a directory name is as strict:
// only names this code would produce are accepted, so a name read from disk always maps back
// to the same directory (others, e.g. made by hand, are not listed).
//
// Deliberately left out: Unicode normalization (NFC) of names; RFC 9051 leaves it to clients.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mailbox/result.hpp"

namespace tern::mailbox {

inline constexpr std::size_t kMaxDiskName = 240;    // bytes of ".<a>.<b>..." (NAME_MAX is 255)
inline constexpr std::size_t kMaxFolderDepth = 16;  // hierarchy levels
inline constexpr char kDelimiter = '/';

struct FolderName {
    std::string name;                     // normalized: "INBOX" prefix upper-cased
    std::vector<std::string> components;  // name split at '/'
    std::string disk;                     // "" for INBOX, ".Archive.2026" otherwise
    bool is_inbox() const { return disk.empty(); }
    // The folder's directory under a user's Maildir root.
    std::filesystem::path path(const std::filesystem::path& root) const {
        return disk.empty() ? root : root / disk;
    }
};

// Checks and maps a UTF-8 name; InvalidName or Limit (with a reason) when refused.
Result<FolderName> parse_folder_name(std::string_view utf8);

// The API name for a directory entry of the root (".Archive.2026" -> "Archive/2026");
// nullopt for entries that are not folders or not in canonical form.
std::optional<std::string> folder_name_from_disk(std::string_view entry);

// "a/b/c" -> "a/b"; "" for a top-level name.
std::string parent_folder(std::string_view name);
// Is `name` below `ancestor` ("a/b" below "a"; not "ab")?
bool is_below(std::string_view name, std::string_view ancestor);

}  // namespace tern::mailbox
