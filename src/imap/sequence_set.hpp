// IMAP sequence sets (RFC 9051 9 "sequence-set", 6.4.4 and 2.3.1; RFC 5182 "$" saved search
// result): message sequence numbers or UIDs as written by the client, kept as ranges so that
// "1:4294967295" costs as much as "1".
//
// A range is kept as written (bounds in either order, '*' as kStar) and only resolved against
// the mailbox when it is used: '*' is the largest number in use, and "n:*" with n beyond it
// still means "*:n", so it includes the last message (RFC 9051 6.4.4: "UID FETCH 100:*" always
// returns the last message). Iteration is clipped to 1..max, so a hostile "1:4294967295"
// visits at most the messages that exist.
//
// Formatting gives the shortest form (sorted, overlapping and adjacent ranges merged): what
// UIDPLUS COPYUID/APPENDUID (RFC 4315) and QRESYNC VANISHED (RFC 7162 3.2.10) send back.
// Both UID lists of COPYUID are ascending, so sorting keeps them paired.
//
// Left out: "$" combined with other numbers ("1,$"): the grammar allows it through recursion
// but no client sends it and RFC 5182 describes "$" alone; it is refused.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tern::imap {

// '*' in a range bound. 0 is never a valid sequence number or UID (nz-number).
inline constexpr std::uint32_t kStar = 0;

struct SeqRange {
    std::uint32_t first = 1;  // as written: may be larger than last; kStar for '*'
    std::uint32_t last = 1;

    friend bool operator==(const SeqRange&, const SeqRange&) = default;
};

class SequenceSet {
public:
    SequenceSet() = default;

    // "$": the result saved by a previous SEARCH RETURN (SAVE) (RFC 5182). The session
    // substitutes the saved set before using it; contains() and the rest see no numbers.
    static SequenceSet saved_result();
    // Parses the whole of `text`: nz-numbers up to 4294967295 without leading zeros, '*',
    // ranges, commas; "$" alone when allow_saved. nullopt on anything else.
    static std::optional<SequenceSet> parse(std::string_view text, bool allow_saved = true);

    // Builders for responses (COPYUID, VANISHED, ...). n must not be 0.
    void add(std::uint32_t n) { add_range(n, n); }
    void add_range(std::uint32_t first, std::uint32_t last);

    bool empty() const { return ranges_.empty() && !saved_; }
    bool is_saved_result() const { return saved_; }
    bool has_star() const;
    const std::vector<SeqRange>& ranges() const { return ranges_; }

    // `max`: the largest number in use (message count, or the highest UID); 0 when empty.
    bool contains(std::uint32_t n, std::uint32_t max) const;
    // The numbers the set names, as sorted, disjoint, non-adjacent ranges within 1..max.
    std::vector<SeqRange> resolve(std::uint32_t max) const;
    // How many numbers resolve(max) holds.
    std::uint64_t count(std::uint32_t max) const;
    // Calls f(n) for each number of resolve(max), ascending, each once.
    template <class F>
    void for_each(std::uint32_t max, F&& f) const {
        for (const auto& r : resolve(max)) {
            for (std::uint64_t n = r.first; n <= r.last; ++n) f(static_cast<std::uint32_t>(n));
        }
    }

    // Shortest text: "$" for the saved result; without '*' sorted and merged ("1:3,7");
    // with '*' the ranges as held (only a client's set has '*'). "" when empty.
    std::string to_string() const;

    friend bool operator==(const SequenceSet&, const SequenceSet&) = default;

private:
    std::vector<SeqRange> ranges_;
    bool saved_ = false;
};

}  // namespace tern::imap
