#include "dmarc/public_suffix.hpp"

#include <fstream>
#include <sstream>

namespace tern::dmarc {

PublicSuffixList PublicSuffixList::parse(std::string_view text) {
    PublicSuffixList list;
    while (!text.empty()) {
        std::size_t eol = text.find('\n');
        std::string_view line = text.substr(0, eol);
        text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
        // A rule is the first whitespace-delimited token of a line.
        std::size_t start = line.find_first_not_of(" \t\r");
        if (start == std::string_view::npos) continue;
        line.remove_prefix(start);
        line = line.substr(0, line.find_first_of(" \t\r"));
        if (line.empty() || line.substr(0, 2) == "//") continue;
        std::string rule;
        for (char c : line) rule += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        if (rule[0] == '!') list.exceptions_.insert(rule.substr(1));
        else if (rule.size() > 2 && rule.compare(0, 2, "*.") == 0) list.wildcards_.insert(rule.substr(2));
        else list.rules_.insert(rule);
    }
    return list;
}

std::optional<PublicSuffixList> PublicSuffixList::load(const std::string& path, std::string* error) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        if (error) *error = path + ": cannot read the public suffix list";
        return std::nullopt;
    }
    std::stringstream ss;
    ss << in.rdbuf();
    return parse(ss.str());
}

std::string_view PublicSuffixList::public_suffix(std::string_view domain) const {
    while (!domain.empty() && domain.back() == '.') domain.remove_suffix(1);
    // Walk the suffixes from the longest: the first that is a rule (or under a wildcard) wins,
    // an exception rule makes its parent the suffix.
    std::size_t pos = 0;
    while (true) {
        std::string_view candidate = domain.substr(pos);
        std::string key(candidate);
        if (exceptions_.count(key)) {
            std::size_t dot = candidate.find('.');
            return dot == std::string_view::npos ? candidate : candidate.substr(dot + 1);
        }
        if (rules_.count(key)) return candidate;
        std::size_t dot = candidate.find('.');
        if (dot != std::string_view::npos && wildcards_.count(std::string(candidate.substr(dot + 1)))) return candidate;
        if (dot == std::string_view::npos) return candidate;  // implicit "*": the last label
        pos += dot + 1;
    }
}

std::string_view PublicSuffixList::organizational_domain(std::string_view domain) const {
    while (!domain.empty() && domain.back() == '.') domain.remove_suffix(1);
    std::string_view suffix = public_suffix(domain);
    if (suffix.size() >= domain.size()) return domain;
    std::string_view head = domain.substr(0, domain.size() - suffix.size() - 1);
    std::size_t dot = head.rfind('.');
    return domain.substr(dot == std::string_view::npos ? 0 : dot + 1);
}

}  // namespace tern::dmarc
