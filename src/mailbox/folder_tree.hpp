// The folders of one user's Maildir++ tree on disk: listing, creating, deleting, renaming,
// special-use attributes and subscriptions. Store (store.hpp) calls these under its tree
// lock and takes care of open Folder objects; these functions only touch directories.
//
// Durability: a folder is created complete in a staging directory "tern-new-<unique>" (no
// leading '.', so Maildir++ readers ignore it) and renamed into place with RENAME_NOREPLACE,
// then the root is fsync'ed: a crash leaves either no folder or a whole one. DELETE renames the
// folder to "tern-trash-<unique>" first (atomic, fsync'ed), then removes the tree; leftovers of
// a crash are removed by cleanup_leftovers(). RENAME renames the folder and then each child
// (children are separate directories in Maildir++); if one fails, those done are renamed back.
//
// Special-use attributes (RFC 6154) live in "tern-special-use" inside the folder's directory
// (at the root for INBOX), one attribute per line, written atomically: they travel with RENAME
// and vanish with DELETE. Supported: \Archive \Drafts \Junk \Sent \Trash; \All and \Flagged
// describe virtual folders this store does not have and are refused.
//
// Subscriptions: "<root>/subscriptions", one UTF-8 name per line (Dovecot keeps a file of the
// same name and purpose), replaced atomically on every change. A subscription is not removed
// when its folder is deleted (RFC 9051 6.3.7); RENAME moves the subscriptions of the folder
// and its children to the new names.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "mailbox/folder_name.hpp"
#include "mailbox/io.hpp"
#include "mailbox/result.hpp"

namespace tern::mailbox {

inline constexpr std::string_view kSpecialUseFile = "tern-special-use";
inline constexpr std::string_view kSubscriptionsFile = "subscriptions";

// One LIST entry (RFC 9051 7.3.1, RFC 5258 LIST-EXTENDED, RFC 6154).
struct FolderInfo {
    std::string name;
    bool exists = true;          // false: only an ancestor of folders (\NonExistent, \Noselect)
    bool has_children = false;   // \HasChildren / \HasNoChildren
    bool no_inferiors = false;   // \NoInferiors: a child's name could not fit on disk
    bool subscribed = false;     // \Subscribed
    std::vector<std::string> special_use;  // e.g. "\Sent"
};

namespace tree {

// "\Sent" etc. in canonical case; nullopt for anything this store does not support.
std::optional<std::string> canonical_special_use(std::string_view attribute);

// Every folder of the tree, INBOX first, then by name; ancestors without a directory are
// included with exists = false.
Result<std::vector<FolderInfo>> list(const std::filesystem::path& root);
bool exists(const std::filesystem::path& root, const FolderName& name);

// Creates one folder (not its ancestors); AlreadyExists when it is there.
Result<void> create(const IoHooks& hooks, const std::filesystem::path& root, const FolderName& name,
                    const std::vector<std::string>& special_use);
// Moves the folder's directory out of the tree (to a trash name); returns that path, which the
// caller removes with io::remove_tree once no lock is held.
Result<std::filesystem::path> detach(const IoHooks& hooks, const std::filesystem::path& root, const FolderName& name);
// Renames `from` and its children to `to` (see above). AlreadyExists when any target exists.
// Returns the (old name, new name) pairs of every folder renamed.
Result<std::vector<std::pair<std::string, std::string>>> rename(const IoHooks& hooks,
                                                                  const std::filesystem::path& root,
                                                                  const FolderName& from, const FolderName& to);
// Names of folders below `name` that have a directory.
std::vector<std::string> children(const std::filesystem::path& root, std::string_view name);

std::vector<std::string> special_use(const std::filesystem::path& folder_dir);
Result<void> set_special_use(const IoHooks& hooks, const std::filesystem::path& folder_dir,
                             const std::vector<std::string>& attributes);

std::vector<std::string> subscriptions(const std::filesystem::path& root);
Result<void> write_subscriptions(const IoHooks& hooks, const std::filesystem::path& root,
                                 std::vector<std::string> names);

// Removes staging and trash directories a crash left behind.
void cleanup_leftovers(const std::filesystem::path& root);

}  // namespace tree
}  // namespace tern::mailbox
