// libFuzzer harness for the message-structure layer (src/mime): BODYSTRUCTURE, ENVELOPE,
// FETCH sections, BINARY, search text, sort keys and threading on arbitrary bytes. Besides
// "no crash, no sanitizer report", it checks on every input:
//  - the CRLF form has the size crlf_size() predicts (RFC822.SIZE);
//  - every single part's reported size is the size of BODY[<its path>] (what a client will
//    fetch), and a text part's line count is the number of lines in those bytes;
//  - BINARY of every leaf either succeeds or reports an unknown encoding;
//  - HEADER.FIELDS output is whole lines;
//  - input without CR gives the same structure and envelope as its CRLF form;
//  - nesting stays within the bound.
// Search text, sort keys and threading have their own harness (mime_text_fuzz.cpp), which
// keeps each one fast enough under the sanitizers to explore well.
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "mime/crlf.hpp"
#include "mime/envelope.hpp"
#include "mime/layout.hpp"
#include "mime/message.hpp"

using namespace tern::mime;

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

using K = SectionSpec::Kind;

void visit(const ParsedMessage& m, const BodyPart& part, std::vector<unsigned> path, unsigned depth) {
    check(depth <= detail::kMaxDepth + 2);
    if (!part.children.empty() && !part.message) {  // a multipart
        for (std::size_t j = 0; j < part.children.size(); ++j) {
            auto p = path;
            p.push_back(static_cast<unsigned>(j + 1));
            SectionData d = m.section({p, K::Whole, {}});
            // A multipart without parts shows one synthetic empty part that has no section.
            if (d.status() == SectionStatus::NotFound) {
                check(part.children.size() == 1 && part.children[0].size == 0);
                continue;
            }
            visit(m, part.children[j], p, depth + 1);
        }
        return;
    }
    SectionData body = m.section({path, K::Whole, {}});
    check(body.ok());
    check(body.size() == part.size);
    if (part.lines != 0 || part.type == "text") {
        std::string_view b = body.bytes();
        std::uint64_t lines = detail::count_lines(b);
        check(part.lines == lines);
    }
    SectionData mime = m.section({path, K::Mime, {}});
    check(mime.ok());
    if (part.message) {
        check(part.children.size() == 1);
        SectionData hdr = m.section({path, K::Header, {}});
        SectionData text = m.section({path, K::Text, {}});
        check(hdr.ok() && text.ok());
        check(hdr.size() + text.size() == body.size());
        SectionData fields = m.section({path, K::HeaderFields, {"Subject", "From"}});
        check(fields.ok());
        check(fields.bytes().empty() || fields.bytes().ends_with("\r\n"));
        const BodyPart& inner = part.children[0];
        if (!inner.children.empty() && !inner.message) {
            visit(m, inner, path, depth + 1);
        } else {
            auto p = path;
            p.push_back(1);
            visit(m, inner, p, depth + 1);
        }
    } else {
        SectionData bin = m.binary(path);
        check(bin.ok() || bin.status() == SectionStatus::UnknownEncoding);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    ParsedMessage m(in);
    check(m.crlf().size() == crlf_size(in));
    BodyPart root = m.structure();
    Envelope env = m.envelope();
    if (!root.children.empty() && !root.message) visit(m, root, {}, 0);
    else visit(m, root, {1}, 0);

    SectionData whole = m.section({{}, K::Whole, {}});
    SectionData header = m.section({{}, K::Header, {}});
    SectionData text = m.section({{}, K::Text, {}});
    check(whole.size() == m.crlf().size());
    check(header.size() + text.size() == whole.size());
    SectionData not_fields = m.section({{}, K::HeaderFieldsNot, {"received"}});
    check(not_fields.bytes().empty() || not_fields.bytes().ends_with("\r\n"));
    // A few arbitrary paths from the input itself.
    std::vector<unsigned> path;
    for (std::size_t i = 0; i < size && i < 6; ++i) path.push_back(1u + data[i] % 4);
    (void)m.section({path, static_cast<K>(size % 6), {"to"}});
    (void)m.binary(path);

    if (in.find('\r') == std::string_view::npos) {
        ParsedMessage crlf_form(to_crlf(in));
        check(crlf_form.structure() == root);
        check(crlf_form.envelope() == env);
        check(parse_envelope(in) == env);
    }

    return 0;
}
