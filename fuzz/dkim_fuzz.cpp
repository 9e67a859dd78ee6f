// libFuzzer harness for src/dkim: the input is a message whose DKIM-Signature fields get
// verified against a key record taken from the input's first line. Invariants:
//  - parsers never crash and refuse with a reason, never with an empty one;
//  - every check ends with a result after finish(), and at most max_signatures are looked at;
//  - the body hash does not depend on the line-end form (wire_form is idempotent);
//  - relaxed body canonicalization is idempotent and its output has CRLF line ends only.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "dkim/canonical.hpp"
#include "dkim/key_record.hpp"
#include "dkim/signature.hpp"
#include "dkim/verifier.hpp"

using namespace tern::dkim;

namespace {
void check(bool ok) {
    if (!ok) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    std::size_t nl = input.find('\n');
    std::string_view record = input.substr(0, nl == std::string_view::npos ? input.size() : nl);
    std::string_view message = nl == std::string_view::npos ? std::string_view{} : input.substr(nl + 1);

    std::string why;
    if (!parse_key_record(record, &why)) check(!why.empty());
    why.clear();
    if (!parse_signature(record, &why)) check(!why.empty());

    std::string wire = wire_form(message);
    check(wire_form(wire) == wire);
    SplitMessage split = split_message(wire);
    std::string relaxed = canonical_body(split.body, true);
    check(canonical_body(relaxed, true) == relaxed);
    for (std::size_t i = 0; i < relaxed.size(); ++i) {
        if (relaxed[i] == '\n') check(i > 0 && relaxed[i - 1] == '\r');
    }
    for (const auto& h : split.headers) {
        std::string c = canonical_header(h.field, true);
        check(c.size() >= 3 && c.compare(c.size() - 2, 2, "\r\n") == 0);
    }

    Verification v = start_verification(message, 1900000000, 4);
    check(v.checks.size() <= 4);
    for (auto& c : v.checks) {
        if (c.needs_key()) {
            check(!c.key_name().empty());
            KeyLookup l;
            l.status = KeyLookup::Status::Found;
            l.records = {std::string(record)};
            finish(v, c, l);
        }
        check(c.result.has_value());
        if (*c.result != Result::Pass) check(!c.reason.empty());
    }
    return 0;
}
