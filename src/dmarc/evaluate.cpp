#include "dmarc/evaluate.hpp"
#include "core/address.hpp"

#include "dkim/canonical.hpp"

namespace tern::dmarc {

PolicyLookup::PolicyLookup(std::string from_domain, const PublicSuffixList& psl) : from_(ascii_lower(from_domain)) {
    while (!from_.empty() && from_.back() == '.') from_.pop_back();
    org_ = std::string(psl.organizational_domain(from_));
    if (from_.empty()) step_ = 2;
}

std::optional<std::string> PolicyLookup::next_query() const {
    if (step_ == 0) return "_dmarc." + from_;
    if (step_ == 1) return "_dmarc." + org_;
    return std::nullopt;
}

void PolicyLookup::answer(const TxtLookup& lookup) {
    if (step_ >= 2) return;
    if (lookup.status == TxtLookup::Status::TempError) {
        temp_error_ = true;
        step_ = 2;
        return;
    }
    if (lookup.status == TxtLookup::Status::Found) {
        if (auto r = select_record(lookup.records)) {
            record_ = std::move(r);
            policy_domain_ = step_ == 0 ? from_ : org_;
            step_ = 2;
            return;
        }
    }
    step_ = (step_ == 0 && org_ != from_) ? 1 : 2;
}

std::string_view result_name(Result r) {
    switch (r) {
        case Result::Pass: return "pass";
        case Result::Fail: return "fail";
        case Result::None: return "none";
        case Result::TempError: return "temperror";
    }
    return "none";
}

bool aligned(std::string_view a, std::string_view b, bool strict, const PublicSuffixList& psl) {
    std::string x = ascii_lower(a), y = ascii_lower(b);
    while (!x.empty() && x.back() == '.') x.pop_back();
    while (!y.empty() && y.back() == '.') y.pop_back();
    if (x.empty() || y.empty()) return false;
    if (strict) return x == y;
    return psl.organizational_domain(x) == psl.organizational_domain(y);
}

Evaluation evaluate(const Inputs& in, const PolicyLookup& lookup, const PublicSuffixList& psl, int roll) {
    Evaluation e;
    e.header_from = lookup.from_domain();
    if (lookup.temp_error()) {
        e.result = Result::TempError;
        return e;
    }
    if (!lookup.record()) return e;  // Result::None
    const Record& r = *lookup.record();
    for (const auto& d : in.dkim_pass_domains) e.dkim_aligned |= aligned(d, e.header_from, r.strict_dkim, psl);
    e.spf_aligned = in.spf_pass && aligned(in.spf_domain, e.header_from, r.strict_spf, psl);
    if (e.dkim_aligned || e.spf_aligned) {
        e.result = Result::Pass;
        return e;
    }
    e.result = Result::Fail;
    // sp= applies when the record came from the organizational domain for a subdomain's mail.
    e.published = (lookup.policy_domain() != e.header_from && r.subdomain_policy) ? *r.subdomain_policy : r.policy;
    e.disposition = e.published;
    if (roll >= r.percent) {
        // 6.6.4: outside the sampled percentage, apply the next less strict policy.
        e.disposition = e.published == Policy::Reject ? Policy::Quarantine : Policy::None;
    }
    return e;
}

}  // namespace tern::dmarc
