// Content-Type, Content-Disposition, Content-Language and token fields, RFC 2231 parameter
// joining: see content_fields.hpp.
#include "mime/content_fields.hpp"

#include <algorithm>
#include <cstdint>
#include <map>

#include "mime/header.hpp"

namespace tern::mime {
namespace {

// RFC 2045 5.1 tspecials, plus SP and CTLs: what ends a token. 8-bit octets are accepted in
// tokens (seen in the wild; harmless here).
bool is_token_char(char c) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 32 || u == 127) return false;
    return std::string_view("()<>@,;:\\\"/[]?=").find(c) == std::string_view::npos;
}

class Cursor {
public:
    explicit Cursor(std::string_view s) : s_(s) {}
    bool done() const { return i_ >= s_.size(); }
    char peek() const { return s_[i_]; }
    void advance() { ++i_; }

    // Skips whitespace, folding and (nested) comments (RFC 5322 3.2.2 CFWS).
    void skip_cfws() {
        while (i_ < s_.size()) {
            char c = s_[i_];
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                ++i_;
            } else if (c == '(') {
                int depth = 0;
                while (i_ < s_.size()) {
                    char d = s_[i_++];
                    if (d == '\\' && i_ < s_.size()) ++i_;
                    else if (d == '(') ++depth;
                    else if (d == ')' && --depth == 0) break;
                }
            } else {
                break;
            }
        }
    }

    std::string token() {
        std::size_t b = i_;
        while (i_ < s_.size() && is_token_char(s_[i_])) ++i_;
        return std::string(s_.substr(b, i_ - b));
    }

    // An unquoted parameter value. Laxer than RFC 2045's token: real mail has unquoted values
    // with tspecials in them ("boundary=----=_Part_1", "type=text/html"), so the value runs to
    // the next ';', blank, quote or comment.
    std::string bare_value() {
        std::size_t b = i_;
        while (i_ < s_.size()) {
            auto u = static_cast<unsigned char>(s_[i_]);
            if (u <= 32 || u == 127 || u == ';' || u == '"' || u == '(') break;
            ++i_;
        }
        return std::string(s_.substr(b, i_ - b));
    }

    // A quoted string, unescaped. The cursor is on the opening quote.
    std::string quoted() {
        std::string out;
        ++i_;
        while (i_ < s_.size() && s_[i_] != '"') {
            char c = s_[i_++];
            if (c == '\\' && i_ < s_.size()) c = s_[i_++];
            if (c != '\r' && c != '\n') out.push_back(c);
        }
        if (i_ < s_.size()) ++i_;
        return out;
    }

    // Moves to the next `c` outside quotes (not consuming it), or to the end.
    void skip_to(char c) {
        bool in_quote = false;
        while (i_ < s_.size()) {
            char d = s_[i_];
            if (d == c && !in_quote) return;
            ++i_;
            if (d == '\\' && in_quote && i_ < s_.size()) ++i_;
            else if (d == '"') in_quote = !in_quote;
        }
    }

private:
    std::string_view s_;
    std::size_t i_ = 0;
};

// One parameter as written.
struct RawParam {
    std::string name;
    std::string value;
};

std::vector<RawParam> raw_parameters(Cursor& c) {
    std::vector<RawParam> out;
    while (!c.done()) {
        c.skip_cfws();
        if (c.done()) break;
        if (c.peek() != ';') {
            c.skip_to(';');  // junk after the previous value
            continue;
        }
        c.advance();
        c.skip_cfws();
        std::string name = c.token();
        c.skip_cfws();
        if (name.empty() || c.done() || c.peek() != '=') continue;
        c.advance();
        c.skip_cfws();
        std::string value = (!c.done() && c.peek() == '"') ? c.quoted() : c.bare_value();
        out.push_back({std::move(name), std::move(value)});
    }
    return out;
}

bool attribute_char(char c) {
    // RFC 2231 7 attribute-char: token chars except "*", "'", "%".
    return is_token_char(c) && c != '*' && c != '\'' && c != '%';
}

std::string percent_encode(std::string_view s) {
    static const char hex[] = "0123456789ABCDEF";
    std::string out;
    for (char c : s) {
        if (attribute_char(c)) {
            out.push_back(c);
        } else {
            auto u = static_cast<unsigned char>(c);
            out.push_back('%');
            out.push_back(hex[u >> 4]);
            out.push_back(hex[u & 15]);
        }
    }
    return out;
}

std::string ascii_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    return out;
}

// RFC 2231 3 and 4: joins name*0, name*1... (and name*0*, name*1*...) into one parameter at the
// place of the first segment. Segments must be numbered from 0 without gaps; anything after a
// gap is dropped (RFC 2231 3: "must be consecutive"). Segments are kept sparse (a hostile
// "name*999" allocates one entry, not a thousand), and indexes have at most three digits.
Parameters join_continuations(std::vector<RawParam> raw) {
    struct Segment {
        std::string value;
        bool extended = false;
    };
    struct Joined {
        std::string base;  // as written in the first segment
        std::map<unsigned, Segment> segments;
    };
    Parameters out;
    std::map<std::string, std::size_t> joined_at;  // lower-case base name -> index in `out`
    std::vector<Joined> joined;
    std::vector<std::size_t> joined_slot;          // out index per `joined` entry

    for (auto& p : raw) {
        std::size_t star = p.name.find('*');
        if (star == std::string::npos || star == 0) {
            out.emplace_back(std::move(p.name), std::move(p.value));
            continue;
        }
        std::string_view rest = std::string_view(p.name).substr(star + 1);
        bool extended = !rest.empty() && rest.back() == '*';
        if (extended) rest.remove_suffix(1);
        unsigned index = 0;
        if (rest.empty()) {
            if (!extended) {  // "name*" with nothing after the star: treat as plain
                out.emplace_back(std::move(p.name), std::move(p.value));
                continue;
            }
            index = 0;  // name*=charset'lang'value: a single extended segment
        } else {
            bool digits = rest.size() <= 3 && std::all_of(rest.begin(), rest.end(), [](char c) {
                              return c >= '0' && c <= '9';
                          });
            if (!digits || (rest.size() > 1 && rest[0] == '0')) {
                out.emplace_back(std::move(p.name), std::move(p.value));
                continue;
            }
            index = static_cast<unsigned>(std::stoul(std::string(rest)));
        }
        std::string base = p.name.substr(0, star);
        std::string key = ascii_lower(base);
        auto it = joined_at.find(key);
        std::size_t j;
        if (it == joined_at.end()) {
            j = joined.size();
            joined_at.emplace(key, j);
            joined.push_back({base, {}});
            joined_slot.push_back(out.size());
            out.emplace_back();  // placeholder, filled below
        } else {
            j = it->second;
        }
        joined[j].segments.try_emplace(index, Segment{std::move(p.value), extended});
    }

    for (std::size_t j = 0; j < joined.size(); ++j) {
        // The run of consecutive segments from 0 (std::map iterates in index order).
        std::vector<const Segment*> run;
        for (const auto& [index, seg] : joined[j].segments) {
            if (index != run.size()) break;
            run.push_back(&seg);
        }
        auto& slot = out[joined_slot[j]];
        if (run.empty()) {  // no segment 0: nothing usable
            slot.first.clear();
            continue;
        }
        bool any_extended = false;
        for (const Segment* seg : run) any_extended = any_extended || seg->extended;
        std::string value;
        for (const Segment* seg : run) {
            if (!any_extended || seg->extended) value += seg->value;
            else value += percent_encode(seg->value);
        }
        // The charset'language' prefix belongs to segment 0; when that one is not extended
        // but a later one is, the joined value needs an empty prefix to stay well-formed.
        if (any_extended && !run.front()->extended) value = "''" + value;
        slot.first = joined[j].base + (any_extended ? "*" : "");
        slot.second = std::move(value);
    }
    // Drop placeholders whose segment 0 was missing.
    std::erase_if(out, [](const auto& p) { return p.first.empty(); });
    return out;
}

}  // namespace

std::optional<ContentType> parse_content_type(std::string_view value) {
    Cursor c(value);
    c.skip_cfws();
    ContentType ct;
    ct.type = c.token();
    c.skip_cfws();
    if (ct.type.empty() || c.done() || c.peek() != '/') return std::nullopt;
    c.advance();
    c.skip_cfws();
    ct.subtype = c.token();
    if (ct.subtype.empty()) return std::nullopt;
    ct.parameters = join_continuations(raw_parameters(c));
    return ct;
}

std::optional<Disposition> parse_content_disposition(std::string_view value) {
    Cursor c(value);
    c.skip_cfws();
    Disposition d;
    d.type = c.token();
    if (d.type.empty()) return std::nullopt;
    d.parameters = join_continuations(raw_parameters(c));
    return d;
}

std::vector<std::string> parse_content_language(std::string_view value) {
    std::vector<std::string> out;
    Cursor c(value);
    while (!c.done()) {
        c.skip_cfws();
        if (c.done()) break;
        std::string tag = c.token();
        if (!tag.empty()) out.push_back(std::move(tag));
        c.skip_cfws();
        c.skip_to(',');
        if (!c.done()) c.advance();
    }
    return out;
}

std::string parse_token(std::string_view value) {
    Cursor c(value);
    c.skip_cfws();
    return c.token();
}

const std::string* find_parameter(const Parameters& params, std::string_view name) {
    for (const auto& [k, v] : params)
        if (iequal(k, name)) return &v;
    return nullptr;
}

}  // namespace tern::mime
