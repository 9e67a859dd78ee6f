// The MIME layout scanner: see layout.hpp.
#include "mime/layout.hpp"

#include <algorithm>
#include <cstring>

#include "mime/content_fields.hpp"
#include "mime/header.hpp"

namespace tern::mime::detail {
namespace {

bool starts_with_ci(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && iequal(s.substr(0, prefix.size()), prefix);
}

// Fills the Content-* fields of `info` (first occurrence of each wins, as in Dovecot).
void read_content_fields(const std::vector<HeaderField>& fields, bool in_digest, BodyPart& info) {
    bool have_type = false, have_cte = false;
    std::optional<ContentType> ct;
    for (const auto& f : fields) {
        if (!starts_with_ci(f.name, "Content-")) continue;
        std::string_view n = f.name.substr(8);
        if (iequal(n, "Type")) {
            if (!have_type) ct = parse_content_type(f.value);
            have_type = true;
        } else if (iequal(n, "Transfer-Encoding")) {
            if (!have_cte) {
                std::string t = parse_token(f.value);
                if (!t.empty()) info.encoding = std::move(t);
            }
            have_cte = true;
        } else if (iequal(n, "ID")) {
            if (!info.id) info.id = unfold(f.value);
        } else if (iequal(n, "Description")) {
            if (!info.description) info.description = unfold(f.value);
        } else if (iequal(n, "MD5")) {
            if (!info.md5) info.md5 = unfold(f.value);
        } else if (iequal(n, "Location")) {
            if (!info.location) info.location = unfold(f.value);
        } else if (iequal(n, "Disposition")) {
            if (!info.disposition) info.disposition = parse_content_disposition(f.value);
        } else if (iequal(n, "Language")) {
            if (info.language.empty()) info.language = parse_content_language(f.value);
        }
    }
    if (ct) {
        info.type = std::move(ct->type);
        info.subtype = std::move(ct->subtype);
        info.parameters = std::move(ct->parameters);
        if (iequal(info.type, "text") && !find_parameter(info.parameters, "charset"))
            info.parameters.emplace_back("charset", "us-ascii");
    } else if (in_digest) {
        info.type = "message";
        info.subtype = "rfc822";
    } else {
        info.type = "text";
        info.subtype = "plain";
        info.parameters = {{"charset", "us-ascii"}};
    }
}

void make_opaque(BodyPart& info) {
    info.type = "application";
    info.subtype = "octet-stream";
    info.parameters.clear();
}

}  // namespace

std::uint64_t count_lines(std::string_view body) {
    if (body.empty()) return 0;
    std::uint64_t n = 0;
    const char* p = body.data();
    const char* end = p + body.size();
    // memchr is vectorised in libc; std::count is not at -O2.
    while (const void* lf = std::memchr(p, '\n', static_cast<std::size_t>(end - p))) {
        ++n;
        p = static_cast<const char*>(lf) + 1;
    }
    return body.back() == '\n' ? n : n + 1;
}

Layout::Layout(std::string_view crlf) : text_(crlf) {
    nodes_.reserve(4);
    parse(0, text_.size(), 0, false);
}

const std::vector<std::size_t>& Layout::dash_lines() {
    if (!dashes_built_) {
        dashes_built_ = true;
        if (text_.starts_with("--")) dashes_.push_back(0);
        for (std::size_t p = text_.find("\n--"); p != std::string_view::npos;
             p = text_.find("\n--", p + 1))
            dashes_.push_back(p + 1);
    }
    return dashes_;
}

std::uint32_t Layout::parse(std::size_t begin, std::size_t end, unsigned depth, bool in_digest) {
    auto self = static_cast<std::uint32_t>(nodes_.size());
    nodes_.emplace_back();
    std::string_view whole = slice(begin, end);
    HeaderSplit split = split_header(whole);
    {
        Entity& e = nodes_[self];
        e.begin = begin;
        e.body_begin = begin + split.body_begin;
        e.end = end;
        e.has_empty_line = split.has_empty_line;
        read_content_fields(header_fields(whole.substr(0, split.fields_end)), in_digest, e.info);
    }
    Entity& e = nodes_[self];
    bool room = depth < kMaxDepth && nodes_.size() < kMaxParts;
    if (iequal(e.info.type, "multipart")) {
        if (!room) {
            make_opaque(e.info);
            return self;
        }
        e.kind = Kind::Multipart;
        const std::string* boundary = find_parameter(e.info.parameters, "boundary");
        bool digest = iequal(e.info.subtype, "digest");
        if (boundary && !boundary->empty()) {
            std::string b = *boundary;  // nodes_ may move while children are added
            parse_multipart(self, b, depth, digest);
        }
    } else if (iequal(e.info.type, "message") &&
               (iequal(e.info.subtype, "rfc822") || iequal(e.info.subtype, "global"))) {
        if (!room) {
            make_opaque(e.info);
            return self;
        }
        e.kind = Kind::Message;
        std::size_t b = e.body_begin, en = e.end;
        std::uint32_t child = parse(b, en, depth + 1, false);
        nodes_[self].children.push_back(child);
    }
    return self;
}

void Layout::parse_multipart(std::uint32_t self, std::string_view boundary, unsigned depth,
                             bool digest) {
    const std::size_t body_begin = nodes_[self].body_begin;
    const std::size_t end = nodes_[self].end;
    const auto& dashes = dash_lines();
    // Delimiter lines inside this body: (start of line, start of the next line, closing?).
    struct Delimiter {
        std::size_t line, next;
        bool close;
    };
    std::vector<Delimiter> found;
    for (auto it = std::lower_bound(dashes.begin(), dashes.end(), body_begin);
         it != dashes.end() && *it < end; ++it) {
        std::size_t p = *it;
        std::size_t lf = text_.find('\n', p);
        std::size_t line_end = (lf == std::string_view::npos || lf >= end) ? end : lf;
        std::string_view line = slice(p + 2, line_end);
        if (!line.empty() && line.back() == '\r' && line_end != end) line.remove_suffix(1);
        if (!line.starts_with(boundary)) continue;
        std::string_view rest = line.substr(boundary.size());
        bool close = rest.starts_with("--");
        if (!close && rest.find_first_not_of(" \t") != std::string_view::npos) continue;
        found.push_back({p, line_end == end ? end : line_end + 1, close});
        if (close) break;
    }
    // Part i runs from after delimiter i to the CRLF before delimiter i+1 (or to the end of
    // the body when the close delimiter is missing, as in a truncated message).
    for (std::size_t i = 0; i < found.size() && !found[i].close; ++i) {
        if (nodes_.size() >= kMaxParts) break;
        std::size_t part_begin = found[i].next;
        std::size_t part_end = end;
        if (i + 1 < found.size()) {
            std::size_t next = found[i + 1].line;  // > 0: it is after found[i]
            part_end = next;
            if (part_end >= 1 && text_[part_end - 1] == '\n') --part_end;
            if (part_end >= 1 && text_[part_end - 1] == '\r') --part_end;
            part_end = std::max(part_end, part_begin);
        }
        std::uint32_t child = parse(part_begin, part_end, depth + 1, digest);
        nodes_[self].children.push_back(child);
    }
}

}  // namespace tern::mime::detail
