// net::Deflater / net::Inflater: round trips through our own pair and through zlib used
// directly (the peer's view), every chunking of the compressed stream, corrupt input, data
// after the end of the stream, and the bounded output of a highly compressible input.
#include "net/deflate_stream.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include <string>

using tern::net::Deflater;
using tern::net::Inflater;

namespace {

// zlib used directly, as a client would: raw deflate, one sync-flushed piece.
std::string zlib_deflate(const std::string& plain, int flush = Z_SYNC_FLUSH) {
    z_stream z{};
    EXPECT_EQ(deflateInit2(&z, 9, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
    std::string out(deflateBound(&z, plain.size()) + 64, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
    z.avail_in = static_cast<uInt>(plain.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    EXPECT_NE(deflate(&z, flush), Z_STREAM_ERROR);
    EXPECT_EQ(z.avail_in, 0u);
    out.resize(out.size() - z.avail_out);
    deflateEnd(&z);
    return out;
}

std::string zlib_inflate(const std::string& compressed) {
    z_stream z{};
    EXPECT_EQ(inflateInit2(&z, -15), Z_OK);
    std::string out;
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
    z.avail_in = static_cast<uInt>(compressed.size());
    char buf[4096];
    do {
        z.next_out = reinterpret_cast<Bytef*>(buf);
        z.avail_out = sizeof buf;
        int rc = inflate(&z, Z_SYNC_FLUSH);
        EXPECT_TRUE(rc == Z_OK || rc == Z_BUF_ERROR) << rc;
        out.append(buf, sizeof buf - z.avail_out);
        if (rc == Z_BUF_ERROR) break;
    } while (z.avail_in > 0 || z.avail_out == 0);
    inflateEnd(&z);
    return out;
}

// Everything the inflater gives for `compressed` fed in pieces of k, taking at most max_out
// per next(); every piece is checked against the bound.
std::string inflate_all(Inflater& in, const std::string& compressed, std::size_t k, std::size_t max_out) {
    std::string all, piece;
    for (std::size_t off = 0; off < compressed.size(); off += k) {
        EXPECT_FALSE(in.pending());
        in.add(std::string_view(compressed).substr(off, k));
        while (in.pending()) {
            EXPECT_TRUE(in.next(piece, max_out)) << in.error();
            EXPECT_LE(piece.size(), max_out);
            all += piece;
            if (in.failed()) return all;
        }
    }
    return all;
}

std::string sample_text() {
    std::string s;
    for (int i = 0; i < 2000; ++i) s += "* " + std::to_string(i + 1) + " FETCH (FLAGS (\\Seen) UID " + std::to_string(i * 7) + ")\r\n";
    return s;
}

}  // namespace

TEST(DeflateStream, DeflaterOutputIsRawDeflateEachBatchInflatableAtOnce) {
    Deflater d;
    std::string wire;
    const std::string a = "* OK first batch\r\n", b = sample_text();
    d.compress(a, wire);
    // A sync flush ends with the empty stored block 00 00 FF FF: the peer has all of `a`.
    ASSERT_GE(wire.size(), 4u);
    EXPECT_EQ(wire.substr(wire.size() - 4), std::string("\x00\x00\xff\xff", 4));
    EXPECT_EQ(zlib_inflate(wire), a);
    d.compress(b, wire);
    EXPECT_EQ(zlib_inflate(wire), a + b);
    EXPECT_LT(wire.size(), (a + b).size() / 4);  // it does compress
}

TEST(DeflateStream, UnflushedPiecesJoinUp) {
    Deflater d;
    std::string wire;
    d.compress("abc", wire, false);
    d.compress("def\r\n", wire, true);
    EXPECT_EQ(zlib_inflate(wire), "abcdef\r\n");
}

TEST(DeflateStream, RoundTripAtEveryChunkSize) {
    Deflater d;
    std::string wire;
    const std::string text = sample_text();
    d.compress(text.substr(0, 1000), wire);
    d.compress(text.substr(1000), wire);
    for (std::size_t k : {1u, 2u, 3u, 7u, 64u, 1000u, 100000u}) {
        for (std::size_t max_out : {1u, 13u, 4096u, 65536u}) {
            Inflater in;
            EXPECT_EQ(inflate_all(in, wire, k, max_out), text) << k << " " << max_out;
            EXPECT_FALSE(in.failed());
        }
    }
}

TEST(DeflateStream, InflatesWhatZlibSends) {
    const std::string cmd = "a LIST \"\" \"*\"\r\nb SELECT INBOX\r\n";
    Inflater in;
    EXPECT_EQ(inflate_all(in, zlib_deflate(cmd), 5, 8), cmd);
}

TEST(DeflateStream, CorruptInputIsAnErrorNotACrash) {
    Inflater in;
    in.add(std::string("\xff\xff\xff\xff garbage", 12));  // BTYPE 11 is reserved
    std::string out;
    EXPECT_FALSE(in.next(out, 1024));
    EXPECT_TRUE(out.empty());
    EXPECT_TRUE(in.failed());
    EXPECT_FALSE(in.error().empty());
    EXPECT_FALSE(in.pending());
    in.add("more");  // ignored from now on
    EXPECT_FALSE(in.next(out, 1024));
}

TEST(DeflateStream, CorruptionAfterGoodDataStopsThere) {
    std::string wire = zlib_deflate("a NOOP\r\n");
    Inflater in;
    in.add(wire);
    std::string out;
    ASSERT_TRUE(in.next(out, 1024));
    EXPECT_EQ(out, "a NOOP\r\n");
    in.add(std::string("\x07\xff\xff\xff", 4));
    bool ok = true;
    while (ok && in.pending()) ok = in.next(out, 1024);
    EXPECT_FALSE(ok);
    EXPECT_TRUE(in.failed());
}

TEST(DeflateStream, DataAfterTheFinalBlockIsAnError) {
    std::string wire = zlib_deflate("a LOGOUT\r\n", Z_FINISH);
    Inflater in;
    in.add(wire + "x");
    std::string out;
    EXPECT_FALSE(in.next(out, 1024));
    EXPECT_TRUE(in.failed());
}

TEST(DeflateStream, ABombComesOutInBoundedPieces) {
    // 16 MiB of zeros compress to about 16 KiB; the inflater never gives more than asked.
    const std::string plain(16u << 20, '\0');
    const std::string wire = zlib_deflate(plain);
    ASSERT_LT(wire.size(), 128u * 1024);
    Inflater in;
    in.add(wire);
    std::string piece;
    std::size_t total = 0, pieces = 0;
    while (in.pending()) {
        ASSERT_TRUE(in.next(piece, 65536));
        ASSERT_LE(piece.size(), 65536u);
        total += piece.size();
        ++pieces;
    }
    EXPECT_EQ(total, plain.size());
    EXPECT_GE(pieces, plain.size() / 65536);
}
