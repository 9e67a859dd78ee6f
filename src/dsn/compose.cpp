// DSN composition (RFC 3464 2, 3; RFC 6522 multipart/report; RFC 3461 4.1-4.4 and 6;
// RFC 3834 5; RFC 6533 3, 6; RFC 2045 2.7-2.8, 6 for the transfer encodings): see dsn.hpp.
#include "dsn/dsn.hpp"

#include <algorithm>
#include <initializer_list>
#include <set>

#include "dsn/mime_text.hpp"

namespace tern::dsn {
namespace {

enum class Kind { Failure, Delay, Success };

constexpr std::size_t kMaxHeaderPart = 256 * 1024;  // returned header section, at most

const char* action_name(Action a) {
    switch (a) {
        case Action::Failed: return "failed";
        case Action::Delayed: return "delayed";
        case Action::Delivered: return "delivered";
        case Action::Relayed: return "relayed";
        case Action::Expanded: return "expanded";
    }
    return "failed";
}

bool valid_status(std::string_view s) {
    // RFC 3463 2: class "." subject "." detail; class 2, 4 or 5; 1-3 digits each.
    if (s.size() < 5 || (s[0] != '2' && s[0] != '4' && s[0] != '5') || s[1] != '.') return false;
    std::size_t i = 2;
    for (int part = 0; part < 2; ++part) {
        std::size_t n = 0;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') { ++i; ++n; }
        if (n == 0 || n > 3) return false;
        if (part == 0 && (i >= s.size() || s[i++] != '.')) return false;
    }
    return i == s.size();
}

std::string status_of(const RecipientReport& r) {
    if (valid_status(r.status)) return r.status;
    return r.action == Action::Failed ? "5.0.0" : r.action == Action::Delayed ? "4.0.0" : "2.0.0";
}

// An address for a field: "rfc822; a@b", or "utf-8; <unitext>" when not ASCII (RFC 6533 3).
std::string typed_address(std::string_view type, std::string_view address) {
    if (is_ascii(address)) return std::string(type) + "; " + sanitize(address, false, 1000);
    return "utf-8; " + utf8_addr_unitext(address.substr(0, 1000));
}

std::string original_recipient(std::string_view orcpt) {
    auto semi = orcpt.find(';');
    if (semi == std::string_view::npos) return typed_address("rfc822", orcpt);
    std::string type = sanitize(orcpt.substr(0, semi), false, 32);
    for (char& c : type) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
        if (!ok) c = '-';
    }
    return typed_address(type.empty() ? "rfc822" : type, orcpt.substr(semi + 1));
}

// The ENVID as it was decoded; xtext-encoded again if it holds anything unprintable.
std::string envelope_id(std::string_view envid) {
    bool plain = std::all_of(envid.begin(), envid.end(), [](char c) { return c > 0x20 && c < 0x7F; });
    if (plain) return std::string(envid.substr(0, 100));
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (char ch : envid.substr(0, 100)) {
        auto c = static_cast<unsigned char>(ch);
        if (c > 0x20 && c < 0x7F && c != '+' && c != '=') out.push_back(ch);
        else out += std::string("+") + kHex[c >> 4] + kHex[c & 0xF];
    }
    return out;
}

// Letters, digits, '.', '-', '_' only: for the Message-ID and the boundary.
std::string token(std::string_view s, std::size_t max) {
    std::string out;
    for (char c : s.substr(0, max)) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                  c == '-' || c == '_';
        out.push_back(ok ? c : '_');
    }
    return out.empty() ? "x" : out;
}

std::string human_text(const std::vector<const RecipientReport*>& reps, Kind kind,
                       const std::string& host, bool utf8, std::string_view returned_note) {
    std::string t = wrap_text("This is the mail system at host " + host + ".");
    t += "\r\n";
    switch (kind) {
        case Kind::Failure:
            t += wrap_text("Your message could not be delivered to one or more recipients. The details "
                           "are below; the message, or its header, is attached.");
            break;
        case Kind::Delay:
            t += wrap_text("Your message could not be delivered yet to one or more recipients. This is "
                           "only a warning: delivery will be tried again, you do not need to resend it.");
            break;
        case Kind::Success:
            t += wrap_text("Your message was delivered to the following recipients, or handed on to "
                           "systems that do not report delivery.");
            break;
    }
    t += "\r\n";
    for (const RecipientReport* r : reps) {
        std::string line = "<" + sanitize(r->final_recipient, utf8, 1000) + ">: " + action_name(r->action);
        if (!r->remote_mta.empty()) line += ", host " + sanitize(r->remote_mta, false, 255) + " said:";
        if (!r->diagnostic.empty()) line += " " + sanitize(r->diagnostic, false);
        else line += " (" + status_of(*r) + ")";
        if (r->action == Action::Delayed && r->will_retry_until != 0) {
            line += " -- will retry until " + rfc5322_date(r->will_retry_until);
        }
        t += wrap_text(line);
        t += "\r\n";
    }
    if (!returned_note.empty()) t += wrap_text(returned_note);
    return t;
}

std::string delivery_status(const DsnInput& in, const std::vector<const RecipientReport*>& reps,
                            const std::string& host) {
    std::string s = fold_field("Reporting-MTA", "dns; " + host);
    if (!in.envid.empty()) s += fold_field("Original-Envelope-Id", envelope_id(in.envid));
    if (in.arrival != 0) s += fold_field("Arrival-Date", rfc5322_date(in.arrival));
    for (const RecipientReport* r : reps) {
        s += "\r\n";
        if (!r->original_recipient.empty()) s += fold_field("Original-Recipient", original_recipient(r->original_recipient));
        s += fold_field("Final-Recipient", typed_address("rfc822", r->final_recipient));
        s += fold_field("Action", action_name(r->action));
        s += fold_field("Status", status_of(*r));
        if (!r->remote_mta.empty()) s += fold_field("Remote-MTA", "dns; " + sanitize(r->remote_mta, false, 255));
        if (!r->diagnostic.empty()) {
            std::string type = token(r->diagnostic_type.empty() ? "smtp" : r->diagnostic_type, 32);
            s += fold_field("Diagnostic-Code", type + "; " + sanitize(r->diagnostic, false));
        }
        if (r->last_attempt != 0) s += fold_field("Last-Attempt-Date", rfc5322_date(r->last_attempt));
        if (r->action == Action::Delayed && r->will_retry_until != 0) {
            s += fold_field("Will-Retry-Until", rfc5322_date(r->will_retry_until));
        }
    }
    return s;
}

// The returned header section, CRLF-normalised, with NUL octets and over-long lines cut
// (it is for the sender's information only).
std::string returned_headers(std::string_view original, bool& eight_bit) {
    std::string_view h = header_section(original);
    if (h.size() > kMaxHeaderPart) h = h.substr(0, kMaxHeaderPart);
    std::string norm;
    ContentInfo info = append_crlf(h, norm);
    eight_bit = info.eight_bit;
    if (!info.nul && info.longest <= kMaxLine) return norm;
    std::string out;
    std::size_t start = 0;
    while (start < norm.size()) {
        std::size_t end = norm.find("\r\n", start);
        std::string line = norm.substr(start, std::min(end - start, kMaxLine));
        for (char& c : line) if (c == '\0') c = ' ';
        out += line + "\r\n";
        start = end + 2;
    }
    return out;
}

// A boundary that occurs nowhere in `texts` (RFC 2046 5.1.1), in one pass whatever the
// content: `base` itself if it does not occur, else base + "_n_" with the smallest n that
// no occurrence of base is followed by. Linear even when the content was made to collide.
std::string pick_boundary(const std::string& base, std::initializer_list<const std::string*> texts) {
    std::set<unsigned long> used;
    bool found = false;
    for (const std::string* t : texts) {
        for (std::size_t pos = t->find(base); pos != std::string::npos; pos = t->find(base, pos + 1)) {
            found = true;
            std::size_t i = pos + base.size();
            if (i >= t->size() || (*t)[i] != '_') continue;
            unsigned long n = 0;
            std::size_t digits = 0;
            for (++i; i < t->size() && digits < 9 && (*t)[i] >= '0' && (*t)[i] <= '9'; ++i, ++digits) {
                n = n * 10 + static_cast<unsigned long>((*t)[i] - '0');
            }
            if (digits > 0 && i < t->size() && (*t)[i] == '_') used.insert(n);
        }
    }
    if (!found) return base;
    unsigned long n = 1;
    while (used.count(n) != 0) ++n;
    return base + "_" + std::to_string(n) + "_";
}

}  // namespace

bool wants_report(const RecipientReport& r, bool delay_by_default) {
    if (r.notify & kNotifyNever) return false;
    switch (r.action) {
        case Action::Failed: return r.notify == 0 || (r.notify & kNotifyFailure);
        case Action::Delayed: return r.notify == 0 ? delay_by_default : (r.notify & kNotifyDelay) != 0;
        default: return (r.notify & kNotifySuccess) != 0;
    }
}

std::optional<std::string> compose_dsn(const DsnInput& in) {
    if (in.sender.empty()) return std::nullopt;  // never bounce <> (see dsn.hpp)
    std::vector<const RecipientReport*> reps;
    Kind kind = Kind::Success;
    for (const auto& r : in.recipients) {
        if (!wants_report(r, in.delay_by_default)) continue;
        reps.push_back(&r);
        if (r.action == Action::Failed) kind = Kind::Failure;
        else if (r.action == Action::Delayed && kind == Kind::Success) kind = Kind::Delay;
    }
    if (reps.empty()) return std::nullopt;

    bool utf8 = !is_ascii(in.sender);
    for (const RecipientReport* r : reps) {
        if (!is_ascii(r->final_recipient) || !is_ascii(r->original_recipient)) utf8 = true;
    }
    std::string host = sanitize(in.reporting_mta, false, 255);
    for (char& c : host) if (c == ' ') c = '_';
    if (host.empty()) host = "localhost";

    // The returned content (RFC 3461 4.3 RET; see dsn.hpp for the default).
    bool full = in.ret == DsnRet::Full || (in.ret == DsnRet::Unspecified && kind == Kind::Failure);
    std::string original;
    bool orig_8bit = false;
    std::string note;
    if (full) {
        if (in.original.size() > in.max_full_message) {
            note = "The message was too large to return in full; only its header is attached.";
            full = false;
        } else {
            ContentInfo info = append_crlf(in.original, original);
            orig_8bit = info.eight_bit;
            if (info.nul || info.longest > kMaxLine) {
                note = "The message is not valid MIME (NUL octets or over-long lines); only its header is attached.";
                full = false;
                original.clear();
            }
        }
    }
    if (!full) original = returned_headers(in.original, orig_8bit);

    std::string text = human_text(reps, kind, host, utf8, note);
    std::string status = delivery_status(in, reps, host);

    bool eight_bit = orig_8bit || utf8;
    std::string sender = sanitize(in.sender, utf8, 1000);
    std::string m;
    m += "From: Mail Delivery System <MAILER-DAEMON@" + host + ">\r\n";
    m += fold_field("To", "<" + sender + ">");
    m += kind == Kind::Failure ? "Subject: Undelivered Mail Returned to Sender\r\n"
         : kind == Kind::Delay ? "Subject: Delivery Status Notification (Delay)\r\n"
                               : "Subject: Delivery Status Notification (Success)\r\n";
    m += "Date: " + rfc5322_date(in.now) + "\r\n";
    m += "Message-ID: <" + token(in.unique, 100) + ".dsn@" + host + ">\r\n";
    m += "Auto-Submitted: auto-replied\r\n";  // RFC 3834 5
    m += "MIME-Version: 1.0\r\n";

    std::string boundary = pick_boundary("=_tern_" + token(in.unique, 60), {&m, &text, &status, &original});

    m += "Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"" + boundary + "\"\r\n";
    m += eight_bit ? "Content-Transfer-Encoding: 8bit\r\n" : "Content-Transfer-Encoding: 7bit\r\n";
    m += "\r\nThis is a MIME-encapsulated message.\r\n";

    m += "\r\n--" + boundary + "\r\n";
    m += utf8 ? "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n"
              : "Content-Type: text/plain; charset=us-ascii\r\n";
    m += "Content-Description: Notification\r\n\r\n" + text;

    m += "\r\n--" + boundary + "\r\n";
    m += utf8 ? "Content-Type: message/global-delivery-status\r\nContent-Transfer-Encoding: 8bit\r\n"
              : "Content-Type: message/delivery-status\r\n";
    m += "Content-Description: Delivery report\r\n\r\n" + status;

    m += "\r\n--" + boundary + "\r\n";
    if (full) m += utf8 ? "Content-Type: message/global\r\n" : "Content-Type: message/rfc822\r\n";
    else m += utf8 ? "Content-Type: message/global-headers\r\n" : "Content-Type: text/rfc822-headers\r\n";
    m += orig_8bit ? "Content-Transfer-Encoding: 8bit\r\n" : "Content-Transfer-Encoding: 7bit\r\n";
    m += full ? "Content-Description: Returned Message\r\n\r\n" : "Content-Description: Message Headers\r\n\r\n";
    m.reserve(m.size() + original.size() + boundary.size() + 8);
    m += original;
    m += "\r\n--" + boundary + "--\r\n";
    return m;
}

}  // namespace tern::dsn
