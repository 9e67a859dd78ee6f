#include "dns/nameserver.hpp"

#include <gtest/gtest.h>

using tern::dns::parse_nameserver;
using tern::dns::unbound_forwarder;

TEST(Nameserver, ParsesTheFourForms) {
    std::string err;
    auto a = parse_nameserver("127.0.0.1", err);
    ASSERT_TRUE(a) << err;
    EXPECT_EQ(unbound_forwarder(*a), "127.0.0.1@53");
    auto b = parse_nameserver("127.0.0.1:5353", err);
    ASSERT_TRUE(b) << err;
    EXPECT_EQ(unbound_forwarder(*b), "127.0.0.1@5353");
    auto c = parse_nameserver("::1", err);
    ASSERT_TRUE(c) << err;
    EXPECT_EQ(unbound_forwarder(*c), "::1@53");
    auto d = parse_nameserver("[::1]:5353", err);
    ASSERT_TRUE(d) << err;
    EXPECT_EQ(unbound_forwarder(*d), "::1@5353");
    auto e = parse_nameserver("[2001:db8::53]", err);
    ASSERT_TRUE(e) << err;
    EXPECT_EQ(unbound_forwarder(*e), "2001:db8::53@53");
}

TEST(Nameserver, RejectsGarbage) {
    for (auto s : {"", "dns.example", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536",
                   "127.0.0.1:53x", "[127.0.0.1]:53", "[::1", "[::1]53", "[::1]:", "1.2.3:53",
                   "fe80::1%eth0", "[fe80::1%eth0]:53", "127.0.0.1 ", "127.0.0.1@53"}) {
        std::string err;
        EXPECT_FALSE(parse_nameserver(s, err)) << s;
        EXPECT_NE(err.find("bad nameserver"), std::string::npos) << s;
    }
}
