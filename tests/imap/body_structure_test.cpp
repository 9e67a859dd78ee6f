// ENVELOPE, BODY and BODYSTRUCTURE against the RFC 3501 examples and Dovecot-style output.
#include <gtest/gtest.h>

#include <memory>

#include "imap/body_structure.hpp"

using namespace tern;
using namespace tern::imap;

namespace {

mime::EnvelopeAddress addr(mime::NString name, std::string mailbox, std::string host) {
    return mime::EnvelopeAddress{std::move(name), std::nullopt, std::move(mailbox), std::move(host)};
}

std::string envelope(const mime::Envelope& e, bool utf8 = false) {
    std::string s;
    render_envelope(s, e, utf8);
    return s;
}

std::string body(const mime::BodyPart& p, bool extended, bool utf8 = false) {
    std::string s;
    render_body(s, p, extended, utf8);
    return s;
}

mime::BodyPart part(std::string type, std::string subtype, mime::Parameters params, std::string enc,
                    std::uint64_t size, std::uint64_t lines = 0) {
    mime::BodyPart p;
    p.type = std::move(type);
    p.subtype = std::move(subtype);
    p.parameters = std::move(params);
    p.encoding = std::move(enc);
    p.size = size;
    p.lines = lines;
    return p;
}

mime::Envelope rfc3501_envelope() {
    mime::Envelope e;
    e.date = "Wed, 17 Jul 1996 02:23:25 -0700 (PDT)";
    e.subject = "IMAP4rev1 WG mtg summary and minutes";
    e.from = {addr("Terry Gray", "gray", "cac.washington.edu")};
    e.to = {addr(std::nullopt, "imap", "cac.washington.edu")};
    e.cc = {addr(std::nullopt, "minutes", "CNRI.Reston.VA.US"), addr("John Klensin", "KLENSIN", "MIT.EDU")};
    e.message_id = "<B27397-0100000@cac.washington.edu>";
    return e;
}

}  // namespace

TEST(BodyStructure, Rfc3501Envelope) {
    // RFC 3501 8: sender and reply-to default to from.
    EXPECT_EQ(envelope(rfc3501_envelope()),
              "(\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" \"IMAP4rev1 WG mtg summary and minutes\" "
              "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
              "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
              "((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "
              "((NIL NIL \"imap\" \"cac.washington.edu\")) "
              "((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")(\"John Klensin\" NIL \"KLENSIN\" \"MIT.EDU\")) "
              "NIL NIL \"<B27397-0100000@cac.washington.edu>\")");
}

TEST(BodyStructure, EnvelopeEdgeCases) {
    mime::Envelope e;
    EXPECT_EQ(envelope(e), "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)");
    // Groups (RFC 9051 7.5.2), explicit sender, quoting, 8-bit, CRLF.
    e.subject = "He said \"hi\" \\o/";
    e.from = {addr("A", "a", "x.test")};
    e.sender = {addr(std::nullopt, "list", "x.test")};
    e.to = {mime::EnvelopeAddress{std::nullopt, std::nullopt, "undisclosed-recipients", std::nullopt},
            mime::EnvelopeAddress{}};
    e.in_reply_to = "<a@b>";
    EXPECT_EQ(envelope(e),
              "(NIL \"He said \\\"hi\\\" \\\\o/\" ((\"A\" NIL \"a\" \"x.test\")) ((NIL NIL \"list\" \"x.test\")) "
              "((\"A\" NIL \"a\" \"x.test\")) ((NIL NIL \"undisclosed-recipients\" NIL)(NIL NIL NIL NIL)) NIL NIL "
              "\"<a@b>\" NIL)");
    mime::Envelope u;
    u.subject = "\xC3\xA9t\xC3\xA9";
    EXPECT_EQ(envelope(u), "(NIL {5}\r\n\xC3\xA9t\xC3\xA9 NIL NIL NIL NIL NIL NIL NIL NIL)");
    EXPECT_EQ(envelope(u, true), "(NIL \"\xC3\xA9t\xC3\xA9\" NIL NIL NIL NIL NIL NIL NIL NIL)");
    u.subject = "two\r\n lines";
    EXPECT_EQ(envelope(u), "(NIL {11}\r\ntwo\r\n lines NIL NIL NIL NIL NIL NIL NIL NIL)");
}

TEST(BodyStructure, Rfc3501SinglePartBody) {
    auto p = part("TEXT", "PLAIN", {{"CHARSET", "US-ASCII"}}, "7BIT", 3028, 92);
    EXPECT_EQ(body(p, false), "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92)");
    EXPECT_EQ(body(p, true), "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92 NIL NIL NIL NIL)");
}

TEST(BodyStructure, Rfc3501Multipart) {
    mime::BodyPart mixed;
    mixed.type = "MULTIPART";
    mixed.subtype = "MIXED";
    mixed.children.push_back(part("TEXT", "PLAIN", {{"CHARSET", "US-ASCII"}}, "7BIT", 1152, 23));
    auto diff = part("TEXT", "PLAIN", {{"CHARSET", "US-ASCII"}, {"NAME", "cc.diff"}}, "BASE64", 4554, 73);
    diff.id = "<960723163407.20117h@cac.washington.edu>";
    diff.description = "Compiler diff";
    mixed.children.push_back(diff);
    // RFC 3501 7.4.2 BODYSTRUCTURE example (it shows the non-extensible form).
    EXPECT_EQ(body(mixed, false),
              "((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 1152 23)(\"TEXT\" \"PLAIN\" "
              "(\"CHARSET\" \"US-ASCII\" \"NAME\" \"cc.diff\") \"<960723163407.20117h@cac.washington.edu>\" "
              "\"Compiler diff\" \"BASE64\" 4554 73) \"MIXED\")");
}

TEST(BodyStructure, DovecotStyleExtended) {
    mime::BodyPart mixed;
    mixed.type = "multipart";
    mixed.subtype = "mixed";
    mixed.parameters = {{"boundary", "xyz"}};
    mixed.children.push_back(part("text", "plain", {{"charset", "utf-8"}}, "7bit", 10, 1));
    auto pdf = part("application", "pdf", {{"name", "a.pdf"}}, "base64", 100);
    pdf.disposition = mime::Disposition{"attachment", {{"filename", "a.pdf"}}};
    pdf.md5 = "Q2hlY2sgSW50ZWdyaXR5IQ==";
    pdf.language = {"en", "fr"};
    pdf.location = "http://example.test/a.pdf";
    mixed.children.push_back(pdf);
    EXPECT_EQ(body(mixed, true),
              "((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 10 1 NIL NIL NIL NIL)"
              "(\"application\" \"pdf\" (\"name\" \"a.pdf\") NIL NIL \"base64\" 100 \"Q2hlY2sgSW50ZWdyaXR5IQ==\" "
              "(\"attachment\" (\"filename\" \"a.pdf\")) (\"en\" \"fr\") \"http://example.test/a.pdf\") "
              "\"mixed\" (\"boundary\" \"xyz\") NIL NIL NIL)");
    EXPECT_EQ(body(mixed, false),
              "((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 10 1)"
              "(\"application\" \"pdf\" (\"name\" \"a.pdf\") NIL NIL \"base64\" 100) \"mixed\")");
    // One language is a string, a disposition without parameters has NIL.
    auto t = part("text", "html", {}, "quoted-printable", 7, 2);
    t.language = {"de"};
    t.disposition = mime::Disposition{"inline", {}};
    EXPECT_EQ(body(t, true), "(\"text\" \"html\" NIL NIL NIL \"quoted-printable\" 7 2 NIL (\"inline\" NIL) \"de\" NIL)");
}

TEST(BodyStructure, EnclosedMessage) {
    auto inner_env = std::make_shared<mime::Envelope>();
    inner_env->subject = "inner";
    inner_env->from = {addr(std::nullopt, "a", "b.test")};
    auto msg = part("message", "rfc822", {}, "7bit", 200, 10);
    msg.message = inner_env;
    msg.children.push_back(part("text", "plain", {{"charset", "us-ascii"}}, "7bit", 50, 3));
    std::string inner_body = "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 50 3";
    std::string env = "(NIL \"inner\" ((NIL NIL \"a\" \"b.test\")) ((NIL NIL \"a\" \"b.test\")) "
                      "((NIL NIL \"a\" \"b.test\")) NIL NIL NIL NIL NIL)";
    EXPECT_EQ(body(msg, false),
              "(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 200 " + env + " " + inner_body + ") 10)");
    EXPECT_EQ(body(msg, true), "(\"message\" \"rfc822\" NIL NIL NIL \"7bit\" 200 " + env + " " + inner_body +
                                   " NIL NIL NIL NIL) 10 NIL NIL NIL NIL)");
    // message/global too; without envelope or body we still emit valid syntax.
    auto bare = part("MESSAGE", "GLOBAL", {}, "8bit", 0, 0);
    EXPECT_EQ(body(bare, false),
              "(\"MESSAGE\" \"GLOBAL\" NIL NIL NIL \"8bit\" 0 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) "
              "(\"text\" \"plain\" NIL NIL NIL \"7BIT\" 0 0) 0)");
}

TEST(BodyStructure, DegenerateStructuresStayValid) {
    mime::BodyPart empty_multi;
    empty_multi.type = "multipart";
    empty_multi.subtype = "alternative";
    EXPECT_EQ(body(empty_multi, false), "((\"text\" \"plain\" NIL NIL NIL \"7BIT\" 0 0) \"alternative\")");
    // A basic part has no lines.
    EXPECT_EQ(body(part("image", "png", {}, "base64", 12, 99), false),
              "(\"image\" \"png\" NIL NIL NIL \"base64\" 12)");
    // Depth beyond kMaxBodyDepth is cut, not recursed into.
    mime::BodyPart deep = part("text", "plain", {}, "7bit", 1, 1);
    for (std::size_t i = 0; i < 10000; ++i) {
        mime::BodyPart m;
        m.type = "multipart";
        m.subtype = "mixed";
        m.children.push_back(std::move(deep));
        deep = std::move(m);
    }
    std::string s = body(deep, true);
    EXPECT_EQ(s.substr(0, kMaxBodyDepth + 1), std::string(kMaxBodyDepth + 1, '('));
    EXPECT_LT(s.size(), 100000u);
    // Tearing the deep structure down recursively is the builder's problem; do it iteratively.
    while (!deep.children.empty()) {
        mime::BodyPart child = std::move(deep.children.front());
        deep = std::move(child);
    }
}
