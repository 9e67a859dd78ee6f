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

std::string body_text(const ParsedMessage& message) {
    const detail::Layout& l = message.layout();
    std::string out;
    for (std::uint32_t i = 0; i < l.size(); ++i) {
        const detail::Entity& e = l.at(i);
        if (e.kind != detail::Kind::Leaf || !iequal(e.info.type, "text")) continue;
        TransferEncoding te = classify_transfer_encoding(e.info.encoding);
        std::string raw = decode_transfer(l.body(e), te);
        for (char& c : raw)
            if (c == '\0') c = ' ';
        const std::string* charset = find_parameter(e.info.parameters, "charset");
        if (!out.empty()) out += '\n';
        out += charset_to_utf8(raw, charset ? std::string_view(*charset) : std::string_view());
    }
    return out;
}

std::string body_text(std::string_view stored) { return body_text(ParsedMessage(stored)); }

std::string search_fold(std::string_view utf8) {
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

bool contains_folded(std::string_view folded_haystack, std::string_view folded_needle) {
    return folded_haystack.find(folded_needle) != std::string_view::npos;
}

bool contains_casefold(std::string_view haystack, std::string_view needle) {
    return contains_folded(search_fold(haystack), search_fold(needle));
}

}  // namespace tern::mime
