// The author addresses of a message: the addr-specs in its From: field(s) (RFC 5322 3.6.2),
// parsed by GMime (display names, comments, quoted strings, encoded words, groups).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tern::message {

// Every mailbox address of every From: field, as "local@domain". Empty when there is no From:
// or it holds no parsable mailbox. Thread-safe (GMime is initialised once, on first use).
std::vector<std::string> from_addresses(std::string_view message);

}  // namespace tern::message
