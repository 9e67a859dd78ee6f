// SASL LOGIN: see login.hpp.
#include "sasl/login.hpp"

#include "sasl/internal.hpp"

namespace tern::sasl {

Step LoginMechanism::start(std::optional<std::string_view> initial_response) {
    if (phase_ != Phase::Start) return Failure{FailureKind::Malformed, "unexpected-start", {}};
    if (initial_response) return take_username(*initial_response);
    phase_ = Phase::WantUsername;
    return Challenge{std::string(kUsernameChallenge)};
}

Step LoginMechanism::take_username(std::string_view name) {
    if (!detail::valid_identity(name)) {
        phase_ = Phase::Done;
        return Failure{FailureKind::Malformed, "bad-username", {}};
    }
    user_ = std::string(name);
    phase_ = Phase::WantPassword;
    return Challenge{std::string(kPasswordChallenge)};
}

Step LoginMechanism::step(std::string_view response) {
    switch (phase_) {
        case Phase::WantUsername:
            return take_username(response);
        case Phase::WantPassword:
            phase_ = Phase::Done;
            if (!detail::valid_password(response)) return Failure{FailureKind::Malformed, "bad-password-syntax", user_};
            return NeedPassword{std::move(user_), std::string(response)};
        default:
            phase_ = Phase::Done;
            return Failure{FailureKind::Malformed, "unexpected-response", {}};
    }
}

}  // namespace tern::sasl
