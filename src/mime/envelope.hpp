// ENVELOPE (RFC 9051 7.5.2) from a message's header section.
//
// Values are the field bodies unfolded (line breaks removed, blanks kept) and trimmed, not
// RFC 2047-decoded: clients decode them. The first occurrence of each field counts. An absent
// field is nullopt (NIL); a present empty one is "". Sender and Reply-To default to From when
// absent or empty (RFC 9051 7.5.2: "the server MUST default..."). Addresses: see address.hpp.
#pragma once

#include <string_view>

#include "mime/structure.hpp"

namespace tern::mime {

// `header` is the header section or the whole message (parsing stops at the empty line); LF,
// CRLF or mixed line endings.
Envelope parse_envelope(std::string_view header);

// The same, taking every address from `address_budget` (and lowering it): once it is spent,
// address lists are cut short. parse_envelope(header) has a budget of kMaxAddresses
// (address.hpp); BODYSTRUCTURE shares one such budget among all the enclosed messages of a
// message, so that a message of many message/rfc822 parts full of addresses stays small.
Envelope parse_envelope(std::string_view header, std::size_t& address_budget);

}  // namespace tern::mime
