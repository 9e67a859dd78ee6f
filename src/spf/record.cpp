#include "spf/record.hpp"
#include "core/address.hpp"

#include <arpa/inet.h>

#include <cctype>
#include <charconv>

namespace tern::spf {
namespace {


bool parse_int(std::string_view s, int max, int& out) {
    if (s.empty() || s.size() > 3) return false;
    if (s.size() > 1 && s[0] == '0') return false;  // no leading zeros (4.6.1 ip4-cidr-length)
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && p == s.data() + s.size() && out >= 0 && out <= max;
}

// Splits "domain/24//64" into the domain part and CIDR lengths (RFC 7208 5.6 dual-cidr-length).
bool split_cidr(std::string_view value, std::string& domain, int& c4, int& c6, bool allow_domain) {
    std::size_t slash = value.find('/');
    domain = std::string(value.substr(0, slash));
    if (!allow_domain && !domain.empty()) return false;
    if (slash == std::string_view::npos) return true;
    std::string_view rest = value.substr(slash);  // "/24", "//64" or "/24//64"
    if (rest.substr(0, 2) != "//") {
        std::size_t dbl = rest.find("//");
        if (!parse_int(rest.substr(1, dbl == std::string_view::npos ? std::string_view::npos : dbl - 1), 32, c4))
            return false;
        if (dbl == std::string_view::npos) return true;
        rest.remove_prefix(dbl);
    }
    return parse_int(rest.substr(2), 128, c6);
}

bool plausible_domain_spec(std::string_view d) {
    if (d.empty()) return false;
    for (char c : d) {
        auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u >= 0x7F) return false;
    }
    return true;
}

}  // namespace

std::string_view result_name(Result r) {
    switch (r) {
        case Result::None: return "none";
        case Result::Neutral: return "neutral";
        case Result::Pass: return "pass";
        case Result::Fail: return "fail";
        case Result::SoftFail: return "softfail";
        case Result::TempError: return "temperror";
        case Result::PermError: return "permerror";
    }
    return "permerror";
}

bool is_spf_record(std::string_view txt) {
    if (txt.size() < 6 || ascii_lower(txt.substr(0, 6)) != "v=spf1") return false;
    return txt.size() == 6 || txt[6] == ' ';
}

std::optional<Record> parse_record(std::string_view txt, std::string* error) {
    auto fail = [&](std::string why) -> std::optional<Record> {
        if (error) *error = std::move(why);
        return std::nullopt;
    };
    if (!is_spf_record(txt)) return fail("not an SPF record");
    Record r;
    std::string_view rest = txt.substr(6);
    while (!rest.empty()) {
        std::size_t start = rest.find_first_not_of(' ');
        if (start == std::string_view::npos) break;
        rest.remove_prefix(start);
        std::size_t end = rest.find(' ');
        std::string_view term = rest.substr(0, end);
        rest.remove_prefix(end == std::string_view::npos ? rest.size() : end);
        std::string shown(term.substr(0, 60));

        // Modifier: name "=" value, name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ).
        std::size_t eq = term.find('=');
        std::size_t colon = term.find(':');
        std::size_t slash = term.find('/');
        if (eq != std::string_view::npos && (colon == std::string_view::npos || eq < colon) &&
            (slash == std::string_view::npos || eq < slash)) {
            std::string name = ascii_lower(term.substr(0, eq));
            std::string_view value = term.substr(eq + 1);
            bool ok_name = !name.empty() && name[0] >= 'a' && name[0] <= 'z';
            for (char c : name) ok_name = ok_name && (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.');
            if (!ok_name) return fail("bad term '" + shown + "'");
            if (name == "redirect" || name == "exp") {
                auto& slot = name == "redirect" ? r.redirect : r.exp;
                if (slot) return fail("duplicate " + name + "=");
                if (!plausible_domain_spec(value)) return fail("bad " + name + "= value");
                slot = std::string(value);
            }
            continue;  // unknown modifiers are ignored (6)
        }

        Mechanism m;
        switch (term.empty() ? ' ' : term[0]) {
            case '+': m.qualifier = Result::Pass; term.remove_prefix(1); break;
            case '-': m.qualifier = Result::Fail; term.remove_prefix(1); break;
            case '~': m.qualifier = Result::SoftFail; term.remove_prefix(1); break;
            case '?': m.qualifier = Result::Neutral; term.remove_prefix(1); break;
            default: break;
        }
        std::size_t sep = term.find_first_of(":/");
        std::string name = ascii_lower(term.substr(0, sep));
        std::string_view arg = sep == std::string_view::npos ? std::string_view{} : term.substr(sep);
        std::string domain;
        if (name == "all") {
            if (!arg.empty()) return fail("bad term '" + shown + "'");
            m.kind = Mechanism::Kind::All;
        } else if (name == "include" || name == "exists") {
            if (arg.size() < 2 || arg[0] != ':' || !plausible_domain_spec(arg.substr(1)))
                return fail("'" + name + "' needs a domain");
            m.kind = name == "include" ? Mechanism::Kind::Include : Mechanism::Kind::Exists;
            m.domain_spec = std::string(arg.substr(1));
        } else if (name == "a" || name == "mx") {
            m.kind = name == "a" ? Mechanism::Kind::A : Mechanism::Kind::Mx;
            std::string_view v = arg;
            if (!v.empty() && v[0] == ':') {
                v.remove_prefix(1);
                if (!split_cidr(v, domain, m.cidr4, m.cidr6, true) || domain.empty())
                    return fail("bad term '" + shown + "'");
            } else if (!split_cidr(v, domain, m.cidr4, m.cidr6, false)) {
                return fail("bad term '" + shown + "'");
            }
            m.domain_spec = domain;
        } else if (name == "ptr") {
            m.kind = Mechanism::Kind::Ptr;
            if (!arg.empty()) {
                if (arg[0] != ':' || !plausible_domain_spec(arg.substr(1))) return fail("bad term '" + shown + "'");
                m.domain_spec = std::string(arg.substr(1));
            }
        } else if (name == "ip4" || name == "ip6") {
            if (arg.size() < 2 || arg[0] != ':') return fail("'" + name + "' needs an address");
            std::string_view v = arg.substr(1);
            std::size_t s = v.find('/');
            std::string ip(v.substr(0, s));
            int len = name == "ip4" ? 32 : 128;
            if (s != std::string_view::npos && !parse_int(v.substr(s + 1), len, len))
                return fail("bad prefix length in '" + shown + "'");
            if (name == "ip4") {
                m.kind = Mechanism::Kind::Ip4;
                m.cidr4 = len;
                if (inet_pton(AF_INET, ip.c_str(), m.network.data()) != 1) return fail("bad ip4 address in '" + shown + "'");
            } else {
                m.kind = Mechanism::Kind::Ip6;
                m.cidr6 = len;
                if (inet_pton(AF_INET6, ip.c_str(), m.network.data()) != 1) return fail("bad ip6 address in '" + shown + "'");
            }
        } else {
            return fail("unknown mechanism '" + shown + "'");
        }
        r.mechanisms.push_back(std::move(m));
    }
    return r;
}

}  // namespace tern::spf
