// SMTP replies: formatting (RFC 5321 4.2, multi-line replies 4.2.1) with RFC 2034 enhanced
// status codes (RFC 3463 codes) on every line, and the one mapping from a core Outcome to a
// reply.
//
// Reply text never carries CR, LF or other control bytes: they are replaced by '?' when the
// reply is formatted, so no caller can inject an extra reply line.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/outcome.hpp"

namespace tern::smtp {

struct Reply {
    int code = 250;
    std::string enhanced;            // RFC 3463 "2.1.5"; empty for the greeting, EHLO, 354
    std::vector<std::string> lines;  // at least one; each becomes one reply line

    Reply() = default;
    Reply(int c, std::string e, std::string text) : code(c), enhanced(std::move(e)), lines{std::move(text)} {}
    Reply(int c, std::string e, std::vector<std::string> text)
        : code(c), enhanced(std::move(e)), lines(std::move(text)) {}

    bool is_error() const { return code >= 400; }
    // "250-a\r\n250 b\r\n": every line but the last uses '-' (RFC 5321 4.2.1).
    std::string format() const;

    friend bool operator==(const Reply&, const Reply&) = default;
};

// Ok -> its code (default 250) with enhanced 2.0.0 when none; Temporary -> 4xx; Permanent ->
// 5xx. A code that contradicts the kind (e.g. 250 on a permanent failure) is replaced by the
// kind's default (451 / 550) so a bug elsewhere can never turn a refusal into an acceptance.
Reply reply_from_outcome(const Outcome& outcome);

}  // namespace tern::smtp
