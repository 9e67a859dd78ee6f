// The selected state of the IMAP session: FETCH (flags, dates, sizes, envelope, structure,
// sections, partials, \Seen, CHANGEDSINCE), STORE (+/-FLAGS, .SILENT, UNCHANGEDSINCE),
// EXPUNGE, UID EXPUNGE, CLOSE, UNSELECT, COPY/MOVE with COPYUID, SEARCH and ESEARCH, and the
// unsolicited updates (NOOP, IDLE, never EXPUNGE during FETCH/STORE/SEARCH).
#include <gtest/gtest.h>

#include "session_dialog.hpp"

using namespace tern;
using namespace tern::imap;
using namespace tern::imap::session_test;

namespace {

using Events = std::vector<std::string>;

// The events after "s SELECT INBOX"'s tagged OK.
Events after_select(const Transcript& t) {
    auto it = std::find_if(t.events.begin(), t.events.end(),
                           [](const std::string& e) { return e.rfind("S: s OK", 0) == 0; });
    EXPECT_NE(it, t.events.end()) << "no select in" << t;
    return it == t.events.end() ? Events{} : Events(it + 1, t.events.end());
}

Events run(const std::string& input, const std::string& select = "s SELECT INBOX\r\n") {
    return after_select(run_every_chunking(test_options(), kLogin + select + input, standard()));
}

Events run_phases(std::vector<Phase> phases) {
    phases.front().input = kLogin + "s SELECT INBOX\r\n" + phases.front().input;
    return after_select(run_every_chunking(test_options(), phases, standard()));
}

}  // namespace

TEST(ImapMessage, FetchFlagsUidSizeDate) {
    auto e = run("a FETCH 1:* (FLAGS UID)\r\nb UID FETCH 2:3 (RFC822.SIZE INTERNALDATE)\r\nc FETCH 2 FAST\r\n");
    EXPECT_EQ(e, (Events{"S: * 1 FETCH (FLAGS (\\Seen) UID 1)", "S: * 2 FETCH (FLAGS () UID 2)",
                         "S: * 3 FETCH (FLAGS (\\Flagged $Work) UID 3)", "S: a OK FETCH completed",
                         "S: * 2 FETCH (UID 2 RFC822.SIZE " + std::to_string(kMsg2.size()) +
                             " INTERNALDATE \"14-Nov-2023 10:00:00 +0000\")",
                         "S: * 3 FETCH (UID 3 RFC822.SIZE " + std::to_string(kMsg3.size()) +
                             " INTERNALDATE \"15-Nov-2023 10:00:00 +0000\")",
                         "S: b OK UID FETCH completed",
                         "S: * 2 FETCH (FLAGS () INTERNALDATE \"14-Nov-2023 10:00:00 +0000\" RFC822.SIZE " +
                             std::to_string(kMsg2.size()) + ")",
                         "S: c OK FETCH completed"}));
}

TEST(ImapMessage, FetchBadSequence) {
    auto e = run("a FETCH 4 FLAGS\r\nb UID FETCH 4:9 FLAGS\r\nc UID FETCH 9:* FLAGS\r\n");
    EXPECT_EQ(e, (Events{"S: a BAD Invalid message sequence number", "S: b OK UID FETCH completed",
                         "S: * 3 FETCH (UID 3 FLAGS (\\Flagged $Work))", "S: c OK UID FETCH completed"}));
}

TEST(ImapMessage, FetchBodySetsSeen) {
    auto e = run("a FETCH 2 BODY.PEEK[HEADER.FIELDS (Subject)]\r\nb FETCH 2 BODY[TEXT]<4.6>\r\nc FETCH 2 FLAGS\r\n");
    EXPECT_EQ(e, (Events{"S: * 2 FETCH (BODY[HEADER.FIELDS (Subject)] {20}", "S: Subject: Meeting", "S: ", "S: )",
                         "S: a OK FETCH completed", "S: * 2 FETCH (BODY[TEXT]<4> {6}", "S: us mee FLAGS (\\Seen))",
                         "S: b OK FETCH completed", "S: * 2 FETCH (FLAGS (\\Seen))", "S: c OK FETCH completed"}));
}

TEST(ImapMessage, ExamineDoesNotSetSeen) {
    auto e = run("a FETCH 2 RFC822.TEXT\r\nb FETCH 2 FLAGS\r\n", "s EXAMINE INBOX\r\n");
    EXPECT_EQ(e, (Events{"S: * 2 FETCH (RFC822.TEXT {23}", "S: Let us meet on Friday", "S: )",
                         "S: a OK FETCH completed", "S: * 2 FETCH (FLAGS ())", "S: b OK FETCH completed"}));
}

TEST(ImapMessage, FetchEnvelopeAndStructure) {
    auto e = run("a FETCH 1 ENVELOPE\r\nb FETCH 3 BODYSTRUCTURE\r\nc FETCH 3 (BODY[1] BODY[2.MIME] BODY[9])\r\n");
    ASSERT_GE(e.size(), 4u);
    EXPECT_EQ(e[0],
              "S: * 1 FETCH (ENVELOPE (\"Mon, 13 Nov 2023 10:00:00 +0000\" \"Hello there\" ((\"Bob\" NIL \"bob\" "
              "\"example.test\")) ((\"Bob\" NIL \"bob\" \"example.test\")) ((\"Bob\" NIL \"bob\" \"example.test\")) "
              "((NIL NIL \"alice\" \"example.test\")) NIL NIL NIL \"<1@example.test>\"))");
    EXPECT_EQ(e[1], "S: a OK FETCH completed");
    EXPECT_EQ(e[2].rfind("S: * 3 FETCH (BODYSTRUCTURE ((\"text\" \"plain\"", 0), 0u) << e[2];
    EXPECT_NE(e[2].find("\"mixed\" (\"boundary\" \"XX\")"), std::string::npos) << e[2];
    EXPECT_EQ(e[3], "S: b OK FETCH completed");
    Events rest(e.begin() + 4, e.end());
    EXPECT_EQ(rest, (Events{"S: * 3 FETCH (BODY[1] {8}", "S: part one BODY[2.MIME] {27}",
                            "S: Content-Type: text/html", "S: ", "S:  BODY[9] {0}", "S:  FLAGS (\\Flagged $Work \\Seen))",
                            "S: c OK FETCH completed"}));
}

TEST(ImapMessage, StoreVariants) {
    auto e = run("a STORE 1 +FLAGS (\\Flagged)\r\nb STORE 1:2 -FLAGS.SILENT (\\Seen)\r\nc UID STORE 2 FLAGS (\\draft foo)\r\n"
                 "d STORE 1 +FLAGS (\\Recent)\r\ne FETCH 1:2 FLAGS\r\n");
    EXPECT_EQ(e, (Events{"S: * 1 FETCH (FLAGS (\\Seen \\Flagged))", "S: a OK STORE completed",
                         "S: b OK STORE completed", "S: * 2 FETCH (UID 2 FLAGS (\\Draft foo))",
                         "S: c OK UID STORE completed", "S: d BAD Invalid flag", "S: * 1 FETCH (FLAGS (\\Flagged))",
                         "S: * 2 FETCH (FLAGS (\\Draft foo))", "S: e OK FETCH completed"}));
}

TEST(ImapMessage, StoreUnchangedSinceAndModseq) {
    auto e = run("a STORE 1:3 (UNCHANGEDSINCE 2) +FLAGS (\\Answered)\r\nb FETCH 1 (MODSEQ)\r\n"
                 "c UID FETCH 1:* (FLAGS) (CHANGEDSINCE 4)\r\n");
    EXPECT_EQ(e, (Events{"S: * 1 FETCH (FLAGS (\\Seen \\Answered) MODSEQ (5))", "S: a OK [MODIFIED 2:3] Conditional STORE failed",
                         "S: * 1 FETCH (MODSEQ (5))", "S: b OK FETCH completed",
                         "S: * 1 FETCH (UID 1 FLAGS (\\Seen \\Answered) MODSEQ (5))", "S: c OK UID FETCH completed"}));
}

TEST(ImapMessage, StoreReadOnly) {
    auto e = run("a STORE 1 +FLAGS (\\Deleted)\r\nb EXPUNGE\r\nc MOVE 1 Sent\r\n", "s EXAMINE INBOX\r\n");
    EXPECT_EQ(e, (Events{"S: a NO [CANNOT] Mailbox is read-only", "S: b NO [CANNOT] Mailbox is read-only",
                         "S: c NO [CANNOT] Mailbox is read-only"}));
}

TEST(ImapMessage, ExpungeAndUidExpunge) {
    auto e = run("a STORE 1:3 +FLAGS.SILENT (\\Deleted)\r\nb UID EXPUNGE 2\r\nc EXPUNGE\r\nd FETCH 1:* FLAGS\r\n");
    EXPECT_EQ(e, (Events{"S: a OK STORE completed", "S: * 2 EXPUNGE", "S: b OK UID EXPUNGE completed",
                         "S: * 1 EXPUNGE", "S: * 1 EXPUNGE", "S: c OK EXPUNGE completed",
                         "S: d BAD Invalid message sequence number"}));
}

TEST(ImapMessage, CloseExpungesSilentlyUnselectDoesNot) {
    auto e = run("a STORE 1 +FLAGS.SILENT (\\Deleted)\r\nb UNSELECT\r\nc SELECT INBOX\r\nd STORE 1 +FLAGS.SILENT (\\Deleted)\r\n"
                 "e CLOSE\r\nf STATUS INBOX (MESSAGES)\r\ng FETCH 1 FLAGS\r\n");
    ASSERT_GE(e.size(), 6u);
    EXPECT_EQ(e[0], "S: a OK STORE completed");
    EXPECT_EQ(e[1], "S: b OK UNSELECT completed");
    EXPECT_EQ(e[2], "S: * FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work)");
    EXPECT_EQ(e[3], "S: * 3 EXISTS");
    Events tail(e.end() - 5, e.end());
    EXPECT_EQ(tail, (Events{"S: d OK STORE completed", "S: e OK CLOSE completed", "S: * STATUS INBOX (MESSAGES 2)",
                            "S: f OK STATUS completed", "S: g BAD Command not permitted in this state"}));
}

TEST(ImapMessage, CopyAndMove) {
    auto e = run("a COPY 1:2 Sent\r\nb UID MOVE 3 Archive\r\nc COPY 1 Nope\r\nd STATUS Sent (MESSAGES)\r\n"
                 "f FETCH 1:* UID\r\n");
    EXPECT_EQ(e, (Events{"S: a OK [COPYUID 1003 1:2 1:2] COPY completed", "S: * OK [COPYUID 1001 3 1] Moved",
                         "S: * 3 EXPUNGE", "S: b OK UID MOVE completed", "S: c NO [TRYCREATE] Mailbox does not exist",
                         "S: * STATUS Sent (MESSAGES 2)", "S: d OK STATUS completed", "S: * 1 FETCH (UID 1)",
                         "S: * 2 FETCH (UID 2)", "S: f OK FETCH completed"}));
}

TEST(ImapMessage, Search) {
    auto e = run("a SEARCH SEEN\r\nb UID SEARCH UNSEEN\r\nc SEARCH OR FLAGGED SEEN\r\nd SEARCH FROM carol\r\n"
                 "e SEARCH SUBJECT \"HELLO\"\r\nf SEARCH BODY friday\r\ng SEARCH TEXT \"part two\"\r\n"
                 "h SEARCH NOT 1:2\r\ni SEARCH SINCE 14-Nov-2023 BEFORE 15-Nov-2023\r\nj SEARCH LARGER 150\r\n"
                 "k SEARCH SENTON 13-Nov-2023\r\nl SEARCH KEYWORD $work\r\nm SEARCH HEADER Message-ID \"\"\r\n"
                 "n SEARCH CHARSET KOI8-R ALL\r\no UID SEARCH UID 2:*\r\n");
    EXPECT_EQ(e, (Events{"S: * SEARCH 1", "S: a OK SEARCH completed", "S: * SEARCH 2 3", "S: b OK UID SEARCH completed",
                         "S: * SEARCH 1 3", "S: c OK SEARCH completed", "S: * SEARCH 2", "S: d OK SEARCH completed",
                         "S: * SEARCH 1", "S: e OK SEARCH completed", "S: * SEARCH 2", "S: f OK SEARCH completed",
                         "S: * SEARCH 3", "S: g OK SEARCH completed", "S: * SEARCH 3", "S: h OK SEARCH completed",
                         "S: * SEARCH 2", "S: i OK SEARCH completed",
                         "S: * SEARCH 1 3",
                         "S: j OK SEARCH completed", "S: * SEARCH 1", "S: k OK SEARCH completed", "S: * SEARCH 3",
                         "S: l OK SEARCH completed", "S: * SEARCH 1", "S: m OK SEARCH completed",
                         "S: n NO [BADCHARSET (US-ASCII UTF-8)] Unsupported charset", "S: * SEARCH 2 3",
                         "S: o OK UID SEARCH completed"}));
}

TEST(ImapMessage, Esearch) {
    auto e = run("a SEARCH RETURN (MIN MAX COUNT) ALL\r\nb UID SEARCH RETURN () NOT SEEN\r\nc SEARCH RETURN (COUNT) DRAFT\r\n"
                 "d SEARCH RETURN (SAVE) ALL\r\n");
    EXPECT_EQ(e, (Events{"S: * ESEARCH (TAG \"a\") MIN 1 MAX 3 COUNT 3", "S: a OK SEARCH completed",
                         "S: * ESEARCH (TAG \"b\") UID ALL 2:3", "S: b OK UID SEARCH completed",
                         "S: * ESEARCH (TAG \"c\") COUNT 0", "S: c OK SEARCH completed",
                         "S: d OK SEARCH completed"}));
}

TEST(ImapMessage, NoopReportsChangesFromOthers) {
    auto e = run_phases({Phase{"", {}}, Phase{"a NOOP\r\n", [](FakeBackend& b) {
                                              b.remove_message("INBOX", 2);
                                              b.set_flags("INBOX", 3, {"\\Seen"});
                                              b.add("INBOX", "Subject: new\r\n\r\nx\r\n");
                                          }}});
    EXPECT_EQ(e, (Events{"S: * 2 EXPUNGE", "S: * 3 EXISTS", "S: * 2 FETCH (UID 3 FLAGS (\\Seen))",
                         "S: a OK NOOP completed"}));
}

TEST(ImapMessage, NoExpungeDuringFetchStoreSearch) {
    auto e = run_phases({Phase{"", {}}, Phase{"a FETCH 2 FLAGS\r\nb SEARCH ALL\r\nc STORE 3 +FLAGS.SILENT (x)\r\nd FETCH 2 BODY[]\r\n"
                                              "e NOOP\r\n",
                                              [](FakeBackend& b) { b.remove_message("INBOX", 2); }}});
    EXPECT_EQ(e, (Events{"S: * 2 FETCH (FLAGS ())", "S: a OK FETCH completed", "S: * SEARCH 1 2 3",
                         "S: b OK SEARCH completed", "S: c OK STORE completed",
                         "S: d NO [EXPUNGEISSUED] Some messages were expunged", "S: * 2 EXPUNGE",
                         "S: e OK NOOP completed"}));
}

TEST(ImapMessage, IdleSendsUpdates) {
    auto e = run_phases({Phase{"i IDLE\r\n", {}},
                         Phase{"", [](FakeBackend& b) { b.add("INBOX", "Subject: new\r\n\r\nx\r\n"); }},
                         Phase{"DONE\r\nj IDLE\r\n", [](FakeBackend& b) { b.set_flags("INBOX", 1, {}); }},
                         Phase{"done\r\n", [](FakeBackend& b) { b.remove_message("INBOX", 2); }}});
    EXPECT_EQ(e, (Events{"S: + idling", "S: * 4 EXISTS", "S: * 1 FETCH (UID 1 FLAGS ())", "S: i OK IDLE terminated",
                         "S: + idling", "S: * 2 EXPUNGE", "S: j OK IDLE terminated"}));
}

TEST(ImapMessage, SelectedFolderDeleted) {
    auto e = run_phases({Phase{"", {}}, Phase{"a NOOP\r\n", [](FakeBackend& b) { b.folders.erase("INBOX"); }}});
    EXPECT_EQ(e, (Events{"S: * BYE [UNAVAILABLE] The selected mailbox is gone", "CLOSE"}));
}

TEST(ImapMessage, FetchRfc822ItemsAndBody) {
    auto e = run("a UID FETCH 2 (RFC822.HEADER BODY)\r\nb FETCH 1 RFC822\r\n", "s EXAMINE INBOX\r\n");
    ASSERT_GE(e.size(), 3u);
    EXPECT_EQ(e[0], "S: * 2 FETCH (UID 2 RFC822.HEADER {109}");
    EXPECT_EQ(e[1], "S: From: carol@example.test");
    auto body = std::find_if(e.begin(), e.end(), [](const std::string& s) { return s.rfind("S:  BODY (", 0) == 0; });
    ASSERT_NE(body, e.end());
    EXPECT_EQ(*body, "S:  BODY (\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7BIT\" 23 1))");
    auto rfc = std::find(e.begin(), e.end(), "S: * 1 FETCH (RFC822 {" + std::to_string(kMsg1.size()) + "}");
    EXPECT_NE(rfc, e.end());
    EXPECT_EQ(e.back(), "S: b OK FETCH completed");
}

TEST(ImapMessage, Rev2SearchIsEsearch) {
    auto e = run("a SEARCH UNSEEN\r\nb UID SEARCH 5\r\n", "r ENABLE IMAP4rev2\r\ns SELECT INBOX\r\n");
    EXPECT_EQ(e, (Events{"S: * ESEARCH (TAG \"a\") ALL 2:3", "S: a OK SEARCH completed", "S: * ESEARCH (TAG \"b\") UID",
                         "S: b OK UID SEARCH completed"}));
}

TEST(ImapMessage, SearchModseqEnablesCondstore) {
    auto e = run("a STORE 2 +FLAGS.SILENT (\\Answered)\r\nb SEARCH MODSEQ 5\r\nc STORE 1 +FLAGS.SILENT (\\Answered)\r\n");
    EXPECT_EQ(e, (Events{"S: a OK STORE completed", "S: * SEARCH 2 (MODSEQ 5)", "S: b OK SEARCH completed",
                         "S: * 1 FETCH (MODSEQ (6))", "S: c OK STORE completed"}));
}

TEST(ImapMessage, CheckUnselectAndStateAfterUnselect) {
    auto e = run("a CHECK\r\nb UNSELECT\r\nc UNSELECT\r\nd CHECK\r\ne UID STORE 99 +FLAGS (x)\r\n");
    EXPECT_EQ(e, (Events{"S: a OK CHECK completed", "S: b OK UNSELECT completed",
                         "S: c BAD Command not permitted in this state", "S: d BAD Command not permitted in this state",
                         "S: e BAD Command not permitted in this state"}));
}

TEST(ImapMessage, UidCommandsOnMissingUids) {
    auto e = run("a UID STORE 99 +FLAGS (x)\r\nb UID FETCH 99 FLAGS\r\nc UID COPY 99 Sent\r\nd UID EXPUNGE 99\r\n");
    // "99" alone names nothing (only a range with '*' reaches the last message).
    EXPECT_EQ(e, (Events{"S: a OK UID STORE completed", "S: b OK UID FETCH completed", "S: c OK UID COPY completed", "S: d OK UID EXPUNGE completed"}));
}

TEST(ImapMessage, UpdatesRideOnOtherCommands) {
    // Flag changes go out with a FETCH; the EXPUNGE waits for a command that may carry it
    // (UID FETCH may, RFC 9051 7.5.1).
    auto e = run_phases({Phase{"", {}}, Phase{"a FETCH 1 UID\r\nb UID FETCH 1 UID\r\nc FETCH 1:* UID\r\n",
                                              [](FakeBackend& b) {
                                                  b.remove_message("INBOX", 2);
                                                  b.set_flags("INBOX", 1, {"\\Answered"});
                                              }}});
    EXPECT_EQ(e, (Events{"S: * 1 FETCH (UID 1)", "S: * 1 FETCH (UID 1 FLAGS (\\Answered))", "S: a OK FETCH completed",
                         "S: * 1 FETCH (UID 1)", "S: * 2 EXPUNGE", "S: b OK UID FETCH completed",
                         "S: * 1 FETCH (UID 1)", "S: * 2 FETCH (UID 3)", "S: c OK FETCH completed"}));
}

TEST(ImapMessage, BackendFailuresInSelectedState) {
    auto fail = [](BackendError e) { return [e](FakeBackend& b) { b.fail_next = e; }; };
    auto e = run_phases({Phase{"", {}}, Phase{"a STORE 1 +FLAGS (x)\r\n", fail(BackendError::Temporary)},
                         Phase{"b FETCH 1 BODY.PEEK[]\r\n", fail(BackendError::NoPermission)},
                         Phase{"c COPY 1 Sent\r\n", fail(BackendError::OverQuota)},
                         Phase{"d UID EXPUNGE 1\r\ne STORE 1 +FLAGS.SILENT (\\Deleted)\r\nf EXPUNGE\r\n",
                               fail(BackendError::Temporary)},
                         Phase{"g NOOP\r\n", fail(BackendError::Gone)}});
    // Each failure hits the phase's first backend call (folder_changed() polls only while
    // idling). For d, that is the update poll after UID EXPUNGE (message 1 is not \Deleted):
    // a failed poll is skipped and the next one catches up.
    EXPECT_EQ(e, (Events{"S: a NO [UNAVAILABLE] STORE: temporary failure, try again later",
                         "S: b NO [NOPERM] FETCH: permission denied", "S: c NO [OVERQUOTA] COPY: quota exceeded",
                         "S: d OK UID EXPUNGE completed", "S: e OK STORE completed", "S: * 1 EXPUNGE",
                         "S: f OK EXPUNGE completed", "S: * BYE [UNAVAILABLE] The selected mailbox is gone", "CLOSE"}));
}

TEST(ImapMessage, LargeMailboxStaysLinear) {
    // 20,000 messages: flag them all, expunge them all, with one update poll in between.
    // Quadratic bookkeeping (per-EXPUNGE vector erase, per-message list scans) would take
    // minutes under ASan; this must take well under a second of session time.
    Responder r;
    r.backend = [] {
        auto b = std::make_shared<FakeBackend>();
        for (int i = 0; i < 20000; ++i) b->add("INBOX", "Subject: x\r\n\r\ny\r\n");
        return b;
    };
    const std::string input = kLogin + "s SELECT INBOX\r\na STORE 1:* +FLAGS.SILENT (\\Deleted)\r\n"
                                       "b STORE 1:* (UNCHANGEDSINCE 1) +FLAGS.SILENT (\\Seen)\r\nc EXPUNGE\r\n";
    auto t = run_dialog(test_options(), {Phase{input, {}}}, input.size(), r);
    auto e = after_select(t);
    ASSERT_EQ(e.size(), 20003u);
    EXPECT_EQ(e[0], "S: a OK STORE completed");
    EXPECT_EQ(e[1], "S: b OK [MODIFIED 1:20000] Conditional STORE failed");
    EXPECT_EQ(e[2], "S: * 1 EXPUNGE");
    EXPECT_EQ(e[20001], "S: * 1 EXPUNGE");
    EXPECT_EQ(e[20002], "S: c OK EXPUNGE completed");
}
