// Message flags: IMAP system flags (RFC 9051 2.3.2), keywords, and the Maildir "info" letters
// they are stored as (https://cr.yp.to/proto/maildir.html: "<base>:2,<letters>", letters in
// ASCII order).
//
// Where each flag lives, and why:
//   * System flags are the letters of the file name: D=\Draft F=\Flagged P=passed R=\Answered
//     S=\Seen T=\Deleted. The file name is the truth, so a change made by mutt or Dovecot (a
//     rename in cur/) is what the store reports after its next sync. P has no IMAP system flag;
//     it is shown as the keyword $Forwarded (RFC 5788 registry), and $Forwarded set over IMAP
//     becomes P, so mutt and IMAP clients agree.
//   * Keywords ($Junk, $label1, ...) live in the folder index only: Maildir has no standard
//     place for them (Dovecot's lowercase letters need its own dovecot-keywords file). They are
//     lost if the index is lost, while system flags survive.
//   * Info letters the store does not know (Dovecot's a-z keywords, anything else) are kept as
//     they are and written back on every rename, so other programs' data is never dropped.
//
// Keywords compare case-insensitively (RFC 9051 2.3.2 treats flag names so); the first spelling
// a message got is kept. Limits are named below.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tern::mailbox {

namespace flag {
inline constexpr std::uint8_t kDraft = 1 << 0;      // D  \Draft
inline constexpr std::uint8_t kFlagged = 1 << 1;    // F  \Flagged
inline constexpr std::uint8_t kForwarded = 1 << 2;  // P  $Forwarded
inline constexpr std::uint8_t kAnswered = 1 << 3;   // R  \Answered
inline constexpr std::uint8_t kSeen = 1 << 4;       // S  \Seen
inline constexpr std::uint8_t kDeleted = 1 << 5;    // T  \Deleted
inline constexpr std::uint8_t kAll = 0x3F;
}  // namespace flag

// A keyword is an IMAP atom (RFC 9051 9, flag-keyword) of at most this many bytes ...
inline constexpr std::size_t kMaxKeywordLength = 128;
// ... and a message carries at most this many of them.
inline constexpr std::size_t kMaxKeywordsPerMessage = 64;

struct Flags {
    std::uint8_t system = 0;             // flag:: bits
    std::vector<std::string> keywords;   // sorted case-insensitively, no duplicates

    bool has(std::uint8_t bit) const { return (system & bit) != 0; }
    friend bool operator==(const Flags&, const Flags&) = default;
};

enum class FlagMode { Add, Remove, Replace };

// `current` changed by `change` as IMAP STORE +FLAGS / -FLAGS / FLAGS does. Keywords already
// present keep their spelling. The result may exceed kMaxKeywordsPerMessage; check it.
Flags apply_flags(const Flags& current, FlagMode mode, const Flags& change);

// ---- IMAP names
// "\Seen" etc. (case-insensitive) and "$Forwarded" -> the bit; nullopt for anything else
// (including "\Recent", which cannot be stored).
std::optional<std::uint8_t> system_flag_from_name(std::string_view name);
// A valid keyword: an atom (no SP, CTL, 8-bit, "(){%*\"\\]"), not starting with '\', not
// "$Forwarded" (that is P), at most kMaxKeywordLength bytes.
bool is_valid_keyword(std::string_view name);
// Builds Flags from IMAP flag names (each a system flag or a keyword); nullopt when one is
// neither (the IMAP layer answers BAD) or there are too many keywords.
std::optional<Flags> flags_from_names(const std::vector<std::string>& names);
// "\Answered" "\Flagged" "\Deleted" "\Seen" "\Draft" "$Forwarded", then the keywords.
std::vector<std::string> flag_names(const Flags& flags);
// Inserts `keyword` unless an equal one (case-insensitive) is there; keeps the order.
void add_keyword(std::vector<std::string>& keywords, std::string keyword);
bool keyword_less(std::string_view a, std::string_view b);

// ---- Maildir info
struct SplitName {
    std::string_view base;     // everything before ":"
    std::string_view letters;  // after ":2," (empty when there is none)
    bool has_info = false;     // the name has a ':' at all
    bool standard_info = false;// ... and it is ":2,<letters>"
};
SplitName split_file_name(std::string_view name);

struct InfoLetters {
    std::uint8_t system = 0;  // flag:: bits for D F P R S T
    std::string extra;        // other letters, ASCII order, no duplicates
};
InfoLetters parse_info_letters(std::string_view letters);
// The letters for `system` merged with `extra`, in ASCII order: "FRS", "Sa".
std::string info_letters(std::uint8_t system, std::string_view extra);

}  // namespace tern::mailbox
