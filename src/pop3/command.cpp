// POP3 command line parsing: see command.hpp.
#include "pop3/command.hpp"

#include <limits>

#include "core/address.hpp"

namespace tern::pop3 {
namespace {

struct Keyword {
    std::string_view name;
    Verb verb;
};

constexpr Keyword kKeywords[] = {
    {"USER", Verb::User}, {"PASS", Verb::Pass}, {"AUTH", Verb::Auth}, {"STLS", Verb::Stls},
    {"CAPA", Verb::Capa}, {"QUIT", Verb::Quit}, {"STAT", Verb::Stat}, {"LIST", Verb::List},
    {"RETR", Verb::Retr}, {"DELE", Verb::Dele}, {"NOOP", Verb::Noop}, {"RSET", Verb::Rset},
    {"TOP", Verb::Top},   {"UIDL", Verb::Uidl},
};

Verb lookup(std::string_view keyword) {
    if (keyword.size() < 3 || keyword.size() > 4) return Verb::Unknown;
    for (const auto& k : kKeywords) {
        if (iequals(keyword, k.name)) return k.verb;
    }
    return Verb::Unknown;
}

}  // namespace

Command parse_command(std::string_view line) {
    Command cmd;
    auto sp = line.find(' ');
    cmd.verb = lookup(line.substr(0, sp));
    if (sp == std::string_view::npos) return cmd;
    cmd.rest = line.substr(sp + 1);
    std::string_view rest = cmd.rest;
    while (!rest.empty()) {
        auto start = rest.find_first_not_of(' ');
        if (start == std::string_view::npos) break;
        rest.remove_prefix(start);
        auto end = rest.find(' ');
        if (cmd.argc < Command::kMaxArgs) cmd.args[cmd.argc] = rest.substr(0, end);
        ++cmd.argc;
        rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end);
    }
    return cmd;
}

std::optional<std::uint64_t> parse_number(std::string_view text) {
    if (text.empty()) return std::nullopt;
    constexpr auto kMax = std::numeric_limits<std::uint64_t>::max();
    std::uint64_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        auto digit = static_cast<std::uint64_t>(c - '0');
        value = value > (kMax - digit) / 10 ? kMax : value * 10 + digit;
    }
    return value;
}

}  // namespace tern::pop3
