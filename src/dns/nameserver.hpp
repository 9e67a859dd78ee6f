// The nameservers of ResolverOptions: "127.0.0.1", "127.0.0.1:5353", "::1", "[::1]:5353".
// An IPv6 address with a port needs the brackets ("::1:5353" is the address ::1:5353).
#pragma once

#include <asio/ip/address.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tern::dns {

struct Nameserver {
    asio::ip::address address;
    std::uint16_t port = 53;
};

// nullopt (and `error`, quoting the text) when `text` is none of the forms above, the port is
// not 1..65535, or the address has an IPv6 zone ("fe80::1%eth0").
std::optional<Nameserver> parse_nameserver(std::string_view text, std::string& error);

// libunbound's forwarder syntax: "127.0.0.1@5353", "::1@53".
std::string unbound_forwarder(const Nameserver& ns);

}  // namespace tern::dns
