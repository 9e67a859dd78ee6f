// BINARY[<part>] (RFC 3516): transfer decoding of leaf parts.
#include <gtest/gtest.h>

#include "mime/decode.hpp"
#include "mime/message.hpp"
#include "mime/samples.hpp"

namespace tern::mime {
namespace {

std::string binary_ok(const ParsedMessage& m, std::vector<unsigned> part) {
    SectionData d = m.binary(part);
    EXPECT_TRUE(d.ok()) << static_cast<int>(d.status());
    return std::string(d.bytes());
}

TEST(Binary, Base64Attachment) {
    ParsedMessage m(samples::kMixed);
    EXPECT_EQ(binary_ok(m, {2}), "%PDF-1.4\n%%EOF\n");
    EXPECT_EQ(m.binary({2}).size(), 15u);  // BINARY.SIZE
    EXPECT_EQ(binary_ok(m, {1}), "See attached.");
}

TEST(Binary, QuotedPrintableNested) {
    ParsedMessage m(samples::kNested);
    EXPECT_EQ(binary_ok(m, {2, 1}), "Gr\xFC\xDF" "e");
    // A message part is served as it is; so is the whole message.
    EXPECT_EQ(binary_ok(m, {2}), std::string(m.section({{2}, SectionSpec::Kind::Whole, {}}).bytes()));
    EXPECT_EQ(binary_ok(m, {}), m.crlf());
}

TEST(Binary, QuotedPrintableSoftBreaksAndCrlf) {
    std::string msg =
        "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: Quoted-Printable\n\n"
        "caf=C3=A9 au lait, a very long line that goes=\non and on\nline two =3D ok\n";
    EXPECT_EQ(binary_ok(ParsedMessage(msg), {1}),
              "caf\xC3\xA9 au lait, a very long line that goeson and on\r\nline two = ok\r\n");
}

TEST(Binary, IdentityEncodingsServeCrlfBytes) {
    std::string msg = "Content-Transfer-Encoding: 8bit\n\nline \xE9\nline 2\n";
    ParsedMessage m(msg);
    EXPECT_EQ(binary_ok(m, {1}), "line \xE9\r\nline 2\r\n");
    EXPECT_EQ(binary_ok(ParsedMessage("\nno cte\n"), {1}), "no cte\r\n");
}

TEST(Binary, InvalidBase64DecodesWhatCanBeRecovered) {
    // RFC 2045 6.8: characters outside the alphabet are ignored; the broken final quantum
    // is dropped. No error: the client gets the recoverable octets.
    std::string msg =
        "Content-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n"
        "SGVs!!bG8g\nV29y*bGQ=\n%%%\nQUJD\nQQ\n";
    ParsedMessage m(msg);
    SectionData d = m.binary({1});
    EXPECT_TRUE(d.ok());
    EXPECT_EQ(d.bytes().substr(0, 11), "Hello World");
    // Garbage only.
    std::string junk = "Content-Transfer-Encoding: base64\n\n!!!! ????\n";
    EXPECT_EQ(binary_ok(ParsedMessage(junk), {1}), "");
}

TEST(Binary, DecodedContentWithNul) {
    std::string msg = "Content-Transfer-Encoding: base64\n\nAAEC\n";  // 00 01 02
    std::string out = binary_ok(ParsedMessage(msg), {1});
    EXPECT_EQ(out, std::string("\0\x01\x02", 3));
}

TEST(Binary, UnknownEncodingAndMissingParts) {
    ParsedMessage uu("Content-Transfer-Encoding: x-uuencode\n\nbegin 644 f\n`\nend\n");
    EXPECT_EQ(uu.binary({1}).status(), SectionStatus::UnknownEncoding);
    ParsedMessage m(samples::kMixed);
    EXPECT_EQ(m.binary({3}).status(), SectionStatus::NotFound);
    EXPECT_EQ(m.binary({0}).status(), SectionStatus::Invalid);
    SectionStatus st;
    EXPECT_EQ(fetch_binary(samples::kMixed, {2}, &st), "%PDF-1.4\n%%EOF\n");
    EXPECT_EQ(st, SectionStatus::Ok);
}

TEST(Binary, TransferEncodingNames) {
    EXPECT_EQ(classify_transfer_encoding(""), TransferEncoding::Identity);
    EXPECT_EQ(classify_transfer_encoding("7BIT"), TransferEncoding::Identity);
    EXPECT_EQ(classify_transfer_encoding("Binary"), TransferEncoding::Identity);
    EXPECT_EQ(classify_transfer_encoding("BASE64"), TransferEncoding::Base64);
    EXPECT_EQ(classify_transfer_encoding("quoted-printable"), TransferEncoding::QuotedPrintable);
    EXPECT_EQ(classify_transfer_encoding("x-gzip64"), TransferEncoding::Unknown);
}

}  // namespace
}  // namespace tern::mime
