// SORT and THREAD keys (RFC 5256; RFC 5957 DISPLAYFROM/DISPLAYTO) from a message's header.
//
// - base_subject (RFC 5256 2.1): RFC 2047-decoded, blanks collapsed, then the reply/forward
//   leaders ("Re:", "Fw:", "Fwd:", "[blob]" before them), "(fwd)" trailers and "[fwd: ...]"
//   wrappers removed, in the RFC's order; a lone leading "[blob]" goes too unless nothing
//   would remain. reply_or_forward says whether any reply/forward marker was removed (THREAD=
//   REFERENCES step 5 needs it). Letters keep their case: compare with i;ascii-casemap.
// - sent_date (RFC 5256 2.2): the Date field in UTC unix seconds, parsed by GMime (lenient
//   about RFC 5322 4.3 obsolete forms). nullopt when missing or unparsable: RFC 5256 2.2 then
//   says to use the INTERNALDATE, which only the caller knows. (Not 0: that would sort such
//   messages first instead of by arrival.)
// - from/to/cc mailbox: the IMAP addr-mailbox (local part) of the first address of the field,
//   groups skipped (RFC 5256 3: SORT FROM, TO, CC); empty when there is none.
// - display_from/display_to (RFC 5957): the RFC 2047-decoded display name of that address, or
//   "mailbox@host" when it has none.
// - message_id and references for THREAD=REFERENCES (RFC 5256 3): message-ids without angle
//   brackets, parsed by GMime; references from References, or else the first id of
//   In-Reply-To (RFC 5256 3 step 1).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tern::mime {

struct BaseSubject {
    std::string text;
    bool reply_or_forward = false;
};

// `subject`: the raw Subject field body (folding may remain).
BaseSubject base_subject(std::string_view subject);

// `date`: the raw Date field body.
std::optional<std::int64_t> sent_date(std::string_view date);

struct SortKeys {
    BaseSubject subject;
    std::optional<std::int64_t> sent_date;
    std::string from_mailbox, to_mailbox, cc_mailbox;
    std::string display_from, display_to;
    std::string message_id;               // empty when missing or invalid
    std::vector<std::string> references;  // oldest first
};

// All keys of a message at once. `message`: its header or the whole message (LF or CRLF).
SortKeys sort_keys(std::string_view message);

}  // namespace tern::mime
