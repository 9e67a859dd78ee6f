// libFuzzer harness for src/spf: the input's first line is the SPF record every TXT query gets
// (so include/redirect loops are easy to reach), the second the client address, the rest macro
// strings. Invariants: parsing and expansion never crash and refusals carry a reason;
// check_host() ends within a bounded number of queries (the RFC's limits) with a result;
// expanded domain-specs are at most 253 octets.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "spf/check_host.hpp"

using namespace tern::spf;

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
    std::string record(next_line(in));
    std::string ip(next_line(in));
    std::string why;
    if (!parse_record(record, &why)) check(!why.empty());

    MacroContext ctx{"user@example.com", "example.com", ip.empty() ? "192.0.2.1" : ip, "helo.test", "mx.test", 0};
    while (!in.empty()) {
        std::string_view spec = next_line(in);
        why.clear();
        auto r = expand(spec, ctx, false, &why);
        if (r) check(r->size() <= 253);
        else check(!why.empty());
    }

    Check c({ip, "user@example.com", "helo.test", "example.com"});
    int queries = 0;
    while (auto q = c.query()) {
        // 11 terms (the 11th fails), each with at most 1 + 10 lookups, plus the record fetches.
        check(++queries <= 200);
        Answer a;
        a.status = Answer::Status::Found;
        switch (q->type) {
            case Query::Type::Txt: a.values = {record}; break;
            case Query::Type::A: a.values = {"192.0.2.1"}; break;
            case Query::Type::Aaaa: a.values = {"2001:db8::1"}; break;
            case Query::Type::Mx: a.values = {"mx1.example.com", "mx2.example.com"}; break;
            case Query::Type::Ptr: a.values = {"host.example.com"}; break;
        }
        if (queries % 7 == 0) a.status = Answer::Status::NotFound, a.values.clear();
        c.answer(a);
    }
    check(c.done());
    if (c.result() == Result::PermError || c.result() == Result::TempError) check(!c.reason().empty());
    return 0;
}
