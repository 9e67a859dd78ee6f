// The data formats of IMAP responses (RFC 9051 4 and 9: string, quoted, literal, literal8,
// nstring, astring, mailbox, flag-list, sequence-set, section-spec), appended to an output
// string. The session builds whole response lines with these and never writes client-supplied
// bytes into a response any other way: that is what keeps a mailbox name, a header or a flag
// from injecting CRLF and a fake tagged response.
//
// Choice of form:
//  - quoted when the value is at most kMaxQuoted octets and every octet may appear in a quoted
//    string: no NUL, CR or LF; 8-bit only as valid UTF-8 and only when `utf8` (IMAP4rev2 or
//    UTF8=ACCEPT, RFC 9051 4.3 / RFC 6855 3); '"' and '\' are escaped;
//  - otherwise a literal "{n}\r\n" + octets (which may carry 8-bit, RFC 9051 4.3);
//  - append_binary() uses literal8 "~{n}\r\n" when the octets hold NUL (RFC 3516 4.2: only in
//    BINARY[] responses). append_string() never does: a NUL in a string has no valid form, it is
//    sent in a literal as it is and the client decides.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "imap/fetch_attribute.hpp"
#include "imap/sequence_set.hpp"

namespace tern::imap {

// Longer values go as literals: easier on clients' line buffers (RFC 2683 3.2.1.5).
inline constexpr std::size_t kMaxQuoted = 1024;

// True when `s` can be sent as a quoted string (whatever its length).
bool quotable(std::string_view s, bool utf8 = false);

void append_quoted(std::string& out, std::string_view s);  // precondition: quotable(s, ...)
void append_literal(std::string& out, std::string_view s);  // "{n}\r\n" + s
void append_string(std::string& out, std::string_view s, bool utf8 = false);
void append_nstring(std::string& out, const std::optional<std::string>& s, bool utf8 = false);
void append_nil(std::string& out);
// An atom when s is 1*ASTRING-CHAR and not "NIL" (which a client would read as NIL), else a
// string.
void append_astring(std::string& out, std::string_view s, bool utf8 = false);
// BINARY[] data (RFC 3516 4.2): literal8 when s holds NUL, else a literal.
void append_binary(std::string& out, std::string_view s);
// A mailbox name as LIST, LSUB, STATUS send it: "INBOX" in that case for INBOX (RFC 9051 5.1),
// else astring. `name` is already encoded for the client (modified UTF-7 or UTF-8).
void append_mailbox(std::string& out, std::string_view name, bool utf8 = false);
// "(" flag *(SP flag) ")". A flag that is not "\"atom or atom (or "\*") is left out: flags come
// from storage and a broken one must not break the response's syntax.
void append_flag_list(std::string& out, std::span<const std::string> flags);
void append_sequence_set(std::string& out, const SequenceSet& set);
// The section spec inside "BODY[...]" / "BINARY[...]" as the response echoes it
// ("1.2.HEADER.FIELDS (From To)"), without the brackets.
void append_section(std::string& out, const Section& section);

}  // namespace tern::imap
