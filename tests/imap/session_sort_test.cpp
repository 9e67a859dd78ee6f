// SORT (RFC 5256, RFC 5957 DISPLAYFROM/DISPLAYTO, RFC 5267 ESORT, RFC 5182 SAVE) and THREAD
// (REFERENCES, ORDEREDSUBJECT) in the session: session_sort.cpp.
#include <gtest/gtest.h>

#include "session_dialog.hpp"

using namespace tern;
using namespace tern::imap;
using namespace tern::imap::session_test;

namespace {

using Events = std::vector<std::string>;

// Five messages, chosen so that every key orders them differently:
//   seq  from (display)           to (display)          subject (base)   Date     arrival
//   1    zed (Zed)                amy                   Re: beta (beta)  15 Nov   18 Nov
//   2    alice                    zoe                   alpha            13 Nov   16 Nov
//   3    bob (Xavier)             amy (Amy Smith)       beta             none     3 Nov
//   4    carl                     -                     other            16 Nov   17 Nov
//   5    dan                      zoe                   Re: alpha        14 Nov   19 Nov
// Threads: 1 replies to 3 (In-Reply-To), 4 references 2, 5 only shares 2's subject.
const std::vector<std::pair<std::string, std::int64_t>> kMessages = {
    {"From: Zed <zed@example.test>\r\nTo: amy@example.test\r\nCc: carl@example.test\r\nSubject: Re: beta\r\n"
     "Date: Wed, 15 Nov 2023 10:00:00 +0000\r\nMessage-ID: <m1@x>\r\nIn-Reply-To: <m3@x>\r\n\r\none\r\n",
     1'700'300'000},
    {"From: alice@example.test\r\nTo: zoe@example.test\r\nSubject: alpha\r\n"
     "Date: Mon, 13 Nov 2023 10:00:00 +0000\r\nMessage-ID: <m2@x>\r\n\r\nthe longest body of them all\r\n",
     1'700'100'000},
    {"From: Xavier <bob@example.test>\r\nTo: Amy Smith <amy@example.test>\r\nSubject: beta\r\n"
     "Message-ID: <m3@x>\r\n\r\nthree\r\n",
     1'699'000'000},
    {"From: carl@example.test\r\nSubject: other\r\nDate: Thu, 16 Nov 2023 10:00:00 +0000\r\n"
     "Message-ID: <m4@x>\r\nReferences: <m2@x>\r\n\r\nfour\r\n",
     1'700'200'000},
    {"From: dan@example.test\r\nTo: zoe@example.test\r\nSubject: Re: alpha\r\n"
     "Date: Tue, 14 Nov 2023 10:00:00 +0000\r\nMessage-ID: <m5@x>\r\n\r\nfive\r\n",
     1'700'400'000},
};

// uid_offset: a message added and removed first, so that UIDs are sequence numbers + 1.
std::shared_ptr<FakeBackend> sort_backend(bool uid_offset) {
    auto b = std::make_shared<FakeBackend>();
    if (uid_offset) b->remove_message("INBOX", b->add("INBOX", "Subject: gone\r\n\r\nx\r\n"));
    for (const auto& [data, date] : kMessages) b->add("INBOX", data, {}, date);
    b->create("Archive", "");
    return b;
}

Responder sorting(bool uid_offset = false) {
    Responder r;
    r.backend = [uid_offset] { return sort_backend(uid_offset); };
    return r;
}

Events after_select(const Transcript& t) {
    auto it = std::find_if(t.events.begin(), t.events.end(),
                           [](const std::string& e) { return e.rfind("S: s OK", 0) == 0; });
    EXPECT_NE(it, t.events.end()) << "no select in" << t;
    return it == t.events.end() ? Events{} : Events(it + 1, t.events.end());
}

Events run(const std::string& input, bool uid_offset = false) {
    return after_select(run_every_chunking(test_options(), kLogin + "s SELECT INBOX\r\n" + input, sorting(uid_offset)));
}

// The untagged line answering "x <command>".
std::string answer(const std::string& command, bool uid_offset = false) {
    auto e = run("x " + command + "\r\n", uid_offset);
    EXPECT_EQ(e.size(), 2u) << ::testing::PrintToString(e);
    if (e.size() != 2) return {};
    EXPECT_EQ(e[1].rfind("S: x OK ", 0), 0u) << e[1];
    return e[0];
}

}  // namespace

TEST(ImapSort, EachKey) {
    EXPECT_EQ(answer("SORT (ARRIVAL) UTF-8 ALL"), "S: * SORT 3 2 4 1 5");
    EXPECT_EQ(answer("SORT (DATE) UTF-8 ALL"), "S: * SORT 3 2 5 1 4");  // 3 has no Date: its arrival
    EXPECT_EQ(answer("SORT (REVERSE DATE) US-ASCII ALL"), "S: * SORT 4 1 5 2 3");
    EXPECT_EQ(answer("SORT (SUBJECT) UTF-8 ALL"), "S: * SORT 2 5 1 3 4");  // ties: mailbox order
    EXPECT_EQ(answer("SORT (FROM) UTF-8 ALL"), "S: * SORT 2 3 4 5 1");
    EXPECT_EQ(answer("SORT (REVERSE FROM) UTF-8 ALL"), "S: * SORT 1 5 4 3 2");
    EXPECT_EQ(answer("SORT (TO) UTF-8 ALL"), "S: * SORT 4 1 3 2 5");  // no To: the empty string
    EXPECT_EQ(answer("SORT (CC) UTF-8 ALL"), "S: * SORT 2 3 4 5 1");
    EXPECT_EQ(answer("SORT (DISPLAYFROM) UTF-8 ALL"), "S: * SORT 2 4 5 3 1");
    EXPECT_EQ(answer("SORT (DISPLAYTO) UTF-8 ALL"), "S: * SORT 4 3 1 2 5");

    std::vector<std::pair<std::size_t, std::uint32_t>> by_size;
    for (std::uint32_t i = 0; i < kMessages.size(); ++i) by_size.emplace_back(kMessages[i].first.size(), i + 1);
    std::sort(by_size.begin(), by_size.end());
    std::string expected = "S: * SORT";
    for (const auto& p : by_size) expected += " " + std::to_string(p.second);
    EXPECT_EQ(answer("SORT (SIZE) UTF-8 ALL"), expected);
}

TEST(ImapSort, SeveralKeysCriteriaAndUid) {
    EXPECT_EQ(answer("SORT (SUBJECT REVERSE DATE) UTF-8 ALL"), "S: * SORT 5 2 1 3 4");
    EXPECT_EQ(answer("SORT (TO REVERSE DATE) UTF-8 ALL"), "S: * SORT 4 1 3 5 2");
    EXPECT_EQ(answer("SORT (DATE) UTF-8 SUBJECT beta"), "S: * SORT 3 1");
    EXPECT_EQ(answer("SORT (DATE) UTF-8 SUBJECT nowhere"), "S: * SORT");
    EXPECT_EQ(answer("UID SORT (DATE) UTF-8 ALL", true), "S: * SORT 4 3 6 2 5");
    EXPECT_EQ(answer("UID SORT (DATE) UTF-8 UID 2:4", true), "S: * SORT 4 3 2");
}

TEST(ImapSort, CharsetAndState) {
    auto e = run("a SORT (DATE) KOI8-R ALL\r\nb UNSELECT\r\nc SORT (DATE) UTF-8 ALL\r\nd THREAD REFERENCES UTF-8 ALL\r\n");
    EXPECT_EQ(e, (Events{"S: a NO [BADCHARSET (US-ASCII UTF-8)] Unsupported charset", "S: b OK UNSELECT completed",
                         "S: c BAD Command not permitted in this state", "S: d BAD Command not permitted in this state"}));
}

TEST(ImapSort, Esort) {
    EXPECT_EQ(answer("SORT RETURN (MIN MAX COUNT ALL) (REVERSE ARRIVAL) UTF-8 ALL"),
              "S: * ESEARCH (TAG \"x\") MIN 5 MAX 3 COUNT 5 ALL 5,1,4,2:3");
    EXPECT_EQ(answer("SORT RETURN () (DATE) UTF-8 ALL"), "S: * ESEARCH (TAG \"x\") ALL 3,2,5,1,4");
    EXPECT_EQ(answer("UID SORT RETURN (COUNT) (DATE) US-ASCII ALL", true), "S: * ESEARCH (TAG \"x\") UID COUNT 5");
    EXPECT_EQ(answer("SORT RETURN (MIN ALL) (DATE) UTF-8 SUBJECT nowhere"), "S: * ESEARCH (TAG \"x\")");
}

TEST(ImapSort, SaveAndDollar) {
    // SAVE alone: no ESEARCH; MIN alone saves the first in sort order (3), not the lowest.
    auto e = run("a SORT RETURN (SAVE) (DATE) UTF-8 SUBJECT alpha\r\nb FETCH $ (UID)\r\n"
                 "c SORT RETURN (SAVE MIN) (DATE) UTF-8 ALL\r\nd FETCH $ (UID)\r\n"
                 "e SORT (REVERSE DATE) UTF-8 $\r\n");
    EXPECT_EQ(e, (Events{"S: a OK SORT completed", "S: * 2 FETCH (UID 2)", "S: * 5 FETCH (UID 5)",
                         "S: b OK FETCH completed", "S: * ESEARCH (TAG \"c\") MIN 3", "S: c OK SORT completed",
                         "S: * 3 FETCH (UID 3)", "S: d OK FETCH completed", "S: * SORT 3", "S: e OK SORT completed"}));
}

TEST(ImapSort, ReadsEachMessageOnce) {
    // (whole-message reads, header-only reads)
    auto count_reads = [](const std::string& command) {
        std::shared_ptr<FakeBackend> kept;
        auto t = run_dialog(test_options(), {Phase{kLogin + "s SELECT INBOX\r\n" + command + "\r\n", {}}}, 1 << 20,
                            sorting(), &kept);
        EXPECT_TRUE(has_prefix(t, "S: x OK")) << t;
        return std::pair<std::size_t, std::size_t>(kept->reads, kept->header_reads);
    };
    using Reads = std::pair<std::size_t, std::size_t>;
    const std::size_t n = kMessages.size();
    // The header keys and the BODY key share one read per message; ARRIVAL and SIZE need none;
    // without BODY or TEXT only the header sections are read.
    EXPECT_EQ(count_reads("x SORT (SUBJECT FROM DATE) UTF-8 BODY o"), Reads(n, 0));
    EXPECT_EQ(count_reads("x SORT (SUBJECT) UTF-8 ALL"), Reads(0, n));
    EXPECT_EQ(count_reads("x SORT (SUBJECT) UTF-8 NOT FROM nobody"), Reads(0, n));
    EXPECT_EQ(count_reads("x SORT (ARRIVAL SIZE) UTF-8 ALL"), Reads(0, 0));
    EXPECT_EQ(count_reads("x THREAD REFERENCES UTF-8 TEXT e"), Reads(n, 0));
    EXPECT_EQ(count_reads("x THREAD REFERENCES UTF-8 ALL"), Reads(0, n));
}

TEST(ImapThread, ReferencesAndOrderedSubject) {
    // REFERENCES: 3 <- 1 by In-Reply-To, 2 <- 4 by References, 5 joins 2 by subject (a reply
    // to a non-reply); children by date. ORDEREDSUBJECT: by base subject only.
    EXPECT_EQ(answer("THREAD REFERENCES UTF-8 ALL"), "S: * THREAD (3 1)(2 (5)(4))");
    EXPECT_EQ(answer("THREAD ORDEREDSUBJECT UTF-8 ALL"), "S: * THREAD (3 1)(2 5)(4)");
    EXPECT_EQ(answer("UID THREAD REFERENCES UTF-8 ALL", true), "S: * THREAD (4 2)(3 (6)(5))");
    EXPECT_EQ(answer("THREAD ORDEREDSUBJECT US-ASCII SUBJECT alpha"), "S: * THREAD (2 5)");
    EXPECT_EQ(answer("THREAD REFERENCES UTF-8 SUBJECT nowhere"), "S: * THREAD");
    auto e = run("a THREAD REFERENCES ISO-8859-1 ALL\r\n");
    EXPECT_EQ(e, (Events{"S: a NO [BADCHARSET (US-ASCII UTF-8)] Unsupported charset"}));
}

TEST(ImapThread, LongReplyChainDoesNotRecurse) {
    // 20,000 messages, each replying to the one before: one thread, one list.
    constexpr int kCount = 20'000;
    Responder r;
    r.backend = [] {
        auto b = std::make_shared<FakeBackend>();
        for (int i = 1; i <= kCount; ++i) {
            std::string m = "Subject: chain\r\nMessage-ID: <c" + std::to_string(i) + "@x>\r\n";
            if (i > 1) m += "In-Reply-To: <c" + std::to_string(i - 1) + "@x>\r\n";
            m += "\r\nbody\r\n";
            b->add("INBOX", std::move(m), {}, 1'700'000'000 + i);
        }
        return b;
    };
    auto t = run_dialog(test_options(), {Phase{kLogin + "s SELECT INBOX\r\nx THREAD REFERENCES UTF-8 ALL\r\n", {}}},
                        1 << 20, r);
    std::string expected = "S: * THREAD (1";
    for (int i = 2; i <= kCount; ++i) expected += " " + std::to_string(i);
    expected += ")";
    auto e = after_select(t);
    ASSERT_EQ(e.size(), 2u);
    EXPECT_EQ(e[0], expected);
    EXPECT_EQ(e[1], "S: x OK THREAD completed");
}

TEST(ImapSort, NoExpungeDuringSortOrThread) {
    // Like SEARCH (RFC 9051 7.5.1), SORT and THREAD answer with sequence numbers: an expunge
    // found meanwhile waits for the next command that may carry it.
    auto e = after_select(run_every_chunking(
        test_options(),
        std::vector<Phase>{Phase{kLogin + "s SELECT INBOX\r\n", {}},
                           Phase{"a SORT (DATE) UTF-8 ALL\r\nb THREAD ORDEREDSUBJECT UTF-8 ALL\r\nc NOOP\r\n",
                                 [](FakeBackend& b) { b.remove_message("INBOX", 4); }}},
        sorting()));
    // Message 4 can no longer be read: it keeps its place by its arrival date.
    EXPECT_EQ(e, (Events{"S: * SORT 3 2 5 1 4", "S: a OK SORT completed", "S: * THREAD (3 1)(2 5)(4)",
                         "S: b OK THREAD completed", "S: * 4 EXPUNGE", "S: c OK NOOP completed"}));
}
