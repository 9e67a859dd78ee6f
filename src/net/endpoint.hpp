// Parsing listener addresses of the configuration: "127.0.0.1:25", "[::1]:25", "0.0.0.0:587".
#pragma once

#include <asio/ip/tcp.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace tern::net {

// Returns nullopt (and sets `error`) when `text` is not "IPv4:port" or "[IPv6]:port".
std::optional<asio::ip::tcp::endpoint> parse_endpoint(std::string_view text, std::string& error);

// "1.2.3.4:25" / "[::1]:25" — the inverse, for logs.
std::string to_string(const asio::ip::tcp::endpoint& ep);

}  // namespace tern::net
