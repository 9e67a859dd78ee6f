// SASL server mechanisms (RFC 4422) behind one interface, for SMTP AUTH (RFC 4954) now and
// POP3/IMAP AUTHENTICATE later: PLAIN (RFC 4616), LOGIN (draft-murchison-sasl-login) and
// SCRAM-SHA-256 (RFC 5802, RFC 7677).
//
// A mechanism is a pure state machine over *decoded* messages: the protocol layer does the
// base64 and the framing, and performs what a Step asks for. It reads no socket, file or
// clock; its only randomness (the SCRAM server nonce) comes from Options::nonce.
//
//   auto m = make_mechanism("PLAIN", options);
//   Step s = m->start(initial_response);      // nullopt: the client sent none
//   while s is Challenge:   send it, s = m->step(client_response)
//   NeedPassword:           verify (argon2, slow: off the I/O thread); the mechanism is done
//   NeedScramCredentials:   look the secret up, s = m->provide_scram(secret or nullopt), go on
//   Success / Failure:      the exchange is over
//
// Security notes:
//  - NeedPassword carries the cleartext password: it must never reach a log.
//  - Identities (authcid, authzid) are refused when they hold control characters or invalid
//    UTF-8 or are longer than kMaxIdentity, so they can be logged after the usual escaping.
//  - We do not support proxy authorization: an authzid, when given, must equal the authcid.
//  - Unknown users get the same SCRAM exchange as known ones (salt and iteration count made
//    up from the name and Options::fake_secret, stable across attempts) and fail at the
//    proof, like a wrong password (RFC 5802 section 9).
// Left out: SASLprep (RFC 4013) of names and passwords (bytes are compared as given, which is
// the same for ASCII), channel binding (SCRAM-SHA-256-PLUS).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "sasl/crypto.hpp"

namespace tern::sasl {

// RFC 4616 2: servers MUST accept authcid/authzid and passwd of up to 255 octets. We accept
// that for identities and more for passwords (long pass phrases), and nothing beyond.
inline constexpr std::size_t kMaxIdentity = 255;
inline constexpr std::size_t kMaxPassword = 1024;
// Any single client message; far above what any supported mechanism needs.
inline constexpr std::size_t kMaxMessage = 4096;

// What a SCRAM-SHA-256 server keeps per user (RFC 5802 3): no password, no SaltedPassword.
// The same fields as auth::ScramSecret; the composition root adapts one to the other so
// this library does not depend on the users file (and argon2).
struct ScramCredentials {
    std::string salt;  // raw bytes
    unsigned iterations = 0;
    Digest stored_key{};  // H(ClientKey)
    Digest server_key{};  // HMAC(SaltedPassword, "Server Key")

    friend bool operator==(const ScramCredentials&, const ScramCredentials&) = default;
};

// ---- steps ----------------------------------------------------------------------------
struct Challenge { std::string data; };                  // send to the client (may be empty)
struct NeedPassword { std::string authcid; std::string password; };  // NEVER log `password`
struct NeedScramCredentials { std::string authcid; };    // answer with provide_scram()
struct Success {
    std::string user;          // the authenticated identity (authcid)
    std::string server_final;  // RFC 4422 3.6 additional data with success (SCRAM "v=...")
};
enum class FailureKind {
    Malformed,  // the client broke the mechanism's syntax or sequence
    Rejected,   // bad credentials, wrong proof, authzid not allowed: one answer for all
    Internal,   // our fault (crypto library failure, bad nonce source): temporary
};
struct Failure {
    FailureKind kind = FailureKind::Malformed;
    std::string reason;  // short token for logs, e.g. "invalid-proof"; holds no secret
    std::string user;    // the authcid when it was known, for logs and throttling
};
using Step = std::variant<Challenge, NeedPassword, NeedScramCredentials, Success, Failure>;

struct Options {
    // SCRAM server nonce part: printable ASCII except ',' (RFC 5802 7), at least 18 octets
    // of randomness in production. Unset: random_nonce().
    std::function<std::string()> nonce;
    // Keys the made-up SCRAM salts of unknown users. Must be secret (or the salts of unknown
    // users could be recognised) and stable across restarts (or they would change).
    std::string fake_secret;
    // Iteration count shown for unknown users: the one real secrets are derived with
    // (auth::kScramDefaultIterations).
    unsigned fake_iterations = 10'000;
};

class Mechanism {
public:
    virtual ~Mechanism() = default;
    virtual std::string_view name() const = 0;
    // `initial_response`: RFC 4422 3.3 initial response, decoded; nullopt when absent.
    virtual Step start(std::optional<std::string_view> initial_response) = 0;
    virtual Step step(std::string_view response) = 0;
    // After NeedScramCredentials: the user's secret, nullopt for an unknown user.
    virtual Step provide_scram(const std::optional<ScramCredentials>& credentials);
};

// Case-insensitive mechanism name (RFC 4422 3.1); nullptr when not supported.
std::unique_ptr<Mechanism> make_mechanism(std::string_view name, const Options& options);
// The supported mechanisms, as advertised in EHLO (RFC 4954 3) or CAPABILITY.
inline constexpr std::string_view kMechanismList = "PLAIN LOGIN SCRAM-SHA-256";

// 24 base64 characters from 18 bytes of RAND_bytes: the default SCRAM server nonce.
std::string random_nonce();

}  // namespace tern::sasl
