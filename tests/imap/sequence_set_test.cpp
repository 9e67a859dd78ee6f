// Sequence sets: parsing, '*' and reversed ranges, membership against the mailbox size,
// bounded iteration and the shortest formatting.
#include <gtest/gtest.h>

#include <vector>

#include "imap/sequence_set.hpp"

using namespace tern::imap;

namespace {

SequenceSet set(std::string_view s) {
    auto r = SequenceSet::parse(s);
    EXPECT_TRUE(r.has_value()) << s;
    return r.value_or(SequenceSet{});
}

std::vector<std::uint32_t> numbers(const SequenceSet& s, std::uint32_t max) {
    std::vector<std::uint32_t> v;
    s.for_each(max, [&](std::uint32_t n) { v.push_back(n); });
    return v;
}

}  // namespace

TEST(SequenceSet, ParsesTheGrammar) {
    EXPECT_EQ(set("1").ranges(), (std::vector<SeqRange>{{1, 1}}));
    EXPECT_EQ(set("2:4,7,9:*").ranges(), (std::vector<SeqRange>{{2, 4}, {7, 7}, {9, kStar}}));
    EXPECT_EQ(set("4294967295").ranges(), (std::vector<SeqRange>{{4294967295u, 4294967295u}}));
    EXPECT_EQ(set("*:3").ranges(), (std::vector<SeqRange>{{kStar, 3}}));
    EXPECT_TRUE(set("$").is_saved_result());
    EXPECT_FALSE(SequenceSet::parse("$", false).has_value());
}

TEST(SequenceSet, RefusesWhatIsNotASequenceSet) {
    for (std::string_view bad : {"", "0", "01", "1:0", "4294967296", "1,", ",1", "1::2", "1:2:3", "a", "1 2", "-1",
                                 "$,1", "1,$", "$$", "**", "1:", ":1", "99999999999999999999"}) {
        EXPECT_FALSE(SequenceSet::parse(bad).has_value()) << bad;
    }
}

TEST(SequenceSet, StarIsTheLargestNumberAndRangesGoEitherWay) {
    auto s = set("5:3");
    EXPECT_TRUE(s.contains(3, 10));
    EXPECT_TRUE(s.contains(4, 10));
    EXPECT_TRUE(s.contains(5, 10));
    EXPECT_FALSE(s.contains(6, 10));
    auto star = set("*");
    EXPECT_TRUE(star.contains(10, 10));
    EXPECT_FALSE(star.contains(9, 10));
    EXPECT_FALSE(star.contains(1, 0));  // empty mailbox
    // RFC 9051 6.4.4: "n:*" with n beyond the last message still includes the last message.
    auto tail = set("100:*");
    EXPECT_TRUE(tail.contains(7, 7));
    EXPECT_FALSE(tail.contains(6, 7));
    EXPECT_EQ(numbers(tail, 7), (std::vector<std::uint32_t>{7}));
    EXPECT_FALSE(set("1:5").contains(0, 10));
    EXPECT_FALSE(set("1:5").contains(4, 3));  // beyond max: does not exist
}

TEST(SequenceSet, IterationIsBoundedByTheMailbox) {
    auto all = set("1:4294967295");
    EXPECT_EQ(numbers(all, 3), (std::vector<std::uint32_t>{1, 2, 3}));
    EXPECT_EQ(all.count(3), 3u);
    EXPECT_EQ(all.count(0), 0u);
    EXPECT_TRUE(numbers(all, 0).empty());
    // Overlaps and duplicates are visited once, in order.
    EXPECT_EQ(numbers(set("5,1:3,2,3:4,*"), 6), (std::vector<std::uint32_t>{1, 2, 3, 4, 5, 6}));
    EXPECT_EQ(set("9:7,1").resolve(8), (std::vector<SeqRange>{{1, 1}, {7, 8}}));
    EXPECT_EQ(set("1:*").count(4294967295u), 4294967295ull);
}

TEST(SequenceSet, FormatsTheShortestForm) {
    SequenceSet s;
    for (std::uint32_t n : {7u, 3u, 4u, 5u, 10u, 9u, 1u}) s.add(n);
    EXPECT_EQ(s.to_string(), "1,3:5,7,9:10");
    EXPECT_EQ(set("5:3,6,1:2").to_string(), "1:6");
    EXPECT_EQ(set("4294967295,4294967294").to_string(), "4294967294:4294967295");
    EXPECT_EQ(set("1:*,3").to_string(), "1:*,3");  // '*' is kept as written
    EXPECT_EQ(SequenceSet::saved_result().to_string(), "$");
    EXPECT_EQ(SequenceSet{}.to_string(), "");
    EXPECT_TRUE(SequenceSet{}.empty());
    // Round trip.
    for (std::string_view text : {"1", "1:2", "1,3", "2:4,6:*", "*"}) {
        EXPECT_EQ(set(set(text).to_string()), set(text)) << text;
    }
}
