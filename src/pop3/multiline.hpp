// POP3 multi-line responses for RETR and TOP (RFC 1939 3, 5 RETR, 7 TOP): a stored message
// turned into CRLF lines, byte-stuffed, ended by ".\r\n".
//
// Line ends: every LF, CRLF or bare CR ends a line and becomes CRLF. Messages are stored with
// LF line ends (and may hold CRLF); a bare CR can only come from odd imports, and we make it a
// line end rather than pass it through: a client that splits lines at CR would otherwise see
// "\r.\r\n" as the end of the response, and the rest of the message as the next response.
// A last line without a line end still gets its CRLF before the terminator. An empty message
// is the terminator alone. Every other byte (NUL, 8-bit) passes unchanged.
// Byte-stuffing: a line that starts with '.' gets one more '.'.
// TOP n: the header, the blank line that ends it, then the first n body lines; all of the
// message when it has fewer lines, or no blank line at all.
//
// The response is built in one buffer whose size is computed first and reserved once: a
// large message is read twice and copied once.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace tern::pop3 {

// The octets append_multiline() adds for `content`.
std::size_t multiline_size(std::string_view content, std::optional<std::size_t> top = std::nullopt);

// Appends the converted, stuffed content and the terminating ".\r\n" to `out`.
void append_multiline(std::string& out, std::string_view content, std::optional<std::size_t> top = std::nullopt);

// `status` (a complete "+OK ...\r\n" line) followed by the multi-line body of `content`, in a
// string allocated once.
std::string multiline_response(std::string_view status, std::string_view content,
                               std::optional<std::size_t> top = std::nullopt);

}  // namespace tern::pop3
