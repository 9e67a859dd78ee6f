#include "message/header_fields.hpp"

#include "core/address.hpp"

namespace tern::message {
namespace {

bool is_ftext(unsigned char c) { return c >= 33 && c <= 126 && c != ':'; }

// Returns the end of the line starting at `pos` (the index of its LF, or size()).
std::size_t line_end(std::string_view s, std::size_t pos) {
    auto lf = s.find('\n', pos);
    return lf == std::string_view::npos ? s.size() : lf;
}

std::string_view strip_cr(std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
}

}  // namespace

std::vector<HeaderField> header_fields(std::string_view m) {
    std::vector<HeaderField> out;
    std::size_t pos = 0;
    while (pos < m.size()) {
        auto end = line_end(m, pos);
        auto line = strip_cr(m.substr(pos, end - pos));
        if (line.empty()) break;  // the empty line that ends the header section
        auto colon = line.find(':');
        bool is_field = colon != std::string_view::npos && colon > 0;
        for (std::size_t i = 0; is_field && i < colon; ++i)
            is_field = is_ftext(static_cast<unsigned char>(line[i]));
        if (!is_field) break;
        // Extend over continuation lines (starting with SP or HTAB).
        std::size_t value_end = end;
        std::size_t next = end < m.size() ? end + 1 : end;
        while (next < m.size() && (m[next] == ' ' || m[next] == '\t')) {
            value_end = line_end(m, next);
            next = value_end < m.size() ? value_end + 1 : value_end;
        }
        auto value = m.substr(pos + colon + 1, value_end - (pos + colon + 1));
        if (!value.empty() && value.back() == '\r') value.remove_suffix(1);
        out.push_back({line.substr(0, colon), value});
        pos = next;
    }
    return out;
}

bool has_field(std::string_view message, std::string_view name) {
    for (const auto& f : header_fields(message))
        if (iequals(f.name, name)) return true;
    return false;
}

std::string unfold(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value)
        if (c != '\r' && c != '\n') out.push_back(c);
    auto b = out.find_first_not_of(" \t");
    if (b == std::string::npos) return {};
    auto e = out.find_last_not_of(" \t");
    return out.substr(b, e - b + 1);
}

}  // namespace tern::message
