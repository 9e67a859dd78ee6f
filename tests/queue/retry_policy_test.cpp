#include <gtest/gtest.h>

#include <random>
#include <set>

#include "queue/retry_policy.hpp"

namespace tern::queue {
namespace {

TEST(RetryPolicy, DoublesWithJitterUpToTheMaximum) {
    RetryPolicy p{300, 3600, 5 * 86400};
    std::mt19937_64 rng(1);
    for (int i = 0; i < 200; ++i) {
        auto first = p.delay(1, rng);
        EXPECT_GE(first, 240);
        EXPECT_LE(first, 360);
        auto second = p.delay(2, rng);
        EXPECT_GE(second, 480);
        EXPECT_LE(second, 720);
        auto late = p.delay(30, rng);
        EXPECT_GE(late, 2880);
        EXPECT_LE(late, 4320);
    }
    // Jitter really varies.
    std::set<std::int64_t> seen;
    for (int i = 0; i < 50; ++i) seen.insert(p.delay(1, rng));
    EXPECT_GT(seen.size(), 10u);
}

TEST(RetryPolicy, Expiry) {
    RetryPolicy p{300, 3600, 1000};
    EXPECT_FALSE(p.expired(5000, 5999));
    EXPECT_TRUE(p.expired(5000, 6000));
}

}  // namespace
}  // namespace tern::queue
