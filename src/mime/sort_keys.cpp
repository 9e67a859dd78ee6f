// SORT and THREAD keys: see sort_keys.hpp.
#include "mime/sort_keys.hpp"

#include <gmime/gmime.h>

#include "mime/address.hpp"
#include "mime/gmime_init.hpp"
#include "mime/header.hpp"

namespace tern::mime {
namespace {

bool ci_prefix(std::string_view s, std::size_t at, std::string_view p) {
    return s.size() >= at + p.size() && iequal(s.substr(at, p.size()), p);
}

std::string c_string(std::string_view raw) {
    std::string s = unfold(raw);
    for (char& c : s)
        if (c == '\0') c = ' ';
    return s;
}

std::string decode_words(std::string_view raw) {
    detail::ensure_gmime();
    std::string s = c_string(raw);
    char* d = g_mime_utils_header_decode_text(nullptr, s.c_str());
    std::string out = d ? d : "";
    g_free(d);
    return out;
}

// subj-blob = "[" *BLOBCHAR "]" *WSP (RFC 5256 5). Returns the length of the blob at `at`
// (trailing blanks included), or 0.
std::size_t blob_at(std::string_view s, std::size_t at) {
    if (at >= s.size() || s[at] != '[') return 0;
    std::size_t i = at + 1;
    while (i < s.size() && s[i] != ']' && s[i] != '[') ++i;
    if (i >= s.size() || s[i] != ']') return 0;
    ++i;
    while (i < s.size() && s[i] == ' ') ++i;
    return i - at;
}

// subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":". Returns its length at `at`, or 0.
std::size_t refwd_at(std::string_view s, std::size_t at) {
    std::size_t i;
    if (ci_prefix(s, at, "re")) i = at + 2;
    else if (ci_prefix(s, at, "fwd")) i = at + 3;
    else if (ci_prefix(s, at, "fw")) i = at + 2;
    else return 0;
    while (i < s.size() && s[i] == ' ') ++i;
    i += blob_at(s, i);
    if (i < s.size() && s[i] == ':') return i + 1 - at;
    return 0;
}

}  // namespace

BaseSubject base_subject(std::string_view subject) {
    BaseSubject r;
    // (1) decode, tabs and folding to spaces, runs of spaces to one.
    std::string decoded = decode_words(subject);
    std::string s;
    s.reserve(decoded.size());
    for (char c : decoded) {
        if (c == '\t' || c == '\r' || c == '\n') c = ' ';
        if (c == ' ' && !s.empty() && s.back() == ' ') continue;
        s.push_back(c);
    }
    for (;;) {
        // (2) trailers: blanks and "(fwd)".
        for (;;) {
            if (!s.empty() && s.back() == ' ') {
                s.pop_back();
            } else if (s.size() >= 5 && iequal(std::string_view(s).substr(s.size() - 5), "(fwd)")) {
                s.resize(s.size() - 5);
                r.reply_or_forward = true;
            } else {
                break;
            }
        }
        // (3)-(5) leaders and blobs, until nothing changes.
        for (bool changed = true; changed;) {
            changed = false;
            if (!s.empty() && s[0] == ' ') {
                s.erase(0, 1);
                changed = true;
                continue;
            }
            std::size_t i = 0;
            while (std::size_t b = blob_at(s, i)) i += b;
            if (std::size_t n = refwd_at(s, i)) {
                s.erase(0, i + n);
                r.reply_or_forward = true;
                changed = true;
                continue;
            }
            if (std::size_t b = blob_at(s, 0); b && b < s.size()) {
                s.erase(0, b);
                changed = true;
            }
        }
        // (6) "[fwd:" ... "]" around the whole subject: unwrap and start again.
        if (ci_prefix(s, 0, "[fwd:") && s.back() == ']') {
            s = s.substr(5, s.size() - 6);
            r.reply_or_forward = true;
            continue;
        }
        break;
    }
    r.text = std::move(s);
    return r;
}

std::optional<std::int64_t> sent_date(std::string_view date) {
    detail::ensure_gmime();
    std::string s = c_string(date);
    GDateTime* dt = g_mime_utils_header_decode_date(s.c_str());
    if (!dt) return std::nullopt;
    std::int64_t t = g_date_time_to_unix(dt);
    g_date_time_unref(dt);
    return t;
}

namespace {

const EnvelopeAddress* first_mailbox(const std::vector<EnvelopeAddress>& list) {
    for (const auto& a : list)
        if (a.host) return &a;  // group markers have no host
    return nullptr;
}

std::vector<std::string> message_ids(std::string_view raw) {
    detail::ensure_gmime();
    std::string s = c_string(raw);
    std::vector<std::string> out;
    GMimeReferences* refs = g_mime_references_parse(nullptr, s.c_str());
    if (!refs) return out;
    int n = g_mime_references_length(refs);
    for (int i = 0; i < n; ++i)
        if (const char* id = g_mime_references_get_message_id(refs, i); id && *id) out.emplace_back(id);
    g_mime_references_free(refs);
    return out;
}

}  // namespace

SortKeys sort_keys(std::string_view message) {
    SortKeys k;
    const HeaderField *subject = nullptr, *date = nullptr, *from = nullptr, *to = nullptr,
                      *cc = nullptr, *mid = nullptr, *refs = nullptr, *irt = nullptr;
    auto fields = header_fields(message);
    for (const auto& f : fields) {
        if (f.name.empty()) continue;
        auto take = [&](const HeaderField*& slot, std::string_view name) {
            if (!slot && iequal(f.name, name)) slot = &f;
        };
        take(subject, "Subject");
        take(date, "Date");
        take(from, "From");
        take(to, "To");
        take(cc, "Cc");
        take(mid, "Message-ID");
        take(refs, "References");
        take(irt, "In-Reply-To");
    }
    if (subject) k.subject = base_subject(subject->value);
    if (date) k.sent_date = sent_date(date->value);
    auto address = [](const HeaderField* f, std::string& mailbox, std::string* display) {
        if (!f) return;
        auto list = parse_address_list(f->value);
        const EnvelopeAddress* a = first_mailbox(list);
        if (!a) return;
        mailbox = a->mailbox.value_or("");
        if (!display) return;
        if (a->name && !a->name->empty()) *display = decode_words(*a->name);
        if (display->empty()) *display = mailbox + "@" + a->host.value_or("");
    };
    address(from, k.from_mailbox, &k.display_from);
    address(to, k.to_mailbox, &k.display_to);
    address(cc, k.cc_mailbox, nullptr);
    if (mid) {
        auto ids = message_ids(mid->value);
        if (!ids.empty()) k.message_id = ids.front();
    }
    if (refs) k.references = message_ids(refs->value);
    if (k.references.empty() && irt) {
        auto ids = message_ids(irt->value);
        if (!ids.empty()) k.references.push_back(ids.front());
    }
    return k;
}

}  // namespace tern::mime
