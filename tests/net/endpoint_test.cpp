#include "net/endpoint.hpp"

#include <gtest/gtest.h>

using tern::net::parse_endpoint;

TEST(Endpoint, ParsesV4AndV6) {
    std::string err;
    auto a = parse_endpoint("127.0.0.1:2525", err);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->port(), 2525);
    auto b = parse_endpoint("[::1]:25", err);
    ASSERT_TRUE(b);
    EXPECT_TRUE(b->address().is_v6());
    EXPECT_EQ(tern::net::to_string(*b), "[::1]:25");
}

TEST(Endpoint, RejectsGarbage) {
    std::string err;
    for (auto s : {"", "127.0.0.1", "127.0.0.1:", "127.0.0.1:99999", "host:25", "[::1]25", "[::1:25",
                   "1.2.3.4:2x"}) {
        EXPECT_FALSE(parse_endpoint(s, err)) << s;
        EXPECT_FALSE(err.empty());
    }
}
