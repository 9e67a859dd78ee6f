// DMARC evaluation (RFC 7489 6.6): find the policy record (a pure exchange, so the lookups go
// through the server's asynchronous resolver), then check identifier alignment of the SPF and
// DKIM results with the RFC5322.From domain and decide the disposition.
//
//   PolicyLookup l(from_domain, psl);
//   while (auto name = l.next_query()) l.answer(lookup_txt(*name));
//   Evaluation e = evaluate(inputs, l, psl, roll);
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dmarc/public_suffix.hpp"
#include "dmarc/record.hpp"

namespace tern::dmarc {

struct TxtLookup {
    enum class Status { Found, NotFound, TempError } status = Status::NotFound;
    std::vector<std::string> records;
};

// 6.6.3: the record at _dmarc.<From domain>, else at _dmarc.<organizational domain>.
class PolicyLookup {
public:
    PolicyLookup(std::string from_domain, const PublicSuffixList& psl);
    std::optional<std::string> next_query() const;  // nullopt: done
    void answer(const TxtLookup& lookup);

    const std::optional<Record>& record() const { return record_; }
    const std::string& policy_domain() const { return policy_domain_; }  // where the record was found
    bool temp_error() const { return temp_error_; }
    const std::string& from_domain() const { return from_; }

private:
    std::string from_, org_, policy_domain_;
    int step_ = 0;  // 0: ask at From, 1: ask at the organizational domain, 2: done
    std::optional<Record> record_;
    bool temp_error_ = false;
};

struct Inputs {
    bool spf_pass = false;
    std::string spf_domain;                 // MAIL FROM domain (HELO when MAIL FROM was <>)
    std::vector<std::string> dkim_pass_domains;  // d= of each passing DKIM signature
};

enum class Result { Pass, Fail, None, TempError };
std::string_view result_name(Result r);  // "pass", "fail", "none", "temperror"

struct Evaluation {
    Result result = Result::None;
    Policy disposition = Policy::None;  // what to do with the message (after pct)
    Policy published = Policy::None;    // the policy that applied before pct (p= or sp=)
    bool dkim_aligned = false;
    bool spf_aligned = false;
    std::string header_from;             // for Authentication-Results
};

bool aligned(std::string_view a, std::string_view b, bool strict, const PublicSuffixList& psl);

// `roll` is a uniform number in [0, 100): the message is under the policy when roll < pct.
Evaluation evaluate(const Inputs& in, const PolicyLookup& lookup, const PublicSuffixList& psl, int roll);

}  // namespace tern::dmarc
