// SORT / THREAD keys (RFC 5256 2.1 base subject, 2.2 sent date; RFC 5957 display names).
#include <gtest/gtest.h>

#include "mime/samples.hpp"
#include "mime/sort_keys.hpp"

namespace tern::mime {
namespace {

struct SubjectCase {
    const char* subject;
    const char* base;
    bool reply_or_forward;
};

TEST(SortKeys, BaseSubjectTable) {
    const SubjectCase cases[] = {
        {"Hello", "Hello", false},
        {"Re: Hello", "Hello", true},
        {"RE: re: Re:Hello", "Hello", true},
        {"Fwd: Hello", "Hello", true},
        {"Fw: Hello", "Hello", true},
        {"FWD:Hello", "Hello", true},
        {"Re [list]: Hello", "Hello", true},
        {"[list] Re: Hello", "Hello", true},
        {"Re: [list] Re: Hello", "Hello", true},
        {"[PATCH 1/2] Hello", "Hello", false},
        {"[a][b] Hello", "Hello", false},
        {"[PATCH]", "[PATCH]", false},  // removing the blob would leave nothing
        {"[a] [b]", "[b]", false},
        {"Hello (fwd)", "Hello", true},
        {"Hello (FWD)  (fwd) ", "Hello", true},
        {"[Fwd: Hello]", "Hello", true},
        {"[fwd: Re: Hello]", "Hello", true},
        {"Re: [Fwd: [list] Hello (fwd)]", "Hello", true},
        {"  Hello \t  world  ", "Hello world", false},
        {"Re:", "", true},
        {"", "", false},
        {"Rewrite: the plan", "Rewrite: the plan", false},
        {"Ref: 123", "Ref: 123", false},
        {"Re : spaced", "spaced", true},
        {"=?utf-8?q?Re=3A_Gr=C3=BC=C3=9Fe?=", "Gr\xC3\xBC\xC3\x9F" "e", true},
        {"=?iso-8859-1?q?AW=3A?= Hallo", "AW: Hallo", false},  // only re/fw/fwd count
        {"Re: Hello\n (continued)", "Hello (continued)", true},
        {"[unterminated Hello", "[unterminated Hello", false},
    };
    for (const auto& c : cases) {
        BaseSubject b = base_subject(c.subject);
        EXPECT_EQ(b.text, c.base) << '"' << c.subject << '"';
        EXPECT_EQ(b.reply_or_forward, c.reply_or_forward) << '"' << c.subject << '"';
    }
}

TEST(SortKeys, SentDate) {
    EXPECT_EQ(sent_date("Tue, 15 Nov 1994 08:12:31 +0100"), 784883551);
    EXPECT_EQ(sent_date("15 Nov 94 08:12 GMT"), 784887120);  // obsolete two-digit year
    EXPECT_EQ(sent_date("Tue, 15 Nov 1994\n 08:12:31 +0100 (CET)"), 784883551);
    EXPECT_FALSE(sent_date("garbage"));
    EXPECT_FALSE(sent_date(""));
}

TEST(SortKeys, AllKeysOfAMessage) {
    std::string m =
        "From: =?utf-8?q?J=C3=BCrgen?= <juergen@example.de>\n"
        "To: Team: , \"Ann\" <ann@example.com>;, bob@example.com\n"
        "Cc: carol@example.org\n"
        "Subject: Re: [dev] Plan\n"
        "Date: Tue, 15 Nov 1994 08:12:31 +0100\n"
        "Message-ID: <m3@example.com>\n"
        "In-Reply-To: <ignored@example.com>\n"
        "References: <m1@example.com>\n <m2@example.com>\n\nbody\n";
    SortKeys k = sort_keys(m);
    EXPECT_EQ(k.subject.text, "Plan");
    EXPECT_TRUE(k.subject.reply_or_forward);
    EXPECT_EQ(k.sent_date, 784883551);
    EXPECT_EQ(k.from_mailbox, "juergen");
    EXPECT_EQ(k.display_from, "J\xC3\xBCrgen");
    EXPECT_EQ(k.to_mailbox, "ann");  // group markers skipped
    EXPECT_EQ(k.display_to, "Ann");
    EXPECT_EQ(k.cc_mailbox, "carol");
    EXPECT_EQ(k.message_id, "m3@example.com");
    EXPECT_EQ(k.references, (std::vector<std::string>{"m1@example.com", "m2@example.com"}));
}

TEST(SortKeys, FallbacksAndMissingFields) {
    SortKeys k = sort_keys("From: plain@example.com\nIn-Reply-To: <p@x> <q@x>\n\n");
    EXPECT_EQ(k.display_from, "plain@example.com");  // no display name: the address
    EXPECT_EQ(k.references, (std::vector<std::string>{"p@x"}));  // first In-Reply-To id
    EXPECT_FALSE(k.sent_date);
    EXPECT_EQ(k.subject.text, "");
    EXPECT_EQ(k.to_mailbox, "");
    EXPECT_EQ(k.message_id, "");
    k = sort_keys(samples::kPlain);
    EXPECT_EQ(k.display_from, "Alice Example");
    EXPECT_EQ(k.message_id, "1@example.com");
    EXPECT_EQ(k.subject.text, "Hello");
}

}  // namespace
}  // namespace tern::mime
