#include "dkim/verifier.hpp"
#include "core/address.hpp"

#include "dkim/key_record.hpp"

namespace tern::dkim {
namespace {

constexpr std::int64_t kClockSkew = 300;

void set(SignatureCheck& c, Result r, std::string reason) {
    c.result = r;
    c.reason = std::move(reason);
}

}  // namespace

std::string_view result_name(Result r) {
    switch (r) {
        case Result::Pass: return "pass";
        case Result::Fail: return "fail";
        case Result::Neutral: return "neutral";
        case Result::Policy: return "policy";
        case Result::TempError: return "temperror";
        case Result::PermError: return "permerror";
    }
    return "permerror";
}

std::string SignatureCheck::key_name() const {
    return signature ? signature->selector + "._domainkey." + signature->domain : std::string();
}

Verification start_verification(std::string_view message, std::int64_t now, std::size_t max_signatures) {
    Verification v;
    v.wire = wire_form(message);
    v.now = now;
    SplitMessage split = split_message(v.wire);
    for (const auto& h : split.headers) {
        if (ascii_lower(h.name) != "dkim-signature") continue;
        if (v.checks.size() >= max_signatures) break;
        SignatureCheck c;
        c.field = std::string(h.field);
        std::size_t colon = h.field.find(':');
        std::string why;
        c.signature = parse_signature(h.field.substr(colon + 1), &why);
        if (!c.signature) {
            set(c, Result::PermError, why);
        } else if (c.signature->expiration && *c.signature->expiration < now) {
            set(c, Result::PermError, "signature expired");
        } else if (c.signature->timestamp && *c.signature->timestamp > now + kClockSkew) {
            set(c, Result::PermError, "signature timestamp in the future");
        }
        v.checks.push_back(std::move(c));
    }
    return v;
}

void finish(Verification& v, SignatureCheck& c, const KeyLookup& lookup) {
    if (c.result || !c.signature) return;
    const Signature& sig = *c.signature;
    if (lookup.status == KeyLookup::Status::TempError) return set(c, Result::TempError, "key lookup failed");
    if (lookup.status == KeyLookup::Status::NotFound || lookup.records.empty())
        return set(c, Result::PermError, "no key for signature");
    if (lookup.records.size() > 1) return set(c, Result::PermError, "more than one key record");
    std::string why;
    auto record = parse_key_record(lookup.records.front(), &why);
    if (!record) return set(c, Result::PermError, why);
    c.testing = record->testing;
    if (record->key.empty()) return set(c, Result::PermError, "key revoked");
    if (record->algorithm != sig.algorithm) return set(c, Result::PermError, "key type does not match a=");
    if (record->strict) {
        auto at = sig.identity.rfind('@');
        if (ascii_lower(std::string_view(sig.identity).substr(at + 1)) != sig.domain)
            return set(c, Result::PermError, "i= must equal d= (t=s)");
    }
    auto key = PublicKey::from_record_key(record->algorithm, record->key, &why);
    if (!key) return set(c, Result::PermError, why);

    SplitMessage split = split_message(v.wire);
    std::uint64_t canonical_length = 0;
    std::string bh = body_hash(split.body, sig.body_relaxed, sig.body_length, &canonical_length);
    if (sig.body_length && *sig.body_length > canonical_length)
        return set(c, Result::PermError, "l= longer than the body");
    c.partial_body = sig.body_length && *sig.body_length < canonical_length;
    if (bh != sig.bh) return set(c, Result::Fail, "body hash did not verify");
    std::string input = header_hash_input(split, sig, c.field);
    if (!key->verify(input, sig.b)) return set(c, Result::Fail, "signature did not verify");
    set(c, Result::Pass, c.partial_body ? "body partly signed (l=)" : "");
}

}  // namespace tern::dkim
