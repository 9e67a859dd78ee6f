// SEARCH text extraction and matching: see search.hpp.
#include "mime/search.hpp"

#include <gmime/gmime.h>

#include "mime/content_fields.hpp"
#include "mime/decode.hpp"
#include "mime/gmime_init.hpp"
#include "mime/header.hpp"
#include "mime/layout.hpp"
#include "mime/message.hpp"

namespace tern::mime {
namespace {

std::string decode_words(std::string_view raw) {
    detail::ensure_gmime();
    std::string value = unfold(raw);
    for (char& c : value)
        if (c == '\0') c = ' ';  // GMime takes C strings
    char* s = g_mime_utils_header_decode_text(nullptr, value.c_str());
    std::string out = s ? s : "";
    g_free(s);
    return out;
}

}  // namespace

std::vector<std::string> header_value_decoded(std::string_view message, std::string_view field) {
    std::vector<std::string> out;
    for (const auto& f : header_fields(message))
        if (!f.name.empty() && iequal(f.name, field)) out.push_back(decode_words(f.value));
    return out;
}

std::string header_text(std::string_view message) {
    std::string out;
    for (const auto& f : header_fields(message)) {
        if (f.name.empty()) continue;
        out.append(f.name);
        out += ": ";
        out += decode_words(f.value);
        out += '\n';
    }
    return out;
}

namespace {

// Calls text(utf8) for each text/* leaf, in order, until it returns true.
template <class F>
bool for_each_text_part(const ParsedMessage& message, F&& text) {
    const detail::Layout& l = message.layout();
    for (std::uint32_t i = 0; i < l.size(); ++i) {
        const detail::Entity& e = l.at(i);
        if (e.kind != detail::Kind::Leaf || !iequal(e.info.type, "text")) continue;
        TransferEncoding te = classify_transfer_encoding(e.info.encoding);
        std::string raw = decode_transfer(l.body(e), te);
        for (char& c : raw)
            if (c == '\0') c = ' ';
        const std::string* charset = find_parameter(e.info.parameters, "charset");
        if (text(charset_to_utf8(raw, charset ? std::string_view(*charset) : std::string_view()))) return true;
    }
    return false;
}

}  // namespace

std::string body_text(const ParsedMessage& message) {
    std::string out;
    bool first = true;
    for_each_text_part(message, [&](std::string&& part) {
        if (!first) out += '\n';
        first = false;
        out += part;
        return false;
    });
    return out;
}

bool body_contains(const ParsedMessage& message, std::string_view needle) {
    // A needle with a line break may span the "\n" between parts: search the joined text.
    if (needle.find('\n') != std::string_view::npos) return contains_casefold(body_text(message), needle);
    // Else no match crosses a separator (folding never makes a "\n"), so each part alone
    // answers, and the parts after a match are not decoded.
    if (search_fold(needle).empty()) return true;
    return for_each_text_part(message, [&](std::string&& part) { return contains_casefold(part, needle); });
}

std::string body_text(std::string_view stored) { return body_text(ParsedMessage(stored)); }

namespace {

// The ASCII part of search_fold(): NUL becomes a blank, letters lower case.
constexpr char fold_ascii(char c) {
    if (c == '\0') return ' ';
    if (c >= 'A' && c <= 'Z') return static_cast<char>(c - 'A' + 'a');
    return c;
}

bool is_ascii(std::string_view s) {
    for (char c : s)
        if (static_cast<unsigned char>(c) >= 0x80) return false;
    return true;
}

// The full Unicode fold of one stretch of text (see search.hpp).
std::string glib_fold(std::string_view utf8) {
    detail::ensure_gmime();
    std::string text(utf8);
    for (char& c : text)
        if (c == '\0') c = ' ';  // GLib's folding works on C strings
    // NFKD, fold, NFKC (Unicode's NFKC_Casefold recipe): compatibility characters such as
    // U+210D (double-struck H) become letters before folding, so they fold too.
    gchar* valid = g_utf8_make_valid(text.data(), static_cast<gssize>(text.size()));
    gchar* decomposed = g_utf8_normalize(valid, -1, G_NORMALIZE_NFKD);
    gchar* folded = g_utf8_casefold(decomposed ? decomposed : valid, -1);
    gchar* composed = g_utf8_normalize(folded, -1, G_NORMALIZE_NFKC);
    std::string out = composed ? composed : folded;
    g_free(composed);
    g_free(folded);
    g_free(decomposed);
    g_free(valid);
    return out;
}

// ASCII case-insensitive search (Horspool) of an already folded ASCII needle in ASCII text:
// the same answer as search_fold(haystack).find(needle), without building the folded copy.
bool find_ascii_folded(std::string_view haystack, std::string_view needle) {
    const std::size_t m = needle.size();
    if (m == 0) return true;
    if (haystack.size() < m) return false;
    std::size_t shift[256];
    for (auto& s : shift) s = m;
    for (std::size_t i = 0; i + 1 < m; ++i) shift[static_cast<unsigned char>(needle[i])] = m - 1 - i;
    const char last = needle[m - 1];
    for (std::size_t pos = 0; pos + m <= haystack.size();) {
        const char c = fold_ascii(haystack[pos + m - 1]);
        if (c == last) {
            std::size_t i = 0;
            while (i + 1 < m && fold_ascii(haystack[pos + i]) == needle[i]) ++i;
            if (i + 1 == m) return true;
        }
        pos += shift[static_cast<unsigned char>(c)];
    }
    return false;
}

}  // namespace

// Folding is local: an ASCII character never changes (beyond case) by its neighbours, nor
// merges with them. It is a starter (canonical combining class 0) that no composition takes
// as its second character, and nothing reorders across a starter, so normalisation never
// reaches across it; GLib's case folding is per character; and g_utf8_make_valid() repairs
// invalid bytes one at a time, an ASCII byte never belonging to a sequence. So the text is
// cut before ASCII characters: ASCII runs are folded here, and only each non-ASCII run,
// with the ASCII character before it (combining marks may compose with that one), goes
// through GLib. The result is the same as folding the whole text with GLib (the unit tests
// compare both); mostly-ASCII mail then costs a copy instead of four Unicode passes.
std::string search_fold(std::string_view utf8) {
    std::string out;
    out.reserve(utf8.size());
    const auto non_ascii = [&](std::size_t i) { return static_cast<unsigned char>(utf8[i]) >= 0x80; };
    std::size_t i = 0;
    const std::size_t n = utf8.size();
    while (i < n) {
        std::size_t j = i;
        while (j < n && !non_ascii(j)) ++j;
        const std::size_t cut = (j < n && j > i) ? j - 1 : j;  // keep the starter before the run
        for (std::size_t k = i; k < cut; ++k) out += fold_ascii(utf8[k]);
        if (j == n) break;
        std::size_t k = j;
        while (k < n && non_ascii(k)) ++k;
        out += glib_fold(utf8.substr(cut, k - cut));
        i = k;
    }
    return out;
}

bool contains_folded(std::string_view folded_haystack, std::string_view folded_needle) {
    return folded_haystack.find(folded_needle) != std::string_view::npos;
}

bool contains_casefold(std::string_view haystack, std::string_view needle) {
    if (!is_ascii(needle)) return contains_folded(search_fold(haystack), search_fold(needle));
    std::string folded_needle(needle);
    for (char& c : folded_needle) c = fold_ascii(c);
    if (is_ascii(haystack)) return find_ascii_folded(haystack, folded_needle);
    return contains_folded(search_fold(haystack), folded_needle);
}

}  // namespace tern::mime
