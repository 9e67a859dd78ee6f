// Where a local user's mailbox lives: <root>/<domain>/<localpart>/, a Maildir
// (https://cr.yp.to/proto/maildir.html) that POP3/IMAP, Dovecot and mutt read as well.
//
// This is the one place where text that came from the network (a recipient's local part and
// domain) becomes a file-system path, so it is strict: each part must be valid UTF-8 and one
// safe path component (no '/', '\\', NUL or other control bytes, no leading '.', so never
// "." or ".."), at most 255 bytes. Anything else gets no path at all.
//
// Deliberately left out: Maildir++ sub-folders (".Sent/") — those are named by IMAP, not here.
#pragma once

#include <filesystem>
#include <optional>
#include <string_view>

#include "core/address.hpp"

namespace tern::store {

// True when `part` (a local part or a domain, already lower-cased or not) may become one
// path component of a mailbox path.
bool is_safe_mailbox_component(std::string_view part);

// <root>/<lower(domain)>/<lower(local)>, or nullopt when either part is unsafe.
std::optional<std::filesystem::path> mailbox_path(const std::filesystem::path& root,
                                                  const Address& address);

// The same for a user key "local@domain" (split at the last '@'); nullopt when there is no
// '@' or a part is unsafe.
std::optional<std::filesystem::path> mailbox_path(const std::filesystem::path& root,
                                                  std::string_view key);

}  // namespace tern::store
