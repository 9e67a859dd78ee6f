// Response data formats: quoted vs literal vs literal8, NIL, astring, mailbox names, flag
// lists, sequence sets, section specs; and that what we write reads back through our parser.
#include <gtest/gtest.h>

#include "imap/response_syntax.hpp"
#include "imap_test_util.hpp"

using namespace tern::imap;
using namespace tern::imap::test;

namespace {

template <class F>
std::string out(F f) {
    std::string s;
    f(s);
    return s;
}

std::string str(std::string_view v, bool utf8 = false) {
    return out([&](std::string& o) { append_string(o, v, utf8); });
}

std::string astr(std::string_view v, bool utf8 = false) {
    return out([&](std::string& o) { append_astring(o, v, utf8); });
}

}  // namespace

TEST(ResponseSyntax, QuotedOrLiteral) {
    EXPECT_EQ(str("abc"), "\"abc\"");
    EXPECT_EQ(str(""), "\"\"");
    EXPECT_EQ(str("say \"hi\" \\o/"), R"("say \"hi\" \\o/")");
    EXPECT_EQ(str("a\r\nb"), "{4}\r\na\r\nb");
    EXPECT_EQ(str("a\nb"), "{3}\r\na\nb");
    EXPECT_EQ(str(std::string("a\0b", 3)), std::string("{3}\r\na\0b", 8));
    EXPECT_EQ(str("caf\xC3\xA9"), "{5}\r\ncaf\xC3\xA9");
    EXPECT_EQ(str("caf\xC3\xA9", true), "\"caf\xC3\xA9\"");
    EXPECT_EQ(str("caf\xE9", true), "{4}\r\ncaf\xE9");  // not UTF-8
    EXPECT_EQ(str(std::string(kMaxQuoted, 'x')), "\"" + std::string(kMaxQuoted, 'x') + "\"");
    EXPECT_EQ(str(std::string(kMaxQuoted + 1, 'x')), "{1025}\r\n" + std::string(kMaxQuoted + 1, 'x'));
    EXPECT_EQ(out([](std::string& o) { append_nstring(o, std::nullopt); }), "NIL");
    EXPECT_EQ(out([](std::string& o) { append_nstring(o, std::string("NIL")); }), "\"NIL\"");
    EXPECT_EQ(out([](std::string& o) { append_literal(o, "xy"); }), "{2}\r\nxy");
    EXPECT_TRUE(quotable("plain ascii"));
    EXPECT_FALSE(quotable("\xF0\x9F\x98\x80"));
    EXPECT_TRUE(quotable("\xF0\x9F\x98\x80", true));
    EXPECT_FALSE(quotable("\xED\xA0\x80", true));  // surrogate
}

TEST(ResponseSyntax, Astring) {
    EXPECT_EQ(astr("INBOX"), "INBOX");
    EXPECT_EQ(astr("foo]bar"), "foo]bar");
    EXPECT_EQ(astr("a b"), "\"a b\"");
    EXPECT_EQ(astr(""), "\"\"");
    EXPECT_EQ(astr("nil"), "\"nil\"");
    EXPECT_EQ(astr("50%"), "\"50%\"");
    EXPECT_EQ(astr("a{b"), "\"a{b\"");
    EXPECT_EQ(astr("x\r"), "{2}\r\nx\r");
}

TEST(ResponseSyntax, Binary) {
    EXPECT_EQ(out([](std::string& o) { append_binary(o, "abc"); }), "{3}\r\nabc");
    EXPECT_EQ(out([](std::string& o) { append_binary(o, std::string("a\0c", 3)); }), std::string("~{3}\r\na\0c", 9));
    EXPECT_EQ(out([](std::string& o) { append_binary(o, ""); }), "{0}\r\n");
}

TEST(ResponseSyntax, MailboxFlagsSetsSections) {
    auto mbox = [](std::string_view n, bool utf8 = false) {
        return out([&](std::string& o) { append_mailbox(o, n, utf8); });
    };
    EXPECT_EQ(mbox("inbox"), "INBOX");
    EXPECT_EQ(mbox("Sent Items"), "\"Sent Items\"");
    EXPECT_EQ(mbox("&AOk-t&AOk-"), "&AOk-t&AOk-");
    EXPECT_EQ(mbox("\xC3\xA9t\xC3\xA9", true), "\"\xC3\xA9t\xC3\xA9\"");
    EXPECT_EQ(mbox("a/%"), "\"a/%\"");

    std::vector<std::string> flags{"\\Seen", "$Forwarded", "bad flag", "", "\\", "x\r\n* OK", "\\*", "Junk"};
    EXPECT_EQ(out([&](std::string& o) { append_flag_list(o, flags); }), "(\\Seen $Forwarded \\* Junk)");
    EXPECT_EQ(out([](std::string& o) { append_flag_list(o, std::vector<std::string>{}); }), "()");

    SequenceSet s;
    for (std::uint32_t n : {3u, 1u, 2u, 9u}) s.add(n);
    EXPECT_EQ(out([&](std::string& o) { append_sequence_set(o, s); }), "1:3,9");

    auto sec = [](Section x) { return out([&](std::string& o) { append_section(o, x); }); };
    using T = Section::Text;
    EXPECT_EQ(sec(Section{}), "");
    EXPECT_EQ(sec(Section{{1, 2}, T::None, {}}), "1.2");
    EXPECT_EQ(sec(Section{{}, T::Header, {}}), "HEADER");
    EXPECT_EQ(sec(Section{{3}, T::Mime, {}}), "3.MIME");
    EXPECT_EQ(sec(Section{{4, 1}, T::Text, {}}), "4.1.TEXT");
    EXPECT_EQ(sec(Section{{}, T::HeaderFields, {"From", "X Y"}}), "HEADER.FIELDS (From \"X Y\")");
    EXPECT_EQ(sec(Section{{2}, T::HeaderFieldsNot, {"Received"}}), "2.HEADER.FIELDS.NOT (Received)");
}

TEST(ResponseSyntax, WhatWeWriteOurParserReadsBack) {
    // Every string form we produce is a valid astring argument with the same octets.
    std::vector<std::string> values{"", "a", "a b", "\"", "\\", "NIL", "x]", "{5}", "a\r\nb", "caf\xC3\xA9",
                                    std::string(2000, 'q'), "tab\there", "\x7F", "%*"};
    for (int c = 1; c < 256; ++c) values.push_back(std::string(1, static_cast<char>(c)) + "z");
    for (const auto& v : values) {
        for (bool utf8 : {false, true}) {
            std::string line = "a LOGIN ";
            append_astring(line, v, utf8);
            line += ' ';
            append_string(line, v, utf8);
            auto l = body<Login>(line);
            EXPECT_EQ(l.user, v);
            EXPECT_EQ(l.password, v);
        }
    }
    // Sections read back too.
    Section s{{1, 2}, Section::Text::HeaderFieldsNot, {"From", "X Y", ""}};
    std::string line = "a FETCH 1 BODY[";
    append_section(line, s);
    line += "]";
    EXPECT_EQ(body<Fetch>(line).attributes.at(0).section, s);
}
