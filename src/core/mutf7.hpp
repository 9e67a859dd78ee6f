// Modified UTF-7, the mailbox-name encoding of IMAP (RFC 3501 5.1.3, RFC 9051 5.1.3): printable
// US-ASCII (0x20-0x7E) stands for itself except '&', which is written "&-"; every other
// character is UTF-16, base64-encoded with ',' in place of '/' and no padding, between '&' and
// '-'. Dovecot also uses it for Maildir++ folder names on disk, and so does mailbox/.
//
// decode() is strict because it reads what a client (or another program's directory names)
// sends, and its result names files: every string has exactly one accepted encoding. Refused:
// bytes outside 0x20-0x7E, '&' without its closing '-', characters outside the modified base64
// alphabet inside a shift, a shift that encodes a printable ASCII character (which must stand
// for itself), leftover bits that are not zero or that amount to 6 or more (not a whole number
// of UTF-16 units), unpaired or reversed surrogates, and a shift that follows another one
// directly ("&AOk-&AOk-" must be "&AOkA6Q-": RFC 3501's "null shifts ... are not permitted").
// encode() refuses input that is not UTF-8 (overlong forms, surrogates, beyond U+10FFFF).
//
// Deliberately left out: deciding which characters a mailbox name may contain (NUL, controls);
// that is the caller's policy (mailbox/folder_name).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tern {

// UTF-8 -> modified UTF-7; nullopt when `utf8` is not valid UTF-8.
std::optional<std::string> mutf7_encode(std::string_view utf8);

// Modified UTF-7 -> UTF-8; nullopt unless `text` is in canonical modified UTF-7 (see above).
std::optional<std::string> mutf7_decode(std::string_view text);

}  // namespace tern
