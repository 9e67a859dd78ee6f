// The lexical layer of the command parser: see parse_cursor.hpp.
#include "imap/parse_cursor.hpp"

#include <cstring>
#include <utility>

namespace tern::imap::detail {
namespace {

constexpr std::uint64_t kMaxNumber64 = 0x7FFFFFFFFFFFFFFFull;

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool high_bit(char c) { return static_cast<unsigned char>(c) >= 0x80; }

std::string expected(std::string_view what) {
    std::string m = "expected ";
    m += what;
    return m;
}

}  // namespace

void fail(std::string message, ParseErrorKind kind) {
    throw SyntaxError{kind, std::move(message)};
}

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    }
    return out;
}

Cursor::Cursor(const RawCommand& raw, const ParserOptions& options)
    : raw_(raw), opts_(options), text_(raw.text), end_(raw.text.size()) {}

std::size_t Cursor::segment_end() const {
    return next_literal_ < raw_.literals.size() ? raw_.literals[next_literal_].offset : end_;
}

void Cursor::check_octets() const {
    std::size_t from = 0;
    for (std::size_t k = 0; k <= raw_.literals.size(); ++k) {
        std::size_t to = k < raw_.literals.size() ? raw_.literals[k].offset : end_;
        for (std::size_t i = from; i < to; ++i) {
            char c = text_[i];
            if (c == '\0') fail("NUL octet in command");
            if (c == '\r' || c == '\n') fail("CR or LF inside a command line");
        }
        if (k < raw_.literals.size()) from = raw_.literals[k].offset + raw_.literals[k].size;
    }
}

bool Cursor::peek_word(std::string_view word) const {
    if (end_ - pos_ < word.size()) return false;
    if (!iequals(text_.substr(pos_, word.size()), word)) return false;
    std::size_t after = pos_ + word.size();
    return after >= segment_end() || !is_atom_char(text_[after]);
}

bool Cursor::accept_word(std::string_view word) {
    if (!peek_word(word)) return false;
    pos_ += word.size();
    return true;
}

std::string_view Cursor::take_while(bool (*pred)(char)) {
    std::size_t start = pos_, lim = segment_end();
    while (pos_ < lim && pred(text_[pos_])) ++pos_;
    return text_.substr(start, pos_ - start);
}

bool Cursor::accept(char c) {
    if (pos_ < segment_end() && text_[pos_] == c) {
        ++pos_;
        return true;
    }
    return false;
}

void Cursor::expect(char c, std::string_view what) {
    if (!accept(c)) fail(expected(what));
}

bool Cursor::accept_sp() { return accept(' '); }

void Cursor::sp(std::string_view what) {
    if (!accept(' ')) {
        if (at_end()) fail("missing " + std::string(what));
        fail(expected("a space before " + std::string(what)));
    }
}

void Cursor::expect_end() {
    if (!at_end() || next_literal_ != raw_.literals.size()) fail("unexpected characters after the arguments");
}

void Cursor::no_8bit(std::string_view what) const {
    if (pos_ < end_ && high_bit(text_[pos_])) fail("8-bit character in " + std::string(what));
}

std::string_view Cursor::atom(std::string_view what) {
    std::size_t start = pos_, lim = segment_end();
    while (pos_ < lim && is_atom_char(text_[pos_])) ++pos_;
    no_8bit(what);
    if (pos_ == start) fail(expected(what));
    return text_.substr(start, pos_ - start);
}

std::string Cursor::word(std::string_view what) {
    std::size_t start = pos_, lim = segment_end();
    while (pos_ < lim && (is_alpha(text_[pos_]) || is_digit(text_[pos_]) || text_[pos_] == '.' || text_[pos_] == '-'))
        ++pos_;
    no_8bit(what);
    if (pos_ == start) fail(expected(what));
    return upper(text_.substr(start, pos_ - start));
}

std::string Cursor::quoted(std::string_view what) {
    std::size_t lim = segment_end();
    ++pos_;  // the opening DQUOTE
    std::string out;
    while (true) {
        if (pos_ >= lim) fail("unterminated quoted string in " + std::string(what));
        char c = text_[pos_];
        if (c == '"') {
            ++pos_;
            return out;
        }
        if (c == '\\') {
            if (pos_ + 1 >= lim || (text_[pos_ + 1] != '"' && text_[pos_ + 1] != '\\'))
                fail("invalid escape in quoted string in " + std::string(what));
            out += text_[pos_ + 1];
            pos_ += 2;
            continue;
        }
        if (high_bit(c)) {
            std::size_t n = utf8_sequence_length(text_.substr(0, lim), pos_);
            if (n == 0) fail("invalid UTF-8 in quoted string in " + std::string(what));
            out.append(text_, pos_, n);
            pos_ += n;
            continue;
        }
        out += c;
        ++pos_;
    }
}

std::string Cursor::literal(std::string_view what, bool allow_binary, bool* binary) {
    bool is8 = accept('~');
    if (is8 && !allow_binary) fail("literal8 not allowed in " + std::string(what));
    if (!accept('{')) fail(expected(what));
    std::size_t start = pos_, lim = segment_end();
    while (pos_ < lim && is_digit(text_[pos_])) ++pos_;
    std::string_view count = text_.substr(start, pos_ - start);
    bool sync = !accept('+');
    if (count.empty() || count.size() > 19 || !accept('}')) fail("invalid literal in " + std::string(what));
    if (next_literal_ >= raw_.literals.size() || raw_.literals[next_literal_].offset != pos_)
        fail("literal announcement not at the end of a line in " + std::string(what));
    const LiteralSpan& span = raw_.literals[next_literal_];
    std::uint64_t n = 0;
    for (char c : count) n = n * 10 + static_cast<unsigned>(c - '0');
    if (n != span.size || span.binary != is8 || span.synchronizing != sync)
        fail("invalid literal in " + std::string(what));
    std::string data(text_.substr(span.offset, span.size));
    if (!is8 && std::memchr(data.data(), '\0', data.size()) != nullptr)
        fail("NUL octet in literal in " + std::string(what));
    pos_ = span.offset + span.size;
    ++next_literal_;
    if (binary) *binary = is8;
    return data;
}

std::string Cursor::string(std::string_view what) {
    if (peek() == '"') return quoted(what);
    if (at_literal()) return literal(what, false);
    no_8bit(what);
    fail(expected(what));
}

std::string Cursor::astring(std::string_view what) {
    if (peek() == '"' || at_literal()) return string(what);
    std::size_t start = pos_, lim = segment_end();
    while (pos_ < lim && is_astring_char(text_[pos_])) ++pos_;
    no_8bit(what);
    if (pos_ == start) fail(expected(what));
    return std::string(text_.substr(start, pos_ - start));
}

std::optional<std::string> Cursor::nstring(std::string_view what) {
    if (peek_word("NIL")) {
        pos_ += 3;
        return std::nullopt;
    }
    return string(what);
}

std::string Cursor::list_mailbox(std::string_view what) {
    if (peek() == '"' || at_literal()) return string(what);
    std::size_t start = pos_, lim = segment_end();
    while (pos_ < lim) {
        char c = text_[pos_];
        if (!is_atom_char(c) && c != '%' && c != '*' && c != ']') break;
        ++pos_;
    }
    no_8bit(what);
    if (pos_ == start) fail(expected(what));
    return std::string(text_.substr(start, pos_ - start));
}

std::string_view Cursor::digits(std::string_view what) {
    std::size_t start = pos_, lim = segment_end();
    while (pos_ < lim && is_digit(text_[pos_])) ++pos_;
    if (pos_ == start) fail(expected(what));
    return text_.substr(start, pos_ - start);
}

std::uint64_t Cursor::number64(std::string_view what) {
    auto d = digits(what);
    std::uint64_t v = 0;
    for (char c : d) {
        v = v * 10 + static_cast<unsigned>(c - '0');
        if (v > kMaxNumber64) fail(std::string(what) + " out of range");
    }
    return v;
}

std::uint32_t Cursor::number(std::string_view what) {
    auto v = number64(what);
    if (v > 0xFFFFFFFFull) fail(std::string(what) + " out of range");
    return static_cast<std::uint32_t>(v);
}

std::uint32_t Cursor::nz_number(std::string_view what) {
    if (peek() == '0') fail(std::string(what) + " must be a non-zero number without leading zeros");
    return number(what);
}

std::uint64_t Cursor::mod_sequence(std::string_view what, bool allow_zero) {
    auto v = number64(what);
    if (v == 0 && !allow_zero) fail(std::string(what) + " must not be zero");
    return v;
}

SequenceSet Cursor::sequence_set(std::string_view what, bool allow_saved, bool allow_star) {
    std::size_t start = pos_, lim = segment_end();
    while (pos_ < lim) {
        char c = text_[pos_];
        if (!is_digit(c) && c != '*' && c != ':' && c != ',' && c != '$') break;
        ++pos_;
    }
    if (pos_ == start) {
        no_8bit(what);
        fail(expected(what));
    }
    auto set = SequenceSet::parse(text_.substr(start, pos_ - start), allow_saved);
    if (!set) fail("invalid sequence set in " + std::string(what));
    if (!allow_star && set->has_star()) fail("\"*\" not allowed in " + std::string(what));
    // "1:2x" would otherwise read as the set "1:2" followed by junk the caller reports less
    // clearly.
    if (pos_ < lim && is_atom_char(text_[pos_])) fail("invalid sequence set in " + std::string(what));
    return *set;
}

Date Cursor::date(std::string_view what) {
    std::optional<Date> d;
    if (peek() == '"') {
        d = parse_date(quoted(what));
    } else {
        std::size_t start = pos_, lim = segment_end();
        while (pos_ < lim && (is_alpha(text_[pos_]) || is_digit(text_[pos_]) || text_[pos_] == '-')) ++pos_;
        no_8bit(what);
        if (pos_ == start) fail(expected(what));
        d = parse_date(text_.substr(start, pos_ - start));
    }
    if (!d) fail("invalid date in " + std::string(what));
    return *d;
}

std::string Cursor::flag(std::string_view what) {
    if (accept('\\')) {
        if (peek() == '*') fail("\"\\*\" is not a flag in " + std::string(what));
        std::string f = "\\";
        f += atom(what);
        return f;
    }
    return std::string(atom(what));
}

std::vector<std::string> Cursor::flag_list(std::string_view what) {
    expect('(', "\"(\" to start " + std::string(what));
    std::vector<std::string> flags;
    if (accept(')')) return flags;
    while (true) {
        flags.push_back(flag(what));
        if (accept(')')) return flags;
        sp(what);
    }
}

}  // namespace tern::imap::detail
