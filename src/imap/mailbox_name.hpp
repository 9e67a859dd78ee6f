// Small pieces of IMAP vocabulary the session needs around mailbox names and flags:
//  - LIST pattern matching (RFC 9051 6.3.9): '*' matches anything, '%' anything but the
//    hierarchy delimiter; INBOX matches case-insensitively (RFC 9051 5.1);
//  - the validity of a decoded mailbox name before it reaches the backend: valid UTF-8, not
//    empty, no control characters, no LIST wildcards;
//  - canonical flag spelling: system flags are case-insensitive (RFC 9051 2.3.2) and are
//    passed on in their canonical form; "\Recent" and unknown backslash flags are refused
//    where a client may set flags.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tern::imap {

// `pattern` and `name` both UTF-8 (decoded). Linear-time matching with backtracking bounded
// by the number of wildcards (greedy with the last star remembered per segment).
bool list_match(std::string_view name, std::string_view pattern, char delimiter);

// A decoded mailbox name we are willing to pass to the backend.
bool valid_mailbox_name(std::string_view utf8);

// "\\seen" -> "\\Seen"; a keyword (atom without '\\') as given; nullopt for "\\Recent", "\\*"
// and any other backslash name (RFC 9051 2.3.2: only the system flags may start with '\\').
std::optional<std::string> canonical_flag(std::string_view flag);

bool is_system_flag(std::string_view canonical);

}  // namespace tern::imap
