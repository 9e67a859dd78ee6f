// IMAP sequence sets: see sequence_set.hpp.
#include "imap/sequence_set.hpp"

#include <algorithm>
#include <utility>

namespace tern::imap {
namespace {

// nz-number (RFC 9051 9): digit-nz *DIGIT, at most 4294967295.
std::optional<std::uint32_t> parse_nz_number(std::string_view s) {
    if (s.empty() || s.size() > 10 || s[0] < '1' || s[0] > '9') return std::nullopt;
    std::uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + static_cast<unsigned>(c - '0');
    }
    if (v > 0xFFFFFFFFull) return std::nullopt;
    return static_cast<std::uint32_t>(v);
}

std::optional<std::uint32_t> parse_seq_number(std::string_view s) {
    if (s == "*") return kStar;
    return parse_nz_number(s);
}

// Sorts and merges overlapping or adjacent ranges (all with first <= last, no kStar).
std::vector<SeqRange> normalise(std::vector<SeqRange> v) {
    std::sort(v.begin(), v.end(), [](const SeqRange& a, const SeqRange& b) { return a.first < b.first; });
    std::vector<SeqRange> out;
    for (const auto& r : v) {
        if (!out.empty() && static_cast<std::uint64_t>(out.back().last) + 1 >= r.first) {
            out.back().last = std::max(out.back().last, r.last);
        } else {
            out.push_back(r);
        }
    }
    return out;
}

void append_bound(std::string& out, std::uint32_t n) {
    if (n == kStar) out += '*';
    else out += std::to_string(n);
}

}  // namespace

SequenceSet SequenceSet::saved_result() {
    SequenceSet s;
    s.saved_ = true;
    return s;
}

std::optional<SequenceSet> SequenceSet::parse(std::string_view text, bool allow_saved) {
    if (text == "$") {
        if (!allow_saved) return std::nullopt;
        return saved_result();
    }
    if (text.empty()) return std::nullopt;
    SequenceSet set;
    while (true) {
        auto comma = text.find(',');
        std::string_view item = text.substr(0, comma);
        auto colon = item.find(':');
        std::optional<std::uint32_t> a, b;
        if (colon == std::string_view::npos) {
            a = b = parse_seq_number(item);
        } else {
            a = parse_seq_number(item.substr(0, colon));
            b = parse_seq_number(item.substr(colon + 1));
        }
        if (!a || !b) return std::nullopt;
        set.ranges_.push_back({*a, *b});
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
    }
    return set;
}

void SequenceSet::add_range(std::uint32_t first, std::uint32_t last) {
    ranges_.push_back({first, last});
}

bool SequenceSet::has_star() const {
    return std::any_of(ranges_.begin(), ranges_.end(),
                       [](const SeqRange& r) { return r.first == kStar || r.last == kStar; });
}

namespace {

// The range's numbers within 1..max as [lo, hi]; false when none.
bool clip(const SeqRange& r, std::uint32_t max, std::uint32_t& lo, std::uint32_t& hi) {
    if (max == 0) return false;
    std::uint32_t a = r.first == kStar ? max : r.first;
    std::uint32_t b = r.last == kStar ? max : r.last;
    lo = std::min(a, b);
    hi = std::min(std::max(a, b), max);
    return lo <= hi;
}

}  // namespace

bool SequenceSet::contains(std::uint32_t n, std::uint32_t max) const {
    if (n == 0 || n > max) return false;
    for (const auto& r : ranges_) {
        std::uint32_t lo = 0, hi = 0;
        if (clip(r, max, lo, hi) && n >= lo && n <= hi) return true;
    }
    return false;
}

std::vector<SeqRange> SequenceSet::resolve(std::uint32_t max) const {
    std::vector<SeqRange> v;
    v.reserve(ranges_.size());
    for (const auto& r : ranges_) {
        std::uint32_t lo = 0, hi = 0;
        if (clip(r, max, lo, hi)) v.push_back({lo, hi});
    }
    return normalise(std::move(v));
}

std::uint64_t SequenceSet::count(std::uint32_t max) const {
    std::uint64_t n = 0;
    for (const auto& r : resolve(max)) n += static_cast<std::uint64_t>(r.last) - r.first + 1;
    return n;
}

std::string SequenceSet::to_string() const {
    if (saved_) return "$";
    std::vector<SeqRange> v;
    if (has_star()) {
        v = ranges_;
    } else {
        v.reserve(ranges_.size());
        for (const auto& r : ranges_) v.push_back({std::min(r.first, r.last), std::max(r.first, r.last)});
        v = normalise(std::move(v));
    }
    std::string out;
    for (const auto& r : v) {
        if (!out.empty()) out += ',';
        append_bound(out, r.first);
        if (r.first != r.last) {
            out += ':';
            append_bound(out, r.last);
        }
    }
    return out;
}

}  // namespace tern::imap
