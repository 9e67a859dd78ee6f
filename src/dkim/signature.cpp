#include "dkim/signature.hpp"
#include "core/address.hpp"

#include <charconv>

#include "core/base64.hpp"
#include "dkim/tag_list.hpp"

namespace tern::dkim {
namespace {

std::optional<std::uint64_t> parse_number(std::string_view s) {
    if (s.empty() || s.size() > 19) return std::nullopt;  // RFC: at most 76 digits; we cap at what fits
    std::uint64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
    return v;
}

bool ends_with_domain(std::string_view host, std::string_view domain) {
    if (host.size() < domain.size()) return false;
    if (host.substr(host.size() - domain.size()) != domain) return false;
    return host.size() == domain.size() || host[host.size() - domain.size() - 1] == '.';
}

bool plausible_domain(std::string_view d) {
    if (d.empty() || d.size() > 253 || d.front() == '.' || d.back() == '.') return false;
    for (char c : d) {
        auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u >= 0x7F || c == ';' || c == '@' || c == '/' || c == '\\') return false;
    }
    return d.find("..") == std::string_view::npos;
}

}  // namespace

std::optional<Signature> parse_signature(std::string_view value, std::string* error) {
    auto fail = [&](std::string why) -> std::optional<Signature> {
        if (error) *error = std::move(why);
        return std::nullopt;
    };
    std::string why;
    auto tags = TagList::parse(value, &why);
    if (!tags) return fail("bad tag list: " + why);
    Signature s;
    auto need = [&](const char* name) { return tags->get(name); };
    for (const char* required : {"v", "a", "b", "bh", "d", "h", "s"}) {
        if (!need(required)) return fail(std::string("missing tag ") + required);
    }
    if (*need("v") != "1") return fail("unsupported version");
    auto alg = parse_algorithm(*need("a"));
    if (!alg) return fail("unsupported algorithm " + std::string(need("a")->substr(0, 20)));
    s.algorithm = *alg;
    s.b_text = strip_whitespace(*need("b"));
    auto b = base64_decode(s.b_text);
    if (!b || b->empty()) return fail("bad b= value");
    s.b = std::move(*b);
    auto bh = base64_decode(strip_whitespace(*need("bh")));
    if (!bh || bh->size() != 32) return fail("bad bh= value");
    s.bh = std::move(*bh);
    if (auto c = tags->get("c")) {
        std::string cv = ascii_lower(strip_whitespace(*c));
        std::string_view header = cv, body = "simple";
        if (auto slash = cv.find('/'); slash != std::string::npos) {
            header = std::string_view(cv).substr(0, slash);
            body = std::string_view(cv).substr(slash + 1);
        }
        if ((header != "simple" && header != "relaxed") || (body != "simple" && body != "relaxed"))
            return fail("unsupported canonicalization");
        s.header_relaxed = header == "relaxed";
        s.body_relaxed = body == "relaxed";
    }
    s.domain = ascii_lower(strip_whitespace(*need("d")));
    if (!plausible_domain(s.domain)) return fail("bad d= domain");
    for (auto& h : split_colon_list(*need("h"))) {
        if (h.empty()) return fail("empty name in h=");
        s.headers.push_back(ascii_lower(h));
    }
    bool has_from = false;
    for (const auto& h : s.headers) has_from |= h == "from";
    if (!has_from) return fail("From is not signed");
    if (auto i = tags->get("i")) {
        s.identity = strip_whitespace(*i);
        auto at = s.identity.rfind('@');
        if (at == std::string::npos) return fail("bad i= identity");
        if (!ends_with_domain(ascii_lower(std::string_view(s.identity).substr(at + 1)), s.domain))
            return fail("i= is not within d=");
    } else {
        s.identity = "@" + s.domain;
    }
    if (auto l = tags->get("l")) {
        s.body_length = parse_number(strip_whitespace(*l));
        if (!s.body_length) return fail("bad l= value");
    }
    if (auto q = tags->get("q")) {
        bool dns = false;
        for (auto& m : split_colon_list(*q)) dns |= ascii_lower(m) == "dns/txt";
        if (!dns) return fail("unsupported query method");
    }
    s.selector = ascii_lower(strip_whitespace(*need("s")));
    if (!plausible_domain(s.selector)) return fail("bad s= selector");
    if (auto t = tags->get("t")) {
        auto v = parse_number(strip_whitespace(*t));
        if (!v) return fail("bad t= value");
        s.timestamp = static_cast<std::int64_t>(*v);
    }
    if (auto x = tags->get("x")) {
        auto v = parse_number(strip_whitespace(*x));
        if (!v) return fail("bad x= value");
        s.expiration = static_cast<std::int64_t>(*v);
        if (s.timestamp && *s.expiration < *s.timestamp) return fail("x= before t=");
    }
    return s;
}

std::string without_b_value(std::string_view field) {
    // Walk the tag list of the value (after the colon) to find the tag named exactly "b".
    std::size_t colon = field.find(':');
    if (colon == std::string_view::npos) return std::string(field);
    std::size_t pos = colon + 1;
    while (pos < field.size()) {
        std::size_t semi = field.find(';', pos);
        std::size_t end = semi == std::string_view::npos ? field.size() : semi;
        std::string_view spec = field.substr(pos, end - pos);
        std::size_t eq = spec.find('=');
        if (eq != std::string_view::npos) {
            std::string_view name = spec.substr(0, eq);
            std::size_t a = name.find_first_not_of(" \t\r\n");
            std::size_t z = name.find_last_not_of(" \t\r\n");
            if (a != std::string_view::npos && name.substr(a, z - a + 1) == "b") {
                std::string out(field.substr(0, pos + eq + 1));
                out += field.substr(end);
                return out;
            }
        }
        if (semi == std::string_view::npos) break;
        pos = semi + 1;
    }
    return std::string(field);
}

std::string header_hash_input(const SplitMessage& message, const Signature& sig, std::string_view signature_field) {
    std::string out;
    std::vector<bool> used(message.headers.size(), false);
    for (const auto& name : sig.headers) {
        for (std::size_t i = message.headers.size(); i-- > 0;) {
            if (used[i] || ascii_lower(message.headers[i].name) != name) continue;
            used[i] = true;
            out += canonical_header(message.headers[i].field, sig.header_relaxed);
            break;
        }
    }
    std::string self = canonical_header(without_b_value(signature_field), sig.header_relaxed);
    self.resize(self.size() - 2);  // no final CRLF
    out += self;
    return out;
}

}  // namespace tern::dkim
