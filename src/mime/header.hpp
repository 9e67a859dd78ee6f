// Header sections (RFC 5322 2.2, 3.2.2; RFC 2045 3): where an entity's header ends and which
// fields it holds, with the raw text of each field kept for HEADER.FIELDS. Works on LF, CRLF or
// mixed line endings. Pure and linear.
//
// IMAP's rule, followed here as Dovecot does: the header is everything up to the first empty
// line. A line that is neither a field nor a continuation does not end the header; it is kept
// as a nameless field (HEADER.FIELDS.NOT returns it, nothing else looks at it). Without an
// empty line the whole entity is header and its body is empty.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace tern::mime {

struct HeaderField {
    std::string_view name;   // without the colon and trailing blanks; empty for a junk line
    std::string_view value;  // after the colon, folding kept, without the final line ending
    std::string_view raw;    // the whole field, continuation lines and final line ending included
};

struct HeaderSplit {
    std::size_t fields_end = 0;   // end of the last field (where the empty line starts)
    std::size_t body_begin = 0;   // after the empty line; == size when there is none
    bool has_empty_line = false;  // false: all header, no body
};

// Where the header of `entity` ends.
HeaderSplit split_header(std::string_view entity);

// The fields of a header section. `block` may extend past the header: parsing stops at the
// first empty line.
std::vector<HeaderField> header_fields(std::string_view block);

// The first field named `name` (ASCII case-insensitive), or nullptr.
const HeaderField* find_field(const std::vector<HeaderField>& fields, std::string_view name);

// RFC 5322 2.2.3 unfolding: CR and LF removed, the whitespace after them kept; then leading and
// trailing blanks trimmed.
std::string unfold(std::string_view value);

// ASCII case-insensitive equality.
bool iequal(std::string_view a, std::string_view b);

}  // namespace tern::mime
