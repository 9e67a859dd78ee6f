// imap::Backend over the mailbox store: one user's Maildir++ folders (mailbox::Store) and the
// selected folder (mailbox::Folder snapshots and diffs). Every call is blocking file I/O: the
// IMAP driver runs the session (which calls these) on the mailbox pool.
//
// `quota`: the user's storage limit in bytes ([retrieval] quota; 0 = none), reported by
// quota() and enforced on APPEND and COPY (the mailbox store itself does not enforce it).
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>

#include "imap/backend.hpp"

namespace tern::mailbox {
class Store;
}

namespace tern::server {

std::shared_ptr<imap::Backend> make_imap_backend(mailbox::Store& store, std::filesystem::path root,
                                                 std::uint64_t quota = 0);

}  // namespace tern::server
