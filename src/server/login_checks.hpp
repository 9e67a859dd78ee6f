// The server side of a login, the same for SMTP AUTH, POP3 and IMAP: the throttle check, the
// argon2id password check (on the blocking pool, never on an I/O thread), the SCRAM secret
// lookup, and the log line plus failure count for each attempt. The protocol sessions decide
// what to answer; these only say how the check went.
#pragma once

#include <asio/awaitable.hpp>

#include <cstdint>
#include <optional>
#include <string>

#include "sasl/mechanism.hpp"
#include "server/services.hpp"

namespace tern::server {

enum class LoginVerdict {
    Ok,
    BadCredentials,  // unknown user and wrong password alike
    Throttled,       // too many recent failures for this client IP or this account
};

// `user` as the client typed it (compared lower-cased). SECURITY: `password` is cleartext;
// it is never logged.
asio::awaitable<LoginVerdict> check_password(const Services& services, const std::string& peer_ip,
                                             std::string user, std::string password);

struct ScramLookup {
    LoginVerdict verdict = LoginVerdict::Ok;           // Ok or Throttled
    std::optional<sasl::ScramCredentials> credentials; // nullopt: unknown user
};
ScramLookup lookup_scram(const Services& services, const std::string& peer_ip, const std::string& user);

// Logs the outcome of an attempt (never the password) and counts a failure against the
// client IP and the account when the credentials were wrong.
void record_login(const Services& services, std::uint64_t session, const std::string& peer_ip,
                  const std::string& user, const std::string& mechanism, bool success, const std::string& reason);

}  // namespace tern::server
