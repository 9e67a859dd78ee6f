// The selected state's extensions in session_message.cpp: FETCH BINARY / BINARY.PEEK /
// BINARY.SIZE (RFC 3516) with literal8 and UNKNOWN-CTE, APPEND of literal8, and SEARCH RETURN
// (SAVE) with "$" in every command that takes a sequence set (RFC 5182 SEARCHRES).
#include <gtest/gtest.h>

#include "session_dialog.hpp"

using namespace tern;
using namespace tern::imap;
using namespace tern::imap::session_test;

namespace {

using Events = std::vector<std::string>;

Events after_select(const Transcript& t) {
    auto it = std::find_if(t.events.begin(), t.events.end(),
                           [](const std::string& e) { return e.rfind("S: s OK", 0) == 0; });
    EXPECT_NE(it, t.events.end()) << "no select in" << t;
    return it == t.events.end() ? Events{} : Events(it + 1, t.events.end());
}

// Part 1 quoted-printable text, part 2 base64 octets holding NUL, part 3 an encoding nobody
// knows.
const std::string kBinaryMsg =
    "From: a@example.test\r\nSubject: bin\r\nMIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=B\r\n\r\n"
    "--B\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
    "caf=C3=A9 =3D ok\r\n"
    "--B\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    "AAECAw==\r\n"
    "--B\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\n"
    "begin 644 x\r\n"
    "--B--\r\n";

Responder binary_backend() {
    Responder r;
    r.backend = [] {
        auto b = standard_backend();
        b->add("INBOX", kBinaryMsg, {}, 1'700'100'000);  // message 4
        return b;
    };
    return r;
}

Events run_binary(const std::string& input, const std::string& select = "s SELECT INBOX\r\n") {
    return after_select(run_every_chunking(test_options(), kLogin + select + input, binary_backend()));
}

Events run(const std::string& input) {
    return after_select(run_every_chunking(test_options(), kLogin + "s SELECT INBOX\r\n" + input, standard()));
}

}  // namespace

// ---- BINARY --------------------------------------------------------------------------------

TEST(ImapBinary, DecodesQuotedPrintableAndBase64) {
    auto e = run_binary("a FETCH 4 BINARY.PEEK[1]\r\nb FETCH 4 (BINARY.SIZE[1] BINARY.SIZE[2])\r\n"
                        "c FETCH 4 BINARY.PEEK[2]\r\nd FETCH 4 BINARY.PEEK[2]<1.2>\r\ne FETCH 4 FLAGS\r\n");
    EXPECT_EQ(e, (Events{"S: * 4 FETCH (BINARY[1] {10}", "S: caf\xC3\xA9 = ok)", "S: a OK FETCH completed",
                         "S: * 4 FETCH (BINARY.SIZE[1] 10 BINARY.SIZE[2] 4)", "S: b OK FETCH completed",
                         // literal8: the decoded octets hold NUL
                         "S: * 4 FETCH (BINARY[2] ~{4}", "S: " + std::string("\0\x01\x02\x03)", 5),
                         "S: c OK FETCH completed",
                         // the partial has no NUL: an ordinary literal
                         "S: * 4 FETCH (BINARY[2]<1> {2}", "S: \x01\x02)", "S: d OK FETCH completed",
                         "S: * 4 FETCH (FLAGS ())", "S: e OK FETCH completed"}));
}

TEST(ImapBinary, BinarySetsSeenPeekDoesNot) {
    auto e = run_binary("a UID FETCH 4 BINARY[1]<0.3>\r\nb FETCH 4 FLAGS\r\n");
    EXPECT_EQ(e, (Events{"S: * 4 FETCH (UID 4 BINARY[1]<0> {3}", "S: caf FLAGS (\\Seen))",
                         "S: a OK UID FETCH completed", "S: * 4 FETCH (FLAGS (\\Seen))", "S: b OK FETCH completed"}));
    // EXAMINE: read-only, nothing is set.
    e = run_binary("a FETCH 4 BINARY[1]<0.3>\r\nb FETCH 4 FLAGS\r\n", "s EXAMINE INBOX\r\n");
    EXPECT_EQ(e, (Events{"S: * 4 FETCH (BINARY[1]<0> {3}", "S: caf)", "S: a OK FETCH completed",
                         "S: * 4 FETCH (FLAGS ())", "S: b OK FETCH completed"}));
}

TEST(ImapBinary, WholeMessageSinglePartAndMissingPart) {
    auto e = run_binary("a FETCH 2 (BINARY.PEEK[] BINARY.SIZE[])\r\nb FETCH 1 (BINARY.PEEK[1] BINARY.SIZE[7])\r\n");
    EXPECT_EQ(e, (Events{"S: * 2 FETCH (BINARY[] {" + std::to_string(kMsg2.size()) + "}", "S: From: carol@example.test",
                         "S: To: alice@example.test", "S: Subject: Meeting", "S: Date: Tue, 14 Nov 2023 10:00:00 +0000",
                         "S: ", "S: Let us meet on Friday",
                         "S:  BINARY.SIZE[] " + std::to_string(kMsg2.size()) + ")", "S: a OK FETCH completed",
                         // part 1 of a single-part message is its body; part 7 does not exist
                         "S: * 1 FETCH (BINARY[1] {17}", "S: First body text", "S:  BINARY.SIZE[7] 0)",
                         "S: b OK FETCH completed"}));
}

TEST(ImapBinary, UnknownEncodingIsRefusedOthersServed) {
    auto e = run_binary("a FETCH 3:4 BINARY[3]\r\nb FETCH 4 BINARY.SIZE[3]\r\nc FETCH 4 FLAGS\r\n");
    // Message 3 has no part 3 (served empty); message 4's part 3 cannot be decoded: no FETCH
    // for its data, but the \Seen it gained is reported.
    EXPECT_EQ(e, (Events{"S: * 3 FETCH (BINARY[3] {0}", "S:  FLAGS (\\Flagged $Work \\Seen))",
                         "S: * 4 FETCH (FLAGS (\\Seen))",
                         "S: a NO [UNKNOWN-CTE] Cannot decode the content-transfer-encoding",
                         "S: b NO [UNKNOWN-CTE] Cannot decode the content-transfer-encoding",
                         "S: * 4 FETCH (FLAGS (\\Seen))", "S: c OK FETCH completed"}));
}

TEST(ImapBinary, AppendLiteral8) {
    const std::string eight = "Subject: x\r\n\r\ncaf\xC3\xA9\r\n";
    const std::string nul = std::string("Subject: y\r\n\r\na\0b\r\n", 19);
    std::shared_ptr<FakeBackend> kept;
    auto t = run_dialog(test_options(),
                        {Phase{kLogin + "a APPEND Sent ~{" + std::to_string(eight.size()) + "+}\r\n" + eight +
                                   "\r\nb APPEND Sent ~{" + std::to_string(nul.size()) + "+}\r\n" + nul + "\r\n",
                               {}}},
                        1 << 20, standard(), &kept);
    auto e = after_login(t);
    ASSERT_EQ(e.size(), 2u) << t;
    EXPECT_EQ(e[0].rfind("S: a OK [APPENDUID ", 0), 0u) << e[0];
    EXPECT_EQ(e[1], "S: b NO [UNKNOWN-CTE] Messages holding NUL cannot be stored; send them encoded");
    ASSERT_EQ(kept->folders.at("Sent").messages.size(), 1u);
    EXPECT_EQ(kept->folders.at("Sent").messages[0].data, eight);
}

// ---- SEARCHRES -----------------------------------------------------------------------------

TEST(ImapSearchRes, SaveAloneAnswersNothingAndDollarFetches) {
    auto e = run("a SEARCH RETURN (SAVE) FLAGGED\r\nb FETCH $ (UID)\r\nc UID FETCH $ (FLAGS)\r\n"
                 "d SEARCH RETURN (SAVE) UNSEEN\r\ne UID SEARCH UID $\r\nf SEARCH $ FLAGGED\r\n");
    EXPECT_EQ(e, (Events{"S: a OK SEARCH completed", "S: * 3 FETCH (UID 3)", "S: b OK FETCH completed",
                         "S: * 3 FETCH (UID 3 FLAGS (\\Flagged $Work))", "S: c OK UID FETCH completed",
                         "S: d OK SEARCH completed", "S: * SEARCH 2 3", "S: e OK UID SEARCH completed",
                         "S: * SEARCH 3", "S: f OK SEARCH completed"}));
}

TEST(ImapSearchRes, SaveWithOtherOptions) {
    // MIN and MAX alone save only those; with ALL or COUNT everything is saved.
    auto e = run("a SEARCH RETURN (SAVE MIN MAX) ALL\r\nb FETCH $ (UID)\r\n"
                 "c UID SEARCH RETURN (COUNT SAVE MIN) 2:3\r\nd SEARCH $\r\n"
                 "e SEARCH RETURN (MIN SAVE) 2:3\r\nf SEARCH $\r\n");
    EXPECT_EQ(e, (Events{"S: * ESEARCH (TAG \"a\") MIN 1 MAX 3", "S: a OK SEARCH completed",
                         "S: * 1 FETCH (UID 1)", "S: * 3 FETCH (UID 3)", "S: b OK FETCH completed",
                         "S: * ESEARCH (TAG \"c\") UID MIN 2 COUNT 2", "S: c OK UID SEARCH completed",
                         "S: * SEARCH 2 3", "S: d OK SEARCH completed",
                         "S: * ESEARCH (TAG \"e\") MIN 2", "S: e OK SEARCH completed",
                         "S: * SEARCH 2", "S: f OK SEARCH completed"}));
}

TEST(ImapSearchRes, DollarInStoreCopyMoveAndUidExpunge) {
    std::shared_ptr<FakeBackend> kept;
    auto t = run_dialog(test_options(),
                        {Phase{kLogin + "s SELECT INBOX\r\na SEARCH RETURN (SAVE) 2:3\r\n"
                                        "b STORE $ +FLAGS (\\Deleted)\r\nc COPY $ Archive\r\n"
                                        "d UID EXPUNGE $\r\ne FETCH 1:* (UID)\r\nf FETCH $ (UID)\r\n"
                                        "g SEARCH RETURN (SAVE) 1\r\nh MOVE $ Sent\r\ni FETCH $ (UID)\r\n",
                               {}}},
                        1 << 20, standard(), &kept);
    auto e = after_select(t);
    ASSERT_GE(e.size(), 14u) << t;
    EXPECT_EQ(Events(e.begin(), e.begin() + 4),
              (Events{"S: a OK SEARCH completed", "S: * 2 FETCH (FLAGS (\\Deleted))",
                      "S: * 3 FETCH (FLAGS (\\Flagged $Work \\Deleted))", "S: b OK STORE completed"}));
    EXPECT_EQ(e[4].rfind("S: c OK [COPYUID 1001 2:3 1:2] COPY completed", 0), 0u) << e[4];
    // The saved result follows the expunge: "$" is empty afterwards, not an error.
    EXPECT_EQ(Events(e.begin() + 5, e.end()),
              (Events{"S: * 2 EXPUNGE", "S: * 2 EXPUNGE", "S: d OK UID EXPUNGE completed", "S: * 1 FETCH (UID 1)",
                      "S: e OK FETCH completed", "S: f OK FETCH completed", "S: g OK SEARCH completed",
                      "S: * OK [COPYUID 1003 1 1] Moved", "S: * 1 EXPUNGE", "S: h OK MOVE completed",
                      "S: i OK FETCH completed"}));
    EXPECT_EQ(kept->folders.at("Archive").messages.size(), 2u);
    EXPECT_EQ(kept->folders.at("Sent").messages.size(), 1u);
}

TEST(ImapSearchRes, FollowsExpungeByAnotherSession) {
    auto e = after_select(run_every_chunking(
        test_options(),
        std::vector<Phase>{Phase{kLogin + "s SELECT INBOX\r\na SEARCH RETURN (SAVE) 1:3\r\n", {}},
                           Phase{"b NOOP\r\nc FETCH $ (UID)\r\n",
                                 [](FakeBackend& b) { b.remove_message("INBOX", 2); }}},
        standard()));
    EXPECT_EQ(e, (Events{"S: a OK SEARCH completed", "S: * 2 EXPUNGE", "S: b OK NOOP completed",
                         "S: * 1 FETCH (UID 1)", "S: * 2 FETCH (UID 3)", "S: c OK FETCH completed"}));
}

TEST(ImapSearchRes, ResetBySelectUnselectCloseAndFailedSave) {
    auto e = run("a SEARCH RETURN (SAVE) ALL\r\nb UNSELECT\r\nc SELECT INBOX\r\nd FETCH $ (UID)\r\n"
                 "e SEARCH RETURN (SAVE) ALL\r\nf EXAMINE INBOX\r\ng SEARCH $\r\n"
                 "h SEARCH RETURN (SAVE) ALL\r\ni SEARCH RETURN (SAVE) CHARSET KOI8-R ALL\r\nj SEARCH $\r\n");
    ASSERT_GE(e.size(), 4u);
    EXPECT_EQ(e[0], "S: a OK SEARCH completed");
    EXPECT_EQ(e[1], "S: b OK UNSELECT completed");
    auto d = std::find(e.begin(), e.end(), "S: d OK FETCH completed");
    ASSERT_NE(d, e.end()) << ::testing::PrintToString(e);
    EXPECT_TRUE(std::string(*(d - 1)).rfind("S: c OK", 0) == 0) << *(d - 1);  // no FETCH for "$"
    auto g = std::find(e.begin(), e.end(), "S: g OK SEARCH completed");
    ASSERT_NE(g, e.end());
    EXPECT_EQ(*(g - 1), "S: * SEARCH");
    EXPECT_EQ(Events(e.end() - 4, e.end()),
              (Events{"S: h OK SEARCH completed", "S: i NO [BADCHARSET (US-ASCII UTF-8)] Unsupported charset",
                      "S: * SEARCH", "S: j OK SEARCH completed"}));
}

TEST(ImapSearchRes, DollarBeforeAnySaveIsEmpty) {
    auto e = run("a FETCH $ FLAGS\r\nb STORE $ +FLAGS (\\Seen)\r\nc SEARCH UID $\r\n");
    EXPECT_EQ(e, (Events{"S: a OK FETCH completed", "S: b OK STORE completed", "S: * SEARCH",
                         "S: c OK SEARCH completed"}));
}
