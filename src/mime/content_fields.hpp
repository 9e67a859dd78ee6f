// The MIME Content-* fields BODYSTRUCTURE reports (RFC 2045 5, 6; RFC 2183 Content-
// Disposition; RFC 3282 Content-Language), with parameters per RFC 2045 5.1 and RFC 2231 3-4.
//
// Decision: parameter values stay as IMAP clients expect to decode them, in ASCII where the
// message was ASCII. RFC 2231 continuations are joined (name*0, name*1... become one "name");
// a charset-tagged value (name* or name*0*) becomes one "name*" parameter whose value keeps
// the charset'language'%XX form, as Dovecot reports it; clients decode that themselves. GMime's
// parameter parser is not used for this because it converts values to UTF-8 (and decodes
// RFC 2047 words inside quotes), which would put undeclared 8-bit text into BODYSTRUCTURE.
//
// The parsers are lenient: comments are skipped, junk after a value is ignored up to the next
// ';', an unterminated quoted string ends at the end of the field.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mime/structure.hpp"

namespace tern::mime {

struct ContentType {
    std::string type;     // as written ("Text"), never empty
    std::string subtype;  // never empty
    Parameters parameters;
};

// Content-Type: type "/" subtype *(";" parameter). nullopt when it is not of that form (the
// caller then applies the default, RFC 2045 5.2).
std::optional<ContentType> parse_content_type(std::string_view value);

// Content-Disposition: type *(";" parameter). nullopt without a disposition type.
std::optional<Disposition> parse_content_disposition(std::string_view value);

// Content-Language: 1#Language-tag. Empty when there is none.
std::vector<std::string> parse_content_language(std::string_view value);

// The first token of a field (Content-Transfer-Encoding), comments skipped; empty if none.
std::string parse_token(std::string_view value);

// The value of the first parameter named `name` (case-insensitive), or nullptr.
const std::string* find_parameter(const Parameters& params, std::string_view name);

}  // namespace tern::mime
