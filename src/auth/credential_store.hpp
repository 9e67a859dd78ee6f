// The seam between protocol sessions and the user database: what SMTP AUTH, POP3 and IMAP
// need to know about credentials, and nothing else. Tests use a small fake.
#pragma once

#include <optional>
#include <string_view>

#include "auth/scram.hpp"

namespace tern::auth {

class CredentialStore {
public:
    virtual ~CredentialStore() = default;
    // Same cost and same answer for an unknown user and a wrong password.
    virtual bool verify_password(std::string_view address, std::string_view password) = 0;
    virtual bool user_exists(std::string_view address) = 0;
    // For SCRAM-SHA-256; nullopt for unknown users (the SCRAM server then continues the
    // exchange with a made-up secret so the client cannot tell, RFC 5802 section 9).
    virtual std::optional<ScramSecret> scram_secret(std::string_view address) = 0;
};

}  // namespace tern::auth
