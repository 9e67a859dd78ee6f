// The TRANSACTION and UPDATE states of the POP3 session: STAT, LIST, UIDL, RETR, TOP, DELE,
// RSET, NOOP, QUIT and the commit of deletions, message conversion on the wire, the driver's
// failures. Every dialog is played at every chunk size (dialog.hpp).
#include <gtest/gtest.h>

#include "dialog.hpp"

using namespace tern;
using namespace tern::pop3;
using namespace tern::pop3::test;
using namespace std::string_literals;

namespace {

using Events = std::vector<std::string>;

Transcript session(const std::string& commands, const Responder& r = {}) {
    return run_every_chunking(test_options(), kLogin + commands, r);
}

// A maildrop holding exactly `content` as message 1.
Responder one_message(std::string content, std::uint64_t size = 100) {
    Responder r;
    r.maildrop = [size](const std::string&) { return MaildropResult(std::vector<MessageInfo>{{"u1", size}}); };
    r.message = [content](const ReadMessage&) { return std::optional<std::string>(content); };
    return r;
}

const std::string kSignOff = "S: +OK pop.example.test POP3 server signing off";

}  // namespace

TEST(Pop3Transaction, StatListUidl) {
    auto t = session("STAT\r\nLIST\r\nLIST 2\r\nUIDL\r\nUIDL 1\r\nLIST 0\r\nLIST 4\r\nUIDL 99999999999999999999999\r\n");
    EXPECT_EQ(after_login(t), (Events{
        "S: +OK 3 87",
        "S: +OK 3 messages (87 octets)", "S: 1 30", "S: 2 45", "S: 3 12", "S: .",
        "S: +OK 2 45",
        "S: +OK Unique-ID listing follows", "S: 1 uid-one", "S: 2 uid-two", "S: 3 uid-three", "S: .",
        "S: +OK 1 uid-one",
        "S: -ERR No such message", "S: -ERR No such message", "S: -ERR No such message",
    }));
}

TEST(Pop3Transaction, SyntaxErrorsCountNoSuchMessageDoesNot) {
    auto o = test_options();
    o.limits.errors = 100;
    auto t = run_every_chunking(o, kLogin + "STAT x\r\nLIST 1 2\r\nLIST x\r\nUIDL -1\r\nUIDL 1 2\r\nRETR\r\nRETR 1 2\r\n"
                                            "RETR +1\r\nDELE\r\nDELE a\r\nRSET x\r\nNOOP x\r\nTOP 1\r\nTOP 1 -1\r\n"
                                            "TOP x 1\r\nTOP 1 2 3\r\nTOP 9 x\r\nQUIT now\r\n");
    EXPECT_EQ(after_login(t), (Events{
        "S: -ERR Syntax: STAT", "S: -ERR Syntax: LIST [msg]", "S: -ERR Syntax: LIST [msg]",
        "S: -ERR Syntax: UIDL [msg]", "S: -ERR Syntax: UIDL [msg]", "S: -ERR Syntax: RETR msg",
        "S: -ERR Syntax: RETR msg", "S: -ERR Syntax: RETR msg", "S: -ERR Syntax: DELE msg",
        "S: -ERR Syntax: DELE msg", "S: -ERR Syntax: RSET", "S: -ERR Syntax: NOOP",
        "S: -ERR Syntax: TOP msg n", "S: -ERR Syntax: TOP msg n", "S: -ERR Syntax: TOP msg n",
        "S: -ERR Syntax: TOP msg n", "S: -ERR Syntax: TOP msg n", "S: -ERR Syntax: QUIT",
    }));
    o.limits.errors = 2;
    t = run_every_chunking(o, kLogin + "RETR 9\r\nDELE 1\r\nDELE 1\r\nLIST 1\r\nTOP 1 1\r\nNOOP\r\nSTAT x\r\nSTAT x\r\nNOOP\r\n");
    EXPECT_EQ(after_login(t), (Events{
        "S: -ERR No such message", "S: +OK Message 1 deleted", "S: -ERR Message 1 already deleted",
        "S: -ERR Message 1 already deleted", "S: -ERR Message 1 already deleted", "S: +OK",
        "S: -ERR Syntax: STAT", "S: -ERR Syntax: STAT", "S: -ERR Too many errors, closing connection", "CLOSE",
    }));
}

TEST(Pop3Transaction, RetrConvertsAndStuffs) {
    auto t = session("RETR 2\r\nRETR 3\r\nRETR 1\r\n");
    EXPECT_EQ(after_login(t), (Events{
        "READ 1", "S: +OK 45 octets", "S: Subject: two", "S: From: b@example.test", "S: ", "S: line 1", "S: ..dotted",
        "S: line 3", "S: .",
        "READ 2", "S: +OK 12 octets", "S: Subject: three", "S: ", "S: third", "S: .",
        "READ 0", "S: +OK 30 octets", "S: Subject: one", "S: ", "S: first body", "S: .",
    }));
}

TEST(Pop3Transaction, RetrLineEndVariants) {
    struct Case {
        std::string content;
        Events lines;
    };
    const std::vector<Case> cases = {
        {"a\nb\n", {"S: a", "S: b"}},
        {"a\r\nb\r\n", {"S: a", "S: b"}},
        {"a\r\nb\nc\rd", {"S: a", "S: b", "S: c", "S: d"}},   // mixed, no final newline
        {"no newline", {"S: no newline"}},
        {"", {}},                                              // empty message
        {".\n..\n.x\nx.\n", {"S: ..", "S: ...", "S: ..x", "S: x."}},
        {"\n\n", {"S: ", "S: "}},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(testing::PrintToString(c.content));
        auto t = session("RETR 1\r\nNOOP\r\n", one_message(c.content, 7));
        Events expected{"READ 0", "S: +OK 7 octets"};
        expected.insert(expected.end(), c.lines.begin(), c.lines.end());
        expected.push_back("S: .");
        expected.push_back("S: +OK");
        EXPECT_EQ(after_login(t), expected);
    }
}

TEST(Pop3Transaction, TopLines) {
    auto t = session("TOP 2 0\r\nTOP 2 1\r\nTOP 2 2\r\nTOP 2 99\r\nTOP 1 18446744073709551616\r\nTOP 0 1\r\n");
    EXPECT_EQ(after_login(t), (Events{
        "READ 1 top 0", "S: +OK Top of message follows", "S: Subject: two", "S: From: b@example.test", "S: ", "S: .",
        "READ 1 top 1", "S: +OK Top of message follows", "S: Subject: two", "S: From: b@example.test", "S: ", "S: line 1",
        "S: .",
        "READ 1 top 2", "S: +OK Top of message follows", "S: Subject: two", "S: From: b@example.test", "S: ", "S: line 1",
        "S: ..dotted", "S: .",
        "READ 1 top 99", "S: +OK Top of message follows", "S: Subject: two", "S: From: b@example.test", "S: ", "S: line 1",
        "S: ..dotted", "S: line 3", "S: .",
        "READ 0 top " + std::to_string(SIZE_MAX), "S: +OK Top of message follows", "S: Subject: one", "S: ",
        "S: first body", "S: .",
        "S: -ERR No such message",
    }));
    // A message without a body: the header alone, whatever n.
    t = session("TOP 1 5\r\n", one_message("H: 1\nH: 2"));
    EXPECT_EQ(after_login(t), (Events{"READ 0 top 5", "S: +OK Top of message follows", "S: H: 1", "S: H: 2", "S: ."}));
}

TEST(Pop3Transaction, DeleteHidesUntilRset) {
    auto t = session("DELE 1\r\nDELE 1\r\nSTAT\r\nLIST\r\nUIDL\r\nLIST 1\r\nUIDL 1\r\nRETR 1\r\nTOP 1 0\r\n"
                     "RSET\r\nSTAT\r\nLIST 1\r\nQUIT\r\n");
    EXPECT_EQ(after_login(t), (Events{
        "S: +OK Message 1 deleted",
        "S: -ERR Message 1 already deleted",
        "S: +OK 2 57",
        "S: +OK 2 messages (57 octets)", "S: 2 45", "S: 3 12", "S: .",
        "S: +OK Unique-ID listing follows", "S: 2 uid-two", "S: 3 uid-three", "S: .",
        "S: -ERR Message 1 already deleted",
        "S: -ERR Message 1 already deleted",
        "S: -ERR Message 1 already deleted",
        "S: -ERR Message 1 already deleted",
        "S: +OK Maildrop has 3 messages (87 octets)",
        "S: +OK 3 87",
        "S: +OK 1 30",
        kSignOff + " (3 messages left)", "CLOSE",  // RSET cleared the marks: nothing to commit
    }));
}

TEST(Pop3Transaction, QuitCommitsDeletions) {
    auto t = session("DELE 3\r\nDELE 1\r\nNOOP\r\nQUIT\r\nSTAT\r\n");
    EXPECT_EQ(after_login(t), (Events{
        "S: +OK Message 3 deleted", "S: +OK Message 1 deleted", "S: +OK",
        "COMMIT 0,2", kSignOff + " (1 message left)", "CLOSE",
    }));
    t = session("DELE 1\r\nDELE 2\r\nDELE 3\r\nSTAT\r\nLIST\r\nQUIT\r\n");
    EXPECT_EQ(after_login(t), (Events{
        "S: +OK Message 1 deleted", "S: +OK Message 2 deleted", "S: +OK Message 3 deleted",
        "S: +OK 0 0", "S: +OK 0 messages (0 octets)", "S: .",
        "COMMIT 0,1,2", kSignOff + " (maildrop empty)", "CLOSE",
    }));
    // The store could not remove them (RFC 1939 6).
    Responder r;
    r.commit = [](const CommitDeletes&) { return false; };
    t = session("DELE 2\r\nQUIT\r\n", r);
    EXPECT_EQ(after_login(t), (Events{"S: +OK Message 2 deleted", "COMMIT 1",
                                      "S: -ERR [SYS/TEMP] Some deleted messages not removed", "CLOSE"}));
}

TEST(Pop3Transaction, DroppedConnectionNeverCommits) {
    // The client marks messages and goes away without QUIT: no CommitDeletes, ever.
    auto t = session("DELE 1\r\nDELE 2\r\n");
    EXPECT_EQ(count_prefix(t, "COMMIT"), 0u);
    EXPECT_EQ(t.events.back(), "S: +OK Message 2 deleted");
}

TEST(Pop3Transaction, CommitIsParked) {
    ServerSession s(test_options());
    s.start();
    s.feed(kLogin);
    s.password_verified(AuthVerdict::Ok);
    s.maildrop_opened(default_listing());
    s.take_actions();
    s.feed("DELE 2\r\nQUIT\r\nNOOP\r\n");
    auto a = s.take_actions();
    ASSERT_EQ(a.size(), 2u);
    EXPECT_EQ(std::get<CommitDeletes>(a[1]).indexes, (std::vector<std::size_t>{1}));
    EXPECT_TRUE(s.parked());
    EXPECT_EQ(s.phase(), Phase::Update);
    s.message_read("x"s);  // stray
    EXPECT_TRUE(s.take_actions().empty());
    s.update_done(true);
    a = s.take_actions();
    ASSERT_EQ(a.size(), 2u);
    EXPECT_EQ(std::get<SendReply>(a[0]).bytes, "+OK pop.example.test POP3 server signing off (2 messages left)\r\n");
    EXPECT_TRUE(std::holds_alternative<Close>(a[1]));
    s.update_done(true);
    EXPECT_TRUE(s.take_actions().empty());
}

TEST(Pop3Transaction, ReadFailure) {
    Responder r;
    r.message = [](const ReadMessage& m) {
        return m.index == 1 ? std::nullopt : std::optional<std::string>("x\n");
    };
    auto o = test_options();
    o.limits.errors = 1;  // a server-side failure is not the client's error
    auto t = run_every_chunking(o, kLogin + "RETR 2\r\nTOP 2 1\r\nRETR 1\r\n", r);
    EXPECT_EQ(after_login(t), (Events{
        "READ 1", "S: -ERR [SYS/TEMP] Cannot read message 2",
        "READ 1 top 1", "S: -ERR [SYS/TEMP] Cannot read message 2",
        "READ 0", "S: +OK 30 octets", "S: x", "S: .",
    }));
}

TEST(Pop3Transaction, EmptyMaildrop) {
    Responder r;
    r.maildrop = [](const std::string&) { return MaildropResult(std::vector<MessageInfo>{}); };
    auto t = run_every_chunking(test_options(), kLogin + "STAT\r\nLIST\r\nUIDL\r\nRETR 1\r\nDELE 1\r\nRSET\r\nQUIT\r\n", r);
    EXPECT_TRUE(has_event(t, "S: +OK Maildrop ready, 0 messages (0 octets)"));
    EXPECT_EQ(after_login(t), (Events{
        "S: +OK 0 0", "S: +OK 0 messages (0 octets)", "S: .", "S: +OK Unique-ID listing follows", "S: .",
        "S: -ERR No such message", "S: -ERR No such message", "S: +OK Maildrop has 0 messages (0 octets)",
        kSignOff + " (maildrop empty)", "CLOSE",
    }));
}

TEST(Pop3Transaction, HugeSizesDoNotOverflow) {
    Responder r;
    r.maildrop = [](const std::string&) {
        return MaildropResult(std::vector<MessageInfo>{{"a", UINT64_MAX}, {"b", 5}});
    };
    auto t = run_every_chunking(test_options(), kLogin + "STAT\r\nDELE 2\r\nSTAT\r\n", r);
    EXPECT_EQ(after_login(t), (Events{"S: +OK 2 " + std::to_string(UINT64_MAX), "S: +OK Message 2 deleted",
                                      "S: +OK 1 " + std::to_string(UINT64_MAX - 5)}));
}

TEST(Pop3Transaction, ManyPipelinedRetrievals) {
    // A client fetching everything in one write: every reply in order, every chunking.
    std::string in;
    for (int round = 0; round < 3; ++round) {
        in += "LIST\r\nUIDL\r\nRETR 1\r\nRETR 2\r\nRETR 3\r\nTOP 2 1\r\n";
    }
    in += "DELE 1\r\nDELE 2\r\nDELE 3\r\nQUIT\r\n";
    auto t = session(in);
    EXPECT_EQ(count_prefix(t, "READ"), 12u);
    EXPECT_EQ(count_prefix(t, "S: +OK 45 octets"), 3u);
    EXPECT_EQ(t.events[t.events.size() - 3], "COMMIT 0,1,2");
}
