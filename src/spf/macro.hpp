// SPF macro expansion (RFC 7208 7): %{s}, %{l}, %{o}, %{d}, %{i}, %{p}, %{v}, %{h} with digit,
// reverse and delimiter transformers, %%, %_, %-; c, r, t only in explanations.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tern::spf {

struct MacroContext {
    std::string sender;      // <sender> (local@domain; postmaster@helo when MAIL FROM was <>)
    std::string domain;      // <domain>: the current domain
    std::string ip;          // <ip> as text, v4 dotted or v6
    std::string helo;
    std::string receiver;    // for %{r}
    long long now = 0;       // for %{t}
};

// nullopt and *error on a syntax error (a permerror). `explanation` allows c, r and t. A
// domain-spec longer than 253 octets after expansion loses labels on the left (7.3).
std::optional<std::string> expand(std::string_view spec, const MacroContext& ctx, bool explanation, std::string* error);

}  // namespace tern::spf
