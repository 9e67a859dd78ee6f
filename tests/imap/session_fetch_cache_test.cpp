// FETCH ENVELOPE / BODY / BODYSTRUCTURE through the backend's per-message cache
// (imap/fetch_cache.hpp): a miss reads and parses the message once and stores its renderings,
// a hit reads nothing, and an entry that does not decode (damaged, or of another version) is
// ignored and replaced.
#include <gtest/gtest.h>

#include "imap/fetch_cache.hpp"
#include "session_dialog.hpp"

using namespace tern;
using namespace tern::imap;
using namespace tern::imap::session_test;

namespace {

// One session on `backend` (kept across calls, as the store's cache outlives sessions): the
// events after SELECT.
std::vector<std::string> session(const std::shared_ptr<FakeBackend>& backend, const std::string& commands,
                                 const std::string& before_select = "") {
    Responder r;
    r.backend = [backend] { return backend; };
    auto t = run_dialog(test_options(), {Phase{kLogin + before_select + "s SELECT INBOX\r\n" + commands, {}}},
                        1 << 20, r);
    auto it = std::find_if(t.events.begin(), t.events.end(),
                           [](const std::string& e) { return e.rfind("S: s OK", 0) == 0; });
    EXPECT_NE(it, t.events.end()) << t;
    return it == t.events.end() ? std::vector<std::string>{} : std::vector<std::string>(it + 1, t.events.end());
}

std::string valid_entry(const std::string& envelope) {
    std::string v(1, static_cast<char>(kFetchCacheVersion));
    for (const std::string& s : {envelope, std::string("(\"x\" \"y\")"), std::string("(\"x\" \"y\" NIL)")}) {
        v += static_cast<char>(s.size());  // < 128: a one-byte varint
        v += s;
    }
    return v + std::string(3, '\0');
}

const std::string kFetchAll = "a FETCH 1:* (ENVELOPE BODY BODYSTRUCTURE)\r\n";

}  // namespace

TEST(ImapFetchCache, MissParsesOnceThenHitsReadNothing) {
    auto b = standard_backend();
    auto first = session(b, kFetchAll);
    EXPECT_EQ(b->reads, 3u);  // one read per message for all three items
    EXPECT_EQ(b->cache_stores, 3u);
    ASSERT_EQ(first.size(), 4u);
    EXPECT_EQ(first[0].rfind("S: * 1 FETCH (ENVELOPE (\"Mon, 13 Nov 2023 10:00:00 +0000\" \"Hello there\"", 0), 0u)
        << first[0];
    EXPECT_NE(first[2].find("BODYSTRUCTURE ((\"text\" \"plain\""), std::string::npos) << first[2];

    auto second = session(b, kFetchAll);
    EXPECT_EQ(second, first);  // the same bytes, from the cache
    EXPECT_EQ(b->reads, 3u);   // and no message read
    EXPECT_EQ(b->cache_stores, 3u);
}

TEST(ImapFetchCache, HitServesTheStoredRendering) {
    auto b = standard_backend();
    b->folders.at("INBOX").cache[1] = valid_entry("(\"cached\")");
    auto e = session(b, "a FETCH 1 (ENVELOPE BODY)\r\n");
    EXPECT_EQ(e, (std::vector<std::string>{"S: * 1 FETCH (ENVELOPE (\"cached\") BODY (\"x\" \"y\"))",
                                           "S: a OK FETCH completed"}));
    EXPECT_EQ(b->reads, 0u);
}

TEST(ImapFetchCache, DamagedOrOldEntriesAreIgnoredAndReplaced) {
    auto b = standard_backend();
    auto truth = session(b, "a FETCH 1:3 ENVELOPE\r\n");
    auto& cache = b->folders.at("INBOX").cache;
    const std::string good1 = cache.at(1);
    cache[1] = good1.substr(0, good1.size() - 1);                                  // truncated
    cache[2] = std::string(1, static_cast<char>(kFetchCacheVersion + 1)) + cache.at(2).substr(1);  // newer version
    cache[3] = "(\"envelope\" 3)";                                                // no version at all
    b->reads = 0;
    auto again = session(b, "a FETCH 1:3 ENVELOPE\r\n");
    EXPECT_EQ(again, truth);
    EXPECT_EQ(b->reads, 3u);
    EXPECT_EQ(cache.at(1), good1);  // replaced by a fresh rendering
    for (std::uint32_t uid : {2u, 3u}) {
        auto d = FetchRendering::decode(cache.at(uid));
        EXPECT_TRUE(d) << uid;
    }
}

TEST(ImapFetchCache, Utf8ModeServedFromTheSameEntry) {
    auto b = standard_backend();
    b->add("INBOX", "From: J\xC3\xB6rg <j@example.test>\r\nSubject: Gr\xC3\xBC\xC3\x9F" "e\r\n\r\nx\r\n");
    auto plain = session(b, "a FETCH 4 ENVELOPE\r\n");
    auto utf8 = session(b, "a FETCH 4 ENVELOPE\r\n", "e ENABLE UTF8=ACCEPT\r\n");
    EXPECT_EQ(b->reads, 1u);
    ASSERT_GE(plain.size(), 2u);
    EXPECT_NE(plain[0].find("{7}"), std::string::npos) << plain[0];  // a literal without UTF8=ACCEPT
    ASSERT_GE(utf8.size(), 2u);
    EXPECT_NE(utf8[0].find("\"Gr\xC3\xBC\xC3\x9F" "e\""), std::string::npos) << utf8[0];
}

TEST(ImapFetchCache, ContentItemsStillReadAndStructureComesAlong) {
    auto b = standard_backend();
    auto e = session(b, "a FETCH 2 (BODY.PEEK[TEXT] ENVELOPE)\r\nb FETCH 2 ENVELOPE\r\n");
    EXPECT_EQ(b->reads, 1u);  // one read for both items, and the ENVELOPE was then cached
    ASSERT_GE(e.size(), 3u);
    EXPECT_EQ(e[0], "S: * 2 FETCH (BODY[TEXT] {23}");
}

TEST(ImapFetchCache, IndexItemsNeverTouchTheCache) {
    auto b = standard_backend();
    session(b, "a FETCH 1:* (FLAGS UID RFC822.SIZE INTERNALDATE)\r\n");
    EXPECT_EQ(b->reads, 0u);
    EXPECT_EQ(b->cache_stores, 0u);
}
