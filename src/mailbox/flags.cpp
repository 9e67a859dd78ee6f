// Message flags and Maildir info letters: see flags.hpp.
#include "mailbox/flags.hpp"

#include <algorithm>
#include <array>

#include "core/address.hpp"

namespace tern::mailbox {
namespace {

struct Letter {
    char letter;
    std::uint8_t bit;
    std::string_view imap;
};
// ASCII order of the letters, which is also the order of info_letters() output.
constexpr std::array<Letter, 6> kLetters{{
    {'D', flag::kDraft, "\\Draft"},
    {'F', flag::kFlagged, "\\Flagged"},
    {'P', flag::kForwarded, "$Forwarded"},
    {'R', flag::kAnswered, "\\Answered"},
    {'S', flag::kSeen, "\\Seen"},
    {'T', flag::kDeleted, "\\Deleted"},
}};

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

bool keyword_less(std::string_view a, std::string_view b) {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(),
                                        [](char x, char y) { return lower(x) < lower(y); });
}

void add_keyword(std::vector<std::string>& keywords, std::string keyword) {
    auto it = std::lower_bound(keywords.begin(), keywords.end(), keyword,
                               [](const std::string& a, const std::string& b) { return keyword_less(a, b); });
    if (it != keywords.end() && iequals(*it, keyword)) return;
    keywords.insert(it, std::move(keyword));
}

Flags apply_flags(const Flags& current, FlagMode mode, const Flags& change) {
    Flags out;
    switch (mode) {
        case FlagMode::Replace: {
            out.system = change.system;
            // Keep the spelling the message already had for keywords that stay.
            for (const auto& k : change.keywords) {
                auto it = std::find_if(current.keywords.begin(), current.keywords.end(),
                                       [&](const std::string& c) { return iequals(c, k); });
                add_keyword(out.keywords, it != current.keywords.end() ? *it : k);
            }
            break;
        }
        case FlagMode::Add:
            out = current;
            out.system |= change.system;
            for (const auto& k : change.keywords) add_keyword(out.keywords, k);
            break;
        case FlagMode::Remove:
            out.system = current.system & static_cast<std::uint8_t>(~change.system);
            for (const auto& k : current.keywords) {
                bool removed = std::any_of(change.keywords.begin(), change.keywords.end(),
                                           [&](const std::string& c) { return iequals(c, k); });
                if (!removed) out.keywords.push_back(k);
            }
            break;
    }
    return out;
}

std::optional<std::uint8_t> system_flag_from_name(std::string_view name) {
    for (const auto& l : kLetters)
        if (iequals(l.imap, name)) return l.bit;
    return std::nullopt;
}

bool is_valid_keyword(std::string_view name) {
    if (name.empty() || name.size() > kMaxKeywordLength || name.front() == '\\') return false;
    if (iequals(name, "$Forwarded")) return false;
    for (char ch : name) {
        auto c = static_cast<unsigned char>(ch);
        // RFC 9051 9: ATOM-CHAR is any CHAR except atom-specials: "(" ")" "{" SP CTL
        // list-wildcards ("%" "*") quoted-specials ('"' "\") resp-specials ("]").
        if (c <= 0x20 || c >= 0x7F) return false;
        if (ch == '(' || ch == ')' || ch == '{' || ch == '%' || ch == '*' || ch == '"' || ch == '\\' ||
            ch == ']')
            return false;
    }
    return true;
}

std::optional<Flags> flags_from_names(const std::vector<std::string>& names) {
    Flags out;
    for (const auto& n : names) {
        if (auto bit = system_flag_from_name(n)) {
            out.system |= *bit;
        } else if (is_valid_keyword(n)) {
            add_keyword(out.keywords, n);
        } else {
            return std::nullopt;
        }
    }
    if (out.keywords.size() > kMaxKeywordsPerMessage) return std::nullopt;
    return out;
}

std::vector<std::string> flag_names(const Flags& flags) {
    std::vector<std::string> out;
    for (std::uint8_t bit : {flag::kAnswered, flag::kFlagged, flag::kDeleted, flag::kSeen, flag::kDraft,
                             flag::kForwarded}) {
        if (!flags.has(bit)) continue;
        for (const auto& l : kLetters)
            if (l.bit == bit) out.emplace_back(l.imap);
    }
    out.insert(out.end(), flags.keywords.begin(), flags.keywords.end());
    return out;
}

SplitName split_file_name(std::string_view name) {
    SplitName s;
    auto colon = name.find(':');
    if (colon == std::string_view::npos) {
        s.base = name;
        return s;
    }
    s.base = name.substr(0, colon);
    s.has_info = true;
    auto info = name.substr(colon + 1);
    if (info.size() >= 2 && info[0] == '2' && info[1] == ',') {
        s.standard_info = true;
        s.letters = info.substr(2);
    }
    return s;
}

InfoLetters parse_info_letters(std::string_view letters) {
    InfoLetters out;
    for (char c : letters) {
        bool known = false;
        for (const auto& l : kLetters) {
            if (l.letter == c) {
                out.system |= l.bit;
                known = true;
            }
        }
        // Only printable ASCII can be a letter; anything else is dropped rather than carried
        // into names this store writes.
        auto u = static_cast<unsigned char>(c);
        if (!known && u > 0x20 && u < 0x7F && c != '/' && c != ':' && out.extra.find(c) == std::string::npos)
            out.extra.push_back(c);
    }
    std::sort(out.extra.begin(), out.extra.end());
    return out;
}

std::string info_letters(std::uint8_t system, std::string_view extra) {
    std::string out;
    for (const auto& l : kLetters)
        if (system & l.bit) out.push_back(l.letter);
    out.append(extra);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

}  // namespace tern::mailbox
