// The DATA encoder of the SMTP client (RFC 5321 4.1.1.4 line endings, 4.5.2 transparency):
// turns a stored message into what goes on the wire after "354".
//
//  - Line endings: only CRLF is sent. A bare LF and a bare CR each become CRLF (RFC 5321 2.3.8:
//    CR and LF must only occur together; sending them bare is what SMTP smuggling abuses).
//  - Dot-stuffing: a line that starts with "." gets one more "." in front.
//  - finish() ends the last line with CRLF if the message does not, then sends ".\r\n".
//
// Streaming: encode() takes the message in chunks of any size and keeps the state (a CR at
// the end of a chunk, the start of a line) across calls, so a large message is never held
// twice. The output does not depend on how the input is split.
//
// Left out: lines longer than 1000 octets (RFC 5321 4.5.3.1.6) are sent as they are; the
// messages we relay passed our own limit on the way in.
#pragma once

#include <string>
#include <string_view>

namespace tern::outbound {

class DataEncoder {
public:
    void encode(std::string_view chunk, std::string& out);  // appends the encoded chunk
    void finish(std::string& out);                          // appends [CRLF] ".\r\n"; resets
    void reset() { line_start_ = true; pending_cr_ = false; }

private:
    bool line_start_ = true;  // the next octet starts a line
    bool pending_cr_ = false; // the last octet seen was a CR (its CRLF is already written)
};

// The whole message at once (tests, small messages).
std::string encode_data(std::string_view message);

}  // namespace tern::outbound
