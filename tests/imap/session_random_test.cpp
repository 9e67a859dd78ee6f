// Random command streams against a logged-in session with the standard fake store: whatever
// the mix of valid, invalid, out-of-state and half-finished commands, the session never
// crashes (ASan build), never acts after Close, and answers the same for every chunking.
#include <gtest/gtest.h>

#include <random>

#include "session_dialog.hpp"

using namespace tern;
using namespace tern::imap;
using namespace tern::imap::session_test;

namespace {

const std::vector<std::string> kLines = {
    "a NOOP", "b SELECT INBOX", "c EXAMINE Sent", "d FETCH 1:* (FLAGS BODY.PEEK[] ENVELOPE BODYSTRUCTURE)",
    "e UID FETCH 1:* (BODY[1.MIME] BODY[HEADER.FIELDS.NOT (From)]<2.5>)", "f STORE 1:2 +FLAGS (\\Deleted)",
    "g EXPUNGE", "h UID EXPUNGE 1:*", "i COPY 1:* INBOX", "j MOVE 2 Sent", "k SEARCH OR TEXT part NOT SEEN",
    "l SEARCH RETURN (MIN MAX ALL COUNT) UID 1:*", "m IDLE", "DONE", "n CLOSE", "o UNSELECT", "p LIST \"\" *",
    "q CREATE Tmp", "r RENAME Tmp Tmp2", "s DELETE Tmp2", "t STATUS INBOX (MESSAGES SIZE)", "u APPEND INBOX {5+}",
    "hello", "v APPEND Sent (\\Seen) {3}", "xyz", "w ENABLE CONDSTORE IMAP4rev2 UTF8=ACCEPT", "x UID STORE * -FLAGS.SILENT (\\Seen)",
    "y FETCH 9 FLAGS", "z BOGUS", "", "*", "+", "a1 LOGIN x y", "a2 AUTHENTICATE PLAIN", "a3 CAPABILITY",
    "a4 FETCH 1 (UID MODSEQ) (CHANGEDSINCE 1)", "a5 STORE 1 (UNCHANGEDSINCE 1) FLAGS ()", "a6 NAMESPACE",
    "a7 LSUB \"\" %", "a8 SUBSCRIBE INBOX", "a9 SEARCH $", "b1 ID NIL", "b2 SELECT \"&Jjo-\"", "b3 LIST \"\" \"&\"",
};

std::string random_stream(std::uint32_t seed, std::size_t commands) {
    std::mt19937 rng(seed);
    std::uniform_int_distribution<std::size_t> pick(0, kLines.size() - 1);
    std::string out = kLogin + "b SELECT INBOX\r\n";
    for (std::size_t i = 0; i < commands; ++i) out += kLines[pick(rng)] + "\r\n";
    return out;
}

}  // namespace

TEST(ImapSessionRandom, StreamsAreChunkingInvariant) {
    auto opts = test_options();
    opts.limits.errors = 1000;
    opts.limits.auth_failures = 1000;
    for (std::uint32_t seed = 1; seed <= 12; ++seed) {
        const std::string input = random_stream(seed, 120);
        const std::vector<Phase> phases = {Phase{input, {}}};
        Transcript whole = run_dialog(opts, phases, input.size(), standard());
        for (std::size_t k : {1u, 3u, 17u, 64u}) {
            Transcript t = run_dialog(opts, phases, k, standard());
            ASSERT_EQ(t, whole) << "seed " << seed << " chunk " << k;
        }
        EXPECT_GT(whole.events.size(), 100u);
        EXPECT_FALSE(has_event(whole, "CLOSE")) << whole;
    }
}

TEST(ImapSessionRandom, ChangesWhileWorking) {
    // Another session keeps changing INBOX between bursts of commands.
    auto opts = test_options();
    opts.limits.errors = 1000;
    std::vector<Phase> phases;
    for (std::uint32_t seed = 1; seed <= 8; ++seed) {
        std::string input = random_stream(seed + 100, 20);
        if (seed > 1) input = input.substr(kLogin.size());
        phases.push_back(Phase{input, [seed](FakeBackend& b) {
                                   auto& inbox = b.folders["INBOX"];
                                   if (!inbox.messages.empty() && seed % 2 == 0) {
                                       b.remove_message("INBOX", inbox.messages.front().uid);
                                   }
                                   if (!inbox.messages.empty()) b.set_flags("INBOX", inbox.messages.back().uid, {"$X"});
                                   b.add("INBOX", "Subject: more\r\n\r\nbody " + std::to_string(seed) + "\r\n");
                               }});
    }
    Transcript whole = run_every_chunking(opts, phases, standard());
    EXPECT_GT(whole.events.size(), 150u);
    EXPECT_TRUE(has_prefix(whole, "S: * 1 EXPUNGE")) << whole;
}
