// Text for IMAP SEARCH (RFC 9051 6.4.4): header values and body text decoded to UTF-8, and a
// case-insensitive substring test.
//
// - header_value_decoded: every occurrence of a field in the top-level header, unfolded and
//   RFC 2047-decoded (undeclared 8-bit text goes through GMime's charset guessing).
// - body_text: the text of every text/* leaf, including those inside attached messages,
//   transfer-decoded and converted from its charset to UTF-8, parts separated by "\n". HTML
//   is searched as it is (tags included). SEARCH TEXT is header_text() plus body_text().
// - Matching (RFC 9051 6.4.4 says "case-insensitive"; RFC 5051 i;unicode-casemap is the
//   model): both sides are decomposed (NFKD), case-folded with GLib (full Unicode folding: "ß"
//   matches "SS") and recomposed (NFKC), so a precomposed and a decomposed "ü" match, and so do
//   compatibility forms ("ﬁ" and "fi"). Invalid UTF-8 is repaired
//   (U+FFFD) first. Fold the needle once and each text once when searching many messages.
// - Speed: the result is that of folding the whole text with GLib, but only non-ASCII runs go
//   through GLib (search_fold() says why that is exact); ASCII text with an ASCII needle is
//   searched in place (case-insensitive Horspool), and body_contains() stops at the first
//   matching part.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tern::mime {

class ParsedMessage;

std::vector<std::string> header_value_decoded(std::string_view message, std::string_view field);

// All fields of the top-level header as "Name: decoded value\n" lines.
std::string header_text(std::string_view message);

std::string body_text(const ParsedMessage& message);
std::string body_text(std::string_view stored);
// contains_casefold(body_text(message), needle), stopping at the first text part that matches.
bool body_contains(const ParsedMessage& message, std::string_view needle);

std::string search_fold(std::string_view utf8);
// Both arguments already search_fold()ed. An empty needle matches.
bool contains_folded(std::string_view folded_haystack, std::string_view folded_needle);
bool contains_casefold(std::string_view haystack, std::string_view needle);

}  // namespace tern::mime
