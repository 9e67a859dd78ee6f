// The Public Suffix List (publicsuffix.org; Debian's publicsuffix package) and the
// organizational domain DMARC aligns on (RFC 7489 3.2): the public suffix plus one label.
//
// Rules follow the list's own algorithm: the longest matching rule wins, "*" matches one
// label, "!" marks an exception; a name no rule matches falls under the implicit "*" rule.
// Lookups are on lowercase ASCII (A-labels); the caller lowercases.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>

namespace tern::dmarc {

class PublicSuffixList {
public:
    // Parses the list's text format (comments "//", one rule per line; both the ICANN and the
    // private sections are used, as DMARC implementations do).
    static PublicSuffixList parse(std::string_view text);
    // Reads the file; nullopt and *error (naming the file) when it cannot be read.
    static std::optional<PublicSuffixList> load(const std::string& path, std::string* error);

    std::string_view public_suffix(std::string_view domain) const;
    // The organizational domain: the public suffix and one more label; the domain itself when
    // it is a public suffix.
    std::string_view organizational_domain(std::string_view domain) const;
    std::size_t size() const { return rules_.size() + wildcards_.size() + exceptions_.size(); }

private:
    std::unordered_set<std::string> rules_, wildcards_, exceptions_;  // wildcards_: "*.x" stored as "x"
};

// The default location on Debian.
inline constexpr const char* kDebianPublicSuffixList = "/usr/share/publicsuffix/public_suffix_list.dat";

}  // namespace tern::dmarc
