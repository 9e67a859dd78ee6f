// The DKIM key record published at SELECTOR._domainkey.DOMAIN (RFC 6376 3.6.1).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "dkim/keys.hpp"

namespace tern::dkim {

struct KeyRecord {
    Algorithm algorithm = Algorithm::RsaSha256;  // k= (default rsa)
    std::string key;       // p= decoded; empty: the key was revoked
    bool testing = false;  // t=y
    bool strict = false;   // t=s: i= must be exactly d=
};

// nullopt and *error for a record that is not usable: bad syntax, v= other than DKIM1 (when
// present it must come first), unknown k=, h= without sha256, s= without email or *.
std::optional<KeyRecord> parse_key_record(std::string_view txt, std::string* error);

}  // namespace tern::dkim
