// The cached ENVELOPE/BODY/BODYSTRUCTURE renderings (imap/fetch_cache.hpp): they equal what
// body_structure renders, per UTF-8 mode, and decode() refuses anything it did not write.
#include "imap/fetch_cache.hpp"

#include <gtest/gtest.h>

#include "imap/body_structure.hpp"

using namespace tern;
using namespace tern::imap;

namespace {

const std::string kPlain =
    "From: Bob <bob@example.test>\r\nTo: alice@example.test\r\nSubject: Hello\r\n"
    "Date: Mon, 13 Nov 2023 10:00:00 +0000\r\nMessage-ID: <1@example.test>\r\n\r\nbody\r\n";
// Raw UTF-8 in a header and a parameter: quoted for a UTF-8 client, a literal otherwise.
const std::string kUtf8 =
    "From: J\xC3\xB6rg <j@example.test>\r\nSubject: Gr\xC3\xBC\xC3\x9F" "e\r\nMIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain; name=\"\xC3\xA4.txt\"\r\n\r\n"
    "x\r\n--B\r\nContent-Type: message/rfc822\r\n\r\nSubject: inner\r\n\r\ny\r\n--B--\r\n";

std::string direct(const std::string& msg, CachedItem which, bool utf8) {
    mime::ParsedMessage m(msg);
    std::string out;
    if (which == CachedItem::Envelope) render_envelope(out, m.envelope(), utf8);
    else render_body(out, m.structure(), which == CachedItem::BodyStructure, utf8);
    return out;
}

std::string varint(std::size_t n) {
    std::string out;
    while (n >= 0x80) {
        out += static_cast<char>((n & 0x7F) | 0x80);
        n >>= 7;
    }
    out += static_cast<char>(n);
    return out;
}

std::string field(const std::string& s) { return varint(s.size()) + s; }

}  // namespace

TEST(FetchCache, RenderEqualsDirectRenderingInBothModes) {
    for (const auto* msg : {&kPlain, &kUtf8}) {
        auto r = FetchRendering::render(mime::ParsedMessage(*msg));
        for (auto which : {CachedItem::Envelope, CachedItem::Body, CachedItem::BodyStructure}) {
            for (bool utf8 : {false, true}) {
                EXPECT_EQ(r.item(which, utf8), direct(*msg, which, utf8))
                    << static_cast<int>(which) << " utf8=" << utf8;
            }
        }
        // And the same after a round trip through the stored form.
        auto back = FetchRendering::decode(r.encoded());
        ASSERT_TRUE(back);
        for (auto which : {CachedItem::Envelope, CachedItem::Body, CachedItem::BodyStructure})
            for (bool utf8 : {false, true}) EXPECT_EQ(back->item(which, utf8), r.item(which, utf8));
    }
    // The modes really differ for kUtf8 (else the test above proves nothing about the UTF-8 fields).
    EXPECT_NE(direct(kUtf8, CachedItem::Envelope, true), direct(kUtf8, CachedItem::Envelope, false));
    EXPECT_NE(direct(kUtf8, CachedItem::BodyStructure, true), direct(kUtf8, CachedItem::BodyStructure, false));
}

TEST(FetchCache, AsciiMessageStoresEachItemOnce) {
    auto r = FetchRendering::render(mime::ParsedMessage(kPlain));
    const auto& v = r.encoded();
    std::string expected(1, static_cast<char>(kFetchCacheVersion));
    for (auto which : {CachedItem::Envelope, CachedItem::Body, CachedItem::BodyStructure})
        expected += field(direct(kPlain, which, false));
    expected += std::string(3, '\0');  // three empty UTF-8 fields: "same as above"
    EXPECT_EQ(v, expected);
}

TEST(FetchCache, DecodeTakesAWellFormedValue) {
    const std::string v = std::string(1, static_cast<char>(kFetchCacheVersion)) + field("(env)") + field("(body)") +
                          field("(bs)") + field("") + field("(body-u)") + field("");
    auto r = FetchRendering::decode(v);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->item(CachedItem::Envelope, false), "(env)");
    EXPECT_EQ(r->item(CachedItem::Envelope, true), "(env)");
    EXPECT_EQ(r->item(CachedItem::Body, false), "(body)");
    EXPECT_EQ(r->item(CachedItem::Body, true), "(body-u)");
    EXPECT_EQ(r->item(CachedItem::BodyStructure, true), "(bs)");
}

TEST(FetchCache, DecodeRefusesOtherVersionsAndDamage) {
    const std::string fields = field("(env)") + field("(body)") + field("(bs)") + field("") + field("") + field("");
    const std::string good = std::string(1, static_cast<char>(kFetchCacheVersion)) + fields;
    ASSERT_TRUE(FetchRendering::decode(good));
    EXPECT_FALSE(FetchRendering::decode(""));
    EXPECT_FALSE(FetchRendering::decode(std::string(1, static_cast<char>(kFetchCacheVersion + 1)) + fields));
    EXPECT_FALSE(FetchRendering::decode(std::string(1, '\0') + fields));
    EXPECT_FALSE(FetchRendering::decode("(\"envelope\" 1)"));  // an older, unversioned value
    for (std::size_t n = 1; n < good.size(); ++n)
        EXPECT_FALSE(FetchRendering::decode(good.substr(0, n))) << "truncated to " << n;
    EXPECT_FALSE(FetchRendering::decode(good + "x"));  // trailing bytes
    // An empty rendering is never written.
    EXPECT_FALSE(FetchRendering::decode(std::string(1, static_cast<char>(kFetchCacheVersion)) + field("") +
                                        field("(body)") + field("(bs)") + field("") + field("") + field("")));
    // A length beyond the value, and a varint that never ends.
    EXPECT_FALSE(FetchRendering::decode(std::string(1, static_cast<char>(kFetchCacheVersion)) + varint(1000) + "(e"));
    EXPECT_FALSE(FetchRendering::decode(std::string(1, static_cast<char>(kFetchCacheVersion)) + std::string(20, '\xFF')));
}
