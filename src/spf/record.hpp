// SPF records (RFC 7208 4.6, 5, 6): "v=spf1" followed by mechanisms and modifiers.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tern::spf {

enum class Result { None, Neutral, Pass, Fail, SoftFail, TempError, PermError };
std::string_view result_name(Result r);  // "pass", "softfail", ... (RFC 8601 spf= values)

struct Mechanism {
    enum class Kind { All, Include, A, Mx, Ptr, Ip4, Ip6, Exists } kind = Kind::All;
    Result qualifier = Result::Pass;  // + Pass, - Fail, ~ SoftFail, ? Neutral
    std::string domain_spec;          // "" when absent (a, mx, ptr default to the current domain)
    std::array<std::uint8_t, 16> network{};  // ip4 (first 4 octets) or ip6
    int cidr4 = 32;
    int cidr6 = 128;
};

struct Record {
    std::vector<Mechanism> mechanisms;
    std::optional<std::string> redirect;  // redirect= domain-spec
    std::optional<std::string> exp;       // exp= domain-spec
};

// True when the TXT string is an SPF record ("v=spf1" alone or followed by a space, 4.5).
bool is_spf_record(std::string_view txt);

// Parses a record (already known to start with v=spf1). nullopt and *error on a syntax error,
// which is a permerror (4.6): unknown mechanisms, bad CIDR lengths, duplicate redirect/exp.
std::optional<Record> parse_record(std::string_view txt, std::string* error);

}  // namespace tern::spf
