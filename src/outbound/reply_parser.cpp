// SMTP reply parsing for the client side (RFC 5321 4.2, 4.2.1; RFC 2034; RFC 3463): see
// reply_parser.hpp for the rules and what is tolerated.
#include "outbound/reply_parser.hpp"

namespace tern::outbound {
namespace {

bool digit(char c) { return c >= '0' && c <= '9'; }

// Replaces control bytes with '?' (the text may go to logs, Outcomes and DSNs).
std::string clean(std::string_view s) {
    std::string out(s);
    for (char& ch : out) {
        auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7F) ch = '?';
    }
    return out;
}

}  // namespace

bool is_enhanced_status(std::string_view s) {
    if (s.size() < 5 || (s[0] != '2' && s[0] != '4' && s[0] != '5') || s[1] != '.') return false;
    std::size_t i = 2;
    for (int part = 0; part < 2; ++part) {
        std::size_t n = 0;
        while (i < s.size() && digit(s[i])) { ++i; ++n; }
        if (n == 0 || n > 3) return false;
        if (part == 0) {
            if (i >= s.size() || s[i] != '.') return false;
            ++i;
        }
    }
    return i == s.size();
}

std::string Reply::text(std::size_t max) const {
    std::string out;
    for (const auto& l : lines) {
        if (!out.empty() && !l.empty()) out.push_back(' ');
        out += l;
        if (out.size() >= max) break;
    }
    if (out.size() > max) out.resize(max);
    return out;
}

std::string Reply::str(std::size_t max) const {
    std::string out = std::to_string(code);
    if (!enhanced.empty()) out += " " + enhanced;
    std::string t = text(max);
    if (!t.empty()) out += " " + t;
    return out;
}

void ReplyParser::reset() {
    line_.clear();
    reply_ = Reply{};
    complete_ = false;
    error_.clear();
}

Reply ReplyParser::take() {
    Reply r = std::move(reply_);
    reply_ = Reply{};
    complete_ = false;
    return r;
}

ReplyParser::Result ReplyParser::consume(std::string_view& input) {
    if (!error_.empty()) return Result::Error;
    if (complete_) return Result::Complete;
    while (!input.empty()) {
        auto lf = input.find('\n');
        std::string_view part = input.substr(0, lf == std::string_view::npos ? input.size() : lf);
        // The content of a line (without CR LF) must leave room for the CRLF in the limit.
        // A CR at the very end may be the first half of a line end, so it is not counted yet.
        std::size_t total = line_.size() + part.size();
        bool trailing_cr = !part.empty() ? part.back() == '\r' : (!line_.empty() && line_.back() == '\r');
        if (total - (trailing_cr ? 1 : 0) + 2 > limits_.line) {
            error_ = "reply line longer than " + std::to_string(limits_.line) + " octets";
            return Result::Error;
        }
        line_.append(part);
        if (lf == std::string_view::npos) {
            input.remove_prefix(input.size());
            return Result::NeedMore;
        }
        input.remove_prefix(lf + 1);
        if (!line_.empty() && line_.back() == '\r') line_.pop_back();
        if (!finish_line()) return Result::Error;
        if (complete_) return Result::Complete;
    }
    return Result::NeedMore;
}

bool ReplyParser::finish_line() {
    std::string line = std::move(line_);
    line_.clear();
    if (line.size() < 3 || line[0] < '2' || line[0] > '5' || !digit(line[1]) || !digit(line[2])) {
        error_ = "malformed reply code";
        return false;
    }
    int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    bool last = true;
    if (line.size() > 3) {
        if (line[3] == '-') last = false;
        else if (line[3] != ' ') {
            error_ = "malformed reply separator";
            return false;
        }
    }
    if (reply_.lines.empty()) {
        reply_.code = code;
    } else if (code != reply_.code) {
        error_ = "inconsistent codes in a multi-line reply";
        return false;
    }
    if (reply_.lines.size() >= limits_.lines) {
        error_ = "reply with more than " + std::to_string(limits_.lines) + " lines";
        return false;
    }
    std::string_view text = line.size() > 4 ? std::string_view(line).substr(4) : std::string_view();
    // RFC 2034 4: the enhanced code starts the text of every line; its class matches the
    // reply's first digit. Taken from the first line, removed from every line that has it.
    std::string_view first_word = text.substr(0, text.find(' '));
    if (reply_.lines.empty() && is_enhanced_status(first_word) && first_word[0] == line[0]) {
        reply_.enhanced = std::string(first_word);
    }
    if (!reply_.enhanced.empty() && first_word == reply_.enhanced) {
        text.remove_prefix(first_word.size());
        if (!text.empty()) text.remove_prefix(1);
    }
    reply_.lines.push_back(clean(text));
    complete_ = last;
    return true;
}

}  // namespace tern::outbound
