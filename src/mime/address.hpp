// RFC 5322 3.4 address lists (with the obsolete forms of 4.4) split the way IMAP's ENVELOPE
// wants them (RFC 9051 7.5.2): display name, local part, domain; groups as a start and an end
// marker.
//
// Decision: our own small parser rather than GMime's internet_address_list_parse(), because
// IMAP wants the display name as written (RFC 2047 words still encoded, RFC 9051 7.5.2) and
// GMime decodes them while parsing, losing the original. Dovecot does the same for the same
// reason. What comes out:
//  - name: the phrase with comments dropped, quoted strings unquoted, blanks between words
//    collapsed to one; for a bare addr-spec, the text of its last comment ("a@b (Name)");
//    nullopt when there is neither.
//  - mailbox: the local part as written (a quoted local part keeps its quotes, so that
//    mailbox "@" host is still a valid address); "MISSING_MAILBOX" when absent.
//  - host: the domain; "MISSING_DOMAIN" when absent, never nullopt, since a NIL host marks a
//    group (RFC 9051 7.5.2). Dovecot uses the same placeholders.
//  - a source route is dropped (adl stays nullopt).
//  - an unterminated group is closed, so start and end markers always pair up.
// At most `max_entries` entries are returned (plus the end marker of a group cut short): a
// hostile header cannot make the structure of one message take unbounded memory.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "mime/structure.hpp"

namespace tern::mime {

inline constexpr std::size_t kMaxAddresses = 10000;

// `value` is the field body (folding may still be in it; it is treated as whitespace).
std::vector<EnvelopeAddress> parse_address_list(std::string_view value,
                                               std::size_t max_entries = kMaxAddresses);

}  // namespace tern::mime
