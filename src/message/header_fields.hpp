// The header section of a message (RFC 5322 2.2): the fields up to the first empty line,
// with folded values kept raw. Pure; bounded by the message itself.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tern::message {

struct HeaderField {
    std::string_view name;   // as written, without the colon
    std::string_view value;  // after the colon, folding kept, without the final CRLF
};

// Fields of the header section of `message` (CRLF or LF line endings). A line that is neither a
// field nor a continuation ends the header section (it is body, by RFC 5322's grammar).
std::vector<HeaderField> header_fields(std::string_view message);

// True when a field named `name` (case-insensitive) is present.
bool has_field(std::string_view message, std::string_view name);

// The value with folding (CRLF/LF followed by WSP) removed and outer whitespace trimmed.
std::string unfold(std::string_view value);

}  // namespace tern::message
