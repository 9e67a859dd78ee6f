// QRESYNC in the IMAP session (RFC 7162 3.2): ENABLE QRESYNC, VANISHED instead of EXPUNGE
// (NOOP, IDLE, EXPUNGE, UID EXPUNGE, MOVE; held back during FETCH/STORE/SEARCH with a lower
// HIGHESTMODSEQ), SELECT/EXAMINE (QRESYNC (...)) with VANISHED (EARLIER), changed FLAGS and
// seq-match-data, UID FETCH (CHANGEDSINCE m VANISHED), [CLOSED], UID and MODSEQ in every FETCH,
// and the fallback when the expunge history does not reach back. Every dialog at every chunk
// size.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "session_dialog.hpp"

using namespace tern;
using namespace tern::imap;
using namespace tern::imap::session_test;

namespace {

using Events = std::vector<std::string>;

const std::string kEnable = "e ENABLE QRESYNC\r\n";

// The events after the first one starting with `prefix`.
Events after(const Transcript& t, const std::string& prefix) {
    auto it = std::find_if(t.events.begin(), t.events.end(),
                           [&](const std::string& e) { return e.rfind(prefix, 0) == 0; });
    EXPECT_NE(it, t.events.end()) << "no " << prefix << " in" << t;
    return it == t.events.end() ? Events{} : Events(it + 1, t.events.end());
}

// A session that enabled QRESYNC and selected INBOX; the events after the SELECT's tagged OK.
Events run_selected(std::vector<Phase> phases, const Responder& r = standard()) {
    phases.front().input = kLogin + kEnable + "s SELECT INBOX\r\n" + phases.front().input;
    return after(run_every_chunking(test_options(), phases, r), "S: s OK");
}

// The standard INBOX (UIDs 1-3 at modseq 2-4, HIGHESTMODSEQ 4, UIDVALIDITY 1000) after another
// session removed UID 2 (modseq 5), set \Seen on UID 3 (6) and delivered UID 4 (7).
Responder changed_since_4() {
    Responder r;
    r.backend = [] {
        auto b = standard_backend();
        b->remove_message("INBOX", 2);
        b->set_flags("INBOX", 3, {"\\Seen"});
        b->add("INBOX", "Subject: new\r\n\r\nx\r\n");
        return b;
    };
    return r;
}

// What "s SELECT INBOX (QRESYNC (...))" sends after HIGHESTMODSEQ.
Events resync(const std::string& params, const Responder& r = changed_since_4(), const std::string& verb = "SELECT") {
    auto t = run_every_chunking(test_options(), kLogin + kEnable + "s " + verb + " INBOX (QRESYNC (" + params + "))\r\n", r);
    return after(t, "S: * OK [HIGHESTMODSEQ");
}

}  // namespace

TEST(ImapQresync, EnableImpliesCondstore) {
    auto t = run_every_chunking(test_options(), kLogin + "a ENABLE qresync\r\nb ENABLE CONDSTORE QRESYNC\r\n");
    EXPECT_EQ(after_login(t), (Events{"S: * ENABLED QRESYNC", "S: a OK ENABLE completed", "S: * ENABLED",
                                      "S: b OK ENABLE completed"}));
}

TEST(ImapQresync, RefusedWithoutEnable) {
    auto t = run_every_chunking(test_options(), kLogin + "a SELECT INBOX (QRESYNC (1000 4))\r\nb SELECT INBOX\r\n"
                                                         "c UID FETCH 1:* FLAGS (CHANGEDSINCE 1 VANISHED)\r\n",
                                standard());
    auto e = after_login(t);
    ASSERT_FALSE(e.empty());
    EXPECT_EQ(e.front(), "S: a BAD QRESYNC is not enabled");
    EXPECT_EQ(e.back(), "S: c BAD VANISHED requires ENABLE QRESYNC");
    EXPECT_FALSE(has_prefix(t, "S: * VANISHED"));
}

TEST(ImapQresync, VanishedReplacesExpunge) {
    auto e = run_selected({Phase{"", {}},
                           Phase{"a NOOP\r\nb STORE 1 +FLAGS.SILENT (\\Deleted)\r\nc EXPUNGE\r\nd MOVE 1 Sent\r\n",
                                 [](FakeBackend& b) {
                                     b.remove_message("INBOX", 2);
                                     b.add("INBOX", "Subject: new\r\n\r\nx\r\n");
                                 }},
                           Phase{"f UID STORE 4 +FLAGS.SILENT (\\Deleted)\r\ng UID EXPUNGE 4\r\n", {}}});
    EXPECT_EQ(e, (Events{"S: * VANISHED 2", "S: * 3 EXISTS", "S: a OK NOOP completed",
                         // RFC 7162 3.2.4: UID and MODSEQ even for .SILENT without UID.
                         "S: * 1 FETCH (UID 1 MODSEQ (7))", "S: b OK STORE completed", "S: * VANISHED 1",
                         "S: c OK EXPUNGE completed", "S: * OK [COPYUID 1003 3 1] Moved", "S: * VANISHED 3",
                         "S: d OK MOVE completed", "S: * 1 FETCH (UID 4 MODSEQ (10))", "S: f OK UID STORE completed",
                         "S: * VANISHED 4", "S: g OK UID EXPUNGE completed"}));
}

TEST(ImapQresync, IdleSendsVanished) {
    auto e = run_selected({Phase{"i IDLE\r\n", {}},
                           Phase{"DONE\r\n", [](FakeBackend& b) {
                                     b.remove_message("INBOX", 1);
                                     b.remove_message("INBOX", 2);
                                 }}});
    EXPECT_EQ(e, (Events{"S: + idling", "S: * VANISHED 1:2", "S: i OK IDLE terminated"}));
}

TEST(ImapQresync, HeldBackVanishedLowersHighestModseq) {
    auto e = run_selected({Phase{"", {}}, Phase{"a FETCH 1 FLAGS\r\nb STORE 3 +FLAGS (x)\r\nc NOOP\r\n",
                                                 [](FakeBackend& b) { b.remove_message("INBOX", 2); }}});
    // The expunge (modseq 5) is held back; the MODSEQ 6 of b must not become the client's
    // HIGHESTMODSEQ before it hears about it.
    EXPECT_EQ(e, (Events{"S: * 1 FETCH (FLAGS (\\Seen))", "S: * OK [HIGHESTMODSEQ 4] Expunges pending",
                         "S: a OK FETCH completed", "S: * 3 FETCH (UID 3 FLAGS (\\Flagged $Work x) MODSEQ (6))",
                         "S: * OK [HIGHESTMODSEQ 4] Expunges pending", "S: b OK STORE completed",
                         "S: * VANISHED 2", "S: c OK NOOP completed"}));
}

TEST(ImapQresync, FetchThatSetsSeenCarriesUidAndModseq) {
    auto e = run_selected({Phase{"a FETCH 2 BODY[TEXT]\r\nb FETCH 2 FLAGS\r\n", {}}});
    EXPECT_EQ(e, (Events{"S: * 2 FETCH (BODY[TEXT] {23}", "S: Let us meet on Friday", "S:  FLAGS (\\Seen) UID 2 MODSEQ (5))",
                         "S: a OK FETCH completed", "S: * 2 FETCH (FLAGS (\\Seen))", "S: b OK FETCH completed"}));
}

TEST(ImapQresync, SelectReportsVanishedEarlierAndChangedFlags) {
    // Known UIDs 1:3: UID 4 is new to the client (EXISTS/UIDNEXT tell it), not a FETCH here.
    EXPECT_EQ(resync("1000 4 1:3"), (Events{"S: * VANISHED (EARLIER) 2", "S: * 2 FETCH (UID 3 FLAGS (\\Seen) MODSEQ (6))",
                                           "S: s OK [READ-WRITE] SELECT completed"}));
    // No known UIDs: 1:<highest UID>.
    EXPECT_EQ(resync("1000 4"), (Events{"S: * VANISHED (EARLIER) 2", "S: * 2 FETCH (UID 3 FLAGS (\\Seen) MODSEQ (6))",
                                        "S: * 3 FETCH (UID 4 FLAGS () MODSEQ (7))", "S: s OK [READ-WRITE] SELECT completed"}));
    // Older state: UID 1 (modseq 2) changed since too.
    EXPECT_EQ(resync("1000 1 1:3", changed_since_4(), "EXAMINE"),
              (Events{"S: * VANISHED (EARLIER) 2", "S: * 1 FETCH (UID 1 FLAGS (\\Seen) MODSEQ (2))",
                      "S: * 2 FETCH (UID 3 FLAGS (\\Seen) MODSEQ (6))", "S: s OK [READ-ONLY] EXAMINE completed"}));
    // Up to date, or only UIDs not asked about changed.
    EXPECT_EQ(resync("1000 7 1:4"), (Events{"S: s OK [READ-WRITE] SELECT completed"}));
    EXPECT_EQ(resync("1000 4 1"), (Events{"S: s OK [READ-WRITE] SELECT completed"}));
    // Another UIDVALIDITY: a plain SELECT, the client starts over.
    EXPECT_EQ(resync("999 4 1:3"), (Events{"S: s OK [READ-WRITE] SELECT completed"}));
}

TEST(ImapQresync, SelectOnlyReportsUidsExpungedSince) {
    Responder r;
    r.backend = [] {
        auto b = standard_backend();
        b->add("INBOX", "Subject: four\r\n\r\nx\r\n");  // UID 4, modseq 5
        b->add("INBOX", "Subject: five\r\n\r\nx\r\n");  // UID 5, modseq 6
        b->remove_message("INBOX", 1);                  // modseq 7
        b->remove_message("INBOX", 5);                  // modseq 8: above the last message
        return b;
    };
    EXPECT_EQ(resync("1000 7 1:5", r), (Events{"S: * VANISHED (EARLIER) 5", "S: s OK [READ-WRITE] SELECT completed"}));
    EXPECT_EQ(resync("1000 6 1:5", r), (Events{"S: * VANISHED (EARLIER) 1,5", "S: s OK [READ-WRITE] SELECT completed"}));
    EXPECT_EQ(resync("1000 6 2:4", r), (Events{"S: s OK [READ-WRITE] SELECT completed"}));
}

TEST(ImapQresync, FallbackAndSeqMatchData) {
    // UIDs 1-6; UID 2 expunged long ago (the client knows), UID 5 since its modseq 8; the
    // history does not reach back to 8, so every known UID that is gone is reported...
    Responder r;
    r.backend = [] {
        auto b = standard_backend();
        for (int i = 0; i < 3; ++i) b->add("INBOX", "Subject: more\r\n\r\nx\r\n");  // UIDs 4-6, modseq 5-7
        b->remove_message("INBOX", 2);  // modseq 8
        b->remove_message("INBOX", 5);  // modseq 9
        b->folders.at("INBOX").history_from = 100;
        return b;
    };
    const Events ok = {"S: s OK [READ-WRITE] SELECT completed"};
    auto with = [&](std::string first, Events e) {
        e.insert(e.begin(), std::move(first));
        return e;
    };
    EXPECT_EQ(resync("1000 9 1:6", r), with("S: * VANISHED (EARLIER) 2,5", ok));
    // ...unless the client's message numbers show nothing below UID 4 went unseen: it says
    // 1, 2, 3 were UIDs 1, 3, 4, and so they still are.
    EXPECT_EQ(resync("1000 9 1:6 (1:3 1,3:4)", r), with("S: * VANISHED (EARLIER) 5", ok));
    // The second pair does not match here (message 2 is UID 3): only UID 1 is known safe.
    EXPECT_EQ(resync("1000 9 1:6 (1:3 1:3)", r), with("S: * VANISHED (EARLIER) 2,5", ok));
    // Pairs that are not ascending end the walk (going on, (3,4) would match).
    EXPECT_EQ(resync("1000 9 1:6 (1,1,3 1,1,4)", r), with("S: * VANISHED (EARLIER) 2,5", ok));
    // A history that reaches back needs no fallback.
    Responder full = r;
    full.backend = [r] {
        auto b = r.backend();
        b->folders.at("INBOX").history_from = 0;
        return b;
    };
    EXPECT_EQ(resync("1000 8 1:6", full), with("S: * VANISHED (EARLIER) 5", ok));
}

TEST(ImapQresync, UidFetchVanished) {
    Responder r;
    r.backend = [] {
        auto b = standard_backend();
        b->add("INBOX", "Subject: four\r\n\r\nx\r\n");  // UID 4, modseq 5
        b->add("INBOX", "Subject: five\r\n\r\nx\r\n");  // UID 5, modseq 6
        b->remove_message("INBOX", 2);                  // modseq 7
        b->remove_message("INBOX", 5);                  // modseq 8
        b->set_flags("INBOX", 3, {"\\Seen"});           // modseq 9
        return b;
    };
    auto t = run_every_chunking(test_options(),
                                kLogin + kEnable + "s SELECT INBOX\r\n"
                                "a UID FETCH 1:* (FLAGS) (CHANGEDSINCE 6 VANISHED)\r\n"
                                "b UID FETCH 1:* (FLAGS) (CHANGEDSINCE 7 VANISHED)\r\n"
                                "c UID FETCH 3:4 (FLAGS) (CHANGEDSINCE 1 VANISHED)\r\n"
                                "d UID FETCH 4:9 (FLAGS) (CHANGEDSINCE 9 VANISHED)\r\n",
                                r);
    EXPECT_EQ(after(t, "S: s OK"),
              (Events{"S: * VANISHED (EARLIER) 2,5", "S: * 2 FETCH (UID 3 FLAGS (\\Seen) MODSEQ (9))",
                      "S: a OK UID FETCH completed", "S: * VANISHED (EARLIER) 5",
                      "S: * 2 FETCH (UID 3 FLAGS (\\Seen) MODSEQ (9))", "S: b OK UID FETCH completed",
                      "S: * 2 FETCH (UID 3 FLAGS (\\Seen) MODSEQ (9))", "S: * 3 FETCH (UID 4 FLAGS () MODSEQ (5))",
                      "S: c OK UID FETCH completed", "S: d OK UID FETCH completed"}));
}

TEST(ImapQresync, UidFetchVanishedSkipsUidsStillListed) {
    // UID 2 goes while the client looks; a FETCH holds the news back, so the UID FETCH must not
    // call it EARLIER: it comes as VANISHED before the tagged OK.
    auto e = run_selected({Phase{"", {}}, Phase{"a FETCH 1 FLAGS\r\nb UID FETCH 1:* (FLAGS) (CHANGEDSINCE 4 VANISHED)\r\n",
                                                [](FakeBackend& b) { b.remove_message("INBOX", 2); }}});
    EXPECT_EQ(e, (Events{"S: * 1 FETCH (FLAGS (\\Seen))", "S: * OK [HIGHESTMODSEQ 4] Expunges pending",
                         "S: a OK FETCH completed", "S: * VANISHED 2", "S: b OK UID FETCH completed"}));
}

TEST(ImapQresync, UidFetchVanishedFallsBackWhenTheHistoryFails) {
    auto e = run_selected({Phase{"", {}},
                           Phase{"a UID FETCH 1:* (FLAGS) (CHANGEDSINCE 5 VANISHED)\r\n",
                                 [](FakeBackend& b) { b.fail_next = BackendError::Temporary; }}},
                          [] {
                              Responder r;
                              r.backend = [] {
                                  auto b = standard_backend();
                                  b->remove_message("INBOX", 3);  // modseq 5
                                  return b;
                              };
                              return r;
                          }());
    // folder_changed() outside IDLE polls nothing, so the failure meets expunged_since: every
    // UID up to the highest that is gone is reported, although UID 3 went at modseq 5, not
    // after it.
    EXPECT_EQ(e, (Events{"S: * VANISHED (EARLIER) 3", "S: a OK UID FETCH completed"}));
}

TEST(ImapQresync, ReselectSaysClosed) {
    auto t = run_every_chunking(test_options(), kLogin + kEnable + "a SELECT INBOX\r\nb EXAMINE Sent (QRESYNC (1003 1))\r\n",
                                standard());
    auto e = after(t, "S: a OK");
    ASSERT_FALSE(e.empty());
    EXPECT_EQ(e.front(), "S: * OK [CLOSED] Previous mailbox closed");
    EXPECT_EQ(e.back(), "S: b OK [READ-ONLY] EXAMINE completed");
}

TEST(ImapQresync, RandomStreamsNeverSayExpunge) {
    // Random QRESYNC-era commands while another session keeps changing INBOX: the same
    // transcript at every chunking, never an EXPUNGE, never a closed connection.
    const std::vector<std::string> lines = {
        "a NOOP", "b SELECT INBOX (QRESYNC (1000 2 1:9 (1:2 1:2)))", "c EXAMINE INBOX (QRESYNC (1000 3))",
        "d UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)", "e FETCH 1:* (FLAGS BODY[TEXT])", "f STORE 1:2 +FLAGS (\\Deleted)",
        "g EXPUNGE", "h UID EXPUNGE 1:*", "i MOVE 1 Sent", "j SEARCH ALL", "k UID STORE * -FLAGS.SILENT (\\Seen)",
        "l CLOSE", "m UNSELECT", "n SELECT INBOX", "o IDLE", "DONE", "p UID FETCH 2:* (UID) (CHANGEDSINCE 3 VANISHED)",
    };
    auto opts = test_options();
    opts.limits.errors = 1000;
    std::vector<Phase> phases;
    for (std::uint32_t seed = 1; seed <= 8; ++seed) {
        std::mt19937 rng(seed);
        std::uniform_int_distribution<std::size_t> pick(0, lines.size() - 1);
        std::string input = seed == 1 ? kLogin + kEnable + "s SELECT INBOX\r\n" : "";
        for (int i = 0; i < 25; ++i) input += lines[pick(rng)] + "\r\n";
        phases.push_back(Phase{input, [seed](FakeBackend& b) {
                                   auto& inbox = b.folders["INBOX"];
                                   if (!inbox.messages.empty() && seed % 2 == 0) {
                                       b.remove_message("INBOX", inbox.messages.front().uid);
                                   }
                                   if (!inbox.messages.empty()) b.set_flags("INBOX", inbox.messages.back().uid, {"$X"});
                                   b.add("INBOX", "Subject: more\r\n\r\nbody\r\n");
                               }});
    }
    Transcript whole = run_every_chunking(opts, phases, standard());
    EXPECT_GT(whole.events.size(), 150u);
    EXPECT_TRUE(has_prefix(whole, "S: * VANISHED ")) << whole;
    EXPECT_TRUE(has_prefix(whole, "S: * VANISHED (EARLIER) ")) << whole;
    EXPECT_FALSE(std::any_of(whole.events.begin(), whole.events.end(),
                             [](const std::string& e) { return e.ends_with(" EXPUNGE"); }))
        << whole;
    EXPECT_FALSE(has_event(whole, "CLOSE")) << whole;
}
