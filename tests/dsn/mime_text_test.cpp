// Tests for the DSN text helpers (RFC 5322 3.3 dates, 2.2.3 folding; RFC 6533 3).
#include "dsn/mime_text.hpp"

#include <gtest/gtest.h>

namespace tern::dsn {
namespace {

TEST(MimeText, Sanitize) {
    EXPECT_EQ(sanitize("a\r\nb\tc\x01", false), "a  b c ");
    EXPECT_EQ(sanitize("caf\xC3\xA9", false), "caf??");
    EXPECT_EQ(sanitize("caf\xC3\xA9", true), "caf\xC3\xA9");
    EXPECT_EQ(sanitize("bad\xC3", true), "bad?");
    EXPECT_EQ(sanitize("abcdef", false, 3), "abc");
    EXPECT_EQ(sanitize("ab\xC3\xA9", true, 3), "ab");  // never cuts a UTF-8 sequence
}

TEST(MimeText, Folding) {
    EXPECT_EQ(fold_field("Status", "5.1.1"), "Status: 5.1.1\r\n");
    std::string v;
    for (int i = 0; i < 30; ++i) v += "word ";
    std::string f = fold_field("Diagnostic-Code", v);
    EXPECT_NE(f.find("\r\n word"), std::string::npos);
    std::size_t pos = 0;
    while (pos < f.size()) {
        std::size_t end = f.find("\r\n", pos);
        EXPECT_LE(end - pos, 78u);
        pos = end + 2;
    }
    std::string huge = fold_field("X", std::string(3000, 'a'));
    pos = 0;
    while (pos < huge.size()) {
        std::size_t end = huge.find("\r\n", pos);
        EXPECT_LE(end - pos, 998u);
        pos = end + 2;
    }
}

TEST(MimeText, WrapText) {
    EXPECT_EQ(wrap_text("a b c", 3), "a b\r\nc\r\n");
    EXPECT_EQ(wrap_text("abcdefg", 3), "abc\r\ndef\r\ng\r\n");
    EXPECT_EQ(wrap_text(""), "\r\n");
}

TEST(MimeText, AppendCrlf) {
    std::string out;
    auto info = append_crlf("a\nb\rc\r\nd", out);
    EXPECT_EQ(out, "a\r\nb\r\nc\r\nd\r\n");
    EXPECT_FALSE(info.eight_bit);
    EXPECT_EQ(info.longest, 1u);
    out.clear();
    info = append_crlf(std::string("x\0\xff\r\n", 5), out);
    EXPECT_TRUE(info.nul);
    EXPECT_TRUE(info.eight_bit);
}

TEST(MimeText, HeaderSection) {
    EXPECT_EQ(header_section("A: 1\r\nB: 2\r\n\r\nbody"), "A: 1\r\nB: 2\r\n");
    EXPECT_EQ(header_section("A: 1\n\nbody"), "A: 1\n");
    EXPECT_EQ(header_section("\r\nbody"), "");
    EXPECT_EQ(header_section("A: 1"), "A: 1");
}

TEST(MimeText, Utf8AddrUnitext) {
    EXPECT_EQ(utf8_addr_unitext("j\xC3\xB6rg+a=b\\c d@x"), "j\xC3\xB6rg\\x{2B}a\\x{3D}b\\x{5C}c\\x{20}d@x");
    EXPECT_EQ(utf8_addr_unitext("\xFF@x"), "?@x");
}

}  // namespace
}  // namespace tern::dsn
