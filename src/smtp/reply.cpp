// SMTP reply formatting and Outcome mapping: see reply.hpp.
#include "smtp/reply.hpp"

namespace tern::smtp {
namespace {

// A valid RFC 3463 code: class.subject.detail with 1-3 digit subject and detail.
bool is_enhanced_code(std::string_view s) {
    if (s.size() < 5 || (s[0] != '2' && s[0] != '4' && s[0] != '5') || s[1] != '.') return false;
    std::size_t i = 2;
    for (int part = 0; part < 2; ++part) {
        std::size_t digits = 0;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') { ++i; ++digits; }
        if (digits == 0 || digits > 3) return false;
        if (part == 0) {
            if (i >= s.size() || s[i] != '.') return false;
            ++i;
        }
    }
    return i == s.size();
}

void append_text(std::string& out, std::string_view text) {
    for (char ch : text) {
        auto c = static_cast<unsigned char>(ch);
        out.push_back(c < 0x20 || c == 0x7F ? '?' : ch);
    }
}

}  // namespace

std::string Reply::format() const {
    std::string out;
    std::string code_text = std::to_string(code);
    auto emit = [&](std::string_view text, bool last) {
        out += code_text;
        out.push_back(last ? ' ' : '-');
        if (!enhanced.empty()) {
            out += enhanced;
            if (!text.empty()) out.push_back(' ');
        }
        append_text(out, text);
        out += "\r\n";
    };
    if (lines.empty()) {
        emit("", true);
    } else {
        for (std::size_t i = 0; i < lines.size(); ++i) emit(lines[i], i + 1 == lines.size());
    }
    return out;
}

Reply reply_from_outcome(const Outcome& o) {
    int code = o.code;
    std::string enhanced = o.enhanced;
    char cls = '2';
    switch (o.kind) {
        case OutcomeKind::Ok:
            cls = '2';
            if (code < 200 || code > 299) code = 250;
            break;
        case OutcomeKind::Temporary:
            cls = '4';
            if (code < 400 || code > 499) code = 451;
            break;
        case OutcomeKind::Permanent:
            cls = '5';
            if (code < 500 || code > 599) code = 550;
            break;
    }
    if (!is_enhanced_code(enhanced) || enhanced[0] != cls) {
        enhanced = std::string(1, cls) + ".0.0";
    }
    std::string text = o.text.empty() ? (cls == '2' ? "OK" : "Failed") : o.text;
    return Reply(code, std::move(enhanced), std::move(text));
}

}  // namespace tern::smtp
