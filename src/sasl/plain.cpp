// SASL PLAIN (RFC 4616): see plain.hpp.
#include "sasl/plain.hpp"

#include "core/address.hpp"
#include "sasl/internal.hpp"

namespace tern::sasl {

Step PlainMechanism::start(std::optional<std::string_view> initial_response) {
    if (initial_response) return parse(*initial_response);
    waiting_ = true;
    return Challenge{};
}

Step PlainMechanism::step(std::string_view response) {
    if (!waiting_) return Failure{FailureKind::Malformed, "unexpected-response", {}};
    waiting_ = false;
    return parse(response);
}

Step PlainMechanism::parse(std::string_view message) {
    if (message.size() > 2 * kMaxIdentity + kMaxPassword + 2) return Failure{FailureKind::Malformed, "too-long", {}};
    auto nul1 = message.find('\0');
    auto nul2 = nul1 == std::string_view::npos ? nul1 : message.find('\0', nul1 + 1);
    if (nul2 == std::string_view::npos) return Failure{FailureKind::Malformed, "syntax", {}};
    auto authzid = message.substr(0, nul1);
    auto authcid = message.substr(nul1 + 1, nul2 - nul1 - 1);
    auto passwd = message.substr(nul2 + 1);
    // A third NUL is caught here: passwd may not contain one.
    if (!detail::valid_identity(authcid) || !detail::valid_password(passwd) || !is_valid_utf8(passwd) ||
        (!authzid.empty() && !detail::valid_identity(authzid))) {
        return Failure{FailureKind::Malformed, "syntax", {}};
    }
    if (!authzid.empty() && authzid != authcid) {
        return Failure{FailureKind::Rejected, "authzid-not-permitted", std::string(authcid)};
    }
    return NeedPassword{std::string(authcid), std::string(passwd)};
}

}  // namespace tern::sasl
