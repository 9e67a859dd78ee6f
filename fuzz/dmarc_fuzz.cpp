// libFuzzer harness for src/dmarc: the input's first line is a DMARC TXT record, the second a
// From domain, the rest a public suffix list. Invariants: parsing never crashes and a refusal
// has a reason; the organizational domain is a suffix of the domain, on a label boundary; the
// lookup exchange asks at most two names and ends.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "dmarc/evaluate.hpp"

using namespace tern::dmarc;

namespace {
void check(bool ok) {
    if (!ok) std::abort();
}
std::string_view next_line(std::string_view& in) {
    std::size_t nl = in.find('\n');
    std::string_view line = in.substr(0, nl);
    in.remove_prefix(nl == std::string_view::npos ? in.size() : nl + 1);
    return line;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    std::string_view record = next_line(in);
    std::string_view domain = next_line(in);
    std::string why;
    if (!parse_record(record, &why)) check(!why.empty());
    PublicSuffixList psl = PublicSuffixList::parse(in);
    std::string d(domain);
    while (!d.empty() && d.back() == '.') d.pop_back();
    std::string_view org = psl.organizational_domain(d);
    check(org.size() <= d.size() && d.compare(d.size() - org.size(), org.size(), org) == 0);
    check(org.size() == d.size() || d[d.size() - org.size() - 1] == '.');
    PolicyLookup l(std::string(domain), psl);
    int asked = 0;
    while (auto q = l.next_query()) {
        check(++asked <= 2);
        l.answer(TxtLookup{TxtLookup::Status::Found, {std::string(record)}});
    }
    Inputs inputs;
    inputs.spf_pass = true;
    inputs.spf_domain = std::string(domain);
    auto e = evaluate(inputs, l, psl, static_cast<int>(size % 100));
    if (e.result == Result::Pass) check(e.disposition == Policy::None);
    return 0;
}
