// See mailbox_name.hpp.
#include "imap/mailbox_name.hpp"

#include <array>
#include <vector>

#include "core/address.hpp"

namespace tern::imap {
namespace {

constexpr std::array<std::string_view, 5> kSystemFlags = {"\\Answered", "\\Flagged", "\\Deleted", "\\Seen",
                                                          "\\Draft"};

// Dynamic programming over (name prefix, pattern prefix): O(|name| * |pattern|) time and
// O(|pattern|) memory whatever the wildcards, so a hostile "%%%%..." cannot blow up.
// row[j]: name[0..i) matches pattern[0..j).
bool match(std::string_view s, std::string_view p, char delim) {
    std::vector<char> row(p.size() + 1, 0), next(p.size() + 1, 0);
    row[0] = 1;
    for (std::size_t j = 1; j <= p.size(); ++j) row[j] = row[j - 1] && (p[j - 1] == '*' || p[j - 1] == '%');
    for (std::size_t i = 1; i <= s.size(); ++i) {
        next[0] = 0;
        for (std::size_t j = 1; j <= p.size(); ++j) {
            const char pc = p[j - 1];
            if (pc == '*') {
                next[j] = next[j - 1] || row[j];
            } else if (pc == '%') {
                next[j] = next[j - 1] || (row[j] && s[i - 1] != delim);
            } else {
                next[j] = row[j - 1] && pc == s[i - 1];
            }
        }
        row.swap(next);
    }
    return row[p.size()] != 0;
}

}  // namespace

bool list_match(std::string_view name, std::string_view pattern, char delimiter) {
    if (match(name, pattern, delimiter)) return true;
    // INBOX is case-insensitive: match the pattern with its first five characters as "INBOX".
    if ((name == "INBOX" || name.substr(0, 6) == "INBOX" + std::string(1, delimiter)) && pattern.size() >= 5 &&
        iequals(pattern.substr(0, 5), "INBOX")) {
        std::string p = "INBOX" + std::string(pattern.substr(5));
        return match(name, p, delimiter);
    }
    return false;
}

bool valid_mailbox_name(std::string_view utf8) {
    if (utf8.empty() || !is_valid_utf8(utf8)) return false;
    for (char ch : utf8) {
        auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7F || c == '*' || c == '%') return false;
    }
    return true;
}

std::optional<std::string> canonical_flag(std::string_view flag) {
    if (flag.empty()) return std::nullopt;
    if (flag.front() != '\\') return std::string(flag);
    for (auto f : kSystemFlags) {
        if (iequals(f, flag)) return std::string(f);
    }
    return std::nullopt;
}

bool is_system_flag(std::string_view canonical) {
    for (auto f : kSystemFlags) {
        if (f == canonical) return true;
    }
    return false;
}

}  // namespace tern::imap
