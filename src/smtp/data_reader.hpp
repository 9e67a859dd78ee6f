// The DATA content reader (RFC 5321 4.1.1.4, 4.5.2 transparency): finds the end of the mail
// data and removes dot-stuffing, whatever way the input is chunked.
//
// Only CRLF "." CRLF ends DATA. A bare CR or bare LF never ends a line or the message
// ("\n.\n", "\r.\r", "\n.\r\n", "\r\n.\n" ... are content): that is the SMTP smuggling
// defence. Such content reaches the MessageSink as it is and is rejected there once the real
// end has been read. The CRLF before the final "." belongs to the message; ".\r\n" does not.
#pragma once

#include <cstddef>
#include <string_view>

#include "smtp/message_sink.hpp"

namespace tern::smtp {

class DataReader {
public:
    void reset() { state_ = State::LineStart; }
    // Consumes input up to and including the terminating ".\r\n" (or all of it), passing the
    // unstuffed content to `sink`. Returns the number of octets consumed.
    std::size_t consume(std::string_view input, MessageSink& sink);
    bool done() const { return state_ == State::Done; }

private:
    enum class State {
        LineStart,  // after CRLF (or at the start of the data)
        InLine,
        InLineCR,   // inside a line, the last octet was CR
        Dot,        // a "." at the start of a line (always removed)
        DotCR,      // "." CR at the start of a line: the end, if LF follows
        Done,
    };
    State state_ = State::LineStart;
};

}  // namespace tern::smtp
