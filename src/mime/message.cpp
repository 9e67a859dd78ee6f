// ParsedMessage: CRLF conversion, layout, BODYSTRUCTURE and ENVELOPE. Sections and BINARY are
// in section.cpp. See message.hpp.
#include "mime/message.hpp"

#include "mime/address.hpp"
#include "mime/crlf.hpp"
#include "mime/header.hpp"
#include "mime/layout.hpp"

namespace tern::mime {

struct ParsedMessage::Impl {
    explicit Impl(std::string_view stored)
        : text(to_crlf(stored)), layout(text) {}
    std::string text;  // declared before layout: layout points into it
    detail::Layout layout;
};

ParsedMessage::ParsedMessage(std::string_view stored) : impl_(std::make_unique<Impl>(stored)) {}
ParsedMessage::ParsedMessage(ParsedMessage&&) noexcept = default;
ParsedMessage& ParsedMessage::operator=(ParsedMessage&&) noexcept = default;
ParsedMessage::~ParsedMessage() = default;

std::string_view ParsedMessage::crlf() const { return impl_->text; }
const detail::Layout& ParsedMessage::layout() const { return impl_->layout; }

namespace {

BodyPart empty_text_part() {
    BodyPart p;
    p.parameters = {{"charset", "us-ascii"}};
    return p;
}

// Recursion is bounded by detail::kMaxDepth (the layout never nests deeper). `budget`: the
// addresses all enclosed envelopes may still take (envelope.hpp).
BodyPart build(const detail::Layout& layout, std::uint32_t index, std::size_t& budget) {
    const detail::Entity& e = layout.at(index);
    BodyPart p = e.info;
    switch (e.kind) {
    case detail::Kind::Multipart:
        p.children.reserve(e.children.empty() ? 1 : e.children.size());
        for (std::uint32_t c : e.children) p.children.push_back(build(layout, c, budget));
        // RFC 9051 requires at least one part; a multipart with none shows one empty
        // text/plain part, as Dovecot does.
        if (p.children.empty()) p.children.push_back(empty_text_part());
        break;
    case detail::Kind::Message: {
        std::uint32_t inner = e.children.front();
        p.message =
            std::make_shared<Envelope>(parse_envelope(layout.header(layout.at(inner)), budget));
        p.children.push_back(build(layout, inner, budget));
        p.size = e.end - e.body_begin;
        p.lines = detail::count_lines(layout.body(e));
        break;
    }
    case detail::Kind::Leaf:
        p.size = e.end - e.body_begin;
        if (iequal(p.type, "text")) p.lines = detail::count_lines(layout.body(e));
        break;
    }
    return p;
}

}  // namespace

BodyPart ParsedMessage::structure() const {
    std::size_t budget = kMaxAddresses;
    return build(impl_->layout, detail::Layout::kRoot, budget);
}

Envelope ParsedMessage::envelope() const {
    const auto& l = impl_->layout;
    return parse_envelope(l.header(l.at(detail::Layout::kRoot)));
}

BodyPart parse_structure(std::string_view stored) { return ParsedMessage(stored).structure(); }

std::string fetch_section(std::string_view stored, const SectionSpec& spec, SectionStatus* status) {
    ParsedMessage m(stored);
    SectionData d = m.section(spec);
    if (status) *status = d.status();
    return std::string(d.bytes());
}

std::string fetch_binary(std::string_view stored, const std::vector<unsigned>& part,
                         SectionStatus* status) {
    ParsedMessage m(stored);
    SectionData d = m.binary(part);
    if (status) *status = d.status();
    return std::string(d.bytes());
}

}  // namespace tern::mime
