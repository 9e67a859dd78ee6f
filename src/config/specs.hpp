// Internal to config/: the tables that drive both parsing (config.cpp) and rendering
// (render.cpp), and TOML quoting shared by both.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "config/config.hpp"

namespace tern::config::detail {

// The limits, their ranges and why. One table drives parsing, range checks and rendering, so
// a new field in config::Limits needs exactly one new row here.
//
//   key                 min      max          reason for the floor
//   message_size        1024     2147483647   a useful message; max fits a signed 32-bit SIZE
//   recipients          1        100000       RFC 5321 4.5.3.1.8 asks for >= 100; lower allowed
//   command_line        512      65536        RFC 5321 4.5.3.1.4 (512 octets incl. CRLF)
//   text_line           1000     1048576      RFC 5321 4.5.3.1.6 (1000 octets incl. CRLF)
//   errors              1        1000         at least one error before 421
//   connections         1        1000000
//   connections_per_ip  1        1000000      also must be <= connections
//   received_headers    1        10000        RFC 5321 6.3 loop detection (100 is customary)
//   timeout_command     1        86400        seconds; RFC 5321 4.5.3.2.7 suggests 300
//   timeout_data        1        86400        seconds; RFC 5321 4.5.3.2.5/6 suggest 180
struct LimitSpec {
    std::string_view name;
    std::uint64_t min;
    std::uint64_t max;
    std::uint64_t (*get)(const Limits&);
    void (*set)(Limits&, std::uint64_t);
};

#define TERN_LIMIT(field, lo, hi)                                                      \
    LimitSpec {                                                                        \
        #field, lo, hi, [](const Limits& l) -> std::uint64_t { return l.field; },      \
            [](Limits& l, std::uint64_t v) { l.field = static_cast<decltype(l.field)>(v); } \
    }

inline const std::array<LimitSpec, 10> kLimitSpecs = {
    TERN_LIMIT(message_size, 1024, 2147483647),
    TERN_LIMIT(recipients, 1, 100000),
    TERN_LIMIT(command_line, 512, 65536),
    TERN_LIMIT(text_line, 1000, 1048576),
    TERN_LIMIT(errors, 1, 1000),
    TERN_LIMIT(connections, 1, 1000000),
    TERN_LIMIT(connections_per_ip, 1, 1000000),
    TERN_LIMIT(received_headers, 1, 10000),
    TERN_LIMIT(timeout_command, 1, 86400),
    TERN_LIMIT(timeout_data, 1, 86400),
};
#undef TERN_LIMIT

struct ListenSpec {
    std::string_view name;
    std::vector<std::string> Listen::*field;
};
inline const std::array<ListenSpec, 7> kListenSpecs = {{
    {"smtp", &Listen::smtp},
    {"submission", &Listen::submission},
    {"submissions", &Listen::submissions},
    {"pop3", &Listen::pop3},
    {"pop3s", &Listen::pop3s},
    {"imap", &Listen::imap},
    {"imaps", &Listen::imaps},
}};

// TOML basic string with the escapes the spec requires (quote, backslash, control bytes).
std::string toml_quote(std::string_view s);

}  // namespace tern::config::detail
