// The tag=value lists of DKIM (RFC 6376 3.2): DKIM-Signature fields and key records in DNS.
// DMARC records (RFC 7489 6.4) use the same syntax.
//
// Parsing is strict where the RFC is (tag names, duplicate tags are an error: 3.2 "tags that
// are duplicated ... MUST be treated as an error"), lenient where senders are known to be
// sloppy: empty specs (";;") are skipped. Values keep their inner folding whitespace; the
// surrounding whitespace is removed. Unknown tags are kept: the caller ignores them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tern::dkim {

class TagList {
public:
    // nullopt and *error set on a syntax error or a duplicate tag.
    static std::optional<TagList> parse(std::string_view text, std::string* error);

    // The value of `name` (tag names are case-sensitive), or nullopt when absent.
    std::optional<std::string_view> get(std::string_view name) const;
    const std::vector<std::pair<std::string, std::string>>& tags() const { return tags_; }

private:
    std::vector<std::pair<std::string, std::string>> tags_;
};

// The value with all whitespace (SP, HTAB, CR, LF) removed: base64 values (b=, bh=, p=) may be
// folded anywhere (RFC 6376 3.5).
std::string strip_whitespace(std::string_view value);

// Splits a colon-separated list (h=), trimming whitespace around each element.
std::vector<std::string> split_colon_list(std::string_view value);

}  // namespace tern::dkim
