// The per-user mailbox quota ([retrieval] quota): one rule for RCPT on the MX listener and for
// local delivery of queued mail. A mailbox at or above its quota takes nothing more; the
// answer is temporary (452 4.2.2, RFC 3463 "mailbox full"), so the sender's server retries and
// the mail arrives once the user has made room.
#pragma once

#include <filesystem>

#include "config/config.hpp"
#include "core/outcome.hpp"

namespace tern::mailbox {
class Store;
}

namespace tern::server {

// Ok when `maildir` may take another message. A mailbox that does not exist yet is empty; one
// whose size cannot be read is let through (the file system's own EDQUOT still applies).
Outcome check_quota(mailbox::Store& store, const config::Config& config, const std::filesystem::path& maildir);

}  // namespace tern::server
