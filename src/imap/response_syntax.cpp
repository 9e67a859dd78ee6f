// IMAP response data formats: see response_syntax.hpp.
#include "imap/response_syntax.hpp"

#include "imap/char_class.hpp"

namespace tern::imap {
namespace {

bool valid_flag(std::string_view f) {
    if (f == "\\*") return true;
    if (!f.empty() && f[0] == '\\') f.remove_prefix(1);
    if (f.empty()) return false;
    for (char c : f) {
        if (!is_atom_char(c)) return false;
    }
    return true;
}

}  // namespace

bool quotable(std::string_view s, bool utf8) {
    for (std::size_t i = 0; i < s.size();) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c == 0 || c == '\r' || c == '\n') return false;
        if (c >= 0x80) {
            if (!utf8) return false;
            std::size_t n = utf8_sequence_length(s, i);
            if (n == 0) return false;
            i += n;
            continue;
        }
        ++i;
    }
    return true;
}

void append_quoted(std::string& out, std::string_view s) {
    out += '"';
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    out += '"';
}

void append_literal(std::string& out, std::string_view s) {
    out += '{';
    out += std::to_string(s.size());
    out += "}\r\n";
    out += s;
}

void append_string(std::string& out, std::string_view s, bool utf8) {
    if (s.size() <= kMaxQuoted && quotable(s, utf8)) append_quoted(out, s);
    else append_literal(out, s);
}

void append_nil(std::string& out) { out += "NIL"; }

void append_nstring(std::string& out, const std::optional<std::string>& s, bool utf8) {
    if (s) append_string(out, *s, utf8);
    else append_nil(out);
}

void append_astring(std::string& out, std::string_view s, bool utf8) {
    bool atom = !s.empty() && s.size() <= kMaxQuoted && !iequals(s, "NIL");
    for (char c : s) {
        if (!atom) break;
        atom = is_astring_char(c);
    }
    if (atom) out += s;
    else append_string(out, s, utf8);
}

void append_binary(std::string& out, std::string_view s) {
    if (s.find('\0') == std::string_view::npos) {
        append_literal(out, s);
        return;
    }
    out += "~{";
    out += std::to_string(s.size());
    out += "}\r\n";
    out += s;
}

void append_mailbox(std::string& out, std::string_view name, bool utf8) {
    if (iequals(name, "INBOX")) {
        out += "INBOX";
        return;
    }
    append_astring(out, name, utf8);
}

void append_flag_list(std::string& out, std::span<const std::string> flags) {
    out += '(';
    bool first = true;
    for (const auto& f : flags) {
        if (!valid_flag(f)) continue;
        if (!first) out += ' ';
        out += f;
        first = false;
    }
    out += ')';
}

void append_sequence_set(std::string& out, const SequenceSet& set) {
    out += set.to_string();
}

void append_section(std::string& out, const Section& section) {
    bool first = true;
    for (auto p : section.part) {
        if (!first) out += '.';
        out += std::to_string(p);
        first = false;
    }
    auto text = [&](std::string_view t) {
        if (!first) out += '.';
        out += t;
    };
    switch (section.text) {
        case Section::Text::None: return;
        case Section::Text::Header: text("HEADER"); return;
        case Section::Text::Text: text("TEXT"); return;
        case Section::Text::Mime: text("MIME"); return;
        case Section::Text::HeaderFields: text("HEADER.FIELDS ("); break;
        case Section::Text::HeaderFieldsNot: text("HEADER.FIELDS.NOT ("); break;
    }
    bool first_field = true;
    for (const auto& f : section.fields) {
        if (!first_field) out += ' ';
        append_astring(out, f);
        first_field = false;
    }
    out += ')';
}

}  // namespace tern::imap
