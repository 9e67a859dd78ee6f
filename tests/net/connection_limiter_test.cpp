#include "net/connection_limiter.hpp"

#include <gtest/gtest.h>

using tern::net::ConnectionLimiter;

TEST(ConnectionLimiter, PerIpAndTotal) {
    ConnectionLimiter lim(3, 2);
    ConnectionLimiter::Refusal why;
    auto a = lim.acquire("1.1.1.1", why);
    auto b = lim.acquire("1.1.1.1", why);
    EXPECT_TRUE(a);
    EXPECT_TRUE(b);
    auto c = lim.acquire("1.1.1.1", why);
    EXPECT_FALSE(c);
    EXPECT_EQ(why, ConnectionLimiter::Refusal::PerIp);
    auto d = lim.acquire("2.2.2.2", why);
    EXPECT_TRUE(d);
    auto e = lim.acquire("3.3.3.3", why);
    EXPECT_FALSE(e);
    EXPECT_EQ(why, ConnectionLimiter::Refusal::Total);
    EXPECT_EQ(lim.active(), 3u);
    a = {};
    EXPECT_EQ(lim.active(), 2u);
    auto f = lim.acquire("1.1.1.1", why);
    EXPECT_TRUE(f);
}

TEST(ConnectionLimiter, SlotReleasesOnDestructionAndMove) {
    ConnectionLimiter lim(10, 1);
    ConnectionLimiter::Refusal why;
    {
        auto a = lim.acquire("x", why);
        ConnectionLimiter::Slot moved(std::move(a));
        EXPECT_FALSE(a);
        EXPECT_EQ(lim.active(), 1u);
    }
    EXPECT_EQ(lim.active(), 0u);
    EXPECT_TRUE(lim.acquire("x", why));
}
