// imap::Backend over the mailbox store: one user's Maildir++ folders (mailbox::Store) and the
// selected folder (mailbox::Folder snapshots and diffs). Every call is blocking file I/O: the
// IMAP driver runs the session (which calls these) on the mailbox pool.
#pragma once

#include <filesystem>
#include <memory>

#include "imap/backend.hpp"

namespace tern::mailbox {
class Store;
}

namespace tern::server {

std::shared_ptr<imap::Backend> make_imap_backend(mailbox::Store& store, std::filesystem::path root);

}  // namespace tern::server
