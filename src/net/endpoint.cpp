#include "net/endpoint.hpp"

#include <charconv>

namespace tern::net {

std::optional<asio::ip::tcp::endpoint> parse_endpoint(std::string_view text, std::string& error) {
    std::string_view host, port;
    if (!text.empty() && text.front() == '[') {
        auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
            error = "expected \"[IPv6]:port\"";
            return std::nullopt;
        }
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
    } else {
        auto colon = text.rfind(':');
        if (colon == std::string_view::npos) {
            error = "expected \"address:port\"";
            return std::nullopt;
        }
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
    }
    unsigned p = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (ec != std::errc() || ptr != port.data() + port.size() || p > 65535) {
        error = "bad port \"" + std::string(port) + "\"";
        return std::nullopt;
    }
    asio::error_code aec;
    auto addr = asio::ip::make_address(std::string(host), aec);
    if (aec) {
        error = "bad IP address \"" + std::string(host) + "\"";
        return std::nullopt;
    }
    return asio::ip::tcp::endpoint(addr, static_cast<unsigned short>(p));
}

std::string to_string(const asio::ip::tcp::endpoint& ep) {
    auto a = ep.address().to_string();
    if (ep.address().is_v6()) a = "[" + a + "]";
    return a + ":" + std::to_string(ep.port());
}

}  // namespace tern::net
