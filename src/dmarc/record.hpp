// The DMARC policy record published at _dmarc.DOMAIN (RFC 7489 6.3, 6.4).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tern::dmarc {

enum class Policy { None, Quarantine, Reject };
std::string_view policy_name(Policy p);  // "none", "quarantine", "reject"

struct Record {
    Policy policy = Policy::None;               // p=
    std::optional<Policy> subdomain_policy;     // sp=
    bool strict_dkim = false;                   // adkim=s
    bool strict_spf = false;                    // aspf=s
    int percent = 100;                          // pct=
    std::vector<std::string> aggregate_report;  // rua= URIs
    std::vector<std::string> failure_report;    // ruf= URIs
};

// nullopt and *error when the text is not a DMARC record: v=DMARC1 must be the first tag
// (6.4). A bad p= (or no p=) on a record is an error unless rua= holds a valid URI, in which
// case p=none applies (6.6.3); bad values of the optional tags fall back to their defaults,
// as the RFC asks receivers to do.
std::optional<Record> parse_record(std::string_view txt, std::string* error);

// From several TXT records at one name, the one DMARC record (6.6.3: records not starting with
// "v=DMARC1" are ignored; more than one DMARC record means none). nullopt when there is none.
std::optional<Record> select_record(const std::vector<std::string>& txt_records);

}  // namespace tern::dmarc
