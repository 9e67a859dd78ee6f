// Header section scanning: see header.hpp.
#include "mime/header.hpp"

#include <cstring>

namespace tern::mime {
namespace {

// The index just past the LF ending the line at `pos`, or size() for the last line.
std::size_t next_line(std::string_view s, std::size_t pos) {
    const void* lf = std::memchr(s.data() + pos, '\n', s.size() - pos);
    return lf ? static_cast<std::size_t>(static_cast<const char*>(lf) - s.data()) + 1 : s.size();
}

bool is_empty_line(std::string_view s, std::size_t pos) {
    return (pos < s.size() && s[pos] == '\n') ||
           (pos + 1 < s.size() && s[pos] == '\r' && s[pos + 1] == '\n');
}

std::string_view strip_eol(std::string_view line) {
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

}  // namespace

bool iequal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

HeaderSplit split_header(std::string_view s) {
    std::size_t pos = 0;
    while (pos < s.size()) {
        if (is_empty_line(s, pos)) {
            std::size_t after = pos + (s[pos] == '\n' ? 1 : 2);
            return {pos, after, true};
        }
        pos = next_line(s, pos);
    }
    return {s.size(), s.size(), false};
}

std::vector<HeaderField> header_fields(std::string_view s) {
    std::vector<HeaderField> out;
    std::size_t pos = 0;
    while (pos < s.size() && !is_empty_line(s, pos)) {
        std::size_t end = next_line(s, pos);
        // Continuation lines (starting with SP or HTAB) belong to the field before them.
        while (end < s.size() && (s[end] == ' ' || s[end] == '\t')) end = next_line(s, end);
        std::string_view raw = s.substr(pos, end - pos);
        HeaderField f{{}, {}, raw};
        if (raw[0] != ' ' && raw[0] != '\t') {
            std::size_t colon = raw.find(':');
            std::string_view first_line = strip_eol(raw.substr(0, raw.find('\n')));
            if (colon != std::string_view::npos && colon < first_line.size()) {
                std::string_view name = raw.substr(0, colon);
                while (!name.empty() && (name.back() == ' ' || name.back() == '\t'))
                    name.remove_suffix(1);  // obs-optional: WSP before the colon
                bool ok = !name.empty();
                for (char c : name) ok = ok && static_cast<unsigned char>(c) > 32 && c != 127;
                if (ok) {
                    f.name = name;
                    f.value = strip_eol(raw.substr(colon + 1));
                }
            }
        }
        out.push_back(f);
        pos = end;
    }
    return out;
}

const HeaderField* find_field(const std::vector<HeaderField>& fields, std::string_view name) {
    for (const auto& f : fields)
        if (!f.name.empty() && iequal(f.name, name)) return &f;
    return nullptr;
}

std::string unfold(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value)
        if (c != '\r' && c != '\n') out.push_back(c);
    std::size_t b = out.find_first_not_of(" \t");
    if (b == std::string::npos) return {};
    std::size_t e = out.find_last_not_of(" \t");
    return out.substr(b, e - b + 1);
}

}  // namespace tern::mime
