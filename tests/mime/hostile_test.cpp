// Hostile and broken input: bounded nesting and part counts, garbage, odd line endings.
#include <gtest/gtest.h>

#include <random>

#include "mime/address.hpp"
#include "mime/envelope.hpp"
#include "mime/layout.hpp"
#include "mime/message.hpp"
#include "mime/search.hpp"
#include "mime/sort_keys.hpp"

namespace tern::mime {
namespace {

std::size_t depth_of(const BodyPart& p) {
    std::size_t d = 1;
    const BodyPart* cur = &p;
    while (!cur->children.empty()) {
        cur = &cur->children.back();
        ++d;
    }
    return d;
}

TEST(Hostile, DeepMultipartNestingIsBounded) {
    std::string m;
    const int levels = 5000;
    for (int i = 0; i < levels; ++i)
        m += "Content-Type: multipart/mixed; boundary=b" + std::to_string(i) + "\n\n--b" +
             std::to_string(i) + "\n";
    m += "\ninnermost\n";
    ParsedMessage pm(m);
    BodyPart p = pm.structure();
    EXPECT_LE(depth_of(p), detail::kMaxDepth + 2);
    // The entity at the limit is an opaque leaf holding the rest.
    const BodyPart* cur = &p;
    while (!cur->children.empty()) cur = &cur->children.back();
    EXPECT_EQ(cur->type, "application");
    EXPECT_EQ(cur->subtype, "octet-stream");
    EXPECT_GT(cur->size, 1000u);
    // Sections down there still work, and below it nothing is found.
    std::vector<unsigned> path(detail::kMaxDepth, 1);
    EXPECT_TRUE(pm.section({path, SectionSpec::Kind::Mime, {}}).ok());
    path.resize(detail::kMaxDepth + 5, 1);
    EXPECT_NE(pm.section({path, SectionSpec::Kind::Whole, {}}).status(), SectionStatus::Invalid);
    // The text below the limit is inside the opaque part: not searched.
    EXPECT_TRUE(body_text(pm).empty());
}

TEST(Hostile, DeepMessageRfc822NestingIsBounded) {
    std::string m;
    for (int i = 0; i < 3000; ++i) m += "Subject: level\nContent-Type: message/rfc822\n\n";
    m += "body\n";
    BodyPart p = parse_structure(m);
    EXPECT_LE(depth_of(p), detail::kMaxDepth + 2);
}

TEST(Hostile, PartCountIsBounded) {
    std::string m = "Content-Type: multipart/mixed; boundary=x\n\n";
    for (int i = 0; i < 30000; ++i) m += "--x\n\np\n";
    m += "--x--\n";
    ParsedMessage pm(m);
    EXPECT_LE(pm.layout().size(), detail::kMaxParts);
    BodyPart p = pm.structure();
    EXPECT_LT(p.children.size(), detail::kMaxParts);
    EXPECT_GT(p.children.size(), 1000u);
}

TEST(Hostile, AddressesAcrossEnclosedMessagesAreBounded) {
    std::string to = "To: ";
    for (int i = 0; i < 3000; ++i) to += "a@b,";
    std::string m = "Content-Type: multipart/mixed; boundary=x\n\n";
    for (int i = 0; i < 20; ++i) m += "--x\nContent-Type: message/rfc822\n\n" + to + "\n\nbody\n";
    m += "--x--\n";
    BodyPart p = parse_structure(m);
    ASSERT_EQ(p.children.size(), 20u);
    std::size_t total = 0;
    for (const auto& c : p.children) total += c.message ? c.message->to.size() : 0;
    EXPECT_EQ(p.children[0].message->to.size(), 3000u);
    EXPECT_LE(total, kMaxAddresses);
    // The RFC 2231 segment index does not size anything.
    BodyPart q = parse_structure("Content-Type: text/plain; a*999=x; b*998*=y\n\n");
    EXPECT_EQ(q.parameters, (Parameters{{"charset", "us-ascii"}}));
}

TEST(Hostile, ManyDashLinesStayFast) {
    // Lines that look like delimiters but are not, under a few levels of nesting.
    std::string m;
    for (int i = 0; i < 20; ++i)
        m += "Content-Type: multipart/mixed; boundary=q" + std::to_string(i) + "\n\n--q" +
             std::to_string(i) + "\n";
    m += "\n";
    for (int i = 0; i < 200000; ++i) m += "--q\n";
    BodyPart p = parse_structure(m);
    EXPECT_EQ(p.type, "multipart");
}

TEST(Hostile, RandomBytesNeverBreakAnything) {
    std::mt19937 rng(12345);
    const std::string alphabet = "\r\n\r\n-- :;=\"()<>@,\\abcxyzB\xC3\xFF\t\0";
    const std::string seeds[] = {
        "Content-Type: multipart/mixed; boundary=a\n\n--a\n",
        "Content-Type: message/rfc822\n\n",
        "Content-Transfer-Encoding: base64\n\n",
        "To: g: a@b, <c@d>;\nSubject: =?utf-8?q?x?=\n",
    };
    for (int round = 0; round < 2000; ++round) {
        std::string m = seeds[round % 4];
        std::size_t n = rng() % 300;
        for (std::size_t i = 0; i < n; ++i) m += alphabet[rng() % alphabet.size()];
        ParsedMessage pm(m);
        BodyPart p = pm.structure();
        EXPECT_LE(p.size, pm.crlf().size());
        (void)pm.envelope();
        (void)pm.section({{1, 1}, SectionSpec::Kind::Text, {}});
        (void)pm.binary({1});
        (void)body_text(pm);
        (void)sort_keys(m);
    }
}

TEST(Hostile, NulAndBareCr) {
    std::string m("Subject: a\0b\n\nx\0y\rz\n", 20);
    ParsedMessage pm(m);
    EXPECT_EQ(pm.crlf().size(), m.size() + 3);
    EXPECT_EQ(pm.envelope().subject, std::string("a\0b", 3));
    EXPECT_EQ(pm.structure().size, 7u);  // "x\0y\rz\r\n": a bare CR is not a line end
    EXPECT_EQ(pm.structure().lines, 1u);
}

}  // namespace
}  // namespace tern::mime
