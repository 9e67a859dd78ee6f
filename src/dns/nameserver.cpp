#include "dns/nameserver.hpp"

#include <charconv>

namespace tern::dns {

namespace {

std::optional<asio::ip::address> parse_address(std::string_view text) {
    if (text.find('%') != std::string_view::npos) return std::nullopt;
    asio::error_code ec;
    auto a = asio::ip::make_address(std::string(text), ec);
    if (ec) return std::nullopt;
    return a;
}

std::optional<std::uint16_t> parse_port(std::string_view text) {
    unsigned p = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), p);
    if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || p == 0 || p > 65535)
        return std::nullopt;
    return static_cast<std::uint16_t>(p);
}

}  // namespace

std::optional<Nameserver> parse_nameserver(std::string_view text, std::string& error) {
    auto fail = [&](std::string why) {
        error = "bad nameserver \"" + std::string(text.substr(0, 100)) + "\": " + why;
        return std::nullopt;
    };
    Nameserver ns;
    if (!text.empty() && text.front() == '[') {
        auto close = text.find(']');
        if (close == std::string_view::npos) return fail("missing \"]\"");
        auto a = parse_address(text.substr(1, close - 1));
        if (!a || !a->is_v6()) return fail("expected an IPv6 address inside \"[...]\"");
        ns.address = *a;
        auto rest = text.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') return fail("expected \":port\" after \"]\"");
            auto p = parse_port(rest.substr(1));
            if (!p) return fail("port must be 1-65535");
            ns.port = *p;
        }
        return ns;
    }
    if (auto a = parse_address(text)) {
        ns.address = *a;
        return ns;
    }
    auto colon = text.find(':');
    if (colon == std::string_view::npos || text.find(':', colon + 1) != std::string_view::npos)
        return fail("expected \"IPv4[:port]\", \"IPv6\" or \"[IPv6]:port\"");
    auto a = parse_address(text.substr(0, colon));
    if (!a || !a->is_v4()) return fail("expected \"IPv4[:port]\", \"IPv6\" or \"[IPv6]:port\"");
    auto p = parse_port(text.substr(colon + 1));
    if (!p) return fail("port must be 1-65535");
    ns.address = *a;
    ns.port = *p;
    return ns;
}

std::string unbound_forwarder(const Nameserver& ns) {
    return ns.address.to_string() + "@" + std::to_string(ns.port);
}

}  // namespace tern::dns
