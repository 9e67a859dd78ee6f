// The DKIM-Signature header field (RFC 6376 3.5): parsed and checked, and the header hash
// input a signature covers (3.7).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dkim/canonical.hpp"
#include "dkim/keys.hpp"

namespace tern::dkim {

struct Signature {
    Algorithm algorithm = Algorithm::RsaSha256;
    std::string b;       // decoded signature
    std::string b_text;  // b= as written, whitespace removed (Authentication-Results header.b)
    std::string bh;      // decoded body hash
    bool header_relaxed = false;
    bool body_relaxed = false;
    std::string domain;  // d=, lowercased
    std::vector<std::string> headers;  // h=, lowercased, in order
    std::string identity;  // i= (default "@" + d)
    std::optional<std::uint64_t> body_length;  // l=
    std::string selector;  // s=
    std::optional<std::int64_t> timestamp;   // t=
    std::optional<std::int64_t> expiration;  // x=
};

// Parses the value of a DKIM-Signature field. nullopt and *error (a reason for the
// Authentication-Results comment) when a required tag is missing or malformed, the version is
// not 1, the algorithm is unknown (rsa-sha1 is refused: RFC 8301), h= lacks From, or i= is not
// within d= (3.5).
std::optional<Signature> parse_signature(std::string_view value, std::string* error);

// The data the signature covers: the fields named in h=, each the last not yet used instance
// of that name (bottom-up, 5.4.2; a name with none left contributes nothing), canonicalized,
// then the DKIM-Signature field itself with the b= value emptied and without its final CRLF.
std::string header_hash_input(const SplitMessage& message, const Signature& sig, std::string_view signature_field);

// `field` with the value of its b= tag (and the whitespace around it) deleted (3.7).
std::string without_b_value(std::string_view field);

}  // namespace tern::dkim
