// The IMAP command reader: frames the client's byte stream into complete commands, each a line
// plus the literals inside it (RFC 9051 2.2.1, 4.3, 7.5 command continuation request; RFC 7888
// LITERAL+ / LITERAL-; RFC 3516 literal8 "~{n}"), and reads the special lines of IDLE (RFC 9051
// 6.3.13 "DONE") and of an AUTHENTICATE exchange (6.2.2: base64 lines, "*" cancels).
//
// It is fed arbitrary chunks and pulled for events; the session changes the mode between
// events (IDLE, AUTHENTICATE), so the reader never reads past the command the session is
// working on:
//   reader.feed(bytes);
//   while (auto e = reader.next()) { CommandReady: parse + execute; SendContinuation: send
//       "+ OK"; CommandRejected: send "tag BAD/NO [TOOBIG]"; IdleEnded; AuthResponse }
// The events depend only on the bytes, never on how they were chunked.
//
// A line ending in "{n}", "{n+}", "~{n}" or "~{n+}" announces a literal of n octets that follows
// the CRLF. RawCommand keeps the lines without their CRLF and each literal's octets right after
// its marker, so the parser sees one string and a table of where the literals are.
//
// Security decisions:
//  - Every limit is checked before anything is allocated for it: the line (max_line octets
//    between literals), each literal (LiteralPolicy, default max_literal), the whole command
//    (max_command). A literal is never reserved in advance: a client announcing "{50000000}"
//    and sending nothing costs nothing.
//  - A synchronising literal that is refused gets CommandRejected instead of a continuation,
//    and its octets are never read: the client does not send them.
//  - A refused non-synchronising literal is skipped octet by octet without being stored, then
//    the rest of the command is discarded the same way, and the command is reported rejected
//    at its end (RFC 7888 4: BAD [TOOBIG]). More than max_skip octets to skip, or a count we
//    cannot read ("{99999999999999999999+}"), is fatal: the stream can no longer be framed
//    safely, and treating the literal's octets as commands would be a command injection.
//  - An over-long line is discarded up to its LF and reported; it is never split into a
//    second command. If it ends with a literal marker, the literal is handled as above.
//  - While waiting for input the reader holds less than max(max_line, max_auth_line) + a few
//    octets of unparsed input (buffered()); the command being assembled is bounded by the
//    limits. feed() itself buffers whatever it is given: the driver stops reading while the
//    session is busy, like the SMTP driver does.
//
// Bare LF ends a line like CRLF (clients that send it exist; IMAP has no SMTP-style smuggling
// issue); a CR before the LF is removed. Any other CR or control byte stays in the line for the
// parser to refuse.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace tern::imap {

// RFC 7888 4: with LITERAL-, a non-synchronising literal above 4096 octets is refused.
inline constexpr std::uint64_t kLiteralMinusMax = 4096;

// One literal of a RawCommand: its octets are text.substr(offset, size), right after its
// marker ("{n}", "{n+}", "~{n}" or "~{n+}").
struct LiteralSpan {
    std::size_t offset = 0;
    std::size_t size = 0;
    bool binary = false;         // literal8
    bool synchronizing = true;   // "{n}" rather than "{n+}"

    friend bool operator==(const LiteralSpan&, const LiteralSpan&) = default;
};

struct RawCommand {
    std::string text;                   // the lines without CRLF, literal octets in place
    std::vector<LiteralSpan> literals;  // in order

    // The first token of the first line, when it is a valid tag (RFC 9051 9: 1*<ASTRING-CHAR
    // except "+">) followed by SP or the end of the line; "" otherwise.
    std::string_view tag() const;
};

// What the LiteralPolicy is asked about each literal before it is accepted.
struct LiteralRequest {
    std::string_view tag;       // as RawCommand::tag(), may be ""
    std::string_view command;   // the command name as sent ("APPEND", "append"); after "UID"
                                // the word after it; "" when there is none
    std::uint64_t size = 0;     // the announced octet count
    bool synchronizing = true;
    bool binary = false;        // literal8
    std::size_t index = 0;      // 0 for the command's first literal
    std::uint64_t command_size = 0;  // octets of the command so far, literals included
};
// Returns the largest literal accepted for this request. The session raises it to APPENDLIMIT
// for APPEND (RFC 7889) and may lower it before authentication. A literal accepted above
// ReaderOptions::max_literal is not counted against max_command: the policy answered for it.
using LiteralPolicy = std::function<std::uint64_t(const LiteralRequest&)>;

enum class NonSyncLiterals {
    Plus,   // LITERAL+ (RFC 7888 3): the same limits as synchronising literals
    Minus,  // LITERAL- (RFC 7888 4, IMAP4rev2): above kLiteralMinusMax refused with TOOBIG
};

struct ReaderOptions {
    std::size_t max_line = 8192;            // octets of one line between literals, CRLF excluded
    std::uint64_t max_literal = 65536;      // default LiteralPolicy answer
    std::size_t max_command = 262144;       // lines + counted literals of one command
    std::size_t max_auth_line = 12288;      // AUTHENTICATE response line (as RFC 4954 for SMTP)
    std::uint64_t max_skip = 64u << 20;     // refused non-sync literal octets we will still read
    NonSyncLiterals non_sync = NonSyncLiterals::Plus;
    LiteralPolicy literal_limit;            // empty: max_literal for every literal
};

enum class RejectReason {
    LineTooLong,           // a line above max_line
    CommandTooLarge,       // the command above max_command
    LiteralTooLarge,       // a literal above the policy's limit: NO [TOOBIG] / BAD [TOOBIG]
    NonSyncTooLarge,       // LITERAL-: non-synchronising literal above 4096: BAD [TOOBIG]
    BadLiteralCount,       // "{...}" with a count we cannot read (more than 2^63-1)
};

// The session answers these in order.
struct CommandReady { RawCommand command; };
// A synchronising literal was accepted: send a continuation request ("+ OK\r\n") now, before
// asking for the next event. The client sends the octets only after seeing it.
struct SendContinuation { std::uint64_t size = 0; };
// The command was not read whole and will not be parsed. Answer "tag BAD ..." (or, for
// LiteralTooLarge in APPEND, "tag NO [TOOBIG] ..."); "* BAD" when tag is empty. With `fatal`
// the stream cannot be framed any more: say BYE and close; next() returns nothing after it.
struct CommandRejected {
    std::string tag;
    RejectReason reason = RejectReason::LineTooLong;
    std::uint64_t literal_size = 0;  // the refused literal's count, if that was the reason
    bool fatal = false;
};
// The line that ends IDLE: `done` when it was "DONE" (any case), otherwise the session
// answers BAD. Over-long lines are discarded and give done == false.
struct IdleEnded { bool done = false; };
enum class AuthResponseKind { Data, Cancel, TooLong };
// One client line of an AUTHENTICATE exchange, still base64 (Data), "*" (Cancel), or a line
// above max_auth_line, discarded (TooLong, text empty). SECURITY: may carry a password.
struct AuthResponse {
    AuthResponseKind kind = AuthResponseKind::Data;
    std::string text;
};
using ReaderEvent = std::variant<CommandReady, SendContinuation, CommandRejected, IdleEnded, AuthResponse>;

class CommandReader {
public:
    explicit CommandReader(ReaderOptions options = {});

    void feed(std::string_view bytes);
    // The next event, or nullopt when more input is needed (or after a fatal rejection).
    std::optional<ReaderEvent> next();

    // The next line ends IDLE / is an AUTHENTICATE response; one line each, then back to
    // commands. Call only between commands (after CommandReady or an AuthResponse).
    void expect_idle_done();
    void expect_auth_response();

    // Input held and not yet framed. Between commands this is what the client pipelined.
    std::size_t buffered() const { return buf_.size() - pos_; }
    // Removes and returns the unframed input: after STARTTLS it must be discarded (it was sent
    // in clear text before the handshake, CVE-2011-0411 style); after COMPRESS it is deflated
    // data the driver inflates and feeds back. Call only between commands.
    std::string take_buffered();
    // The command assembled so far (for tests and the fuzzer's bounds checks).
    std::size_t pending_command_size() const { return cmd_.text.size(); }
    bool fatal() const { return state_ == State::Dead; }

    const ReaderOptions& options() const { return opts_; }
    // The session may change limits (e.g. LITERAL+ vs LITERAL-) between commands.
    ReaderOptions& options() { return opts_; }

private:
    enum class State {
        Line,         // reading a line of a command
        Literal,      // copying literal octets into the command
        Skip,         // skipping the octets of a refused non-synchronising literal
        DiscardLine,  // skipping the rest of an over-long line (or of a rejected command)
        IdleLine,     // reading the line that ends IDLE
        AuthLine,     // reading an AUTHENTICATE response line
        DiscardSpecial,  // skipping an over-long IDLE/AUTHENTICATE line
        Dead,         // after a fatal rejection
    };

    std::optional<ReaderEvent> step_special();
    std::optional<ReaderEvent> end_of_line(std::string_view line);
    std::optional<ReaderEvent> end_of_rejected_line(std::string_view tail, bool truncated);
    std::optional<ReaderEvent> start_literal(std::string_view line);
    void begin_discard(RejectReason reason, std::string_view partial_line);
    void remember_tail(std::string_view bytes);
    std::optional<ReaderEvent> finish_command();
    CommandRejected rejection(RejectReason reason, std::uint64_t literal_size, bool fatal) const;
    std::size_t find_lf();
    void consume(std::size_t n);
    void reset_command();

    ReaderOptions opts_;
    std::string buf_;
    std::size_t pos_ = 0;       // consumed prefix of buf_
    std::size_t scanned_ = 0;   // octets after pos_ known to hold no LF
    State state_ = State::Line;
    bool special_idle_ = false;  // DiscardSpecial: for IDLE (true) or AUTHENTICATE (false)

    RawCommand cmd_;
    std::uint64_t counted_ = 0;   // octets counted against max_command
    std::uint64_t remaining_ = 0; // Literal / Skip
    bool rejecting_ = false;      // the command is being discarded, then reported
    CommandRejected pending_;     // what to report at its end
    std::string tail_;            // DiscardLine: the last octets seen of the current line
    std::uint64_t discarded_ = 0; // DiscardLine: octets of the current line seen so far
};

}  // namespace tern::imap
