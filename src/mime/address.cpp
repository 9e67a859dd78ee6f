// Address-list parsing for ENVELOPE: see address.hpp.
#include "mime/address.hpp"

#include <string>

namespace tern::mime {
namespace {

enum class Kind { Word, Quoted, Literal, Special, Comment };

struct Token {
    Kind kind;
    std::string_view raw;  // as written (quotes and brackets included)
    std::string text;      // Quoted: unescaped content; Comment: content; else empty

    std::string_view value() const {
        return kind == Kind::Quoted || kind == Kind::Comment ? std::string_view(text) : raw;
    }
    bool space_before = false;
    char special = 0;
};

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool is_special(char c) {
    return std::string_view("()<>[]:;@\\,.\"").find(c) != std::string_view::npos;
}

std::vector<Token> tokenize(std::string_view s) {
    std::vector<Token> out;
    std::size_t i = 0;
    bool space = false;
    while (i < s.size()) {
        char c = s[i];
        if (is_blank(c)) {
            space = true;
            ++i;
            continue;
        }
        Token t{Kind::Word, {}, {}, space, 0};
        std::size_t b = i;
        if (c == '"') {
            t.kind = Kind::Quoted;
            ++i;
            while (i < s.size() && s[i] != '"') {
                char d = s[i++];
                if (d == '\\' && i < s.size()) d = s[i++];
                if (d != '\r' && d != '\n') t.text.push_back(d);
            }
            if (i < s.size()) ++i;
        } else if (c == '(') {
            t.kind = Kind::Comment;
            int depth = 0;
            while (i < s.size()) {
                char d = s[i++];
                if (d == '\\' && i < s.size()) {
                    d = s[i++];
                } else if (d == '(') {
                    if (depth++ == 0) continue;
                } else if (d == ')') {
                    if (--depth == 0) break;
                }
                if (d != '\r' && d != '\n') t.text.push_back(d);
            }
        } else if (c == '[') {
            t.kind = Kind::Literal;
            while (i < s.size() && s[i] != ']') i += (s[i] == '\\' && i + 1 < s.size()) ? 2 : 1;
            if (i < s.size()) ++i;
        } else if (is_special(c)) {
            t.kind = Kind::Special;
            t.special = c;
            ++i;
        } else {
            while (i < s.size() && !is_blank(s[i]) && !is_special(s[i])) ++i;
        }
        t.raw = s.substr(b, i - b);
        out.push_back(std::move(t));
        space = false;
    }
    return out;
}

bool is(const Token& t, char c) { return t.kind == Kind::Special && t.special == c; }

// Line breaks are removed first (RFC 5322 2.2.3 unfolding), so that nothing returned, not even
// the raw text of a broken quoted string, depends on the stored line endings.
std::string without_line_breaks(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value)
        if (c != '\r' && c != '\n') out.push_back(c);
    return out;
}

class Parser {
public:
    Parser(std::string_view value, std::size_t max)
        : text_(without_line_breaks(value)), t_(tokenize(text_)), max_(max) {}
    Parser(const Parser&) = delete;  // tokens point into text_
    Parser& operator=(const Parser&) = delete;

    std::vector<EnvelopeAddress> run() {
        while (p_ < t_.size() && out_.size() < max_) address();
        if (in_group_) out_.push_back({});
        return std::move(out_);
    }

private:
    // One address, or a group marker, or a separator.
    void address() {
        std::size_t k = p_;
        while (k < t_.size() && !is(t_[k], '<') && !is(t_[k], ':') && !is(t_[k], '@') &&
               !is(t_[k], ',') && !is(t_[k], ';'))
            ++k;
        if (k == t_.size() || is(t_[k], ',') || is(t_[k], ';')) {
            if (has_words(p_, k)) mailbox(std::nullopt, local_part(p_, k), std::nullopt, last_comment(p_, k));
            p_ = k;
            if (p_ < t_.size()) separator();
            return;
        }
        if (is(t_[k], ':')) {
            if (in_group_) {  // groups do not nest: the colon is junk
                p_ = k + 1;
                return;
            }
            out_.push_back({std::nullopt, std::nullopt, phrase(p_, k), std::nullopt});
            in_group_ = true;
            p_ = k + 1;
            return;
        }
        if (is(t_[k], '<')) {
            angle_addr(k);
            return;
        }
        // addr-spec: local "@" domain [comment]
        std::string local = local_part(p_, k);
        std::size_t e = k + 1;
        while (e < t_.size() && !is(t_[e], ',') && !is(t_[e], ';') && !is(t_[e], '<')) ++e;
        mailbox(std::nullopt, std::move(local), domain(k + 1, e), last_comment(p_, e));
        p_ = e;
        if (p_ < t_.size() && is(t_[p_], '<')) skip_to_separator();
    }

    void angle_addr(std::size_t lt) {
        NString name = phrase(p_, lt);
        if (name && name->empty()) name.reset();
        std::size_t i = lt + 1;
        std::size_t gt = i;
        while (gt < t_.size() && !is(t_[gt], '>')) ++gt;
        // obs-route: "@a,@b:" before the address; dropped.
        if (i < gt && is(t_[i], '@')) {
            std::size_t colon = i;
            while (colon < gt && !is(t_[colon], ':')) ++colon;
            i = colon < gt ? colon + 1 : i;
        }
        std::size_t at = i;
        while (at < gt && !is(t_[at], '@')) ++at;
        std::string local = local_part(i, at);
        std::optional<std::string> host;
        if (at < gt) host = domain(at + 1, gt);
        mailbox(std::move(name), std::move(local), std::move(host), std::nullopt);
        p_ = gt < t_.size() ? gt + 1 : gt;
        skip_to_separator();
    }

    void skip_to_separator() {
        while (p_ < t_.size() && !is(t_[p_], ',') && !is(t_[p_], ';')) ++p_;
        if (p_ < t_.size()) separator();
    }

    void separator() {
        if (is(t_[p_], ';') && in_group_) {
            out_.push_back({});
            in_group_ = false;
        }
        ++p_;
    }

    void mailbox(NString name, std::string local, std::optional<std::string> host, NString comment) {
        if (!name && comment && !comment->empty()) name = std::move(comment);
        EnvelopeAddress a;
        a.name = std::move(name);
        a.mailbox = local.empty() ? std::string("MISSING_MAILBOX") : std::move(local);
        a.host = (!host || host->empty()) ? std::string("MISSING_DOMAIN") : std::move(*host);
        out_.push_back(std::move(a));
    }

    bool has_words(std::size_t b, std::size_t e) const {
        for (std::size_t i = b; i < e; ++i)
            if (t_[i].kind != Kind::Comment) return true;
        return false;
    }

    // display-name: words (and obs-phrase dots) with single blanks where the message had any.
    NString phrase(std::size_t b, std::size_t e) const {
        std::string out;
        bool gap = false;
        for (std::size_t i = b; i < e; ++i) {
            const Token& t = t_[i];
            if (t.kind == Kind::Comment) {
                gap = true;
                continue;
            }
            if (!out.empty() && (gap || t.space_before)) out.push_back(' ');
            gap = false;
            out += t.value();
        }
        return out;
    }

    std::string local_part(std::size_t b, std::size_t e) const {
        std::string out;
        for (std::size_t i = b; i < e; ++i)
            if (t_[i].kind != Kind::Comment) out += t_[i].raw;
        return out;
    }

    std::string domain(std::size_t b, std::size_t e) const {
        std::string out;
        for (std::size_t i = b; i < e; ++i) {
            const Token& t = t_[i];
            if (t.kind == Kind::Word || t.kind == Kind::Literal || is(t, '.')) out += t.raw;
        }
        return out;
    }

    NString last_comment(std::size_t b, std::size_t e) const {
        for (std::size_t i = e; i > b; --i) {
            const Token& t = t_[i - 1];
            if (t.kind == Kind::Comment) {
                std::string s = t.text;
                auto f = s.find_first_not_of(" \t");
                if (f == std::string::npos) return std::nullopt;
                return s.substr(f, s.find_last_not_of(" \t") - f + 1);
            }
        }
        return std::nullopt;
    }

    std::string text_;
    std::vector<Token> t_;
    std::size_t max_;
    std::size_t p_ = 0;
    bool in_group_ = false;
    std::vector<EnvelopeAddress> out_;
};

}  // namespace

std::vector<EnvelopeAddress> parse_address_list(std::string_view value, std::size_t max_entries) {
    return Parser(value, max_entries).run();
}

}  // namespace tern::mime
