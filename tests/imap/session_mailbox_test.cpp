// The authenticated state of the IMAP session: SELECT/EXAMINE, LIST, LSUB, NAMESPACE, STATUS,
// CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, APPEND (literals, APPENDUID, TRYCREATE),
// modified UTF-7 and UTF-8 names, backend failures. Every dialog at every chunk size.
#include <gtest/gtest.h>

#include "session_dialog.hpp"

using namespace tern;
using namespace tern::imap;
using namespace tern::imap::session_test;

namespace {

using Events = std::vector<std::string>;

Events run(const std::string& input, const Responder& r = standard()) {
    return after_login(run_every_chunking(test_options(), kLogin + input, r));
}

const Events kSelectInbox = {
    "S: * FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work)",
    "S: * 3 EXISTS",
    "S: * 0 RECENT",
    "S: * OK [UNSEEN 2] First unseen",
    "S: * OK [UIDVALIDITY 1000] UIDs valid",
    "S: * OK [UIDNEXT 4] Predicted next UID",
    "S: * OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work \\*)] Flags permitted",
    "S: * OK [HIGHESTMODSEQ 4] Highest",
};

}  // namespace

TEST(ImapMailbox, Select) {
    Events expected = kSelectInbox;
    expected.push_back("S: a OK [READ-WRITE] SELECT completed");
    EXPECT_EQ(run("a SELECT inbox\r\n"), expected);
}

TEST(ImapMailbox, ExamineAndReselect) {
    auto e = run("a EXAMINE INBOX\r\nb SELECT Nope\r\nc FETCH 1 FLAGS\r\n");
    ASSERT_GE(e.size(), 3u);
    EXPECT_EQ(e[6], "S: * OK [PERMANENTFLAGS ()] Read-only mailbox");
    EXPECT_EQ(e[8], "S: a OK [READ-ONLY] EXAMINE completed");
    EXPECT_EQ(e[9], "S: b NO [NONEXISTENT] SELECT: no such mailbox");
    // A failed SELECT leaves no mailbox selected.
    EXPECT_EQ(e[10], "S: c BAD Command not permitted in this state");
}

TEST(ImapMailbox, SelectRev2) {
    auto e = run("e ENABLE IMAP4rev2\r\na SELECT INBOX\r\nb SELECT Sent\r\n");
    EXPECT_EQ(e, (Events{"S: * ENABLED IMAP4rev2", "S: e OK ENABLE completed",
                         "S: * FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work)", "S: * 3 EXISTS",
                         "S: * OK [UIDVALIDITY 1000] UIDs valid", "S: * OK [UIDNEXT 4] Predicted next UID",
                         "S: * OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work \\*)] Flags permitted",
                         "S: * OK [HIGHESTMODSEQ 4] Highest", "S: * LIST () \"/\" INBOX",
                         "S: a OK [READ-WRITE] SELECT completed", "S: * OK [CLOSED] Previous mailbox closed",
                         "S: * FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)", "S: * 0 EXISTS",
                         "S: * OK [UIDVALIDITY 1003] UIDs valid", "S: * OK [UIDNEXT 1] Predicted next UID",
                         "S: * OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted",
                         "S: * OK [HIGHESTMODSEQ 1] Highest", "S: * LIST () \"/\" Sent",
                         "S: b OK [READ-WRITE] SELECT completed"}));
}

TEST(ImapMailbox, List) {
    auto e = run("a LIST \"\" *\r\nb LIST \"\" %\r\nc LIST Archive/ %\r\nd LIST \"\" \"\"\r\ne LIST \"\" nothing\r\n");
    EXPECT_EQ(e, (Events{"S: * LIST (\\HasNoChildren) \"/\" INBOX", "S: * LIST (\\HasChildren \\Archive) \"/\" Archive",
                         "S: * LIST (\\HasNoChildren) \"/\" Archive/2023", "S: * LIST (\\HasNoChildren \\Sent) \"/\" Sent",
                         "S: a OK LIST completed", "S: * LIST (\\HasNoChildren) \"/\" INBOX",
                         "S: * LIST (\\HasChildren \\Archive) \"/\" Archive",
                         "S: * LIST (\\HasNoChildren \\Sent) \"/\" Sent", "S: b OK LIST completed",
                         "S: * LIST (\\HasNoChildren) \"/\" Archive/2023", "S: c OK LIST completed",
                         "S: * LIST (\\Noselect) \"/\" \"\"", "S: d OK LIST completed", "S: e OK LIST completed"}));
}

TEST(ImapMailbox, ListExtendedSelection) {
    auto e = run("a LIST (SUBSCRIBED) \"\" *\r\nb LIST (SPECIAL-USE) \"\" *\r\n");
    EXPECT_EQ(e, (Events{"S: * LIST (\\HasNoChildren \\Subscribed) \"/\" INBOX",
                         "S: * LIST (\\HasNoChildren \\Subscribed \\Sent) \"/\" Sent", "S: a OK LIST completed",
                         "S: * LIST (\\HasChildren \\Archive) \"/\" Archive",
                         "S: * LIST (\\HasNoChildren \\Sent) \"/\" Sent", "S: b OK LIST completed"}));
}

TEST(ImapMailbox, LsubNamespace) {
    auto e = run("a LSUB \"\" *\r\nb NAMESPACE\r\n");
    EXPECT_EQ(e, (Events{"S: * LSUB () \"/\" INBOX", "S: * LSUB () \"/\" Sent", "S: a OK LSUB completed",
                         "S: * NAMESPACE ((\"\" \"/\")) NIL NIL", "S: b OK NAMESPACE completed"}));
}

TEST(ImapMailbox, Status) {
    auto e = run("a STATUS INBOX (MESSAGES UIDNEXT UIDVALIDITY UNSEEN DELETED SIZE RECENT HIGHESTMODSEQ)\r\n"
                 "b STATUS Nope (MESSAGES)\r\n");
    ASSERT_EQ(e.size(), 3u);
    EXPECT_EQ(e[0], "S: * STATUS INBOX (MESSAGES 3 UIDNEXT 4 UIDVALIDITY 1000 UNSEEN 2 DELETED 0 SIZE " +
                        std::to_string(kMsg1.size() + kMsg2.size() + kMsg3.size()) + " RECENT 0 HIGHESTMODSEQ 4)");
    EXPECT_EQ(e[1], "S: a OK STATUS completed");
    EXPECT_EQ(e[2], "S: b NO [NONEXISTENT] STATUS: no such mailbox");
}

TEST(ImapMailbox, CreateDeleteRenameSubscribe) {
    auto e = run("a CREATE Drafts (USE (\\Drafts))\r\nb CREATE Drafts\r\nc CREATE inbox\r\nd RENAME Drafts Entw&APw-rfe\r\n"
                 "e SUBSCRIBE Entw&APw-rfe\r\nf LSUB \"\" Entw*\r\ng UNSUBSCRIBE Entw&APw-rfe\r\nh DELETE Entw&APw-rfe\r\n"
                 "i DELETE Entw&APw-rfe\r\nj DELETE INBOX\r\nk CREATE Bad&Name\r\nl CREATE \"a*b\"\r\nm CREATE New/\r\n"
                 "n LIST \"\" New\r\n");
    EXPECT_EQ(e, (Events{"S: a OK CREATE completed", "S: b NO [ALREADYEXISTS] CREATE: mailbox already exists",
                         "S: c NO [ALREADYEXISTS] Mailbox already exists", "S: d OK RENAME completed",
                         "S: e OK SUBSCRIBE completed", "S: * LSUB () \"/\" Entw&APw-rfe", "S: f OK LSUB completed",
                         "S: g OK UNSUBSCRIBE completed", "S: h OK DELETE completed",
                         "S: i NO [NONEXISTENT] DELETE: no such mailbox", "S: j NO [CANNOT] INBOX cannot be deleted",
                         "S: k NO [CANNOT] Invalid mailbox name", "S: l NO [CANNOT] Invalid mailbox name",
                         "S: m OK CREATE completed", "S: * LIST (\\HasNoChildren) \"/\" New",
                         "S: n OK LIST completed"}));
}

TEST(ImapMailbox, Utf8Names) {
    auto e = run("a ENABLE UTF8=ACCEPT\r\nb CREATE \"Entw\xc3\xbc" "rfe\"\r\nc LIST \"\" Entw*\r\n");
    EXPECT_EQ(e, (Events{"S: * ENABLED UTF8=ACCEPT", "S: a OK ENABLE completed", "S: b OK CREATE completed",
                         "S: * LIST (\\HasNoChildren) \"/\" \"Entw\xc3\xbc" "rfe\"", "S: c OK LIST completed"}));
}

TEST(ImapMailbox, BackendFailure) {
    Responder r = standard();
    r.backend = [] {
        auto b = standard_backend();
        b->fail_next = BackendError::Temporary;
        return b;
    };
    auto e = run("a LIST \"\" *\r\nb CREATE X\r\n", r);
    EXPECT_EQ(e, (Events{"S: a NO [UNAVAILABLE] LIST: temporary failure, try again later", "S: b OK CREATE completed"}));
}

TEST(ImapMailbox, AppendLiteral) {
    const std::string msg = "Subject: appended\r\n\r\nhello\r\n";
    auto e = run("a APPEND Sent (\\Seen $Label) \"14-Nov-2023 10:00:00 +0100\" {" + std::to_string(msg.size()) +
                 "}\r\n" + msg + "\r\nb APPEND Sent {" + std::to_string(msg.size()) + "+}\r\n" + msg +
                 "\r\nc STATUS Sent (MESSAGES UIDNEXT)\r\nd APPEND Nope {1+}\r\nx\r\ne APPEND Sent (\\Recent) {1+}\r\nx\r\n");
    EXPECT_EQ(e, (Events{"S: + OK", "S: a OK [APPENDUID 1003 1] APPEND completed",
                         "S: b OK [APPENDUID 1003 2] APPEND completed", "S: * STATUS Sent (MESSAGES 2 UIDNEXT 3)",
                         "S: c OK STATUS completed", "S: d NO [TRYCREATE] Mailbox does not exist",
                         "S: e BAD Invalid flag in APPEND"}));
}

TEST(ImapMailbox, MultiAppendAndTooBig) {
    SessionOptions o = test_options();
    o.limits.append_limit = 100;
    auto t = run_every_chunking(o, kLogin + "a APPEND Sent {3+}\r\nabc {3+}\r\ndef\r\nb APPEND Sent {101}\r\nc NOOP\r\n",
                                standard());
    EXPECT_EQ(after_login(t), (Events{"S: a OK [APPENDUID 1003 1:2] APPEND completed",
                                      "S: b NO [TOOBIG] Literal too large", "S: c OK NOOP completed"}));
}

TEST(ImapMailbox, AppendToSelectedSendsExists) {
    auto e = run("s SELECT Sent\r\na APPEND Sent {3+}\r\nabc\r\n");
    ASSERT_GE(e.size(), 2u);
    EXPECT_EQ(e[e.size() - 2], "S: * 1 EXISTS");
    EXPECT_EQ(e.back(), "S: a OK [APPENDUID 1003 1] APPEND completed");
}

TEST(ImapMailbox, BadPatterns) {
    std::string many;
    for (int i = 0; i < 65; ++i) many += i == 0 ? "p" : " p";
    auto e = run("a LIST \"\" \"&Jjo\"\r\nb LIST \"\" \"" + std::string(1100, 'x') + "\"\r\nc LSUB \"\" \"&\"\r\n" +
                 "d LIST \"\" (" + many + ")\r\ne LIST \"\" (" + many.substr(2) + ")\r\n");
    EXPECT_EQ(e, (Events{"S: a NO [CANNOT] Invalid mailbox pattern", "S: b BAD Pattern too long",
                         "S: c NO [CANNOT] Invalid mailbox pattern", "S: d BAD Too many patterns",
                         "S: e OK LIST completed"}));
}

TEST(ImapMailbox, Utf8AppendNeedsEnable) {
    auto e = run("a APPEND Sent UTF8 (~{3+}\r\nabc)\r\nb ENABLE UTF8=ACCEPT\r\nc APPEND Sent UTF8 (~{3+}\r\nabc)\r\n");
    EXPECT_EQ(e, (Events{"S: a BAD UTF8 APPEND requires ENABLE UTF8=ACCEPT", "S: * ENABLED UTF8=ACCEPT",
                         "S: b OK ENABLE completed", "S: c OK [APPENDUID 1003 1] APPEND completed"}));
}

namespace {

// The standard backend plus: "Lists/ietf" (subscribed) whose parent "Lists" has no folder, and
// two subscriptions left behind by deleted folders, "Gone" and "Old/Deep".
Responder with_hierarchy() {
    Responder r;
    r.backend = [] {
        auto b = standard_backend();
        b->create("Lists/ietf", "");
        b->subscribe("Lists/ietf", true);
        for (const char* name : {"Gone", "Old/Deep"}) {
            FakeFolder f;
            f.exists = false;
            f.subscribed = true;
            b->folders[name] = f;
        }
        return b;
    };
    return r;
}

}  // namespace

TEST(ImapMailbox, ListExtendedSubscribedAndRecursiveMatch) {
    auto e = run("a LIST (SUBSCRIBED) \"\" *\r\n"
                 "b LIST (SUBSCRIBED RECURSIVEMATCH) \"\" %\r\n"
                 "c LIST (SUBSCRIBED RECURSIVEMATCH REMOTE) \"\" *\r\n",
                 with_hierarchy());
    const Events subscribed = {
        "S: * LIST (\\HasNoChildren \\Subscribed) \"/\" INBOX",
        "S: * LIST (\\HasNoChildren \\NonExistent \\Subscribed) \"/\" Gone",
        "S: * LIST (\\HasNoChildren \\Subscribed) \"/\" Lists/ietf",
        "S: * LIST (\\HasNoChildren \\NonExistent \\Subscribed) \"/\" Old/Deep",
        "S: * LIST (\\HasNoChildren \\Subscribed \\Sent) \"/\" Sent",
    };
    Events expected = subscribed;
    expected.push_back("S: a OK LIST completed");
    // "%" does not reach the subscribed children: their parents say so with CHILDINFO (RFC 5258
    // 3.5); with "*" the children are listed themselves and CHILDINFO would be redundant.
    for (const auto* line : {"S: * LIST (\\HasNoChildren \\Subscribed) \"/\" INBOX",
                             "S: * LIST (\\HasNoChildren \\NonExistent \\Subscribed) \"/\" Gone",
                             "S: * LIST (\\HasChildren \\NonExistent) \"/\" Lists (\"CHILDINFO\" (\"SUBSCRIBED\"))",
                             "S: * LIST (\\HasNoChildren \\NonExistent) \"/\" Old (\"CHILDINFO\" (\"SUBSCRIBED\"))",
                             "S: * LIST (\\HasNoChildren \\Subscribed \\Sent) \"/\" Sent", "S: b OK LIST completed"})
        expected.emplace_back(line);
    expected.insert(expected.end(), subscribed.begin(), subscribed.end());
    expected.push_back("S: c OK LIST completed");
    EXPECT_EQ(e, expected);
}

TEST(ImapMailbox, ListHierarchyLevelsAndReturnOptions) {
    auto e = run("a LIST \"\" %\r\n"
                 "b LIST () \"\" % RETURN (CHILDREN)\r\n"
                 "c LIST \"\" (INBOX \"Li*\" Nope) RETURN (SUBSCRIBED)\r\n"
                 "d LIST (SPECIAL-USE) \"\" * RETURN (SPECIAL-USE)\r\n"
                 "e LIST (SPECIAL-USE RECURSIVEMATCH) \"\" %\r\n",
                 with_hierarchy());
    EXPECT_EQ(e, (Events{
                     // A level of the hierarchy without a folder: \Noselect for a plain LIST,
                     // \NonExistent for LIST-EXTENDED. Subscriptions without a folder are not
                     // listed without SUBSCRIBED.
                     "S: * LIST (\\HasNoChildren) \"/\" INBOX", "S: * LIST (\\HasChildren \\Archive) \"/\" Archive",
                     "S: * LIST (\\HasChildren \\Noselect) \"/\" Lists", "S: * LIST (\\HasNoChildren \\Sent) \"/\" Sent",
                     "S: a OK LIST completed",
                     "S: * LIST (\\HasNoChildren) \"/\" INBOX", "S: * LIST (\\HasChildren \\Archive) \"/\" Archive",
                     "S: * LIST (\\HasChildren \\NonExistent) \"/\" Lists",
                     "S: * LIST (\\HasNoChildren \\Sent) \"/\" Sent", "S: b OK LIST completed",
                     "S: * LIST (\\HasNoChildren \\Subscribed) \"/\" INBOX",
                     "S: * LIST (\\HasChildren \\NonExistent) \"/\" Lists",
                     "S: * LIST (\\HasNoChildren \\Subscribed) \"/\" Lists/ietf", "S: c OK LIST completed",
                     "S: * LIST (\\HasChildren \\Archive) \"/\" Archive", "S: * LIST (\\HasNoChildren \\Sent) \"/\" Sent",
                     "S: d OK LIST completed",
                     "S: * LIST (\\HasChildren \\Archive) \"/\" Archive", "S: * LIST (\\HasNoChildren \\Sent) \"/\" Sent",
                     "S: e OK LIST completed"}));
}

TEST(ImapMailbox, ListRecursiveMatchSpecialUse) {
    Responder r;
    r.backend = [] {
        auto b = standard_backend();
        b->create("Projects/Drafts", "\\Drafts");
        return b;
    };
    auto e = run("a LIST (SPECIAL-USE RECURSIVEMATCH) \"\" %\r\nb LIST (SPECIAL-USE) \"\" %\r\n", r);
    EXPECT_EQ(e, (Events{"S: * LIST (\\HasChildren \\Archive) \"/\" Archive",
                         "S: * LIST (\\HasChildren \\NonExistent) \"/\" Projects (\"CHILDINFO\" (\"SPECIAL-USE\"))",
                         "S: * LIST (\\HasNoChildren \\Sent) \"/\" Sent", "S: a OK LIST completed",
                         "S: * LIST (\\HasChildren \\Archive) \"/\" Archive",
                         "S: * LIST (\\HasNoChildren \\Sent) \"/\" Sent", "S: b OK LIST completed"}));
}

TEST(ImapMailbox, ListStatus) {
    auto e = run("a LIST \"\" % RETURN (STATUS (MESSAGES UNSEEN))\r\n"
                 "b LIST (SUBSCRIBED) \"\" * RETURN (STATUS (UIDNEXT))\r\n",
                 with_hierarchy());
    // No STATUS for \NonExistent (or \Noselect) names (RFC 5819 2).
    EXPECT_EQ(e, (Events{"S: * LIST (\\HasNoChildren) \"/\" INBOX", "S: * STATUS INBOX (MESSAGES 3 UNSEEN 2)",
                         "S: * LIST (\\HasChildren \\Archive) \"/\" Archive", "S: * STATUS Archive (MESSAGES 0 UNSEEN 0)",
                         "S: * LIST (\\HasChildren \\NonExistent) \"/\" Lists",
                         "S: * LIST (\\HasNoChildren \\Sent) \"/\" Sent", "S: * STATUS Sent (MESSAGES 0 UNSEEN 0)",
                         "S: a OK LIST completed",
                         "S: * LIST (\\HasNoChildren \\Subscribed) \"/\" INBOX", "S: * STATUS INBOX (UIDNEXT 4)",
                         "S: * LIST (\\HasNoChildren \\NonExistent \\Subscribed) \"/\" Gone",
                         "S: * LIST (\\HasNoChildren \\Subscribed) \"/\" Lists/ietf",
                         "S: * STATUS Lists/ietf (UIDNEXT 1)",
                         "S: * LIST (\\HasNoChildren \\NonExistent \\Subscribed) \"/\" Old/Deep",
                         "S: * LIST (\\HasNoChildren \\Subscribed \\Sent) \"/\" Sent", "S: * STATUS Sent (UIDNEXT 1)",
                         "S: b OK LIST completed"}));
}

TEST(ImapMailbox, QuotaWithoutLimit) {
    // No limit configured: no quota root (RFC 9208 4.1.2), so GETQUOTA "" has nothing to show.
    auto e = run("a GETQUOTAROOT INBOX\r\nb GETQUOTA \"\"\r\nc SETQUOTA \"\" (STORAGE 512)\r\nd NOOP\r\n");
    EXPECT_EQ(e, (Events{"S: * QUOTAROOT INBOX", "S: a OK GETQUOTAROOT completed",
                         "S: b NO [NONEXISTENT] No such quota root",
                         "S: c NO [NOPERM] Quota limits are set by the administrator", "S: d OK NOOP completed"}));
}

TEST(ImapMailbox, QuotaWithLimit) {
    Responder r;
    r.backend = [] {
        auto b = standard_backend();
        b->storage_limit = 4000;
        return b;
    };
    const std::uint64_t used = kMsg1.size() + kMsg2.size() + kMsg3.size();
    const std::string quota = "S: * QUOTA \"\" (STORAGE " + std::to_string((used + 1023) / 1024) + " 4)";
    const std::string big(3500, 'x');
    auto e = run("a GETQUOTAROOT inbox\r\nb GETQUOTAROOT Entw&APw-rfe\r\nc GETQUOTA \"\"\r\nd GETQUOTA \"other\"\r\n"
                 "e APPEND Sent {3500+}\r\n" + big + "\r\nf APPEND Sent {3+}\r\nabc\r\n",
                 r);
    EXPECT_EQ(e, (Events{"S: * QUOTAROOT INBOX \"\"", quota, "S: a OK GETQUOTAROOT completed",
                         // The name need not exist: the root it would get.
                         "S: * QUOTAROOT Entw&APw-rfe \"\"", quota, "S: b OK GETQUOTAROOT completed", quota,
                         "S: c OK GETQUOTA completed", "S: d NO [NONEXISTENT] No such quota root",
                         "S: e NO [OVERQUOTA] APPEND: quota exceeded",
                         "S: f OK [APPENDUID 1003 1] APPEND completed"}));
}

TEST(ImapMailbox, QuotaNeedsAuthentication) {
    auto t = run_every_chunking(test_options(), "a GETQUOTAROOT INBOX\r\nb GETQUOTA \"\"\r\n", standard());
    EXPECT_TRUE(has_event(t, "S: a BAD Command not permitted in this state"));
    EXPECT_TRUE(has_event(t, "S: b BAD Command not permitted in this state"));
}
