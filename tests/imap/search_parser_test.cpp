// SEARCH, SORT and THREAD: the whole search-key grammar, RETURN options, CHARSET, nesting
// bounds.
#include <gtest/gtest.h>

#include "imap_test_util.hpp"

using namespace tern::imap;
using namespace tern::imap::test;

namespace {

using K = SearchKey::Kind;

SearchKey key(K kind) {
    SearchKey k;
    k.kind = kind;
    return k;
}

SearchKey text_key(K kind, std::string text, std::string field = {}) {
    SearchKey k = key(kind);
    k.text = std::move(text);
    k.field = std::move(field);
    return k;
}

SearchKey date_key(K kind, Date d) {
    SearchKey k = key(kind);
    k.date = d;
    return k;
}

SearchKey number_key(K kind, std::uint64_t n) {
    SearchKey k = key(kind);
    k.number = n;
    return k;
}

SearchKey set_key(K kind, std::string_view s) {
    SearchKey k = key(kind);
    k.set = *SequenceSet::parse(s);
    return k;
}

SearchKey node(K kind, std::vector<SearchKey> children) {
    SearchKey k = key(kind);
    k.children = std::move(children);
    return k;
}

// The single top-level key of a SEARCH.
SearchKey one(const std::string& criteria) {
    auto s = body<Search>("a SEARCH " + criteria);
    EXPECT_EQ(s.criteria.kind, K::And);
    EXPECT_EQ(s.criteria.children.size(), 1u) << criteria;
    return s.criteria.children.empty() ? SearchKey{} : s.criteria.children[0];
}

}  // namespace

TEST(SearchParser, KeysWithoutArguments) {
    struct Case {
        const char* name;
        K kind;
    };
    for (const Case& c : {Case{"ALL", K::All}, Case{"ANSWERED", K::Answered}, Case{"DELETED", K::Deleted},
                          Case{"DRAFT", K::Draft}, Case{"FLAGGED", K::Flagged}, Case{"NEW", K::New},
                          Case{"OLD", K::Old}, Case{"RECENT", K::Recent}, Case{"SEEN", K::Seen},
                          Case{"UNANSWERED", K::Unanswered}, Case{"UNDELETED", K::Undeleted},
                          Case{"UNDRAFT", K::Undraft}, Case{"UNFLAGGED", K::Unflagged}, Case{"unseen", K::Unseen}}) {
        EXPECT_EQ(one(c.name), key(c.kind)) << c.name;
    }
}

TEST(SearchParser, KeysWithArguments) {
    EXPECT_EQ(one("BCC x@y"), text_key(K::Bcc, "x@y"));
    EXPECT_EQ(one("BODY \"hello world\""), text_key(K::Body, "hello world"));
    EXPECT_EQ(one("CC {4}\r\nab c"), text_key(K::Cc, "ab c"));
    EXPECT_EQ(one("FROM Smith"), text_key(K::From, "Smith"));
    EXPECT_EQ(one("SUBJECT \"\""), text_key(K::Subject, ""));
    EXPECT_EQ(one("TEXT \"caf\xC3\xA9\""), text_key(K::Text, "caf\xC3\xA9"));
    EXPECT_EQ(one("TO bob"), text_key(K::To, "bob"));
    EXPECT_EQ(one("HEADER Message-ID <x@y>"), text_key(K::Header, "<x@y>", "Message-ID"));
    EXPECT_EQ(one("HEADER X-Spam \"\""), text_key(K::Header, "", "X-Spam"));
    EXPECT_EQ(one("KEYWORD $Forwarded"), text_key(K::Keyword, "$Forwarded"));
    EXPECT_EQ(one("UNKEYWORD Junk"), text_key(K::Unkeyword, "Junk"));
    EXPECT_EQ(one("BEFORE 1-Feb-1994"), date_key(K::Before, {1994, 2, 1}));
    EXPECT_EQ(one("ON \"01-Feb-1994\""), date_key(K::On, {1994, 2, 1}));
    EXPECT_EQ(one("SINCE 29-feb-2000"), date_key(K::Since, {2000, 2, 29}));
    EXPECT_EQ(one("SENTBEFORE 1-Jan-2020"), date_key(K::SentBefore, {2020, 1, 1}));
    EXPECT_EQ(one("SENTON 1-Jan-2020"), date_key(K::SentOn, {2020, 1, 1}));
    EXPECT_EQ(one("SENTSINCE 1-Jan-2020"), date_key(K::SentSince, {2020, 1, 1}));
    EXPECT_EQ(one("LARGER 1024"), number_key(K::Larger, 1024));
    EXPECT_EQ(one("SMALLER 9223372036854775807"), number_key(K::Smaller, 9223372036854775807ull));
    EXPECT_EQ(one("UID 1:*"), set_key(K::Uid, "1:*"));
    EXPECT_EQ(one("UID $"), set_key(K::Uid, "$"));
    EXPECT_EQ(one("2,4:7,9,12:*"), set_key(K::SequenceNumbers, "2,4:7,9,12:*"));
    EXPECT_EQ(one("$"), set_key(K::SequenceNumbers, "$"));
    EXPECT_EQ(one("*"), set_key(K::SequenceNumbers, "*"));
}

TEST(SearchParser, BooleanStructure) {
    EXPECT_EQ(one("NOT SEEN"), node(K::Not, {key(K::Seen)}));
    EXPECT_EQ(one("OR SEEN FLAGGED"), node(K::Or, {key(K::Seen), key(K::Flagged)}));
    EXPECT_EQ(one("(SEEN FLAGGED)"), node(K::And, {key(K::Seen), key(K::Flagged)}));
    EXPECT_EQ(one("OR (FROM a TO b) NOT (1:3)"),
              node(K::Or, {node(K::And, {text_key(K::From, "a"), text_key(K::To, "b")}),
                           node(K::Not, {node(K::And, {set_key(K::SequenceNumbers, "1:3")})})}));
    // RFC 9051 6.4.4 example.
    auto s = body<Search>("A282 SEARCH RETURN (MIN COUNT) FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"");
    EXPECT_EQ(s.criteria, node(K::And, {key(K::Flagged), date_key(K::Since, {1994, 2, 1}),
                                        node(K::Not, {text_key(K::From, "Smith")})}));
    ASSERT_TRUE(s.return_options);
    EXPECT_TRUE(s.return_options->min && s.return_options->count);
    EXPECT_FALSE(s.return_options->max || s.return_options->all || s.return_options->save);
    EXPECT_FALSE(s.charset);
}

TEST(SearchParser, CharsetAndReturn) {
    auto s = body<Search>("A284 SEARCH CHARSET UTF-8 TEXT {4}\r\n\xD0\xB9\xD1\x86");
    EXPECT_EQ(s.charset, "UTF-8");
    EXPECT_FALSE(s.return_options);
    EXPECT_EQ(s.criteria.children[0], text_key(K::Text, "\xD0\xB9\xD1\x86"));
    s = body<Search>("a SEARCH RETURN () CHARSET \"US-ASCII\" ALL");
    EXPECT_EQ(s.charset, "US-ASCII");
    EXPECT_TRUE(s.return_options->all);
    s = body<Search>("a SEARCH RETURN (SAVE MAX ALL) ALL");
    EXPECT_TRUE(s.return_options->save && s.return_options->max && s.return_options->all);
    auto cmd = ok("a UID SEARCH RETURN (ALL) UNDELETED");
    EXPECT_TRUE(cmd.uid);
    EXPECT_EQ(command_name(cmd), "SEARCH");
}

TEST(SearchParser, Modseq) {
    EXPECT_EQ(one("MODSEQ 620162338"), number_key(K::Modseq, 620162338));
    EXPECT_EQ(one("MODSEQ 0"), number_key(K::Modseq, 0));
    SearchKey k = number_key(K::Modseq, 20070822);
    k.field = "/flags/\\draft";
    k.text = "all";
    EXPECT_EQ(one("MODSEQ \"/flags/\\\\draft\" all 20070822"), k);
    k.text = "priv";
    EXPECT_EQ(one("MODSEQ \"/flags/\\\\draft\" PRIV 20070822"), k);
    EXPECT_EQ(error("a SEARCH MODSEQ \"/x/y\" all 1").message, "SEARCH: invalid MODSEQ entry name");
    EXPECT_EQ(error("a SEARCH MODSEQ \"/flags/x\" some 1").message, "SEARCH: invalid MODSEQ entry type");
    EXPECT_EQ(error("a SEARCH MODSEQ 9223372036854775808").message, "SEARCH: mod-sequence out of range");
}

TEST(SearchParser, Errors) {
    EXPECT_EQ(error("a SEARCH").message, "SEARCH: missing search criteria");
    EXPECT_EQ(error("a SEARCH FOO").message, "SEARCH: unknown search key");
    EXPECT_EQ(error("a SEARCH FROM").message, "SEARCH: missing search string");
    EXPECT_EQ(error("a SEARCH OR SEEN").message, "SEARCH: missing second search key after OR");
    EXPECT_EQ(error("a SEARCH NOT").message, "SEARCH: missing search key after NOT");
    EXPECT_EQ(error("a SEARCH BEFORE 30-Feb-2000").message, "SEARCH: invalid date in date");
    EXPECT_EQ(error("a SEARCH LARGER x").message, "SEARCH: expected size");
    EXPECT_EQ(error("a SEARCH 1:2x").message, "SEARCH: invalid sequence set in search sequence set");
    EXPECT_EQ(error("a SEARCH 0").message, "SEARCH: invalid sequence set in search sequence set");
    EXPECT_EQ(error("a SEARCH UID 1,,2").message, "SEARCH: invalid sequence set in UID set");
    EXPECT_EQ(error("a SEARCH (SEEN").kind, ParseErrorKind::Syntax);
    EXPECT_EQ(error("a SEARCH ()").kind, ParseErrorKind::Syntax);
    EXPECT_EQ(error("a SEARCH SEEN  FLAGGED").kind, ParseErrorKind::Syntax);
    EXPECT_EQ(error("a SEARCH RETURN (FOO) ALL").message, "SEARCH: unknown return option");
    EXPECT_EQ(error("a SEARCH RETURN ALL").kind, ParseErrorKind::Syntax);
    EXPECT_EQ(error("a SEARCH CHARSET").message, "SEARCH: missing charset");
    EXPECT_EQ(error("a SEARCH KEYWORD \\Seen").message, "SEARCH: expected keyword");
    EXPECT_EQ(error("a SEARCH SUBJECT caf\xC3\xA9").message, "SEARCH: 8-bit character in search string");
    EXPECT_EQ(error("a SEARCH \xC3\xA9").message, "SEARCH: 8-bit character in search key");
}

TEST(SearchParser, NestingIsBounded) {
    ParserOptions opts;
    opts.max_search_depth = 32;
    auto nested = [](std::size_t n) { return std::string(n, '(') + "SEEN" + std::string(n, ')'); };
    EXPECT_EQ(body<Search>("a SEARCH " + nested(31), opts).criteria.children.size(), 1u);
    auto e = error("a SEARCH " + nested(32), opts);
    EXPECT_EQ(e.kind, ParseErrorKind::TooDeep);
    EXPECT_EQ(e.message, "SEARCH: search keys nested too deeply");
    std::string nots;
    for (int i = 0; i < 31; ++i) nots += "NOT ";
    EXPECT_TRUE(std::holds_alternative<Command>(parse("a SEARCH " + nots + "SEEN", opts)));
    EXPECT_EQ(error("a SEARCH NOT " + nots + "SEEN", opts).kind, ParseErrorKind::TooDeep);
    std::string ors;
    for (int i = 0; i < 40; ++i) ors += "OR SEEN ";
    EXPECT_EQ(error("a SEARCH " + ors + "SEEN", opts).kind, ParseErrorKind::TooDeep);
    // Hostile depth far beyond the bound fails fast and does not crash.
    EXPECT_EQ(error("a SEARCH " + nested(100000)).kind, ParseErrorKind::TooDeep);
    // Many keys side by side are not nesting.
    std::string wide;
    for (int i = 0; i < 1000; ++i) wide += " SEEN";
    EXPECT_EQ(body<Search>("a SEARCH" + wide).criteria.children.size(), 1000u);
}

TEST(SearchParser, Sort) {
    // RFC 5256 example.
    auto s = body<Sort>("A283 SORT (SUBJECT REVERSE DATE) UTF-8 ALL");
    EXPECT_EQ(s.order, (std::vector<SortCriterion>{{SortKey::Subject, false}, {SortKey::Date, true}}));
    EXPECT_EQ(s.charset, "UTF-8");
    EXPECT_EQ(s.criteria, node(K::And, {key(K::All)}));
    EXPECT_FALSE(s.return_options);
    auto cmd = ok("A285 UID SORT (SUBJECT) US-ASCII TEXT \"not in mailbox\"");
    EXPECT_TRUE(cmd.uid);
    s = std::get<Sort>(cmd.body);
    EXPECT_EQ(s.criteria.children[0], text_key(K::Text, "not in mailbox"));
    s = body<Sort>("a SORT (ARRIVAL CC FROM SIZE TO DISPLAYFROM REVERSE DISPLAYTO) UTF-8 SEEN UNDELETED");
    EXPECT_EQ(s.order.size(), 7u);
    EXPECT_EQ(s.order.back(), (SortCriterion{SortKey::DisplayTo, true}));
    EXPECT_EQ(s.criteria.children.size(), 2u);
    // RFC 5267 ESORT.
    s = body<Sort>("C43 SORT RETURN (COUNT MIN) (DATE) UTF-8 SINCE 1-Mar-2020");
    ASSERT_TRUE(s.return_options);
    EXPECT_TRUE(s.return_options->count && s.return_options->min);

    EXPECT_EQ(error("a SORT () UTF-8 ALL").message, "SORT: expected sort key");
    EXPECT_EQ(error("a SORT (FOO) UTF-8 ALL").message, "SORT: unknown sort key");
    EXPECT_EQ(error("a SORT (REVERSE) UTF-8 ALL").kind, ParseErrorKind::Syntax);
    EXPECT_EQ(error("a SORT (DATE) ALL").message, "SORT: missing search criteria");
    EXPECT_EQ(error("a SORT (DATE)").message, "SORT: missing charset");
    EXPECT_EQ(error("a SORT DATE UTF-8 ALL").kind, ParseErrorKind::Syntax);
}

TEST(SearchParser, Thread) {
    auto t = body<Thread>("A283 THREAD ORDEREDSUBJECT UTF-8 SINCE 5-MAR-2000");
    EXPECT_EQ(t.algorithm, ThreadAlgorithm::OrderedSubject);
    EXPECT_EQ(t.charset, "UTF-8");
    EXPECT_EQ(t.criteria, node(K::And, {date_key(K::Since, {2000, 3, 5})}));
    auto cmd = ok("A284 UID THREAD REFERENCES US-ASCII TEXT \"gewp\"");
    EXPECT_TRUE(cmd.uid);
    EXPECT_EQ(std::get<Thread>(cmd.body).algorithm, ThreadAlgorithm::References);
    EXPECT_EQ(error("a THREAD REFS UTF-8 ALL").message, "THREAD: unsupported threading algorithm");
    EXPECT_EQ(error("a THREAD REFERENCES UTF-8").message, "THREAD: missing search criteria");
}
