// BODY/BODYSTRUCTURE data (RFC 9051 7.5.2) from realistic messages, LF and CRLF.
#include <gtest/gtest.h>

#include "mime/crlf.hpp"
#include "mime/message.hpp"
#include "mime/samples.hpp"

namespace tern::mime {
namespace {

using samples::crlf;

Parameters charset_ascii() { return {{"charset", "us-ascii"}}; }

TEST(Structure, PlainMessageGetsTheDefaults) {
    BodyPart p = parse_structure(samples::kPlain);
    EXPECT_EQ(p.type, "text");
    EXPECT_EQ(p.subtype, "plain");
    EXPECT_EQ(p.parameters, charset_ascii());  // RFC 2045 5.2
    EXPECT_EQ(p.encoding, "7BIT");
    EXPECT_EQ(p.size, std::string("Hello Bob,\r\nhow are you?\r\n").size());
    EXPECT_EQ(p.lines, 2u);
    EXPECT_FALSE(p.id);
    EXPECT_FALSE(p.disposition);
    EXPECT_TRUE(p.children.empty());
    EXPECT_EQ(p.message, nullptr);
}

TEST(Structure, LfAndCrlfInputGiveTheSameStructure) {
    for (const char* m : {samples::kPlain, samples::kAlternative, samples::kMixed, samples::kNested}) {
        BodyPart lf = parse_structure(m);
        EXPECT_EQ(lf, parse_structure(crlf(m)));
        // Mixed line endings: first half CRLF, second half LF.
        std::string text = m;
        std::size_t cut = text.find('\n', text.size() / 2) + 1;
        std::string mixed = crlf(text.substr(0, cut)) + text.substr(cut);
        EXPECT_EQ(lf, parse_structure(mixed));
    }
}

TEST(Structure, Alternative) {
    BodyPart p = parse_structure(samples::kAlternative);
    EXPECT_EQ(p.type, "multipart");
    EXPECT_EQ(p.subtype, "alternative");
    EXPECT_EQ(p.parameters, (Parameters{{"boundary", "b1"}}));
    ASSERT_EQ(p.children.size(), 2u);
    const BodyPart& text = p.children[0];
    EXPECT_EQ(text.subtype, "plain");
    EXPECT_EQ(text.parameters, (Parameters{{"charset", "utf-8"}}));
    EXPECT_EQ(text.size, 10u);  // "plain text": the CRLF before the delimiter is not the part's
    EXPECT_EQ(text.lines, 1u);
    const BodyPart& html = p.children[1];
    EXPECT_EQ(html.subtype, "html");
    EXPECT_EQ(html.encoding, "quoted-printable");
    EXPECT_EQ(html.size, std::string("<p>html</p>").size());
    EXPECT_EQ(html.lines, 1u);
}

TEST(Structure, MixedWithBase64AttachmentAndExtensionFields) {
    BodyPart p = parse_structure(samples::kMixed);
    ASSERT_EQ(p.children.size(), 2u);
    EXPECT_EQ(p.parameters, (Parameters{{"boundary", "----=_Part_0"}}));
    const BodyPart& text = p.children[0];
    EXPECT_EQ(text.parameters, charset_ascii());  // text/* without charset (RFC 2046 4.1.2)
    EXPECT_EQ(text.size, std::string("See attached.").size());
    const BodyPart& pdf = p.children[1];
    EXPECT_EQ(pdf.type, "application");
    EXPECT_EQ(pdf.subtype, "pdf");
    EXPECT_EQ(pdf.parameters, (Parameters{{"name", "report.pdf"}}));
    EXPECT_EQ(pdf.encoding, "base64");
    EXPECT_EQ(pdf.size, std::string("JVBERi0xLjQK\r\nJSVFT0YK").size());
    EXPECT_EQ(pdf.lines, 0u);  // only text/* and message/rfc822 count lines
    EXPECT_EQ(pdf.id, "<part2@example.com>");
    EXPECT_EQ(pdf.description, "The report");
    EXPECT_EQ(pdf.md5, "Q2hlY2sgSW50ZWdyaXR5IQ==");
    EXPECT_EQ(pdf.language, (std::vector<std::string>{"en", "fr"}));
    EXPECT_EQ(pdf.location, "http://example.com/report.pdf");
    ASSERT_TRUE(pdf.disposition);
    EXPECT_EQ(pdf.disposition->type, "attachment");
    // RFC 2231 continuations joined; the charset-tagged value keeps its encoded form.
    EXPECT_EQ(pdf.disposition->parameters,
              (Parameters{{"filename*", "utf-8''R%C3%A9sum%C3%A9.pdf"}, {"size", "12"}}));
}

TEST(Structure, NestedMessageRfc822) {
    BodyPart p = parse_structure(samples::kNested);
    ASSERT_EQ(p.children.size(), 2u);
    const BodyPart& msg = p.children[1];
    EXPECT_EQ(msg.type, "message");
    EXPECT_EQ(msg.subtype, "rfc822");
    EXPECT_EQ(msg.parameters, Parameters{});
    ASSERT_NE(msg.message, nullptr);
    EXPECT_EQ(msg.message->subject, "=?utf-8?q?Gr=C3=BC=C3=9Fe?=");  // not decoded
    ASSERT_EQ(msg.message->from.size(), 1u);
    EXPECT_EQ(msg.message->from[0].name, "Inner, Sender");
    ASSERT_EQ(msg.children.size(), 1u);
    const BodyPart& inner = msg.children[0];
    EXPECT_EQ(inner.subtype, "alternative");
    ASSERT_EQ(inner.children.size(), 2u);
    EXPECT_EQ(inner.children[0].parameters, (Parameters{{"charset", "iso-8859-1"}}));
    EXPECT_EQ(inner.children[0].size, std::string("Gr=FC=DFe").size());
    // The message/rfc822 body runs from the enclosed header to "--inner--" and the empty line
    // after it (the CRLF before "--outer--" belongs to that delimiter).
    std::string lf = samples::kNested;
    std::size_t b = lf.find("From: \"Inner");
    std::size_t e = lf.find("\n--outer--");
    std::string body = crlf(lf.substr(b, e - b));
    EXPECT_EQ(msg.size, body.size());
    EXPECT_EQ(msg.lines, static_cast<std::uint64_t>(std::count(body.begin(), body.end(), '\n')));
}

TEST(Structure, MessageGlobalIsAMessage) {
    std::string m = "Content-Type: message/global\n\nSubject: caf\xC3\xA9\n\nbody\n";
    BodyPart p = parse_structure(m);
    ASSERT_NE(p.message, nullptr);
    EXPECT_EQ(p.message->subject, "caf\xC3\xA9");
    ASSERT_EQ(p.children.size(), 1u);
    EXPECT_EQ(p.children[0].size, 6u);
}

TEST(Structure, DigestPartsDefaultToMessageRfc822) {
    std::string m =
        "Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: one\n\nfirst\n--d\n"
        "Content-Type: text/plain\n\nnote\n--d--\n";
    BodyPart p = parse_structure(m);
    ASSERT_EQ(p.children.size(), 2u);
    EXPECT_EQ(p.children[0].type, "message");
    EXPECT_EQ(p.children[0].subtype, "rfc822");
    ASSERT_NE(p.children[0].message, nullptr);
    EXPECT_EQ(p.children[0].message->subject, "one");
    EXPECT_EQ(p.children[1].type, "text");
}

TEST(Structure, Rfc2231ContinuationsAndCharsets) {
    std::string m =
        "Content-Type: application/x-stuff;\n"
        " title*0*=us-ascii'en'This%20is%20even%20more%20;\n"
        " title*1*=%2A%2A%2Afun%2A%2A%2A%20;\n"
        " title*2=\"isn't it!\"; plain*0=\"abc\"; plain*1=def; Other=\"q\\\"uote\"\n\nx";
    BodyPart p = parse_structure(m);
    EXPECT_EQ(p.parameters,
              (Parameters{{"title*", "us-ascii'en'This%20is%20even%20more%20%2A%2A%2Afun%2A%2A%2A%20isn%27t%20it!"},
                          {"plain", "abcdef"},
                          {"Other", "q\"uote"}}));
}

TEST(Structure, UnquotedBoundaryWithSpecials) {
    std::string m =
        "Content-Type: multipart/mixed; boundary=----=_NextPart_000_0012 (a comment)\n\n"
        "------=_NextPart_000_0012\n\none\n------=_NextPart_000_0012--\n";
    BodyPart p = parse_structure(m);
    EXPECT_EQ(p.parameters, (Parameters{{"boundary", "----=_NextPart_000_0012"}}));
    ASSERT_EQ(p.children.size(), 1u);
    EXPECT_EQ(p.children[0].size, 3u);
}

TEST(Structure, MissingHeadersAndNoBody) {
    BodyPart p = parse_structure("");
    EXPECT_EQ(p.type, "text");
    EXPECT_EQ(p.size, 0u);
    EXPECT_EQ(p.lines, 0u);
    p = parse_structure("Subject: only a header\n");  // no empty line: all header
    EXPECT_EQ(p.size, 0u);
    p = parse_structure("\nbody without header\n");
    EXPECT_EQ(p.size, std::string("body without header\r\n").size());
    EXPECT_EQ(p.lines, 1u);
}

TEST(Structure, InvalidContentTypeFallsBackToTextPlain) {
    BodyPart p = parse_structure("Content-Type: garbage\n\nx\n");
    EXPECT_EQ(p.type, "text");
    EXPECT_EQ(p.subtype, "plain");
    EXPECT_EQ(p.parameters, charset_ascii());
}

TEST(Structure, BogusBoundaries) {
    // Boundary declared but never used: one empty text/plain part is reported.
    BodyPart p = parse_structure("Content-Type: multipart/mixed; boundary=zz\n\nno parts here\n");
    EXPECT_EQ(p.type, "multipart");
    ASSERT_EQ(p.children.size(), 1u);
    EXPECT_EQ(p.children[0].size, 0u);
    EXPECT_EQ(p.children[0].parameters, charset_ascii());
    // No boundary parameter at all.
    p = parse_structure("Content-Type: multipart/mixed\n\n--x\n\nbody\n--x--\n");
    ASSERT_EQ(p.children.size(), 1u);
    EXPECT_EQ(p.children[0].size, 0u);
    // A delimiter with trailing junk is not a delimiter; trailing blanks are fine.
    p = parse_structure(
        "Content-Type: multipart/mixed; boundary=b\n\n--b \t\n\none\n--bx\nstill one\n--b--\n");
    ASSERT_EQ(p.children.size(), 1u);
    EXPECT_EQ(p.children[0].size, std::string("one\r\n--bx\r\nstill one").size());
}

TEST(Structure, InnerBoundaryThatExtendsTheOuterOne) {
    // Outer "abcdef", inner "abc": the inner delimiters must not end the outer parts.
    std::string m =
        "Content-Type: multipart/mixed; boundary=abcdef\n\n--abcdef\n"
        "Content-Type: multipart/alternative; boundary=abc\n\n--abc\n\nA\n--abc\n\nB\n--abc--\n"
        "--abcdef\n\nC\n--abcdef--\n";
    BodyPart p = parse_structure(m);
    ASSERT_EQ(p.children.size(), 2u);
    ASSERT_EQ(p.children[0].children.size(), 2u);
    EXPECT_EQ(p.children[0].children[1].size, 1u);
    EXPECT_EQ(p.children[1].size, 1u);
}

TEST(Structure, TruncatedMessages) {
    std::string full = samples::kMixed;
    // Cut inside the attachment: the last part runs to the end of the message.
    std::string cut = full.substr(0, full.find("JSVFT0YK"));
    BodyPart p = parse_structure(cut);
    ASSERT_EQ(p.children.size(), 2u);
    EXPECT_EQ(p.children[1].size, std::string("JVBERi0xLjQK\r\n").size());
    // Cut inside the part header.
    cut = full.substr(0, full.find("Content-ID"));
    p = parse_structure(cut);
    ASSERT_EQ(p.children.size(), 2u);
    EXPECT_EQ(p.children[1].size, 0u);
    EXPECT_EQ(p.children[1].encoding, "base64");
    // Every prefix parses (no crash, no part beyond the end).
    for (std::size_t n = 0; n <= full.size(); ++n) {
        ParsedMessage m(full.substr(0, n));
        EXPECT_LE(m.structure().size, m.crlf().size());
    }
}

TEST(Structure, EightBitHeadersKeptAsTheyAre) {
    std::string m = "Subject: Gr\xFC\xDF" "e\nContent-Description: caf\xC3\xA9\n\nx";
    ParsedMessage pm(m);
    EXPECT_EQ(pm.envelope().subject, "Gr\xFC\xDF" "e");
    EXPECT_EQ(pm.structure().description, "caf\xC3\xA9");
}

TEST(Structure, FirstOfRepeatedContentFieldsWins) {
    BodyPart p = parse_structure(
        "Content-Type: text/html; charset=utf-8\nContent-Type: image/png\n"
        "Content-Transfer-Encoding: 8bit\nContent-Transfer-Encoding: base64\n\nx");
    EXPECT_EQ(p.subtype, "html");
    EXPECT_EQ(p.encoding, "8bit");
}

TEST(Structure, CrlfHelpers) {
    EXPECT_EQ(to_crlf("a\nb\r\nc\rd\n"), "a\r\nb\r\nc\rd\r\n");
    EXPECT_EQ(crlf_size("a\nb\r\nc\rd\n"), to_crlf("a\nb\r\nc\rd\n").size());
    EXPECT_EQ(crlf_size("\n\n"), 4u);
    EXPECT_TRUE(is_crlf("a\r\nb"));
    EXPECT_FALSE(is_crlf("a\nb"));
    EXPECT_EQ(partial("abcdef", 2, 3), "cde");
    EXPECT_EQ(partial("abcdef", 4, 10), "ef");
    EXPECT_EQ(partial("abcdef", 6, 1), "");
    EXPECT_EQ(partial("abcdef", 100), "");
    EXPECT_EQ(partial("abcdef", 1), "bcdef");
    ParsedMessage m(samples::kPlain);
    EXPECT_EQ(m.crlf().size(), crlf_size(samples::kPlain));  // RFC822.SIZE
}

}  // namespace
}  // namespace tern::mime
