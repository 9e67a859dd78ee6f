// POP3 command lines (RFC 1939 3, RFC 2449 3): a keyword of three or four letters,
// case-insensitive, then arguments separated by spaces. One line (without its line end) in,
// a typed Command out; the session checks state and argument syntax.
//
// Lenient where it costs nothing: runs of spaces and trailing spaces between arguments are
// ignored (RFC 1939 asks for single spaces). Nothing else: a keyword holding anything but
// letters, and any unsupported keyword (APOP among them: we keep no cleartext passwords), is
// Verb::Unknown. Control bytes are not stripped: they make the argument checks fail.
// Framing (finding the line end, length limits) is the session's job, not the parser's.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace tern::pop3 {

enum class Verb {
    Unknown,
    // AUTHORIZATION state (RFC 1939 4, 7; RFC 2595 4; RFC 5034 4)
    User, Pass, Auth, Stls,
    // either state (RFC 2449 5; RFC 1939 6)
    Capa, Quit,
    // TRANSACTION state (RFC 1939 5, 7)
    Stat, List, Retr, Dele, Noop, Rset, Top, Uidl,
};

struct Command {
    Verb verb = Verb::Unknown;
    // Everything after the first space, verbatim: PASS takes it whole, "since the PASS
    // command has exactly one argument" a password may hold spaces (RFC 1939 7).
    std::string_view rest;
    // The space-separated arguments: the first kMaxArgs of them, and how many there were.
    static constexpr std::size_t kMaxArgs = 3;
    std::array<std::string_view, kMaxArgs> args{};
    std::size_t argc = 0;
};

// `line` is the command line without CRLF. Views point into `line`.
Command parse_command(std::string_view line);

// A decimal argument (message number, line count): one or more ASCII digits, nothing else.
// Values beyond the range saturate at UINT64_MAX (no such message / the whole message).
std::optional<std::uint64_t> parse_number(std::string_view text);

}  // namespace tern::pop3
