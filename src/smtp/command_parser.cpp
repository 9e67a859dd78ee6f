// SMTP command parser: see command_parser.hpp.
#include "smtp/command_parser.hpp"

#include <array>
#include <utility>

#include "core/address.hpp"

namespace tern::smtp {
namespace {

struct VerbName {
    std::string_view name;
    Verb verb;
};

constexpr std::array<VerbName, 14> kVerbs{{
    {"HELO", Verb::Helo}, {"EHLO", Verb::Ehlo}, {"MAIL", Verb::Mail}, {"RCPT", Verb::Rcpt},
    {"DATA", Verb::Data}, {"BDAT", Verb::Bdat}, {"RSET", Verb::Rset}, {"NOOP", Verb::Noop},
    {"QUIT", Verb::Quit}, {"VRFY", Verb::Vrfy}, {"EXPN", Verb::Expn}, {"HELP", Verb::Help},
    {"STARTTLS", Verb::Starttls}, {"AUTH", Verb::Auth},
}};

ParseError error(Verb v, int code, const char* enhanced, std::string text) {
    return ParseError{v, Reply(code, enhanced, std::move(text)), 0, false};
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
}

bool has_non_ascii(std::string_view s) {
    for (char c : s) {
        if (static_cast<unsigned char>(c) >= 0x80) return true;
    }
    return false;
}

// Finds the '>' closing a path that starts at s[0] == '<', skipping quoted strings.
std::size_t find_path_end(std::string_view s) {
    bool quoted = false;
    for (std::size_t i = 1; i < s.size(); ++i) {
        char c = s[i];
        if (quoted) {
            if (c == '\\') ++i;
            else if (c == '"') quoted = false;
        } else if (c == '"') {
            quoted = true;
        } else if (c == '>') {
            return i;
        }
    }
    return std::string_view::npos;
}

// A-d-l = At-domain *( "," At-domain ), At-domain = "@" Domain. Validated, then dropped.
bool valid_route(std::string_view route) {
    while (true) {
        auto comma = route.find(',');
        auto part = route.substr(0, comma);
        if (part.size() < 2 || part.front() != '@') return false;
        auto d = part.substr(1);
        bool literal = d.size() > 2 && d.front() == '[' && d.back() == ']';
        if (!literal && !is_valid_domain(d)) return false;
        if (comma == std::string_view::npos) return true;
        route = route.substr(comma + 1);
    }
}

// Parses "FROM:<path> params" / "TO:<path> params" (after the verb).
ParseResult parse_path_command(Verb v, std::string_view rest, bool allow_utf8_in) {
    const bool mail = v == Verb::Mail;
    const std::string_view keyword = mail ? "FROM:" : "TO:";
    const char* bad_addr = mail ? "5.1.7" : "5.1.3";
    const std::string usage = mail ? "Syntax: MAIL FROM:<address> [parameters]"
                                   : "Syntax: RCPT TO:<address> [parameters]";
    rest = trim(rest);
    if (rest.size() < keyword.size() || !iequals(rest.substr(0, keyword.size()), keyword)) {
        return error(v, 501, "5.5.4", usage);
    }
    rest.remove_prefix(keyword.size());
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);  // be liberal
    if (rest.empty() || rest.front() != '<') return error(v, 501, "5.5.4", usage);
    auto close = find_path_end(rest);
    if (close == std::string_view::npos) return error(v, 501, "5.5.4", usage);
    auto inner = rest.substr(1, close - 1);
    auto after = rest.substr(close + 1);
    if (!after.empty() && after.front() != ' ') return error(v, 501, "5.5.4", usage);

    Command cmd;
    cmd.verb = v;
    bool allow_utf8 = allow_utf8_in;
    if (mail) {
        auto params = parse_mail_params(after);
        if (auto* r = std::get_if<Reply>(&params)) return ParseError{v, *r, 0, false};
        cmd.mail = std::get<MailParams>(params);
        allow_utf8 = cmd.mail.smtputf8;
    } else {
        auto params = parse_rcpt_params(after);
        if (auto* r = std::get_if<Reply>(&params)) return ParseError{v, *r, 0, false};
        cmd.rcpt = std::get<RcptParams>(params);
    }

    if (!inner.empty() && inner.front() == '@') {
        auto colon = inner.find(':');
        if (colon == std::string_view::npos || !valid_route(inner.substr(0, colon))) {
            return error(v, 501, bad_addr, mail ? "Bad sender address syntax" : "Bad recipient address syntax");
        }
        inner = inner.substr(colon + 1);
    }
    if (inner.empty()) {
        if (mail) return cmd;  // the null reverse-path <> (RFC 5321 4.5.5)
        return error(v, 501, bad_addr, "Bad recipient address syntax");
    }
    if (!mail && iequals(inner, "postmaster")) {  // RFC 5321 4.5.1: <Postmaster> without domain
        cmd.path = "postmaster";
        return cmd;
    }
    if (has_non_ascii(inner) && !allow_utf8) {
        // RFC 6531 3.7.4.1 / RFC 6533: non-ASCII address without SMTPUTF8.
        return error(v, 553, "5.6.7", "Non-ASCII address requires SMTPUTF8");
    }
    if (!parse_mailbox(inner, allow_utf8)) {
        return error(v, 501, bad_addr, mail ? "Bad sender address syntax" : "Bad recipient address syntax");
    }
    cmd.path = std::string(inner);
    return cmd;
}

ParseResult parse_helo(Verb v, std::string_view rest) {
    rest = trim(rest);
    auto sp = rest.find(' ');
    auto domain = rest.substr(0, sp);  // trailing words are tolerated and ignored (be liberal)
    if (domain.empty()) return error(v, 501, "5.5.4", "Syntax: " + std::string(verb_name(v)) + " <domain>");
    if (domain.size() > kMaxHeloLength) return error(v, 501, "5.5.4", "Domain name too long");
    for (char ch : domain) {
        auto c = static_cast<unsigned char>(ch);
        if (c < 0x21 || c == 0x7F) return error(v, 501, "5.5.4", "Invalid domain name");
    }
    if (has_non_ascii(domain) && !is_valid_utf8(domain)) return error(v, 501, "5.5.4", "Invalid domain name");
    Command cmd;
    cmd.verb = v;
    cmd.argument = std::string(domain);
    return cmd;
}

ParseResult parse_bdat(std::string_view rest) {
    rest = trim(rest);
    auto sp = rest.find(' ');
    auto count = rest.substr(0, sp);
    auto tail = sp == std::string_view::npos ? std::string_view{} : trim(rest.substr(sp));
    ParseError desync = error(Verb::Bdat, 501, "5.5.4", "Syntax: BDAT <octets> [LAST]");
    desync.desync = true;
    if (count.empty() || count.size() > kMaxBdatDigits) return desync;
    std::uint64_t n = 0;
    for (char c : count) {
        if (c < '0' || c > '9') return desync;
        n = n * 10 + static_cast<std::uint64_t>(c - '0');
    }
    Command cmd;
    cmd.verb = Verb::Bdat;
    cmd.chunk_size = n;
    if (!tail.empty()) {
        if (!iequals(tail, "LAST")) {
            ParseError e = error(Verb::Bdat, 501, "5.5.4", "Syntax: BDAT <octets> [LAST]");
            e.skip_octets = n;  // the count is known: the chunk is skipped, framing is kept
            return e;
        }
        cmd.last = true;
    }
    return cmd;
}

}  // namespace

std::string_view verb_name(Verb verb) {
    for (const auto& v : kVerbs) {
        if (v.verb == verb) return v.name;
    }
    return "UNKNOWN";
}

Verb parse_verb(std::string_view line) {
    auto word = line.substr(0, line.find(' '));
    for (const auto& v : kVerbs) {
        if (iequals(word, v.name)) return v.verb;
    }
    return Verb::Unknown;
}

ParseResult parse_command(std::string_view line, bool rcpt_utf8) {
    Verb v = parse_verb(line);
    for (char ch : line) {
        auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7F) {
            // NUL, bare CR, TAB, ...: never part of a valid command; refuse outright.
            ParseError e = error(v, 500, "5.5.2", "Invalid character in command");
            if (v == Verb::Bdat) e.desync = true;
            return e;
        }
    }
    if (v == Verb::Unknown) return error(v, 500, "5.5.1", "Command unrecognized");
    auto sp = line.find(' ');
    std::string_view rest = sp == std::string_view::npos ? std::string_view{} : line.substr(sp + 1);

    switch (v) {
        case Verb::Helo:
        case Verb::Ehlo:
            return parse_helo(v, rest);
        case Verb::Mail:
        case Verb::Rcpt:
            return parse_path_command(v, rest, rcpt_utf8);
        case Verb::Bdat:
            return parse_bdat(rest);
        case Verb::Data:
        case Verb::Rset:
        case Verb::Quit:
        case Verb::Starttls:
            if (!trim(rest).empty()) {
                return error(v, 501, "5.5.4", "Syntax: " + std::string(verb_name(v)) + " takes no arguments");
            }
            break;
        case Verb::Vrfy:
        case Verb::Expn:
            if (trim(rest).empty()) {
                return error(v, 501, "5.5.4", "Syntax: " + std::string(verb_name(v)) + " <string>");
            }
            break;
        default:
            break;
    }
    Command cmd;
    cmd.verb = v;
    cmd.argument = std::string(trim(rest));
    return cmd;
}

}  // namespace tern::smtp
