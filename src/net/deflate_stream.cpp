#include "net/deflate_stream.hpp"

#include <zlib.h>

#include <algorithm>
#include <new>

namespace tern::net {
namespace {

constexpr int kRawWindowBits = -15;  // negative: raw DEFLATE, 32 KiB window (RFC 4978 4)
constexpr int kMemLevel = 8;          // zlib's default
constexpr std::size_t kOutStep = 16 * 1024;

}  // namespace

struct Deflater::Impl {
    z_stream z{};
};

Deflater::Deflater() : impl_(std::make_unique<Impl>()) {
    if (deflateInit2(&impl_->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kRawWindowBits, kMemLevel, Z_DEFAULT_STRATEGY) != Z_OK)
        throw std::bad_alloc();  // the only failure with valid arguments
}

Deflater::~Deflater() { deflateEnd(&impl_->z); }

void Deflater::compress(std::string_view plain, std::string& out, bool sync) {
    z_stream& z = impl_->z;
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
    z.avail_in = static_cast<uInt>(plain.size());
    const int flush = sync ? Z_SYNC_FLUSH : Z_NO_FLUSH;
    // zlib takes uInt sizes; the callers give pieces far below 4 GiB (kWriteChunk).
    do {
        const std::size_t at = out.size();
        out.resize(at + kOutStep);
        z.next_out = reinterpret_cast<Bytef*>(out.data() + at);
        z.avail_out = static_cast<uInt>(kOutStep);
        deflate(&z, flush);  // Z_OK or Z_BUF_ERROR (no progress possible): both fine here
        out.resize(out.size() - z.avail_out);
    } while (z.avail_out == 0 || z.avail_in > 0);
}

struct Inflater::Impl {
    z_stream z{};
    std::string in;      // queued compressed input; z.next_in points into it
    std::size_t used = 0;
    bool more_out = false;  // the last next() filled its output: zlib may hold more
    bool ended = false;     // a final block was seen
};

Inflater::Inflater() : impl_(std::make_unique<Impl>()) {
    if (inflateInit2(&impl_->z, kRawWindowBits) != Z_OK) throw std::bad_alloc();
}

Inflater::~Inflater() { inflateEnd(&impl_->z); }

void Inflater::add(std::string_view compressed) {
    if (failed() || compressed.empty()) return;
    Impl& s = *impl_;
    if (s.ended) {
        error_ = "data after the end of the compressed stream";
        return;
    }
    s.in.erase(0, s.used);
    s.used = 0;
    s.in.append(compressed);
}

bool Inflater::pending() const { return !failed() && (impl_->used < impl_->in.size() || impl_->more_out); }

bool Inflater::next(std::string& out, std::size_t max_out) {
    out.clear();
    if (failed()) return false;
    Impl& s = *impl_;
    z_stream& z = s.z;
    out.resize(std::max<std::size_t>(max_out, 1));
    z.next_in = reinterpret_cast<Bytef*>(s.in.data() + s.used);
    z.avail_in = static_cast<uInt>(s.in.size() - s.used);
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    const int rc = s.ended ? Z_STREAM_END : inflate(&z, Z_SYNC_FLUSH);
    s.used = s.in.size() - z.avail_in;
    out.resize(out.size() - z.avail_out);
    s.more_out = z.avail_out == 0;
    if (rc == Z_STREAM_END) {
        s.ended = true;
        s.more_out = false;
        if (s.used < s.in.size()) {
            error_ = "data after the end of the compressed stream";
            out.clear();
            return false;
        }
    } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
        // Z_DATA_ERROR (corrupt input), Z_NEED_DICT (not in raw mode), Z_MEM_ERROR.
        error_ = z.msg != nullptr ? z.msg : "inflate failed";
        out.clear();
        return false;
    }
    if (s.used == s.in.size()) {
        s.in.clear();
        s.used = 0;
    }
    return true;
}

}  // namespace tern::net
