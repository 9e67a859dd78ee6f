// Mail addresses: parsing and normalising RFC 5321 mailboxes (section 4.1.2), with the
// SMTPUTF8 extension of RFC 6531 (UTF-8 in local part and domain), and the validation that
// lets a local part or domain become a path component safely.
//
// Deliberately left out: source routes (RFC 5321 C.) are stripped by the SMTP path parser
// before reaching here; address literals ([1.2.3.4]) parse but are never local.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tern {

// RFC 5321 4.5.3.1.1 / 4.5.3.1.2: size limits of the parts.
inline constexpr std::size_t kMaxLocalPart = 64;
inline constexpr std::size_t kMaxDomain = 255;
inline constexpr std::size_t kMaxPath = 256;

struct Address {
    std::string local;   // as given (quoted strings unquoted); may contain UTF-8 when SMTPUTF8
    std::string domain;  // as given; ASCII letters compare case-insensitively

    // "local@domain", re-quoting the local part when it is not a dot-atom.
    std::string str() const;
    // Lower-cased (ASCII) local and domain: the key for user, alias and mailbox lookups.
    std::string key() const;
    bool is_address_literal() const { return !domain.empty() && domain.front() == '['; }

    friend bool operator==(const Address&, const Address&) = default;
};

// Parses "local@domain" (no angle brackets). `allow_utf8` admits non-ASCII bytes (RFC 6531);
// they must form valid UTF-8. Returns nullopt on any syntax error or over-long part.
std::optional<Address> parse_mailbox(std::string_view text, bool allow_utf8 = false);

// True when `domain` is a syntactically valid domain name (RFC 5321 Domain, or a U-label form
// when allow_utf8) — not an address literal.
bool is_valid_domain(std::string_view domain, bool allow_utf8 = false);

// True when every byte sequence in `s` is well-formed UTF-8 (no overlongs, no surrogates).
bool is_valid_utf8(std::string_view s);

// ASCII lower-casing; other bytes pass through unchanged.
std::string ascii_lower(std::string_view s);
bool iequals(std::string_view a, std::string_view b);

// Splits off a sub-address: "alice+tag" -> {"alice", "tag"}. Without a separator, tag is empty.
struct SubAddress {
    std::string_view user;
    std::string_view tag;
};
SubAddress split_subaddress(std::string_view local, char separator = '+');

// A name that may safely become one path component under a directory we own: non-empty,
// at most 255 bytes, no '/', no NUL or other control bytes, no leading '.', not "..".
bool is_safe_path_component(std::string_view s);

}  // namespace tern
