// EHLO keyword parsing (RFC 5321 4.1.1.1; RFC 1870 4 SIZE; RFC 4954 3 AUTH): see
// capabilities.hpp.
#include "outbound/capabilities.hpp"

#include <limits>

#include "core/address.hpp"

namespace tern::outbound {
namespace {

std::vector<std::string_view> words(std::string_view s) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && s[i] == ' ') ++i;
        std::size_t start = i;
        while (i < s.size() && s[i] != ' ') ++i;
        if (i > start) out.push_back(s.substr(start, i - start));
    }
    return out;
}

// RFC 1870 4: size-param = 1*20DIGIT. Saturates; nullopt when not all digits.
std::optional<std::uint64_t> parse_size(std::string_view s) {
    if (s.empty() || s.size() > 20) return std::nullopt;
    std::uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        auto d = static_cast<std::uint64_t>(c - '0');
        if (v > (std::numeric_limits<std::uint64_t>::max() - d) / 10) return std::numeric_limits<std::uint64_t>::max();
        v = v * 10 + d;
    }
    return v;
}

void add_mechanisms(Capabilities& caps, const std::vector<std::string_view>& w, std::size_t from) {
    for (std::size_t i = from; i < w.size() && caps.auth.size() < kMaxAuthMechanisms; ++i) {
        std::string m;
        for (char c : w[i]) m.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c);
        if (!caps.has_auth(m)) caps.auth.push_back(std::move(m));
    }
}

}  // namespace

bool Capabilities::has_auth(std::string_view mechanism) const {
    for (const auto& m : auth) {
        if (iequals(m, mechanism)) return true;
    }
    return false;
}

Capabilities parse_ehlo(const Reply& reply) {
    Capabilities caps;
    for (std::size_t i = 1; i < reply.lines.size(); ++i) {
        auto w = words(reply.lines[i]);
        if (w.empty()) continue;
        std::string_view kw = w[0];
        if (iequals(kw, "PIPELINING")) caps.pipelining = true;
        else if (iequals(kw, "8BITMIME")) caps.eightbitmime = true;
        else if (iequals(kw, "SMTPUTF8")) caps.smtputf8 = true;
        else if (iequals(kw, "DSN")) caps.dsn = true;
        else if (iequals(kw, "STARTTLS")) caps.starttls = true;
        else if (iequals(kw, "CHUNKING")) caps.chunking = true;
        else if (iequals(kw, "ENHANCEDSTATUSCODES")) caps.enhanced_status_codes = true;
        else if (iequals(kw, "SIZE")) {
            // "SIZE" alone, or with something unreadable: announced, limit unknown.
            caps.size = w.size() > 1 ? parse_size(w[1]).value_or(0) : 0;
        } else if (iequals(kw, "AUTH")) {
            add_mechanisms(caps, w, 1);
        } else if (kw.size() > 5 && iequals(kw.substr(0, 5), "AUTH=")) {
            std::vector<std::string_view> rest = w;
            rest[0] = kw.substr(5);
            add_mechanisms(caps, rest, 0);
        }
    }
    return caps;
}

}  // namespace tern::outbound
