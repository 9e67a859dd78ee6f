// SASL SCRAM-SHA-256, server side (RFC 5802, RFC 7677), without channel binding.
//
//   C: client-first  "n,[a=authzid],n=user,r=cnonce[,ext]"   (or "y,,...": RFC 5802 6)
//   -> NeedScramCredentials{user}; provide_scram(secret or nullopt)
//   S: server-first  "r=cnonce+snonce,s=base64(salt),i=iterations"
//   C: client-final  "c=base64(gs2-header),r=cnonce+snonce[,ext],p=base64(ClientProof)"
//   -> Success{user, "v=base64(ServerSignature)"} or Failure
//
// Checks (RFC 5802 5.1, 7): gs2 flag "n" or "y" ("p=" asks for channel binding we do not
// offer: Malformed "channel-binding-not-supported"); the authzid, if any, equals the user;
// "m=" (mandatory extension) refused; saslname escapes only "=2C" and "=3D"; the echoed
// gs2 header in c= is exactly the one sent; the nonce is exactly cnonce+snonce; the proof
// is verified as H(ClientProof XOR HMAC(StoredKey, AuthMessage)) == StoredKey with a
// constant-time comparison. Unknown extensions in either client message are ignored.
//
// Unknown users (provide_scram(nullopt)) get a salt HMAC(fake_secret, user) and the default
// iteration count, and fail at the proof with "invalid-proof" after the same computation:
// from outside it is a wrong password.
#pragma once

#include <string>

#include "sasl/mechanism.hpp"

namespace tern::sasl {

class ScramSha256Mechanism final : public Mechanism {
public:
    explicit ScramSha256Mechanism(Options options) : opts_(std::move(options)) {}
    std::string_view name() const override { return "SCRAM-SHA-256"; }
    Step start(std::optional<std::string_view> initial_response) override;
    Step step(std::string_view response) override;
    Step provide_scram(const std::optional<ScramCredentials>& credentials) override;

private:
    Step client_first(std::string_view message);
    Step client_final(std::string_view message);
    Failure fail(FailureKind kind, std::string reason);

    enum class Phase { Start, WantClientFirst, WantCredentials, WantClientFinal, Done };
    Options opts_;
    Phase phase_ = Phase::Start;
    std::string user_;
    std::string gs2_header_;         // "n,," / "y,," / "n,a=user,"
    std::string client_first_bare_;  // for AuthMessage
    std::string server_first_;       // for AuthMessage
    std::string nonce_;              // cnonce + snonce
    ScramCredentials creds_;
    bool fake_ = false;              // made-up credentials: the proof can never verify
};

}  // namespace tern::sasl
