// FETCH BODY[<section>] and BINARY[<part>] lookups: see section.hpp and message.hpp.
#include <optional>

#include "mime/decode.hpp"
#include "mime/header.hpp"
#include "mime/layout.hpp"
#include "mime/message.hpp"

namespace tern::mime {
namespace {

using detail::Kind;
using detail::Layout;

// The entity a part path names (RFC 9051 6.4.5), or nullopt when there is no such part.
std::optional<std::uint32_t> resolve(const Layout& l, const std::vector<unsigned>& path) {
    std::uint32_t cur = Layout::kRoot;
    for (std::size_t i = 0; i < path.size(); ++i) {
        const detail::Entity& e = l.at(cur);
        bool more = i + 1 < path.size();
        if (e.kind == Kind::Multipart) {
            if (path[i] > e.children.size()) return std::nullopt;
            cur = e.children[path[i] - 1];
        } else if (path[i] != 1 || (more && e.kind != Kind::Message)) {
            // A non-multipart entity has only part 1 (itself); only a message part has parts
            // below it.
            return std::nullopt;
        }
        if (more && l.at(cur).kind == Kind::Message) cur = l.at(cur).children.front();
    }
    return cur;
}

bool valid_path(const std::vector<unsigned>& path) {
    for (unsigned n : path)
        if (n == 0) return false;
    return true;
}

std::string header_subset(std::string_view header, const std::vector<std::string>& names,
                          bool include, bool has_empty_line) {
    std::string out;
    for (const HeaderField& f : header_fields(header)) {
        bool listed = false;
        if (!f.name.empty())
            for (const auto& n : names) listed = listed || iequal(f.name, n);
        if (listed != include) continue;
        out += f.raw;
        if (!out.ends_with('\n')) out += "\r\n";  // the last field of a header without end
    }
    if (has_empty_line) out += "\r\n";
    return out;
}

}  // namespace

SectionData ParsedMessage::section(const SectionSpec& spec) const {
    using K = SectionSpec::Kind;
    const Layout& l = layout();
    if (!valid_path(spec.part) || (spec.kind == K::Mime && spec.part.empty()))
        return SectionData::failed(SectionStatus::Invalid);
    std::optional<std::uint32_t> found = resolve(l, spec.part);
    if (!found) return SectionData::failed(SectionStatus::NotFound);
    const detail::Entity& e = l.at(*found);
    switch (spec.kind) {
    case K::Whole:
        return SectionData::view(spec.part.empty() ? l.text() : l.body(e));
    case K::Mime:
        return SectionData::view(l.header(e));
    case K::Header:
    case K::HeaderFields:
    case K::HeaderFieldsNot:
    case K::Text:
        break;
    }
    // HEADER and TEXT address a message: the top-level one, or one enclosed in a part.
    const detail::Entity* msg = &e;
    if (!spec.part.empty()) {
        if (e.kind != Kind::Message) return SectionData::failed(SectionStatus::NotFound);
        msg = &l.at(e.children.front());
    }
    switch (spec.kind) {
    case K::Header:
        return SectionData::view(l.header(*msg));
    case K::Text:
        return SectionData::view(l.body(*msg));
    default:
        return SectionData::owned(header_subset(l.header(*msg), spec.fields,
                                                spec.kind == K::HeaderFields, msg->has_empty_line));
    }
}

SectionData ParsedMessage::binary(const std::vector<unsigned>& part) const {
    const Layout& l = layout();
    if (!valid_path(part)) return SectionData::failed(SectionStatus::Invalid);
    if (part.empty()) return SectionData::view(l.text());
    std::optional<std::uint32_t> found = resolve(l, part);
    if (!found) return SectionData::failed(SectionStatus::NotFound);
    const detail::Entity& e = l.at(*found);
    if (e.kind != Kind::Leaf) return SectionData::view(l.body(e));
    TransferEncoding te = classify_transfer_encoding(e.info.encoding);
    switch (te) {
    case TransferEncoding::Identity:
        return SectionData::view(l.body(e));
    case TransferEncoding::Unknown:
        return SectionData::failed(SectionStatus::UnknownEncoding);
    default:
        return SectionData::owned(decode_transfer(l.body(e), te));
    }
}

}  // namespace tern::mime
