// Undoing transfer encodings (RFC 2045 6) and converting text to UTF-8, with GMime: what
// BINARY (RFC 3516) and SEARCH BODY/TEXT need.
//
// Transfer encodings: 7bit, 8bit and binary are identities; base64 and quoted-printable are
// decoded by GMime's decoders, which are lenient the way RFC 2045 asks (base64: characters
// outside the alphabet ignored, 6.8; quoted-printable: "=" not followed by two hex digits kept
// as it is, 6.7 note 1; trailing blanks on encoded lines are kept, unlike 6.7 rule 3).
// Anything else (x-uuencode, x-token, garbage) is Unknown: BINARY answers UNKNOWN-CTE.
//
// Charsets: converted with iconv through GMime's charset aliases (latin1, windows-1252,
// ks_c_5601-1987...). An octet sequence invalid in the declared charset becomes U+FFFD and
// conversion goes on. Text with no charset, us-ascii or an unknown charset that is not valid
// UTF-8 is decoded by GMime's 8-bit heuristics (UTF-8, else ISO-8859-1-like fallbacks).
#pragma once

#include <string>
#include <string_view>

namespace tern::mime {

enum class TransferEncoding { Identity, Base64, QuotedPrintable, Unknown };

// From a Content-Transfer-Encoding token (any case); empty means 7bit (RFC 2045 6.1).
TransferEncoding classify_transfer_encoding(std::string_view token);

// `body` with the encoding removed. Identity and Unknown return the body unchanged.
std::string decode_transfer(std::string_view body, TransferEncoding encoding);

// `text` in `charset` (a MIME charset name; empty when undeclared) as valid UTF-8.
std::string charset_to_utf8(std::string_view text, std::string_view charset);

// True when `s` is well-formed UTF-8 (NUL octets count as invalid here).
bool valid_utf8(std::string_view s);

}  // namespace tern::mime
