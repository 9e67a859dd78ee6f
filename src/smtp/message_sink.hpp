// Where message content goes while DATA or BDAT is read, and the checks every message gets
// whatever the command that carried it:
//  - size (RFC 1870 SIZE; RFC 5321 4.5.3.1.7): once over the limit, nothing more is stored,
//    octets are still counted, and the verdict is 552 5.3.4;
//  - bare CR / bare LF (RFC 5321 2.3.8): any CR not followed by LF, or LF not preceded by CR,
//    makes the verdict 550 5.6.0. Accepting them and relaying them later is what SMTP
//    smuggling exploits; Postfix and chasquid refuse too;
//  - text line length (RFC 5321 4.5.3.1.6), including CRLF: 550 5.6.0 naming the limit;
//  - loop detection (RFC 5321 6.3): Received: fields counted in the header section only
//    (up to the first empty line); at or above the limit the verdict is 554 5.4.6.
// The content is always read to its real end; the verdict comes only then. The sink sees
// content after dot-unstuffing, so the checks do not depend on how it was framed.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "smtp/reply.hpp"

namespace tern::smtp {

struct ContentLimits {
    std::size_t message_size = 36700160;
    std::size_t text_line = 1000;
    std::size_t received_headers = 100;
};

class MessageSink {
public:
    // Starts a new message, dropping anything stored.
    void reset(const ContentLimits& limits);
    void append(std::string_view content);

    std::uint64_t octets() const { return octets_; }  // counted, stored or not
    bool oversize() const { return octets_ > limits_.message_size; }
    // The verdict once the content is complete: nullopt when the message may be committed.
    std::optional<Reply> finish();
    std::string take_data() { return std::move(data_); }

private:
    void end_line();

    ContentLimits limits_;
    std::string data_;
    std::uint64_t octets_ = 0;
    bool pending_cr_ = false;        // the last octet was CR; is it followed by LF?
    bool bare_cr_lf_ = false;
    bool long_line_ = false;
    std::size_t line_length_ = 0;    // octets of the current line before its CRLF
    bool in_headers_ = true;
    std::size_t received_ = 0;
    std::array<char, 16> prefix_{};  // the start of the current line, to spot "Received:"
    std::size_t prefix_length_ = 0;
};

}  // namespace tern::smtp
