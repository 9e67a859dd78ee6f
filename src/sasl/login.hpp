// SASL LOGIN, server side (draft-murchison-sasl-login-00): the server asks "Username:" and
// then "Password:"; an initial response, when given, is the user name (the draft allows it
// and clients such as Outlook send one).
//
// Obsolete but still used by some clients; offered only where plaintext mechanisms are
// (over TLS). Refused as Malformed: an empty, over-long or control-character user name, an
// empty, over-long or NUL-holding password, any message after the password.
#pragma once

#include <string>

#include "sasl/mechanism.hpp"

namespace tern::sasl {

class LoginMechanism final : public Mechanism {
public:
    std::string_view name() const override { return "LOGIN"; }
    Step start(std::optional<std::string_view> initial_response) override;
    Step step(std::string_view response) override;

    // The challenges, exactly as the draft and deployed clients expect them.
    static constexpr std::string_view kUsernameChallenge = "Username:";
    static constexpr std::string_view kPasswordChallenge = "Password:";

private:
    Step take_username(std::string_view name);
    enum class Phase { Start, WantUsername, WantPassword, Done };
    Phase phase_ = Phase::Start;
    std::string user_;
};

}  // namespace tern::sasl
