#include "dns/name.hpp"

#include <gtest/gtest.h>

#include <vector>

using tern::dns::decode_wire_name;
using tern::dns::normalize_name;

TEST(NormalizeName, LowercasesAndDropsTrailingDot) {
    std::string err;
    EXPECT_EQ(normalize_name("Mail.Example.TEST.", err), "mail.example.test");
    EXPECT_EQ(normalize_name("localhost", err), "localhost");
    EXPECT_EQ(normalize_name("_dmarc.x-y.test", err), "_dmarc.x-y.test");
}

TEST(NormalizeName, RejectsWhatCannotBeAHostName) {
    const std::string long_label(64, 'a');
    std::string too_long;
    while (too_long.size() <= 253) too_long += "abcdefghi.";
    too_long.pop_back();
    for (std::string s : {std::string(""), std::string("."), std::string("a..b"), std::string(".a"),
                          std::string("a.."), std::string("a b.test"), std::string("a\nb.test"),
                          std::string("a\0b.test", 8), std::string("a\\.b.test"),
                          std::string("b\xc3\xa9.test"), std::string("[1.2.3.4]"),
                          long_label + ".test", too_long}) {
        std::string err;
        EXPECT_FALSE(normalize_name(s, err)) << s;
        EXPECT_FALSE(err.empty()) << s;
        EXPECT_EQ(err.find('\n'), std::string::npos) << "control bytes escaped in: " << err;
    }
}

TEST(NormalizeName, AcceptsTheLongestNames) {
    std::string err;
    EXPECT_TRUE(normalize_name(std::string(63, 'a') + ".test", err));
    std::string name;
    while (name.size() + 10 <= 253) name += "abcdefghi.";
    name += std::string(253 - name.size(), 'x');
    ASSERT_EQ(name.size(), 253u);
    EXPECT_TRUE(normalize_name(name, err)) << err;
    EXPECT_TRUE(normalize_name(name + ".", err)) << err;
}

namespace {

std::vector<std::uint8_t> wire(std::initializer_list<int> bytes) {
    std::vector<std::uint8_t> v;
    for (int b : bytes) v.push_back(static_cast<std::uint8_t>(b));
    return v;
}

}  // namespace

TEST(DecodeWireName, DecodesLabels) {
    auto w = wire({3, 'M', 'x', '1', 4, 't', 'e', 's', 't', 0, 0xff});
    std::size_t n = 0;
    EXPECT_EQ(decode_wire_name(w, n), "mx1.test");
    EXPECT_EQ(n, 10u);
    auto root = wire({0});
    EXPECT_EQ(decode_wire_name(root, n), "");
    EXPECT_EQ(n, 1u);
}

TEST(DecodeWireName, RejectsMalformedNames) {
    std::size_t n = 0;
    for (auto w : {wire({}), wire({3, 'a', 'b'}), wire({3, 'a', 'b', 'c'}), wire({0xc0, 0x0c}),
                   wire({0x40, 0}), wire({0x80, 0}), wire({1, '.', 0}), wire({1, ' ', 0}),
                   wire({1, '\\', 0}), wire({1, 0x7f, 0}), wire({1, 0xc3, 0}), wire({1, 0, 0}),
                   wire({64})}) {
        EXPECT_FALSE(decode_wire_name(w, n));
    }
}

TEST(DecodeWireName, EnforcesTheTotalLength) {
    // 4 labels of 63 octets = 256 octets with the root label: one too many.
    std::vector<std::uint8_t> w;
    for (int i = 0; i < 4; ++i) {
        w.push_back(63);
        w.insert(w.end(), 63, 'a');
    }
    w.push_back(0);
    std::size_t n = 0;
    EXPECT_FALSE(decode_wire_name(w, n));
    // 3 x 63 + 61 = 254 + root = 255: the longest allowed.
    std::vector<std::uint8_t> ok;
    for (int i = 0; i < 3; ++i) {
        ok.push_back(63);
        ok.insert(ok.end(), 63, 'a');
    }
    ok.push_back(61);
    ok.insert(ok.end(), 61, 'b');
    ok.push_back(0);
    ASSERT_EQ(ok.size(), 255u);
    EXPECT_TRUE(decode_wire_name(ok, n));
    EXPECT_EQ(n, 255u);
}

TEST(ReverseName, Ipv4) {
    EXPECT_EQ(tern::dns::reverse_name(asio::ip::make_address("127.0.0.2")), "2.0.0.127.in-addr.arpa");
    EXPECT_EQ(tern::dns::reverse_name(asio::ip::make_address("192.0.2.255")),
              "255.2.0.192.in-addr.arpa");
}

TEST(ReverseName, Ipv6Nibbles) {
    // RFC 3596 2.5's example, 4321:0:1:2:3:4:567:89ab.
    EXPECT_EQ(tern::dns::reverse_name(asio::ip::make_address("4321:0:1:2:3:4:567:89ab")),
              "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.0.0.0.0.1.2.3.4.ip6.arpa");
    EXPECT_EQ(tern::dns::reverse_name(asio::ip::make_address("::1")),
              "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa");
}

TEST(ReverseName, Ipv4MappedIsNamedAsIpv4) {
    EXPECT_EQ(tern::dns::reverse_name(asio::ip::make_address("::ffff:192.0.2.1")),
              "1.2.0.192.in-addr.arpa");
}
