// The IMAP command parser: one framed command (RawCommand, from the CommandReader) into a typed
// Command (command.hpp), following the formal syntax of RFC 9051 9 and RFC 3501 9 plus the
// extensions named in command.hpp. Keywords are case-insensitive; a command must end where its
// grammar ends (anything left over is an error).
//
// Every failure is a ParseError naming what was wrong; the session answers "tag BAD <message>"
// (or "* BAD" when there is no usable tag). The parser never answers NO: it does not know the
// state or the mailbox.
//
// Security decisions:
//  - NUL anywhere outside a literal8, CR or LF outside a literal, bytes >= 0x80 in atoms and
//    invalid UTF-8 in quoted strings are refused (RFC 9051 4.1, 4.3; UTF-8 in quoted strings is
//    IMAP4rev2 / RFC 6855 syntax). A literal is only recognised where the reader framed one
//    (at the end of a line), so literal data can never be reinterpreted as syntax.
//  - Parenthesised, NOT and OR search keys nest at most options.max_search_depth deep, so a
//    hostile "((((..." or "NOT NOT NOT ..." cannot exhaust the stack; the same bound applies to
//    nothing else because nothing else nests.
//  - The parser holds no state between commands; it allocates in proportion to the command,
//    which the reader bounded.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

#include "imap/command.hpp"
#include "imap/command_reader.hpp"

namespace tern::imap {

struct ParserOptions {
    std::size_t max_search_depth = 32;
};

enum class ParseErrorKind : std::uint8_t {
    Empty,           // an empty line (the session may ignore it)
    BadTag,          // no valid tag: answer "* BAD"
    UnknownCommand,  // tag ok, command name unknown (or not allowed after UID)
    Syntax,          // arguments do not match the command's grammar
    TooDeep,         // search keys nested beyond max_search_depth
};

struct ParseError {
    ParseErrorKind kind = ParseErrorKind::Syntax;
    std::string tag;      // "" when there is none
    std::string command;  // the upper-case command name when it was recognised ("UID FETCH"
                          // is "FETCH" with uid set), else ""
    bool uid = false;
    std::string message;  // human-readable, printable ASCII, no CR/LF
};

using ParseResult = std::variant<Command, ParseError>;

ParseResult parse_command(const RawCommand& raw, const ParserOptions& options = {});

}  // namespace tern::imap
