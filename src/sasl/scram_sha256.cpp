// SASL SCRAM-SHA-256 server: see scram_sha256.hpp.
#include "sasl/scram_sha256.hpp"

#include <openssl/crypto.h>

#include <exception>
#include <vector>

#include "core/base64.hpp"
#include "sasl/internal.hpp"

namespace tern::sasl {
namespace {

// RFC 5802 7: saslname = 1*(value-safe-char / "=2C" / "=3D"). Returns false on any other
// '=' sequence (the RFC's "invalid-username-encoding").
bool decode_saslname(std::string_view in, std::string& out) {
    out.clear();
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] != '=') {
            out += in[i];
        } else if (in.substr(i, 3) == "=2C") {
            out += ',';
            i += 2;
        } else if (in.substr(i, 3) == "=3D") {
            out += '=';
            i += 2;
        } else {
            return false;
        }
    }
    return true;
}

// RFC 5802 7: printable = %x21-2B / %x2D-7E (no ',' and no space).
bool valid_nonce(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s) {
        if (c < 0x21 || c > 0x7E || c == ',') return false;
    }
    return true;
}

std::vector<std::string_view> split_attributes(std::string_view s) {
    std::vector<std::string_view> out;
    while (true) {
        auto comma = s.find(',');
        out.push_back(s.substr(0, comma));
        if (comma == std::string_view::npos) return out;
        s.remove_prefix(comma + 1);
    }
}

// attr-val = ALPHA "=" value, for the key `key`; returns the value or nullopt.
std::optional<std::string_view> attribute(std::string_view attr, char key) {
    if (attr.size() < 2 || attr[0] != key || attr[1] != '=') return std::nullopt;
    return attr.substr(2);
}

bool valid_extension(std::string_view attr) {
    auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
    return attr.size() >= 2 && alpha(attr[0]) && attr[1] == '=';
}

}  // namespace

Failure ScramSha256Mechanism::fail(FailureKind kind, std::string reason) {
    phase_ = Phase::Done;
    return Failure{kind, std::move(reason), user_};
}

Step ScramSha256Mechanism::start(std::optional<std::string_view> initial_response) {
    if (phase_ != Phase::Start) return fail(FailureKind::Malformed, "unexpected-start");
    if (initial_response) return client_first(*initial_response);
    phase_ = Phase::WantClientFirst;
    return Challenge{};  // SCRAM is client-first: an empty challenge asks for it
}

Step ScramSha256Mechanism::step(std::string_view response) {
    switch (phase_) {
        case Phase::WantClientFirst:
            return client_first(response);
        case Phase::WantClientFinal:
            return client_final(response);
        default:
            return fail(FailureKind::Malformed, "unexpected-response");
    }
}

Step ScramSha256Mechanism::client_first(std::string_view msg) {
    if (msg.size() > kMaxMessage) return fail(FailureKind::Malformed, "too-long");
    // gs2-header = gs2-cbind-flag "," [authzid] ","
    if (msg.starts_with("p=")) return fail(FailureKind::Malformed, "channel-binding-not-supported");
    if (!msg.starts_with("n,") && !msg.starts_with("y,")) return fail(FailureKind::Malformed, "other-error");
    auto authz_end = msg.find(',', 2);
    if (authz_end == std::string_view::npos) return fail(FailureKind::Malformed, "other-error");
    auto authz_attr = msg.substr(2, authz_end - 2);
    gs2_header_ = std::string(msg.substr(0, authz_end + 1));
    client_first_bare_ = std::string(msg.substr(authz_end + 1));

    auto attrs = split_attributes(client_first_bare_);
    if (attribute(attrs[0], 'm')) return fail(FailureKind::Malformed, "extensions-not-supported");
    auto name = attribute(attrs[0], 'n');
    if (!name || attrs.size() < 2) return fail(FailureKind::Malformed, "other-error");
    if (!decode_saslname(*name, user_) || !detail::valid_identity(user_)) {
        user_.clear();
        return fail(FailureKind::Malformed, "invalid-username-encoding");
    }
    auto cnonce = attribute(attrs[1], 'r');
    if (!cnonce || !valid_nonce(*cnonce)) return fail(FailureKind::Malformed, "other-error");
    for (std::size_t i = 2; i < attrs.size(); ++i) {
        if (!valid_extension(attrs[i])) return fail(FailureKind::Malformed, "other-error");
    }
    if (!authz_attr.empty()) {
        auto a = attribute(authz_attr, 'a');
        std::string authzid;
        if (!a || !decode_saslname(*a, authzid) || !detail::valid_identity(authzid)) {
            return fail(FailureKind::Malformed, "other-error");
        }
        if (authzid != user_) return fail(FailureKind::Rejected, "authzid-not-permitted");
    }
    nonce_ = std::string(*cnonce);
    phase_ = Phase::WantCredentials;
    return NeedScramCredentials{user_};
}

Step ScramSha256Mechanism::provide_scram(const std::optional<ScramCredentials>& credentials) {
    if (phase_ != Phase::WantCredentials) return fail(FailureKind::Malformed, "unexpected-credentials");
    try {
        if (credentials && !credentials->salt.empty() && credentials->iterations > 0) {
            creds_ = *credentials;
            fake_ = false;
        } else {
            // Same shape as a real secret, stable for this name, worthless for a proof.
            auto key = [&](std::string_view label) {
                return detail::hmac_sha256(opts_.fake_secret, std::string(label) + '\0' + user_);
            };
            auto salt = key("tern-scram-fake-salt");
            creds_.salt = std::string(detail::view(salt).substr(0, 16));
            creds_.iterations = opts_.fake_iterations;
            creds_.stored_key = key("tern-scram-fake-stored-key");
            creds_.server_key = key("tern-scram-fake-server-key");
            fake_ = true;
        }
        std::string snonce = opts_.nonce ? opts_.nonce() : random_nonce();
        if (!valid_nonce(snonce)) return fail(FailureKind::Internal, "bad-server-nonce");
        nonce_ += snonce;
    } catch (const std::exception&) {
        return fail(FailureKind::Internal, "crypto-failure");
    }
    server_first_ = "r=" + nonce_ + ",s=" + base64_encode(creds_.salt) + ",i=" + std::to_string(creds_.iterations);
    phase_ = Phase::WantClientFinal;
    return Challenge{server_first_};
}

Step ScramSha256Mechanism::client_final(std::string_view msg) {
    if (msg.size() > kMaxMessage) return fail(FailureKind::Malformed, "too-long");
    // client-final-message = "c=" cbind "," "r=" nonce ["," extensions] "," "p=" proof
    auto proof_at = msg.rfind(",p=");
    if (proof_at == std::string_view::npos) return fail(FailureKind::Malformed, "other-error");
    auto without_proof = msg.substr(0, proof_at);
    auto proof = base64_decode(msg.substr(proof_at + 3));
    auto attrs = split_attributes(without_proof);
    if (attrs.size() < 2 || !proof || proof->size() != 32) return fail(FailureKind::Malformed, "other-error");
    auto cbind = attribute(attrs[0], 'c');
    auto nonce = attribute(attrs[1], 'r');
    if (!cbind || !nonce) return fail(FailureKind::Malformed, "other-error");
    for (std::size_t i = 2; i < attrs.size(); ++i) {
        if (!valid_extension(attrs[i])) return fail(FailureKind::Malformed, "other-error");
    }
    // Without channel binding, c= carries the gs2 header back, base64-encoded, unchanged.
    auto echoed = base64_decode(*cbind);
    if (!echoed || *echoed != gs2_header_) return fail(FailureKind::Malformed, "channel-bindings-dont-match");
    if (*nonce != nonce_) return fail(FailureKind::Rejected, "nonce-mismatch");

    const std::string auth_message = client_first_bare_ + "," + server_first_ + "," + std::string(without_proof);
    try {
        auto signature = detail::hmac_sha256(detail::view(creds_.stored_key), auth_message);
        detail::Digest client_key;
        for (std::size_t i = 0; i < client_key.size(); ++i) {
            client_key[i] = static_cast<std::uint8_t>(static_cast<std::uint8_t>((*proof)[i]) ^ signature[i]);
        }
        bool ok = detail::equal_constant_time(detail::sha256(detail::view(client_key)), creds_.stored_key);
        OPENSSL_cleanse(client_key.data(), client_key.size());
        if (!ok || fake_) return fail(FailureKind::Rejected, "invalid-proof");
        auto server_signature = detail::hmac_sha256(detail::view(creds_.server_key), auth_message);
        phase_ = Phase::Done;
        return Success{user_, "v=" + base64_encode(detail::view(server_signature))};
    } catch (const std::exception&) {
        return fail(FailureKind::Internal, "crypto-failure");
    }
}

}  // namespace tern::sasl
