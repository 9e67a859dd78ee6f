// Next hops ("host", "host:port", "[IPv6]:port") and outbound TLS modes for [routes] and [relay].
#include <arpa/inet.h>

#include <algorithm>

#include "config/config.hpp"
#include "core/address.hpp"

namespace tern::config {

std::string_view to_string(OutboundTls t) {
    switch (t) {
        case OutboundTls::None: return "none";
        case OutboundTls::Opportunistic: return "opportunistic";
        case OutboundTls::Required: return "required";
        case OutboundTls::Verify: return "verify";
    }
    return "?";
}

std::string NextHop::str() const {
    bool v6 = host.find(':') != std::string::npos;
    return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::optional<NextHop> parse_next_hop(std::string_view text, std::string& error) {
    NextHop hop;
    std::string_view host = text, port;
    if (!text.empty() && text.front() == '[') {
        auto close = text.find(']');
        if (close == std::string_view::npos) {
            error = "'" + std::string(text) + "': missing ']'";
            return std::nullopt;
        }
        host = text.substr(1, close - 1);
        std::string_view rest = text.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':') {
                error = "'" + std::string(text) + "' must look like \"[IPv6]:port\"";
                return std::nullopt;
            }
            port = rest.substr(1);
        }
        unsigned char buf[16];
        if (inet_pton(AF_INET6, std::string(host).c_str(), buf) != 1) {
            error = "'" + std::string(host) + "' is not an IPv6 address";
            return std::nullopt;
        }
    } else if (auto colon = text.find(':'); colon != std::string_view::npos) {
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
    }
    if (!port.data() || port.empty()) {
        if (port.data() && port.empty()) {
            error = "'" + std::string(text) + "': empty port";
            return std::nullopt;
        }
    } else {
        if (port.size() > 5 || !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
            std::stoul(std::string(port)) == 0 || std::stoul(std::string(port)) > 65535) {
            error = "'" + std::string(text) + "': port must be a number 1..65535";
            return std::nullopt;
        }
        hop.port = static_cast<std::uint16_t>(std::stoul(std::string(port)));
    }
    unsigned char buf[16];
    bool ip = inet_pton(AF_INET, std::string(host).c_str(), buf) == 1 ||
              inet_pton(AF_INET6, std::string(host).c_str(), buf) == 1;
    if (!ip && !is_valid_domain(host)) {
        error = "'" + std::string(text) + "' is not \"host\", \"host:port\" or \"[IPv6]:port\"";
        return std::nullopt;
    }
    hop.host = ascii_lower(host);
    return hop;
}

}  // namespace tern::config
