// DKIM signing (RFC 6376 5, RFC 8463): one DKIM-Signature field for a message, relaxed/relaxed.
//
// The fields signed are those of `SignOptions::headers` that the message has, each as often
// as it occurs; those in `oversign` once more, so that a field added later (a second From, a
// Subject where there was none) breaks the signature (RFC 6376 8.15). The body is signed whole
// (no l=). The message is signed in wire form (canonical.hpp): what the SMTP client will send.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dkim/keys.hpp"

namespace tern::dkim {

struct SignOptions {
    std::string domain;    // d=
    std::string selector;  // s=
    std::int64_t timestamp = 0;               // t=, Unix seconds
    std::optional<std::int64_t> expire_after; // x = t + this, when set
    std::vector<std::string> headers = default_headers();
    std::vector<std::string> oversign = default_oversign();

    static std::vector<std::string> default_headers();
    static std::vector<std::string> default_oversign();
};

struct SigningKey {
    const PrivateKey* key = nullptr;
    std::string selector;  // s=
};

// The DKIM-Signature fields to prepend, one per key ("DKIM-Signature: ...\r\n" each, folded at
// about 78 columns). The message is canonicalized and its body hashed once for all of them;
// options.selector is not used.
std::string sign(std::string_view message, const std::vector<SigningKey>& keys, const SignOptions& options);

// One field, with options.selector.
std::string sign(std::string_view message, const PrivateKey& key, const SignOptions& options);

}  // namespace tern::dkim
