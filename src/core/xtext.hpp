// RFC 3461 4 xtext, the encoding of ENVID and ORCPT values in SMTP parameters:
// xtext = *( xchar / hexchar ), xchar = %d33-42 / %d44-60 / %d62-126, hexchar = "+" 2HEXDIG.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tern {

// Lower-case hex digits are accepted (be liberal). nullopt on any other deviation.
std::optional<std::string> xtext_decode(std::string_view text);
// Octets 33-126 except '+' and '=' as they are; every other octet as "+XX".
std::string xtext_encode(std::string_view text);

}  // namespace tern
