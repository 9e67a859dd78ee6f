// SMTP command parser: one command line (without its CRLF) into a typed Command
// (RFC 5321 4.1.1 commands, 4.1.2 path syntax incl. source routes, 4.5.1 <postmaster>;
// RFC 3030 2 BDAT; RFC 3207 STARTTLS; RFC 6531 3.3 UTF-8 addresses with SMTPUTF8).
//
// Verbs are case-insensitive. Any control byte in the line (NUL, bare CR, ...) is refused
// before anything else is looked at. Source routes are accepted and dropped (RFC 5321 C).
// Framing (finding the CRLF, line-length limits) is the session's job, not the parser's.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "smtp/esmtp_params.hpp"
#include "smtp/reply.hpp"

namespace tern::smtp {

enum class Verb {
    Unknown, Helo, Ehlo, Mail, Rcpt, Data, Bdat, Rset, Noop, Quit, Vrfy, Expn, Help, Starttls, Auth,
};

// RFC 5321 4.1.1.1: domain in EHLO/HELO; we bound it like a domain (4.5.3.1.2).
inline constexpr std::size_t kMaxHeloLength = 255;
// Octet counts above this (18 digits) are refused as unreadable rather than risk overflow.
inline constexpr std::size_t kMaxBdatDigits = 18;

struct Command {
    Verb verb = Verb::Unknown;
    std::string argument;    // EHLO/HELO: the domain; VRFY/EXPN/HELP/NOOP/AUTH: the raw text
    std::string path;        // MAIL/RCPT: mailbox as given, no brackets or route; "" for <>
    MailParams mail;         // MAIL parameters
    RcptParams rcpt;         // RCPT parameters
    std::uint64_t chunk_size = 0;  // BDAT octet count
    bool last = false;             // BDAT ... LAST
};

struct ParseError {
    Verb verb = Verb::Unknown;     // so the session can check sequencing before syntax
    Reply reply;
    // BDAT only: the octet count was readable, so the chunk can still be skipped...
    std::uint64_t skip_octets = 0;
    // ...or it was not, and the input stream can no longer be framed.
    bool desync = false;
};

using ParseResult = std::variant<Command, ParseError>;

// `rcpt_utf8`: the transaction was opened with MAIL ... SMTPUTF8, so RCPT may carry UTF-8.
ParseResult parse_command(std::string_view line, bool rcpt_utf8 = false);

// Only the verb (for callers that need it before a full parse).
Verb parse_verb(std::string_view line);
std::string_view verb_name(Verb verb);

}  // namespace tern::smtp
