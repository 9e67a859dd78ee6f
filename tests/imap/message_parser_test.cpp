// FETCH, STORE, COPY, MOVE and EXPUNGE, with and without UID.
#include <gtest/gtest.h>

#include "imap_test_util.hpp"

using namespace tern::imap;
using namespace tern::imap::test;

namespace {

using FK = FetchAttribute::Kind;

FetchAttribute att(FK kind) {
    FetchAttribute a;
    a.kind = kind;
    return a;
}

FetchAttribute section(FK kind, bool peek, Section s, std::optional<Partial> p = std::nullopt) {
    FetchAttribute a = att(kind);
    a.peek = peek;
    a.section = std::move(s);
    a.partial = p;
    return a;
}

std::vector<FetchAttribute> items(const std::string& spec) { return body<Fetch>("a FETCH 1 " + spec).attributes; }

}  // namespace

TEST(MessageParser, FetchSimpleItemsAndMacros) {
    auto f = body<Fetch>("A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])");
    EXPECT_EQ(f.set.to_string(), "2:4");
    ASSERT_EQ(f.attributes.size(), 2u);
    EXPECT_EQ(f.attributes[0], att(FK::Flags));
    EXPECT_EQ(f.attributes[1],
              section(FK::BodySection, false, Section{{}, Section::Text::HeaderFields, {"DATE", "FROM"}}));
    EXPECT_EQ(items("(envelope flags internaldate rfc822.size uid modseq body bodystructure rfc822 rfc822.header "
                    "rfc822.text)"),
              (std::vector<FetchAttribute>{att(FK::Envelope), att(FK::Flags), att(FK::InternalDate),
                                           att(FK::Rfc822Size), att(FK::Uid), att(FK::Modseq), att(FK::Body),
                                           att(FK::BodyStructure), att(FK::Rfc822), att(FK::Rfc822Header),
                                           att(FK::Rfc822Text)}));
    EXPECT_EQ(items("FLAGS"), (std::vector<FetchAttribute>{att(FK::Flags)}));
    EXPECT_EQ(items("FAST"), (std::vector<FetchAttribute>{att(FK::Flags), att(FK::InternalDate), att(FK::Rfc822Size)}));
    EXPECT_EQ(items("all"), (std::vector<FetchAttribute>{att(FK::Flags), att(FK::InternalDate), att(FK::Rfc822Size),
                                                         att(FK::Envelope)}));
    EXPECT_EQ(items("FULL"), (std::vector<FetchAttribute>{att(FK::Flags), att(FK::InternalDate), att(FK::Rfc822Size),
                                                          att(FK::Envelope), att(FK::Body)}));
    EXPECT_EQ(error("a FETCH 1 (ALL)").message, "FETCH: macro ALL must be used alone");
    EXPECT_EQ(error("a FETCH 1 (FLAGS FAST)").message, "FETCH: macro FAST must be used alone");
}

TEST(MessageParser, FetchSections) {
    using T = Section::Text;
    EXPECT_EQ(items("BODY[]").at(0), section(FK::BodySection, false, Section{}));
    EXPECT_EQ(items("BODY.PEEK[]<0.1024>").at(0), section(FK::BodySection, true, Section{}, Partial{0, 1024}));
    EXPECT_EQ(items("BODY[HEADER]").at(0), section(FK::BodySection, false, Section{{}, T::Header, {}}));
    EXPECT_EQ(items("BODY[TEXT]").at(0), section(FK::BodySection, false, Section{{}, T::Text, {}}));
    EXPECT_EQ(items("BODY[1]").at(0), section(FK::BodySection, false, Section{{1}, T::None, {}}));
    EXPECT_EQ(items("BODY[4.2.2.1]").at(0), section(FK::BodySection, false, Section{{4, 2, 2, 1}, T::None, {}}));
    EXPECT_EQ(items("BODY[3.MIME]").at(0), section(FK::BodySection, false, Section{{3}, T::Mime, {}}));
    EXPECT_EQ(items("BODY[4.2.HEADER]").at(0), section(FK::BodySection, false, Section{{4, 2}, T::Header, {}}));
    EXPECT_EQ(items("body.peek[header.fields.not (Received \"X-Spam\" {3}\r\nA B)]").at(0),
              section(FK::BodySection, true, Section{{}, T::HeaderFieldsNot, {"Received", "X-Spam", "A B"}}));
    EXPECT_EQ(items("BODY[1.2.TEXT]<100.50>").at(0),
              section(FK::BodySection, false, Section{{1, 2}, T::Text, {}}, Partial{100, 50}));
    EXPECT_EQ(items("BINARY[1.2]").at(0), section(FK::Binary, false, Section{{1, 2}, T::None, {}}));
    EXPECT_EQ(items("BINARY.PEEK[]<5.6>").at(0), section(FK::Binary, true, Section{}, Partial{5, 6}));
    EXPECT_EQ(items("BINARY.SIZE[3]").at(0), section(FK::BinarySize, false, Section{{3}, T::None, {}}));

    EXPECT_EQ(error("a FETCH 1 BODY[MIME]").message, "FETCH: unknown section text");
    EXPECT_EQ(error("a FETCH 1 BODY[0]").message,
              "FETCH: section part number must be a non-zero number without leading zeros");
    EXPECT_EQ(error("a FETCH 1 BODY[1.]").message, "FETCH: expected section text");
    EXPECT_EQ(error("a FETCH 1 BODY[HEADER.FIELDS ()]").kind, ParseErrorKind::Syntax);
    EXPECT_EQ(error("a FETCH 1 BODY[HEADER.FIELDS]").message, "FETCH: expected a space before header field list");
    EXPECT_EQ(error("a FETCH 1 BODY[TEXT").message, "FETCH: expected \"]\" to end the section");
    EXPECT_EQ(error("a FETCH 1 BODY[]<0.0>").message, "FETCH: partial length must not be zero");
    EXPECT_EQ(error("a FETCH 1 BODY[]<5>").message, "FETCH: expected \".\" and the partial length");
    EXPECT_EQ(error("a FETCH 1 BODY.PEEK").message, "FETCH: expected \"[\" to start the section");
    EXPECT_EQ(error("a FETCH 1 BINARY[TEXT]").message, "FETCH: expected section part numbers");
    EXPECT_EQ(error("a FETCH 1 BINARY.SIZE[1]<0.5>").kind, ParseErrorKind::Syntax);
    EXPECT_EQ(error("a FETCH 1 (FLAGS").kind, ParseErrorKind::Syntax);
    EXPECT_EQ(error("a FETCH 1 ()").message, "FETCH: expected fetch attribute");
    EXPECT_EQ(error("a FETCH 1 BODYSTRUCTUR").message, "FETCH: unknown fetch attribute");
}

TEST(MessageParser, FetchSetsAndModifiers) {
    auto cmd = ok("a UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345 VANISHED)");
    EXPECT_TRUE(cmd.uid);
    auto f = std::get<Fetch>(cmd.body);
    EXPECT_EQ(f.changed_since, 12345u);
    EXPECT_TRUE(f.vanished);
    f = body<Fetch>("a FETCH $ (UID) (CHANGEDSINCE 1)");
    EXPECT_TRUE(f.set.is_saved_result());
    EXPECT_FALSE(f.vanished);
    EXPECT_EQ(error("a FETCH 1 FLAGS (CHANGEDSINCE 1 VANISHED)").message,
              "FETCH: VANISHED needs UID FETCH and CHANGEDSINCE");
    EXPECT_EQ(error("a UID FETCH 1 FLAGS (VANISHED)").message, "UID FETCH: VANISHED needs UID FETCH and CHANGEDSINCE");
    EXPECT_EQ(error("a FETCH 1 FLAGS (CHANGEDSINCE 0)").message, "FETCH: mod-sequence must not be zero");
    EXPECT_EQ(error("a FETCH 1 FLAGS (FOO)").message, "FETCH: unknown fetch modifier");
    EXPECT_EQ(error("a FETCH 1 FLAGS ()").message, "FETCH: unknown fetch modifier");
    EXPECT_EQ(error("a FETCH 0 FLAGS").message, "FETCH: invalid sequence set in sequence set");
    EXPECT_EQ(error("a FETCH 1:2:3 FLAGS").message, "FETCH: invalid sequence set in sequence set");
    EXPECT_EQ(error("a FETCH 4294967296 FLAGS").message, "FETCH: invalid sequence set in sequence set");
    EXPECT_EQ(error("a FETCH FLAGS").message, "FETCH: expected sequence set");
    EXPECT_EQ(error("a FETCH 1").message, "FETCH: missing fetch attributes");
}

TEST(MessageParser, Store) {
    auto s = body<Store>("A003 STORE 2:4 +FLAGS (\\Deleted)");
    EXPECT_EQ(s.set.to_string(), "2:4");
    EXPECT_EQ(s.mode, StoreMode::Add);
    EXPECT_FALSE(s.silent);
    EXPECT_EQ(s.flags, (std::vector<std::string>{"\\Deleted"}));
    s = body<Store>("a STORE 1 -flags.silent \\Seen $Junk");
    EXPECT_EQ(s.mode, StoreMode::Remove);
    EXPECT_TRUE(s.silent);
    EXPECT_EQ(s.flags, (std::vector<std::string>{"\\Seen", "$Junk"}));
    s = body<Store>("a STORE 1 FLAGS ()");
    EXPECT_EQ(s.mode, StoreMode::Replace);
    EXPECT_TRUE(s.flags.empty());
    auto cmd = ok("d105 UID STORE 7,5,9 (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\\Deleted)");
    EXPECT_TRUE(cmd.uid);
    s = std::get<Store>(cmd.body);
    EXPECT_EQ(s.unchanged_since, 320162338u);
    EXPECT_TRUE(s.silent);
    EXPECT_EQ(body<Store>("a STORE 1 (UNCHANGEDSINCE 0) FLAGS ()").unchanged_since, 0u);

    EXPECT_EQ(error("a STORE 1 FLAGS").message, "STORE: missing flags");
    EXPECT_EQ(error("a STORE 1 +FLAG (\\Seen)").message, "STORE: expected FLAGS, +FLAGS or -FLAGS");
    EXPECT_EQ(error("a STORE 1 FLAGS (\\*)").message, "STORE: \"\\*\" is not a flag in flag list");
    EXPECT_EQ(error("a STORE 1 FLAGS (\\Seen").kind, ParseErrorKind::Syntax);
    EXPECT_EQ(error("a STORE 1 FLAGS (\"x\")").kind, ParseErrorKind::Syntax);
    EXPECT_EQ(error("a STORE 1 (FOO 1) FLAGS ()").message, "STORE: unknown store modifier");
    EXPECT_EQ(error("a STORE 1 *FLAGS ()").kind, ParseErrorKind::Syntax);
}

TEST(MessageParser, CopyMoveExpunge) {
    auto c = body<Copy>("A003 COPY 2:4 MEETING");
    EXPECT_EQ(c.set.to_string(), "2:4");
    EXPECT_EQ(c.mailbox, "MEETING");
    auto cmd = ok("a UID MOVE 42:69 foo");
    EXPECT_TRUE(cmd.uid);
    EXPECT_EQ(std::get<Move>(cmd.body).mailbox, "foo");
    EXPECT_EQ(error("a COPY 1").message, "COPY: missing mailbox name");
    EXPECT_EQ(error("a MOVE x y").message, "MOVE: expected sequence set");
    EXPECT_FALSE(body<Expunge>("a EXPUNGE").uids);
    cmd = ok("A202 UID EXPUNGE 3000:3002");
    EXPECT_TRUE(cmd.uid);
    EXPECT_EQ(std::get<Expunge>(cmd.body).uids->to_string(), "3000:3002");
    EXPECT_EQ(error("a UID EXPUNGE").message, "UID EXPUNGE: missing UID set");
}
