// The ESMTP extensions a server announces in its EHLO reply (RFC 5321 4.1.1.1, 2.2.2):
// PIPELINING (RFC 2920), SIZE (RFC 1870 4), 8BITMIME (RFC 6152), SMTPUTF8 (RFC 6531),
// DSN (RFC 3461), STARTTLS (RFC 3207), CHUNKING (RFC 3030), ENHANCEDSTATUSCODES (RFC 2034)
// and AUTH with its mechanisms (RFC 4954 3).
//
// Keywords are case-insensitive. The obsolete "AUTH=LOGIN PLAIN" form some servers still
// send is read like "AUTH LOGIN PLAIN". Unknown keywords are ignored. Bounded: at most
// kMaxAuthMechanisms mechanisms are kept.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "outbound/reply_parser.hpp"

namespace tern::outbound {

inline constexpr std::size_t kMaxAuthMechanisms = 32;

struct Capabilities {
    bool pipelining = false;
    bool eightbitmime = false;
    bool smtputf8 = false;
    bool dsn = false;
    bool starttls = false;
    bool chunking = false;
    bool enhanced_status_codes = false;
    // RFC 1870 4: SIZE with the largest message the server accepts; 0 (or no number) means
    // no fixed limit. nullopt when SIZE is not announced.
    std::optional<std::uint64_t> size;
    std::vector<std::string> auth;  // mechanism names, upper-cased

    bool has_auth(std::string_view mechanism) const;  // case-insensitive
    // The message limit, or 0 when there is none.
    std::uint64_t size_limit() const { return size.value_or(0); }
};

// Reads a 250 EHLO reply: the first line is the server's name and greeting, every further
// line one keyword with its parameters.
Capabilities parse_ehlo(const Reply& reply);

}  // namespace tern::outbound
