// The cached ENVELOPE/BODY/BODYSTRUCTURE renderings: see fetch_cache.hpp.
#include "imap/fetch_cache.hpp"

#include <utility>

#include "imap/body_structure.hpp"

namespace tern::imap {
namespace {

void put_varint(std::string& out, std::uint64_t v) {
    while (v >= 0x80) {
        out += static_cast<char>((v & 0x7F) | 0x80);
        v >>= 7;
    }
    out += static_cast<char>(v);
}

bool get_varint(std::string_view in, std::size_t& pos, std::uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64 && pos < in.size(); shift += 7) {
        auto b = static_cast<std::uint8_t>(in[pos++]);
        v |= std::uint64_t{b & 0x7Fu} << shift;
        if ((b & 0x80) == 0) return true;
    }
    return false;
}

std::string rendered(const mime::Envelope& envelope, const mime::BodyPart& structure, CachedItem which, bool utf8) {
    std::string out;
    if (which == CachedItem::Envelope) {
        render_envelope(out, envelope, utf8);
    } else {
        render_body(out, structure, which == CachedItem::BodyStructure, utf8);
    }
    return out;
}

}  // namespace

FetchRendering FetchRendering::render(const mime::ParsedMessage& message) {
    constexpr CachedItem kItems[] = {CachedItem::Envelope, CachedItem::Body, CachedItem::BodyStructure};
    const auto envelope = message.envelope();  // both computed on each call: once here
    const auto structure = message.structure();
    std::array<std::string, 3> plain;
    std::string value(1, static_cast<char>(kFetchCacheVersion));
    for (std::size_t i = 0; i < 3; ++i) {
        plain[i] = rendered(envelope, structure, kItems[i], false);
        put_varint(value, plain[i].size());
        value += plain[i];
    }
    for (std::size_t i = 0; i < 3; ++i) {
        auto utf8 = rendered(envelope, structure, kItems[i], true);
        if (utf8 == plain[i]) utf8.clear();
        put_varint(value, utf8.size());
        value += utf8;
    }
    auto r = decode(std::move(value));
    return std::move(*r);  // what we just encoded always decodes
}

std::optional<FetchRendering> FetchRendering::decode(std::string value) {
    FetchRendering r;
    r.data_ = std::move(value);
    std::string_view in(r.data_);
    if (in.empty() || static_cast<std::uint8_t>(in[0]) != kFetchCacheVersion) return std::nullopt;
    std::size_t pos = 1;
    for (std::size_t i = 0; i < r.fields_.size(); ++i) {
        std::uint64_t len = 0;
        if (!get_varint(in, pos, len) || len > in.size() - pos) return std::nullopt;
        if (i < 3 && len == 0) return std::nullopt;
        r.fields_[i] = {pos, static_cast<std::size_t>(len)};
        pos += static_cast<std::size_t>(len);
    }
    if (pos != in.size()) return std::nullopt;
    return r;
}

std::string_view FetchRendering::item(CachedItem which, bool utf8) const {
    const auto i = static_cast<std::size_t>(which);
    Span s = fields_[i];
    if (utf8 && fields_[i + 3].len != 0) s = fields_[i + 3];
    return std::string_view(data_).substr(s.pos, s.len);
}

}  // namespace tern::imap
