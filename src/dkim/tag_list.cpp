#include "dkim/tag_list.hpp"

namespace tern::dkim {
namespace {

bool is_wsp(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_wsp(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_wsp(s.back())) s.remove_suffix(1);
    return s;
}

}  // namespace

std::optional<TagList> TagList::parse(std::string_view text, std::string* error) {
    TagList list;
    auto fail = [&](std::string why) -> std::optional<TagList> {
        if (error) *error = std::move(why);
        return std::nullopt;
    };
    while (true) {
        std::size_t semi = text.find(';');
        std::string_view spec = trim(text.substr(0, semi));
        if (!spec.empty()) {
            std::size_t eq = spec.find('=');
            if (eq == std::string_view::npos) return fail("tag without '=': " + std::string(spec.substr(0, 40)));
            std::string_view name = trim(spec.substr(0, eq));
            std::string_view value = trim(spec.substr(eq + 1));
            if (name.empty() || !is_alpha(name[0])) return fail("bad tag name");
            for (char c : name) {
                if (!is_alpha(c) && !is_digit(c) && c != '_') return fail("bad tag name");
            }
            for (std::size_t i = 0; i < value.size(); ++i) {
                auto c = static_cast<unsigned char>(value[i]);
                if (c == '\r') {
                    // Only as folding: CRLF followed by WSP.
                    if (i + 2 >= value.size() || value[i + 1] != '\n' || (value[i + 2] != ' ' && value[i + 2] != '\t'))
                        return fail("bad folding in tag " + std::string(name));
                } else if (c == '\n') {
                    if (i == 0 || value[i - 1] != '\r') return fail("bare LF in tag " + std::string(name));
                } else if (c < 0x20 && c != '\t') {
                    return fail("control character in tag " + std::string(name));
                } else if (c == 0x7F) {
                    return fail("control character in tag " + std::string(name));
                }
            }
            for (const auto& [n, v] : list.tags_) {
                if (n == name) return fail("duplicate tag " + std::string(name));
            }
            list.tags_.emplace_back(std::string(name), std::string(value));
        }
        if (semi == std::string_view::npos) break;
        text.remove_prefix(semi + 1);
    }
    return list;
}

std::optional<std::string_view> TagList::get(std::string_view name) const {
    for (const auto& [n, v] : tags_) {
        if (n == name) return std::string_view(v);
    }
    return std::nullopt;
}

std::string strip_whitespace(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        if (!is_wsp(c)) out += c;
    }
    return out;
}

std::vector<std::string> split_colon_list(std::string_view value) {
    std::vector<std::string> out;
    while (true) {
        std::size_t colon = value.find(':');
        out.emplace_back(trim(value.substr(0, colon)));
        if (colon == std::string_view::npos) break;
        value.remove_prefix(colon + 1);
    }
    return out;
}

}  // namespace tern::dkim
