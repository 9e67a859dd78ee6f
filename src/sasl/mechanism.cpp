// The mechanism factory, the default nonce source and the shared helpers: see mechanism.hpp.
#include "sasl/mechanism.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <stdexcept>

#include "core/address.hpp"
#include "core/base64.hpp"
#include "sasl/internal.hpp"
#include "sasl/login.hpp"
#include "sasl/plain.hpp"
#include "sasl/scram_sha256.hpp"

namespace tern::sasl {

Step Mechanism::provide_scram(const std::optional<ScramCredentials>&) {
    return Failure{FailureKind::Malformed, "unexpected-credentials", {}};
}

std::unique_ptr<Mechanism> make_mechanism(std::string_view name, const Options& options) {
    if (iequals(name, "PLAIN")) return std::make_unique<PlainMechanism>();
    if (iequals(name, "LOGIN")) return std::make_unique<LoginMechanism>();
    if (iequals(name, "SCRAM-SHA-256")) return std::make_unique<ScramSha256Mechanism>(options);
    return nullptr;
}

std::string random_nonce() {
    unsigned char raw[18];
    if (RAND_bytes(raw, sizeof raw) != 1) throw std::runtime_error("RAND_bytes failed");
    return base64_encode({reinterpret_cast<const char*>(raw), sizeof raw});
}

namespace detail {

bool valid_identity(std::string_view s) {
    if (s.empty() || s.size() > kMaxIdentity || !is_valid_utf8(s)) return false;
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7F) return false;
    }
    return true;
}

bool valid_password(std::string_view s) {
    return !s.empty() && s.size() <= kMaxPassword && s.find('\0') == std::string_view::npos;
}

}  // namespace detail
}  // namespace tern::sasl
