// libFuzzer harness for the SEARCH and SORT/THREAD side of src/mime: decoded header values,
// charset-aware body text, case folding, RFC 5256 base subjects, sort keys and both threading
// algorithms, on arbitrary bytes. Invariants checked besides the sanitizers:
//  - folded text is valid UTF-8;
//  - a base subject has no leading or trailing blank;
//  - threading places every message exactly once, and a dummy always has children.
// The lines of the input double as tiny messages for threading: two octets of message-id,
// two references of two octets, the rest a subject.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "mime/decode.hpp"
#include "mime/message.hpp"
#include "mime/search.hpp"
#include "mime/sort_keys.hpp"
#include "mime/thread.hpp"

using namespace tern::mime;

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    ParsedMessage m(in);
    std::string body = body_text(m);
    std::string folded = search_fold(body.substr(0, 4096));
    check(valid_utf8(folded));
    (void)contains_folded(folded, search_fold("gr\xC3\xBC\xC3\x9F" "e"));
    (void)header_text(in);
    (void)header_value_decoded(in, "Subject");
    SortKeys keys = sort_keys(in);

    // Threading: the input's lines as tiny messages referencing each other.
    std::vector<ThreadInput> msgs;
    std::size_t pos = 0;
    while (pos < in.size() && msgs.size() < 32) {
        std::size_t nl = in.find('\n', pos);
        std::string_view line = in.substr(pos, nl == std::string_view::npos ? in.npos : nl - pos);
        pos = nl == std::string_view::npos ? in.size() : nl + 1;
        ThreadInput t;
        t.message_id = std::string(line.substr(0, 2));
        if (line.size() > 2) t.references.emplace_back(line.substr(2, 2));
        if (line.size() > 4) t.references.emplace_back(line.substr(4, 2));
        BaseSubject bs = base_subject(line.substr(line.size() > 6 ? 6 : line.size()));
        check(bs.text.empty() || (bs.text.front() != ' ' && bs.text.back() != ' '));
        t.base_subject = bs.text;
        t.reply_or_forward = bs.reply_or_forward;
        t.sent_date = line.empty() ? 0 : static_cast<unsigned char>(line[0]);
        msgs.push_back(std::move(t));
    }
    msgs.push_back({keys.message_id, keys.references, keys.subject.text,
                    keys.subject.reply_or_forward, keys.sent_date.value_or(0)});
    for (const ThreadTree& t : {thread_references(msgs), thread_orderedsubject(msgs)}) {
        std::vector<int> seen(msgs.size(), 0);
        for (const auto& n : t.nodes) {
            if (n.message) {
                check(*n.message < msgs.size());
                ++seen[*n.message];
            } else {
                check(!n.children.empty());
            }
        }
        for (int s : seen) check(s == 1);
    }
    return 0;
}
