// Tests for the streaming DATA encoder (RFC 5321 2.3.8, 4.5.2): against a simple reference
// at every split position (and every pair of split positions for short inputs).
#include "outbound/data_encoder.hpp"

#include <gtest/gtest.h>

#include <random>

namespace tern::outbound {
namespace {

// Reference: make every line end "\n", split into lines, stuff, join with CRLF, add ".".
std::string reference(std::string_view s) {
    std::string norm;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\r') {
            norm.push_back('\n');
            if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
        } else {
            norm.push_back(s[i]);
        }
    }
    std::string out;
    std::size_t start = 0;
    while (start < norm.size()) {
        std::size_t lf = norm.find('\n', start);
        std::string line = norm.substr(start, lf == std::string::npos ? std::string::npos : lf - start);
        if (!line.empty() && line[0] == '.') out.push_back('.');
        out += line + "\r\n";
        if (lf == std::string::npos) break;
        start = lf + 1;
    }
    return out + ".\r\n";
}

std::string encode_split(std::string_view s, std::vector<std::size_t> cuts) {
    DataEncoder e;
    std::string out;
    std::size_t prev = 0;
    cuts.push_back(s.size());
    for (std::size_t c : cuts) {
        e.encode(s.substr(prev, c - prev), out);
        prev = c;
    }
    e.finish(out);
    return out;
}

void check_all_splits(std::string_view s) {
    std::string want = reference(s);
    ASSERT_EQ(encode_data(s), want) << "input " << testing::PrintToString(std::string(s));
    for (std::size_t i = 0; i <= s.size(); ++i) {
        ASSERT_EQ(encode_split(s, {i}), want) << "split at " << i;
        if (s.size() <= 24) {
            for (std::size_t j = i; j <= s.size(); ++j) ASSERT_EQ(encode_split(s, {i, j}), want);
        }
    }
}

TEST(DataEncoder, Examples) {
    EXPECT_EQ(encode_data(""), ".\r\n");
    EXPECT_EQ(encode_data("a"), "a\r\n.\r\n");
    EXPECT_EQ(encode_data("a\r\n"), "a\r\n.\r\n");
    EXPECT_EQ(encode_data("a\nb"), "a\r\nb\r\n.\r\n");
    EXPECT_EQ(encode_data("a\rb\r"), "a\r\nb\r\n.\r\n");
    EXPECT_EQ(encode_data("\r\r\n"), "\r\n\r\n.\r\n");
    EXPECT_EQ(encode_data("\n\r"), "\r\n\r\n.\r\n");
    EXPECT_EQ(encode_data(".\r\n"), "..\r\n.\r\n");
    EXPECT_EQ(encode_data("x\r\n.\r\ny"), "x\r\n..\r\ny\r\n.\r\n");
    EXPECT_EQ(encode_data("x\n.\ny"), "x\r\n..\r\ny\r\n.\r\n");   // smuggling-shaped input
    EXPECT_EQ(encode_data("x\r.\ry"), "x\r\n..\r\ny\r\n.\r\n");
    EXPECT_EQ(encode_data("a.b\r\n..c"), "a.b\r\n...c\r\n.\r\n");
}

TEST(DataEncoder, EverySplitOfTrickyInputs) {
    for (std::string s : {"", ".", "..", "\r", "\n", "\r\n", "\r\r", "\n\n", "\n\r", "a\r\n.\r\nb",
                          ".a\r.b\n.c\r\n.d", "\r\n.\r\n", "x\r\r\n.\n\r.", "Subject: x\r\n\r\nbody.\r\n"}) {
        check_all_splits(s);
    }
}

TEST(DataEncoder, RandomInputsAtEverySplit) {
    std::mt19937 rng(12345);
    const char alphabet[] = {'a', '.', '\r', '\n', 'b'};
    for (int n = 0; n < 400; ++n) {
        std::string s;
        std::size_t len = rng() % 20;
        for (std::size_t i = 0; i < len; ++i) s.push_back(alphabet[rng() % 5]);
        check_all_splits(s);
    }
}

TEST(DataEncoder, OutputHasOnlyCrlfAndNoBareDotLine) {
    std::mt19937 rng(7);
    std::string s;
    for (int i = 0; i < 100000; ++i) s.push_back("ab.\r\n"[rng() % 5]);
    std::string out = encode_data(s);
    for (std::size_t i = 0; i < out.size(); ++i) {
        if (out[i] == '\r') {
            ASSERT_EQ(out[i + 1], '\n');
        }
        if (out[i] == '\n') {
            ASSERT_EQ(out[i - 1], '\r');
        }
    }
    // The only line that is exactly "." is the terminator.
    EXPECT_EQ(out.find("\r\n.\r\n"), out.size() - 5);
}

}  // namespace
}  // namespace tern::outbound
