// The IMAP session's output controls: COMPRESS=DEFLATE (RFC 4978: where compression starts,
// COMPRESSIONACTIVE, unknown mechanisms, states) and back-pressure (Drain actions bound what
// is produced before the driver writes it: a FETCH 1:* BODY[] comes in batches, pipelined
// commands wait for the output of earlier ones).
#include <gtest/gtest.h>

#include "session_dialog.hpp"

using namespace tern;
using namespace tern::imap;
using namespace tern::imap::session_test;

namespace {

using Events = std::vector<std::string>;

Events after_login_events(const std::string& input, const SessionOptions& opts = test_options()) {
    return after_login(run_every_chunking(opts, kLogin + input, standard()));
}

}  // namespace

TEST(ImapCompress, AdvertisedAfterLoginOnly) {
    auto t = run_every_chunking(test_options(), "a CAPABILITY\r\n" + kLogin + "b CAPABILITY\r\n");
    ASSERT_GE(t.events.size(), 2u);
    EXPECT_EQ(t.events[1].find("COMPRESS="), std::string::npos);
    EXPECT_TRUE(has_prefix(t, "S: * CAPABILITY IMAP4rev1"));
    auto e = after_login(t);
    ASSERT_FALSE(e.empty());
    EXPECT_NE(e[0].find(" COMPRESS=DEFLATE"), std::string::npos);
}

TEST(ImapCompress, NotBeforeLogin) {
    auto t = run_every_chunking(test_options(), "a COMPRESS DEFLATE\r\nb NOOP\r\n");
    EXPECT_TRUE(has_event(t, "S: a BAD Command not permitted in this state"));
    EXPECT_FALSE(has_event(t, "COMPRESS"));
    EXPECT_TRUE(has_event(t, "S: b OK NOOP completed"));
}

TEST(ImapCompress, StartsAfterTheTaggedOkAndHandsBackWhatFollows) {
    // What the client pipelined after the COMPRESS line is compressed data: the session gives
    // it to the driver (the harness's identity "inflate" feeds it back) and runs it only then.
    auto e = after_login_events("c COMPRESS deflate\r\nd NOOP\r\ne SELECT INBOX\r\n");
    ASSERT_GE(e.size(), 3u);
    EXPECT_EQ(e[0], "S: c OK DEFLATE active");
    EXPECT_EQ(e[1], "COMPRESS");
    EXPECT_EQ(e[2], "S: d OK NOOP completed");
    EXPECT_EQ(e.back(), "S: e OK [READ-WRITE] SELECT completed");
}

TEST(ImapCompress, LeftoverIsNeverReadAsPlainCommands) {
    ServerSession s(test_options());
    s.start();
    s.feed(kLogin);
    for (auto& a : s.take_actions()) {
        if (std::holds_alternative<action::VerifyPassword>(a)) s.password_verified(AuthVerdict::Ok);
    }
    s.mailboxes_opened(standard_backend());
    s.take_actions();
    s.feed("c COMPRESS DEFLATE\r\nx NOOP\r\n");
    auto actions = s.take_actions();
    ASSERT_EQ(actions.size(), 2u);
    EXPECT_EQ(std::get<action::SendReply>(actions[0]).bytes, "c OK DEFLATE active\r\n");
    EXPECT_EQ(std::get<action::StartCompression>(actions[1]).compressed_input, "x NOOP\r\n");
    EXPECT_EQ(s.buffered(), 0u);
    EXPECT_TRUE(s.compress_active());
}

TEST(ImapCompress, AlreadyActiveUnknownMechanismAndSelectedState) {
    auto e = after_login_events("s SELECT INBOX\r\na COMPRESS GZIP\r\nb COMPRESS DEFLATE\r\nc COMPRESS DEFLATE\r\n"
                                "d NOOP\r\n");
    EXPECT_NE(std::find(e.begin(), e.end(), "S: a BAD Unknown compression mechanism"), e.end());
    EXPECT_NE(std::find(e.begin(), e.end(), "S: b OK DEFLATE active"), e.end());
    EXPECT_NE(std::find(e.begin(), e.end(), "S: c NO [COMPRESSIONACTIVE] DEFLATE is already active"), e.end());
    EXPECT_EQ(std::count(e.begin(), e.end(), "COMPRESS"), 1);
    EXPECT_EQ(e.back(), "S: d OK NOOP completed");
}

// ---- back-pressure -------------------------------------------------------------------------

namespace {

struct DrainRun {
    std::string output;
    std::size_t drains = 0;
    std::size_t largest_batch = 0;  // reply octets handed out between two writes
};

// Drives a session like the network driver: the output handed out since the last "write"
// (a Drain, or the next feed) is measured.
DrainRun run_with_drains(const SessionOptions& opts, std::shared_ptr<FakeBackend> backend, const std::string& input) {
    DrainRun r;
    ServerSession s(opts);
    std::size_t batch = 0;
    auto perform = [&] {
        for (auto actions = s.take_actions(); !actions.empty(); actions = s.take_actions()) {
            for (auto& a : actions) {
                if (auto* rep = std::get_if<action::SendReply>(&a)) {
                    r.output += rep->bytes;
                    batch += rep->bytes.size();
                } else if (std::holds_alternative<action::VerifyPassword>(a)) {
                    s.password_verified(AuthVerdict::Ok);
                } else if (std::holds_alternative<action::OpenMailboxes>(a)) {
                    s.mailboxes_opened(backend);
                } else if (std::holds_alternative<action::Drain>(a)) {
                    EXPECT_TRUE(s.parked());
                    r.largest_batch = std::max(r.largest_batch, batch);
                    batch = 0;
                    ++r.drains;
                    s.drained();
                }
            }
        }
        r.largest_batch = std::max(r.largest_batch, batch);
        batch = 0;
    };
    s.start();
    perform();
    s.feed(input);
    perform();
    EXPECT_FALSE(s.parked());
    return r;
}

std::shared_ptr<FakeBackend> big_inbox(int messages, std::size_t body) {
    auto b = std::make_shared<FakeBackend>();
    for (int i = 0; i < messages; ++i)
        b->add("INBOX", "Subject: m" + std::to_string(i) + "\r\n\r\n" + std::string(body, 'x') + "\r\n");
    return b;
}

}  // namespace

TEST(ImapBackPressure, FetchOfAWholeFolderComesInBatches) {
    SessionOptions opts = test_options();
    opts.limits.output_batch = 64 * 1024;
    const std::string input = kLogin + "s SELECT INBOX\r\nf FETCH 1:* BODY.PEEK[]\r\nn NOOP\r\n";
    auto r = run_with_drains(opts, big_inbox(40, 20000), input);
    // 40 x 20 kB = 800 kB of literals: batches of four responses (the fourth passes 64 kB),
    // none above the limit plus one
    // message's response.
    EXPECT_GE(r.drains, 9u);
    EXPECT_LE(r.largest_batch, opts.limits.output_batch + 21000);
    for (int i = 1; i <= 40; ++i)
        EXPECT_NE(r.output.find("* " + std::to_string(i) + " FETCH (BODY[] {"), std::string::npos) << i;
    auto ok = r.output.find("f OK FETCH completed\r\n");
    ASSERT_NE(ok, std::string::npos);
    EXPECT_GT(ok, r.output.find("* 40 FETCH"));
    EXPECT_GT(r.output.find("n OK NOOP completed\r\n"), ok);
}

TEST(ImapBackPressure, BatchesDoNotChangeWhatIsSaid) {
    // Same transcript with a tiny batch (a Drain before nearly every response) as with the
    // default, at every chunking; updates found during the FETCH still come before its OK.
    const std::string input = kLogin + "s SELECT INBOX\r\nf FETCH 1:* (FLAGS BODY[])\r\nn NOOP\r\n"
                                       "u UID FETCH 1:* RFC822.SIZE\r\n";
    SessionOptions tiny = test_options();
    tiny.limits.output_batch = 1;
    auto a = run_every_chunking(test_options(), input, standard());
    auto b = run_every_chunking(tiny, input, standard());
    EXPECT_EQ(a, b);
    EXPECT_TRUE(has_event(a, "S: u OK UID FETCH completed"));
}

TEST(ImapBackPressure, PipelinedCommandsWaitForEarlierOutput) {
    SessionOptions opts = test_options();
    opts.limits.output_batch = 4096;
    std::string input = kLogin;
    for (int i = 0; i < 5000; ++i) input += "a" + std::to_string(i) + " NOOP\r\n";
    auto r = run_with_drains(opts, std::make_shared<FakeBackend>(), input);
    EXPECT_GE(r.drains, 20u);
    EXPECT_LE(r.largest_batch, 4096u + 64);
    EXPECT_NE(r.output.find("a4999 OK NOOP completed\r\n"), std::string::npos);
}

TEST(ImapBackPressure, CloseWhileWaitingEndsTheFetch) {
    SessionOptions opts = test_options();
    opts.limits.output_batch = 1024;
    ServerSession s(opts);
    auto backend = big_inbox(10, 4000);
    s.start();
    s.feed(kLogin);
    for (auto& a : s.take_actions())
        if (std::holds_alternative<action::VerifyPassword>(a)) s.password_verified(AuthVerdict::Ok);
    s.mailboxes_opened(backend);
    s.take_actions();
    s.feed("s SELECT INBOX\r\nf FETCH 1:* BODY.PEEK[]\r\n");
    auto actions = s.take_actions();
    ASSERT_FALSE(actions.empty());
    EXPECT_TRUE(std::holds_alternative<action::Drain>(actions.back()));
    EXPECT_TRUE(s.parked());
    s.shutdown();
    actions = s.take_actions();
    ASSERT_EQ(actions.size(), 2u);
    EXPECT_TRUE(std::holds_alternative<action::Close>(actions[1]));
    s.drained();  // too late: nothing more
    EXPECT_TRUE(s.take_actions().empty());
}
