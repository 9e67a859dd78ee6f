#include "dns/rdata.hpp"

#include <gtest/gtest.h>

#include <random>
#include <vector>

using namespace tern::dns;

namespace {

std::vector<std::uint8_t> bytes(std::initializer_list<int> b) {
    std::vector<std::uint8_t> v;
    for (int x : b) v.push_back(static_cast<std::uint8_t>(x));
    return v;
}

}  // namespace

TEST(MxRdata, DecodesPreferenceAndHost) {
    auto r = decode_mx_rdata(bytes({0x01, 0x02, 2, 'M', 'X', 4, 't', 'e', 's', 't', 0}));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->preference, 0x0102);
    EXPECT_EQ(r->host, "mx.test");
}

TEST(MxRdata, NullMxIsTheRootName) {
    auto r = decode_mx_rdata(bytes({0, 0, 0}));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->preference, 0);
    EXPECT_EQ(r->host, "");
}

TEST(MxRdata, RejectsMalformedData) {
    for (auto rd : {bytes({}), bytes({0}), bytes({0, 10}),                       // too short
                    bytes({0, 10, 3, 'f', 'o', 'o'}),                           // no root label
                    bytes({0, 10, 9, 'f', 'o', 'o', 0}),                        // label overruns
                    bytes({0, 10, 0xc0, 12}),                                   // compression
                    bytes({0, 10, 2, 'm', 'x', 0, 0}),                          // trailing byte
                    bytes({0, 10, 2, 'm', '.', 0})}) {                          // dot in label
        EXPECT_FALSE(decode_mx_rdata(rd));
    }
}

TEST(MxRdata, RandomBytesNeverCrash) {
    std::mt19937_64 rng(42);
    for (int i = 0; i < 20000; ++i) {
        std::vector<std::uint8_t> rd(rng() % 40);
        for (auto& b : rd) b = static_cast<std::uint8_t>(rng() % 8 == 0 ? rng() % 64 : rng());
        if (auto r = decode_mx_rdata(rd)) {
            EXPECT_LE(r->host.size(), 253u);
        }
    }
}

TEST(AddressRdata, DecodesExactLengthsOnly) {
    auto a = decode_a_rdata(bytes({127, 0, 0, 1}));
    ASSERT_TRUE(a);
    EXPECT_EQ(a->to_string(), "127.0.0.1");
    EXPECT_FALSE(decode_a_rdata(bytes({127, 0, 0})));
    EXPECT_FALSE(decode_a_rdata(bytes({127, 0, 0, 1, 0})));

    std::vector<std::uint8_t> v6(16, 0);
    v6[15] = 1;
    auto b = decode_aaaa_rdata(v6);
    ASSERT_TRUE(b);
    EXPECT_EQ(b->to_string(), "::1");
    v6.pop_back();
    EXPECT_FALSE(decode_aaaa_rdata(v6));
    EXPECT_FALSE(decode_aaaa_rdata(bytes({127, 0, 0, 1})));
}
