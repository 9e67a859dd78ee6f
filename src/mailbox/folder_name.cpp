// Folder name validation and the Maildir++ directory mapping: see folder_name.hpp.
#include "mailbox/folder_name.hpp"

#include "core/address.hpp"
#include "core/mutf7.hpp"

namespace tern::mailbox {
namespace {

Error invalid(std::string why) { return Error{ErrorCode::InvalidName, std::move(why)}; }

// Control characters in UTF-8: C0, DEL, and C1 (U+0080-U+009F = C2 80..C2 9F).
bool has_control(std::string_view s) {
    for (std::size_t i = 0; i < s.size(); ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x20 || c == 0x7F) return true;
        if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) <= 0x9F) return true;
    }
    return false;
}

std::string escape(std::string_view mutf7) {
    std::string out;
    for (char c : mutf7) {
        if (c == '.')
            out += "^2e";
        else if (c == '^')
            out += "^5e";
        else
            out += c;
    }
    return out;
}

std::optional<std::string> unescape(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '^') {
            out += s[i];
            continue;
        }
        auto code = s.substr(i + 1, 2);
        if (code == "2e")
            out += '.';
        else if (code == "5e")
            out += '^';
        else
            return std::nullopt;
        i += 2;
    }
    return out;
}

}  // namespace

Result<FolderName> parse_folder_name(std::string_view utf8) {
    if (utf8.empty()) return invalid("empty folder name");
    if (!is_valid_utf8(utf8)) return invalid("folder name is not UTF-8");
    if (has_control(utf8)) return invalid("control character in folder name");
    if (utf8.find_first_of("%*") != std::string_view::npos) return invalid("wildcard in folder name");
    FolderName out;
    std::size_t start = 0;
    while (true) {
        auto slash = utf8.find(kDelimiter, start);
        auto part = utf8.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
        if (part.empty()) return invalid("empty hierarchy level in folder name");
        if (part == "." || part == "..") return invalid("'.' or '..' in folder name");
        out.components.emplace_back(part);
        if (out.components.size() > kMaxFolderDepth) return Error{ErrorCode::Limit, "folder hierarchy too deep"};
        if (slash == std::string_view::npos) break;
        start = slash + 1;
    }
    if (iequals(out.components[0], "INBOX")) out.components[0] = "INBOX";
    for (std::size_t i = 0; i < out.components.size(); ++i) {
        if (i > 0) out.name += kDelimiter;
        out.name += out.components[i];
    }
    if (out.name == "INBOX") return out;  // the root: no directory of its own
    for (const auto& c : out.components) {
        auto enc = mutf7_encode(c);
        if (!enc) return invalid("folder name is not UTF-8");
        out.disk += '.';
        out.disk += escape(*enc);
        if (out.disk.size() > kMaxDiskName) return Error{ErrorCode::Limit, "folder name too long"};
    }
    return out;
}

std::optional<std::string> folder_name_from_disk(std::string_view entry) {
    if (entry.size() < 2 || entry.size() > kMaxDiskName || entry[0] != '.') return std::nullopt;
    std::string name;
    std::size_t start = 1;
    while (true) {
        auto dot = entry.find('.', start);
        auto part = entry.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
        auto mutf7 = unescape(part);
        if (!mutf7) return std::nullopt;
        auto utf8 = mutf7_decode(*mutf7);
        if (!utf8) return std::nullopt;
        if (!name.empty() || start > 1) name += kDelimiter;
        name += *utf8;
        if (dot == std::string_view::npos) break;
        start = dot + 1;
    }
    // Only the canonical spelling maps back: the same checks, the same directory.
    auto parsed = parse_folder_name(name);
    if (!parsed || parsed->disk != entry) return std::nullopt;
    return parsed->name;
}

std::string parent_folder(std::string_view name) {
    auto slash = name.rfind(kDelimiter);
    return slash == std::string_view::npos ? std::string() : std::string(name.substr(0, slash));
}

bool is_below(std::string_view name, std::string_view ancestor) {
    return name.size() > ancestor.size() + 1 && name.substr(0, ancestor.size()) == ancestor &&
           name[ancestor.size()] == kDelimiter;
}

}  // namespace tern::mailbox
