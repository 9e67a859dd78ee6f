// DKIM canonicalization (RFC 6376 3.4) and the message form it applies to.
//
// A stored message may have LF or CRLF line ends; what is signed and verified is the message as
// it travels, with every bare LF or bare CR turned into CRLF (the SMTP client sends exactly
// that: outbound/data_encoder.hpp). wire_form() makes that copy. Everything else here expects
// wire form.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tern::dkim {

// The message with bare LF and bare CR replaced by CRLF.
std::string wire_form(std::string_view message);
// True when `message` has no bare LF or CR (wire_form would return it unchanged).
bool is_wire_form(std::string_view message);

struct RawHeader {
    std::string_view name;  // as written, without trailing whitespace and the colon
    std::string_view field; // the whole field, folding included, without the final CRLF
};

struct SplitMessage {
    std::vector<RawHeader> headers;  // in message order
    std::string_view body;           // after the empty line ("" when there is none)
};

// Splits a message in wire form. A line that is neither a field nor a continuation ends the
// header section, as in RFC 5322's grammar.
SplitMessage split_message(std::string_view wire);

// One header field in canonical form, with its final CRLF (3.4.1 simple, 3.4.2 relaxed).
std::string canonical_header(std::string_view field, bool relaxed);

// SHA-256 of the canonical body (3.4.3 simple, 3.4.4 relaxed). With `limit` (the l= tag), only
// that many canonical octets are hashed. *canonical_length receives the full canonical length.
std::string body_hash(std::string_view body, bool relaxed, std::optional<std::uint64_t> limit,
                      std::uint64_t* canonical_length = nullptr);

// The canonical body itself (for tests; body_hash streams the same octets into the digest).
std::string canonical_body(std::string_view body, bool relaxed);

}  // namespace tern::dkim
