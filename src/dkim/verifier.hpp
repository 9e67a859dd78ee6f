// DKIM verification (RFC 6376 6) as a pure two-step exchange, so that the key lookups go
// through the server's asynchronous resolver:
//   Verification v = start_verification(message, now);
//   for each check with needs_key(): look up TXT at check.key_name(), then finish(check, lookup)
// Results follow RFC 8601 2.7.1 (pass, fail, neutral, policy, temperror, permerror).
//
// Policies worth knowing:
//  - At most `max_signatures` DKIM-Signature fields are examined (the first ones); more are
//    ignored, so a message cannot make us do unbounded crypto or DNS.
//  - rsa-sha1 and RSA keys under 1024 bits are permerror (RFC 8301).
//  - A signature with l= that covers less than the whole body still passes, as the RFC says;
//    the result notes it (the caller may treat such a pass with suspicion).
//  - An expired signature (x= in the past) is permerror ("signature expired"); t= in the
//    future by more than 5 minutes as well.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dkim/signature.hpp"

namespace tern::dkim {

enum class Result { Pass, Fail, Neutral, Policy, TempError, PermError };
std::string_view result_name(Result r);  // "pass", "fail", ... as in Authentication-Results

struct KeyLookup {
    enum class Status { Found, NotFound, TempError } status = Status::NotFound;
    std::vector<std::string> records;  // each TXT record, its strings concatenated
};

struct SignatureCheck {
    std::string field;                   // the raw DKIM-Signature field
    std::optional<Signature> signature;  // absent when it did not parse
    std::optional<Result> result;        // set once final
    std::string reason;                  // for the comment in Authentication-Results
    bool partial_body = false;           // l= covered less than the body
    bool testing = false;                // key record said t=y

    bool needs_key() const { return !result.has_value(); }
    std::string key_name() const;  // "selector._domainkey.domain"
};

struct Verification {
    std::string wire;  // the message in wire form (the checks point into it)
    std::vector<SignatureCheck> checks;
    std::int64_t now = 0;
};

Verification start_verification(std::string_view message, std::int64_t now, std::size_t max_signatures = 8);
void finish(Verification& v, SignatureCheck& check, const KeyLookup& lookup);

}  // namespace tern::dkim
