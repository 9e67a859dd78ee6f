// Internal to the command parser: a cursor over one RawCommand that reads the IMAP lexical
// items of RFC 9051 4 and 9 (atom, astring, quoted, literal, literal8, number, nz-number,
// number64, sequence-set, date, flag, flag-list, list-mailbox). Every reader either returns
// the item or throws SyntaxError with a message for the client; parse_command() catches it.
// Exceptions keep the grammar code as plain as the ABNF it follows; they never leave the
// parser.
//
// Literals: "{n}" (or "{n+}", "~{n}") is accepted only where the reader framed a literal, i.e.
// the marker ends exactly at the next LiteralSpan of the RawCommand; the cursor then jumps over
// the literal's octets.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "imap/char_class.hpp"
#include "imap/command_parser.hpp"
#include "imap/date_time.hpp"
#include "imap/sequence_set.hpp"

namespace tern::imap::detail {

struct SyntaxError {
    ParseErrorKind kind = ParseErrorKind::Syntax;
    std::string message;
};

[[noreturn]] void fail(std::string message, ParseErrorKind kind = ParseErrorKind::Syntax);

std::string upper(std::string_view s);

class Cursor {
public:
    Cursor(const RawCommand& raw, const ParserOptions& options);

    const ParserOptions& options() const { return opts_; }
    // Refuses NUL, CR and LF outside the literals (before any token is read, for a clear error).
    void check_octets() const;
    bool at_end() const { return pos_ >= end_; }
    char peek() const { return at_end() ? '\0' : text_[pos_]; }
    // True if the next octets equal `word` (case-insensitively) and are followed by a non-atom
    // octet (SP, ")", "[", end...). Does not move.
    bool peek_word(std::string_view word) const;
    // peek_word(), then moves past the word.
    bool accept_word(std::string_view word);
    // Moves over n octets of the current line (the tag, which the caller has checked).
    void skip(std::size_t n) { pos_ += n; }
    // The longest run of octets of the current line for which pred is true (maybe empty).
    std::string_view take_while(bool (*pred)(char));
    bool accept(char c);
    void expect(char c, std::string_view what);
    void sp(std::string_view what);  // exactly one SP; else "missing <what>" at the end
    bool accept_sp();
    void expect_end();

    // 1*ATOM-CHAR. `what` names the item in the error.
    std::string_view atom(std::string_view what);
    // Letters, digits and ".-" only: command names, FETCH items, section parts. Upper-cased.
    std::string word(std::string_view what);
    std::string astring(std::string_view what);
    std::string string(std::string_view what);  // quoted / literal
    std::optional<std::string> nstring(std::string_view what);
    // A literal or literal8 at the cursor (after "~" when binary); `binary` tells which.
    std::string literal(std::string_view what, bool allow_binary, bool* binary = nullptr);
    bool at_literal() const { return peek() == '{' || (peek() == '~' && pos_ + 1 < end_ && text_[pos_ + 1] == '{'); }

    std::uint32_t number(std::string_view what);      // 0..4294967295
    std::uint32_t nz_number(std::string_view what);   // 1..4294967295
    std::uint64_t number64(std::string_view what);    // 0..2^63-1
    std::uint64_t mod_sequence(std::string_view what, bool allow_zero);  // RFC 7162: 1..2^63-1
    SequenceSet sequence_set(std::string_view what, bool allow_saved = true, bool allow_star = true);
    Date date(std::string_view what);  // date-text, bare or quoted
    std::string flag(std::string_view what);  // "\" atom / atom
    std::vector<std::string> flag_list(std::string_view what);  // "(" [flag *(SP flag)] ")"
    std::string mailbox(std::string_view what) { return astring(what); }
    std::string list_mailbox(std::string_view what);  // 1*list-char / string

private:
    std::string quoted(std::string_view what);
    std::string_view digits(std::string_view what);
    // Where the current line segment ends: the next literal's first octet, or the end.
    std::size_t segment_end() const;
    // Fails with "8-bit character in <what>" when the next octet is >= 0x80.
    void no_8bit(std::string_view what) const;

    const RawCommand& raw_;
    const ParserOptions& opts_;
    std::string_view text_;
    std::size_t pos_ = 0;
    std::size_t end_ = 0;
    std::size_t next_literal_ = 0;
};

}  // namespace tern::imap::detail
