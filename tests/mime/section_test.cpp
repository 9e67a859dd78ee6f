// FETCH BODY[<section>] (RFC 9051 6.4.5): every kind of section, on top-level and nested parts.
#include <gtest/gtest.h>

#include "mime/crlf.hpp"
#include "mime/message.hpp"
#include "mime/samples.hpp"

namespace tern::mime {
namespace {

using samples::crlf;
using K = SectionSpec::Kind;

std::string fetch(const ParsedMessage& m, std::vector<unsigned> part, K kind = K::Whole,
                  std::vector<std::string> fields = {}) {
    SectionData d = m.section({std::move(part), kind, std::move(fields)});
    EXPECT_TRUE(d.ok()) << static_cast<int>(d.status());
    return std::string(d.bytes());
}

SectionStatus status(const ParsedMessage& m, std::vector<unsigned> part, K kind = K::Whole) {
    return m.section({std::move(part), kind, {}}).status();
}

TEST(Section, TopLevelOfAPlainMessage) {
    ParsedMessage m(samples::kPlain);
    std::string full = crlf(samples::kPlain);
    std::size_t split = full.find("\r\n\r\n") + 4;
    EXPECT_EQ(fetch(m, {}), full);
    EXPECT_EQ(fetch(m, {}, K::Header), full.substr(0, split));
    EXPECT_EQ(fetch(m, {}, K::Text), full.substr(split));
    // Part 1 of a non-multipart message is its body; its MIME header is the message header.
    EXPECT_EQ(fetch(m, {1}), full.substr(split));
    EXPECT_EQ(fetch(m, {1}, K::Mime), full.substr(0, split));
    EXPECT_EQ(status(m, {2}), SectionStatus::NotFound);
    // Below a single-part message's part 1 there is nothing (Dovecot agrees).
    EXPECT_EQ(status(m, {1, 1}), SectionStatus::NotFound);
    EXPECT_EQ(status(m, {1, 2}), SectionStatus::NotFound);
    EXPECT_EQ(status(m, {1}, K::Header), SectionStatus::NotFound);  // not a message part
    EXPECT_EQ(status(m, {}, K::Mime), SectionStatus::Invalid);
    EXPECT_EQ(status(m, {0}), SectionStatus::Invalid);
}

TEST(Section, HeaderFieldsKeepOrderFoldingAndTheEmptyLine) {
    std::string msg =
        "Received: from a\n\tby b\nSubject: hi\n  there\nFrom: x@y.z\nsubject: again\n\nbody\n";
    ParsedMessage m(msg);
    EXPECT_EQ(fetch(m, {}, K::HeaderFields, {"SUBJECT", "From"}),
              "Subject: hi\r\n  there\r\nFrom: x@y.z\r\nsubject: again\r\n\r\n");
    EXPECT_EQ(fetch(m, {}, K::HeaderFieldsNot, {"subject", "from"}),
              "Received: from a\r\n\tby b\r\n\r\n");
    EXPECT_EQ(fetch(m, {}, K::HeaderFields, {"X-Absent"}), "\r\n");
    // A message with no empty line has no empty line to return (RFC 3501 6.4.5).
    ParsedMessage headless("Subject: hi\nFrom: x@y.z");
    EXPECT_EQ(fetch(headless, {}, K::HeaderFields, {"From"}), "From: x@y.z\r\n");
    EXPECT_EQ(fetch(headless, {}, K::Header), "Subject: hi\r\nFrom: x@y.z");
    EXPECT_EQ(fetch(headless, {}, K::Text), "");
}

TEST(Section, MultipartParts) {
    ParsedMessage m(samples::kAlternative);
    EXPECT_EQ(fetch(m, {1}), "plain text");
    EXPECT_EQ(fetch(m, {1}, K::Mime), "Content-Type: text/plain; charset=utf-8\r\n\r\n");
    EXPECT_EQ(fetch(m, {2}), "<p>html</p>");
    EXPECT_EQ(fetch(m, {}, K::Text),
              "preamble\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nplain text\r\n"
              "--b1\r\nContent-Type: text/html; charset=utf-8\r\n"
              "Content-Transfer-Encoding: quoted-printable\r\n\r\n<p>html</p>\r\n--b1--\r\n"
              "epilogue\r\n");
    EXPECT_EQ(status(m, {3}), SectionStatus::NotFound);
    // A leaf part's part 1 is the part itself, as Dovecot resolves it; nothing else is there.
    EXPECT_EQ(fetch(m, {1, 1}), "plain text");
    EXPECT_EQ(status(m, {1, 2}), SectionStatus::NotFound);
    EXPECT_EQ(status(m, {1, 1, 1}), SectionStatus::NotFound);
    EXPECT_EQ(status(m, {1}, K::Text), SectionStatus::NotFound);
    // The sizes BODYSTRUCTURE reports are the sizes of these sections.
    BodyPart s = m.structure();
    EXPECT_EQ(s.children[0].size, m.section({{1}, K::Whole, {}}).size());
    EXPECT_EQ(s.children[1].size, m.section({{2}, K::Whole, {}}).size());
}

TEST(Section, NestedMessageParts) {
    ParsedMessage m(samples::kNested);
    std::string lf = samples::kNested;
    std::size_t b = lf.find("From: \"Inner");
    std::size_t e = lf.find("\n--outer--");
    std::string enclosed = crlf(lf.substr(b, e - b));
    std::size_t split = enclosed.find("\r\n\r\n") + 4;
    EXPECT_EQ(fetch(m, {2}), enclosed);
    EXPECT_EQ(fetch(m, {2}, K::Mime), "Content-Type: message/rfc822\r\n\r\n");
    EXPECT_EQ(fetch(m, {2}, K::Header), enclosed.substr(0, split));
    EXPECT_EQ(fetch(m, {2}, K::Text), enclosed.substr(split));
    EXPECT_EQ(fetch(m, {2}, K::HeaderFields, {"subject"}),
              "Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=\r\n\r\n");
    EXPECT_EQ(fetch(m, {2}, K::HeaderFieldsNot, {"From", "To", "Subject"}),
              "Content-Type: multipart/alternative; boundary=inner\r\n\r\n");
    EXPECT_EQ(fetch(m, {2, 1}), "Gr=FC=DFe");
    EXPECT_EQ(fetch(m, {2, 1}, K::Mime),
              "Content-Type: text/plain; charset=iso-8859-1\r\n"
              "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
    EXPECT_EQ(fetch(m, {2, 2}), "<b>hi</b>");
    EXPECT_EQ(fetch(m, {2, 2}, K::Mime), "Content-Type: text/html\r\n\r\n");
    EXPECT_EQ(status(m, {2, 3}), SectionStatus::NotFound);
    EXPECT_EQ(status(m, {2, 1}, K::Header), SectionStatus::NotFound);
    EXPECT_EQ(fetch(m, {1}), "See below.");
    // Message part whose enclosed message is not multipart: 1 is its body.
    ParsedMessage single("Content-Type: message/rfc822\n\nSubject: s\n\ninner body\n");
    EXPECT_EQ(fetch(single, {1}), "Subject: s\r\n\r\ninner body\r\n");
    EXPECT_EQ(fetch(single, {1}, K::Header), "Subject: s\r\n\r\n");
    EXPECT_EQ(fetch(single, {1, 1}), "inner body\r\n");
    EXPECT_EQ(fetch(single, {1, 1}, K::Mime), "Subject: s\r\n\r\n");
    EXPECT_EQ(status(single, {1, 2}), SectionStatus::NotFound);
}

TEST(Section, SameBytesFromLfAndCrlfStorage) {
    for (const char* text : {samples::kPlain, samples::kMixed, samples::kNested}) {
        ParsedMessage lf(text), cr(crlf(text));
        for (auto spec : std::vector<SectionSpec>{{{}, K::Whole, {}},
                                                  {{}, K::Header, {}},
                                                  {{1}, K::Whole, {}},
                                                  {{2}, K::Mime, {}},
                                                  {{2}, K::Text, {}},
                                                  {{}, K::HeaderFields, {"from"}}}) {
            SectionData a = lf.section(spec), b = cr.section(spec);
            EXPECT_EQ(a.status(), b.status());
            EXPECT_EQ(a.bytes(), b.bytes());
        }
    }
}

TEST(Section, OneShotHelpersAndPartial) {
    SectionStatus st;
    EXPECT_EQ(fetch_section(samples::kAlternative, {{2}, K::Whole, {}}, &st), "<p>html</p>");
    EXPECT_EQ(st, SectionStatus::Ok);
    EXPECT_EQ(fetch_section(samples::kAlternative, {{9}, K::Whole, {}}, &st), "");
    EXPECT_EQ(st, SectionStatus::NotFound);
    ParsedMessage m(samples::kPlain);
    SectionData text = m.section({{}, K::Text, {}});
    EXPECT_EQ(partial(text.bytes(), 6, 4), "Bob,");  // offsets count CRLF octets
    EXPECT_EQ(partial(text.bytes(), 10, 4), "\r\nho");
}

TEST(Section, ViewsSurviveMovingTheMessage) {
    ParsedMessage m(samples::kPlain);
    SectionData d = m.section({{}, K::Text, {}});
    ParsedMessage moved = std::move(m);
    EXPECT_EQ(d.bytes(), "Hello Bob,\r\nhow are you?\r\n");
    SectionData fields = moved.section({{}, K::HeaderFields, {"to"}});
    SectionData copy = fields;  // owned bytes follow the copy
    EXPECT_EQ(copy.bytes(), "To: bob@example.org\r\n\r\n");
}

}  // namespace
}  // namespace tern::mime
