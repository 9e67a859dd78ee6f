// Multi-line message responses (multiline.hpp): CRLF conversion from LF, CRLF, bare CR and
// mixed line ends, byte-stuffing, the final line without newline, empty messages, TOP.
#include "pop3/multiline.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

using namespace tern::pop3;
using namespace std::string_literals;

namespace {

// Checks that the size matches the output and that append_multiline() agrees.
std::string body(const std::string& content, std::optional<std::size_t> top = std::nullopt) {
    std::string out;
    append_multiline(out, content, top);
    EXPECT_EQ(out.size(), multiline_size(content, top));
    EXPECT_EQ(multiline_response("", content, top), out);
    return out;
}

}  // namespace

TEST(Pop3Multiline, LineEndsBecomeCrLf) {
    EXPECT_EQ(body("a\nb\n"), "a\r\nb\r\n.\r\n");
    EXPECT_EQ(body("a\r\nb\r\n"), "a\r\nb\r\n.\r\n");
    EXPECT_EQ(body("a\r\nb\nc\r\n"), "a\r\nb\r\nc\r\n.\r\n");
    // A bare CR ends a line too (see multiline.hpp); CR CR LF is two lines.
    EXPECT_EQ(body("a\rb\n"), "a\r\nb\r\n.\r\n");
    EXPECT_EQ(body("a\r\r\nb"), "a\r\n\r\nb\r\n.\r\n");
    EXPECT_EQ(body("a\r"), "a\r\n.\r\n");
    EXPECT_EQ(body("\n\n"), "\r\n\r\n.\r\n");
    EXPECT_EQ(body("\r\n"), "\r\n.\r\n");
}

TEST(Pop3Multiline, NoFinalNewlineAndEmpty) {
    EXPECT_EQ(body("a\nlast"), "a\r\nlast\r\n.\r\n");
    EXPECT_EQ(body("only"), "only\r\n.\r\n");
    EXPECT_EQ(body(""), ".\r\n");
}

TEST(Pop3Multiline, ByteStuffing) {
    EXPECT_EQ(body(".\n"), "..\r\n.\r\n");
    EXPECT_EQ(body("a\n.\nb\n"), "a\r\n..\r\nb\r\n.\r\n");
    EXPECT_EQ(body("..x\n"), "...x\r\n.\r\n");
    EXPECT_EQ(body(".x"), "..x\r\n.\r\n");
    EXPECT_EQ(body("a\r.\r\n"), "a\r\n..\r\n.\r\n");  // after a bare CR, too
    EXPECT_EQ(body("x.\n a.b\n"), "x.\r\n a.b\r\n.\r\n");  // only at the start of a line
    // A message whose own text holds the terminator cannot end the response early.
    EXPECT_EQ(body("a\r\n.\r\nQUIT\r\n"), "a\r\n..\r\nQUIT\r\n.\r\n");
}

TEST(Pop3Multiline, BinaryBytesPassThrough) {
    std::string content = "a\0b\xff\n"s;
    EXPECT_EQ(body(content), "a\0b\xff\r\n.\r\n"s);
}

TEST(Pop3Multiline, StatusLineFirst) {
    EXPECT_EQ(multiline_response("+OK 2 octets\r\n", "x\n"), "+OK 2 octets\r\nx\r\n.\r\n");
    std::string out = multiline_response("+OK 0 octets\r\n", "");
    EXPECT_EQ(out, "+OK 0 octets\r\n.\r\n");
}

TEST(Pop3Multiline, TopLines) {
    const std::string m = "From: a\nSubject: s\n\nb1\n.b2\nb3\n";
    EXPECT_EQ(body(m, 0), "From: a\r\nSubject: s\r\n\r\n.\r\n");
    EXPECT_EQ(body(m, 1), "From: a\r\nSubject: s\r\n\r\nb1\r\n.\r\n");
    EXPECT_EQ(body(m, 2), "From: a\r\nSubject: s\r\n\r\nb1\r\n..b2\r\n.\r\n");
    EXPECT_EQ(body(m, 3), body(m));
    EXPECT_EQ(body(m, 100), body(m));
    EXPECT_EQ(body(m, SIZE_MAX), body(m));
    // CRLF and mixed line ends count the same.
    EXPECT_EQ(body("H: 1\r\n\r\nb1\r\nb2\r\n", 1), "H: 1\r\n\r\nb1\r\n.\r\n");
    EXPECT_EQ(body("H: 1\n\r\nb1\rb2\n", 1), "H: 1\r\n\r\nb1\r\n.\r\n");
    // No blank line: all of it is header.
    EXPECT_EQ(body("H: 1\nH: 2", 0), "H: 1\r\nH: 2\r\n.\r\n");
    // An empty header: the body starts after the first line.
    EXPECT_EQ(body("\nb1\nb2\n", 1), "\r\nb1\r\n.\r\n");
    // Blank lines in the body are body lines.
    EXPECT_EQ(body("H\n\n\n\nb\n", 2), "H\r\n\r\n\r\n\r\n.\r\n");
    EXPECT_EQ(body("", 0), ".\r\n");
}

TEST(Pop3Multiline, LargeMessageIsLinearAndReservedOnce) {
    // 1 MiB of bare-CR lines: the next-LF search must not rescan the rest for every line.
    std::string content(1 << 20, 'x');
    for (std::size_t i = 0; i < content.size(); i += 8) content[i] = '\r';
    std::string out = multiline_response("+OK\r\n", content);
    EXPECT_EQ(out.size(), 5 + multiline_size(content));
    EXPECT_EQ(out.substr(out.size() - 5), "\r\n.\r\n");
    // The buffer was allocated once: its capacity is exactly what was reserved (libstdc++
    // reserve() gives the requested capacity).
    EXPECT_EQ(out.capacity(), out.size());
}
