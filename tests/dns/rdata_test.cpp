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

TEST(TxtRdata, ConcatenatesTheStringsOfOneRecord) {
    EXPECT_EQ(decode_txt_rdata(bytes({6, 'v', '=', 's', 'p', 'f', '1', 4, ' ', '-', 'a', 'l', 2, 'l', '!'})),
              "v=spf1 -all!");
    EXPECT_EQ(decode_txt_rdata(bytes({0})), "");  // one empty string
    EXPECT_EQ(decode_txt_rdata(bytes({0, 2, 'a', 'b', 0})), "ab");
    // Any octet is kept: the caller decides what is acceptable.
    EXPECT_EQ(decode_txt_rdata(bytes({3, 0, 0xff, '\n'})), std::string("\0\xff\n", 3));
}

TEST(TxtRdata, TakesStringsOfFullLength) {
    std::vector<std::uint8_t> rd;
    for (int i = 0; i < 3; ++i) {
        rd.push_back(255);
        rd.insert(rd.end(), 255, static_cast<std::uint8_t>('a' + i));
    }
    auto t = decode_txt_rdata(rd);
    ASSERT_TRUE(t);
    EXPECT_EQ(*t, std::string(255, 'a') + std::string(255, 'b') + std::string(255, 'c'));
}

TEST(TxtRdata, RejectsMalformedData) {
    for (auto rd : {bytes({}),                            // no string at all
                    bytes({1}),                           // string missing
                    bytes({3, 'a', 'b'}),                 // string runs past the end
                    bytes({1, 'a', 2, 'b'}),              // second string runs past the end
                    bytes({255, 'a'})}) {
        EXPECT_FALSE(decode_txt_rdata(rd));
    }
}

TEST(TxtRdata, RandomBytesNeverCrash) {
    std::mt19937_64 rng(7);
    for (int i = 0; i < 20000; ++i) {
        std::vector<std::uint8_t> rd(rng() % 64);
        for (auto& b : rd) b = static_cast<std::uint8_t>(rng() % 4 == 0 ? rng() % 16 : rng());
        if (auto t = decode_txt_rdata(rd)) {
            EXPECT_LT(t->size(), rd.size());  // at least one length octet consumed
        }
    }
}

TEST(PtrRdata, DecodesOneName) {
    EXPECT_EQ(decode_ptr_rdata(bytes({4, 'M', 'a', 'i', 'l', 4, 't', 'e', 's', 't', 0})), "mail.test");
}

TEST(PtrRdata, RejectsMalformedData) {
    for (auto rd : {bytes({}), bytes({0}),                       // nothing, the root name
                    bytes({4, 'm', 'a', 'i', 'l'}),              // no root label
                    bytes({2, 'm', 'x', 0, 0}),                  // trailing byte
                    bytes({0xc0, 12}),                           // compression
                    bytes({2, 'm', ' ', 0})}) {                  // space in label
        EXPECT_FALSE(decode_ptr_rdata(rd));
    }
}
