// ENVELOPE: see envelope.hpp.
#include "mime/envelope.hpp"

#include <algorithm>

#include "mime/address.hpp"
#include "mime/header.hpp"

namespace tern::mime {

Envelope parse_envelope(std::string_view header) {
    std::size_t budget = kMaxAddresses;
    return parse_envelope(header, budget);
}

Envelope parse_envelope(std::string_view header, std::size_t& budget) {
    Envelope e;
    const HeaderField* from = nullptr;
    const HeaderField* sender = nullptr;
    const HeaderField* reply_to = nullptr;
    const HeaderField* to = nullptr;
    const HeaderField* cc = nullptr;
    const HeaderField* bcc = nullptr;
    auto fields = header_fields(header);
    // One pass; the first occurrence of each field wins.
    for (const auto& f : fields) {
        if (f.name.empty()) continue;
        auto set_text = [&](NString& slot, std::string_view name) {
            if (!slot && iequal(f.name, name)) slot = unfold(f.value);
        };
        auto set_field = [&](const HeaderField*& slot, std::string_view name) {
            if (!slot && iequal(f.name, name)) slot = &f;
        };
        switch (f.name[0] | 0x20) {
        case 'd': set_text(e.date, "Date"); break;
        case 's': set_text(e.subject, "Subject"); set_field(sender, "Sender"); break;
        case 'f': set_field(from, "From"); break;
        case 'r': set_field(reply_to, "Reply-To"); break;
        case 't': set_field(to, "To"); break;
        case 'c': set_field(cc, "Cc"); break;
        case 'b': set_field(bcc, "Bcc"); break;
        case 'i': set_text(e.in_reply_to, "In-Reply-To"); break;
        case 'm': set_text(e.message_id, "Message-ID"); break;
        default: break;
        }
    }
    auto list = [&budget](const HeaderField* f) {
        if (!f || budget == 0) return std::vector<EnvelopeAddress>{};
        auto v = parse_address_list(f->value, budget);
        budget -= std::min(budget, v.size());
        return v;
    };
    e.from = list(from);
    e.sender = list(sender);
    e.reply_to = list(reply_to);
    e.to = list(to);
    e.cc = list(cc);
    e.bcc = list(bcc);
    if (e.sender.empty()) e.sender = e.from;
    if (e.reply_to.empty()) e.reply_to = e.from;
    return e;
}

}  // namespace tern::mime
