// SMTP replies as a client reads them (RFC 5321 4.2, 4.2.1 multi-line replies; RFC 2034 and
// RFC 3463 enhanced status codes), parsed from a byte stream that arrives in arbitrary
// chunks.
//
// Defensive: the peer is untrusted. Every line is bounded (ReplyLimits::line, CRLF included;
// a longer line is a protocol error, never split into two lines), a reply has at most
// ReplyLimits::lines lines, every line must start with the same three-digit code (first digit
// 2-5, the others digits) followed by '-', ' ' or the line end. Control bytes in the text are
// replaced by '?', so no reply text can carry CR or LF into a log, an Outcome or a DSN.
//
// Lenient where it costs nothing: a bare LF ends a line as well as CRLF (servers that write
// "\n" exist; the bounds stay the same), a final line may be just the code ("250").
// An enhanced code whose class differs from the reply code's first digit is kept as text.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace tern::outbound {

struct ReplyLimits {
    // RFC 5321 4.5.3.1.5 allows 512 octets per reply line; we accept more from real servers
    // but never an unbounded amount.
    std::size_t line = 2048;   // octets, CRLF included
    std::size_t lines = 100;   // lines in one (multi-line) reply
};

struct Reply {
    int code = 0;
    std::string enhanced;            // "5.1.1" from the first line, or empty
    std::vector<std::string> lines;  // text of each line, the enhanced code removed

    int cls() const { return code / 100; }  // 2, 3, 4 or 5
    // The text of all lines joined with a space, at most `max` octets.
    std::string text(std::size_t max = 1024) const;
    // One-line form: "550 5.1.1 No such user".
    std::string str(std::size_t max = 1024) const;

    friend bool operator==(const Reply&, const Reply&) = default;
};

class ReplyParser {
public:
    enum class Result { NeedMore, Complete, Error };

    explicit ReplyParser(ReplyLimits limits = {}) : limits_(limits) {}

    // Consumes octets from the front of `input` (advancing it) until one reply is complete
    // (Complete: take it with take()), the input is exhausted (NeedMore) or the peer broke
    // the protocol (Error: see error(); the parser stays in error, bytes are not consumed).
    Result consume(std::string_view& input);
    Reply take();                        // the completed reply; resets for the next one
    const std::string& error() const { return error_; }
    bool idle() const { return line_.empty() && reply_.lines.empty() && error_.empty(); }
    void reset();                        // forgets partial input (after STARTTLS)
    const ReplyLimits& limits() const { return limits_; }

private:
    bool finish_line();                  // false on error
    ReplyLimits limits_;
    std::string line_;                   // the partial line, without its line end
    Reply reply_;
    bool complete_ = false;
    std::string error_;
};

// An enhanced status code (RFC 3463 2): class "." subject "." detail, class 2, 4 or 5,
// subject and detail 1-3 digits.
bool is_enhanced_status(std::string_view s);

}  // namespace tern::outbound
