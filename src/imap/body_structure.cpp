// ENVELOPE, BODY and BODYSTRUCTURE syntax: see body_structure.hpp.
#include "imap/body_structure.hpp"

#include <vector>

#include "imap/char_class.hpp"
#include "imap/response_syntax.hpp"

namespace tern::imap {
namespace {

void address_list(std::string& out, const std::vector<mime::EnvelopeAddress>& list, bool utf8) {
    if (list.empty()) {
        append_nil(out);
        return;
    }
    out += '(';
    for (const auto& a : list) {
        out += '(';
        append_nstring(out, a.name, utf8);
        out += ' ';
        append_nstring(out, a.adl, utf8);
        out += ' ';
        append_nstring(out, a.mailbox, utf8);
        out += ' ';
        append_nstring(out, a.host, utf8);
        out += ')';
    }
    out += ')';
}

void parameters(std::string& out, const mime::Parameters& params, bool utf8) {
    if (params.empty()) {
        append_nil(out);
        return;
    }
    out += '(';
    bool first = true;
    for (const auto& [name, value] : params) {
        if (!first) out += ' ';
        append_string(out, name, utf8);
        out += ' ';
        append_string(out, value, utf8);
        first = false;
    }
    out += ')';
}

// body-fld-dsp SP body-fld-lang SP body-fld-loc
void common_extension(std::string& out, const mime::BodyPart& p, bool utf8) {
    if (p.disposition) {
        out += '(';
        append_string(out, p.disposition->type, utf8);
        out += ' ';
        parameters(out, p.disposition->parameters, utf8);
        out += ')';
    } else {
        append_nil(out);
    }
    out += ' ';
    if (p.language.empty()) {
        append_nil(out);
    } else if (p.language.size() == 1) {
        append_string(out, p.language.front(), utf8);
    } else {
        out += '(';
        for (std::size_t i = 0; i < p.language.size(); ++i) {
            if (i > 0) out += ' ';
            append_string(out, p.language[i], utf8);
        }
        out += ')';
    }
    out += ' ';
    append_nstring(out, p.location, utf8);
}

void body(std::string& out, const mime::BodyPart& p, bool extended, bool utf8, std::size_t depth) {
    static const mime::BodyPart kEmptyPart;
    if (depth > kMaxBodyDepth) {
        body(out, kEmptyPart, extended, utf8, 0);
        return;
    }
    out += '(';
    if (iequals(p.type, "multipart")) {
        if (p.children.empty()) body(out, kEmptyPart, extended, utf8, depth + 1);
        for (const auto& child : p.children) body(out, child, extended, utf8, depth + 1);
        out += ' ';
        append_string(out, p.subtype, utf8);
        if (extended) {
            out += ' ';
            parameters(out, p.parameters, utf8);
            out += ' ';
            common_extension(out, p, utf8);
        }
        out += ')';
        return;
    }
    append_string(out, p.type, utf8);
    out += ' ';
    append_string(out, p.subtype, utf8);
    out += ' ';
    parameters(out, p.parameters, utf8);
    out += ' ';
    append_nstring(out, p.id, utf8);
    out += ' ';
    append_nstring(out, p.description, utf8);
    out += ' ';
    append_string(out, p.encoding, utf8);
    out += ' ';
    out += std::to_string(p.size);
    if (iequals(p.type, "message") && (iequals(p.subtype, "rfc822") || iequals(p.subtype, "global"))) {
        static const mime::Envelope kEmptyEnvelope;
        out += ' ';
        render_envelope(out, p.message ? *p.message : kEmptyEnvelope, utf8);
        out += ' ';
        body(out, p.children.empty() ? kEmptyPart : p.children.front(), extended, utf8, depth + 1);
        out += ' ';
        out += std::to_string(p.lines);
    } else if (iequals(p.type, "text")) {
        out += ' ';
        out += std::to_string(p.lines);
    }
    if (extended) {
        out += ' ';
        append_nstring(out, p.md5, utf8);
        out += ' ';
        common_extension(out, p, utf8);
    }
    out += ')';
}

}  // namespace

void render_envelope(std::string& out, const mime::Envelope& e, bool utf8) {
    out += '(';
    append_nstring(out, e.date, utf8);
    out += ' ';
    append_nstring(out, e.subject, utf8);
    out += ' ';
    address_list(out, e.from, utf8);
    out += ' ';
    address_list(out, e.sender.empty() ? e.from : e.sender, utf8);
    out += ' ';
    address_list(out, e.reply_to.empty() ? e.from : e.reply_to, utf8);
    out += ' ';
    address_list(out, e.to, utf8);
    out += ' ';
    address_list(out, e.cc, utf8);
    out += ' ';
    address_list(out, e.bcc, utf8);
    out += ' ';
    append_nstring(out, e.in_reply_to, utf8);
    out += ' ';
    append_nstring(out, e.message_id, utf8);
    out += ')';
}

void render_body(std::string& out, const mime::BodyPart& part, bool extended, bool utf8) {
    body(out, part, extended, utf8, 0);
}

}  // namespace tern::imap
