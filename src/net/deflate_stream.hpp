// Raw DEFLATE streams (RFC 1951: no zlib or gzip wrapper, zlib's windowBits -15) as IMAP
// COMPRESS=DEFLATE (RFC 4978) uses them: a Deflater for what the server sends, an Inflater for
// what it receives. Pure byte transforms; the connection driver owns the socket.
//
// Deflater: compress() ends with a sync flush (Z_SYNC_FLUSH, RFC 4978 4) unless told not to,
// so the peer can inflate every response batch as soon as it arrives.
//
// Inflater, security: the peer controls the input, and DEFLATE expands up to ~1032:1. Output
// comes in pieces of at most `max_out` octets (next()), so a small input that inflates to
// gigabytes is never held at once: the driver lets the session consume one piece before it
// takes the next, and reads the socket only when pending() is false (the compressed input held
// is then bounded by one read). A corrupt stream is an error (error() says why, nothing more
// is inflated). A final block ends the stream: octets after it are an error too, since RFC 4978
// has no end of compression other than the end of the connection.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace tern::net {

class Deflater {
public:
    Deflater();
    ~Deflater();
    Deflater(const Deflater&) = delete;
    Deflater& operator=(const Deflater&) = delete;

    // Appends the compressed form of `plain` to `out`; with `sync`, everything given so far can
    // be inflated from what was appended so far.
    void compress(std::string_view plain, std::string& out, bool sync = true);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

class Inflater {
public:
    Inflater();
    ~Inflater();
    Inflater(const Inflater&) = delete;
    Inflater& operator=(const Inflater&) = delete;

    // Queues compressed octets (ignored after an error).
    void add(std::string_view compressed);
    // Replaces `out` with the next inflated octets, at most `max_out` (> 0) of them; empty when
    // the queued input is used up. False on a corrupt stream (out is then empty).
    bool next(std::string& out, std::size_t max_out);
    // Queued input, or inflated output zlib may still hold: call next() before reading more.
    bool pending() const;
    bool failed() const { return !error_.empty(); }
    const std::string& error() const { return error_; }

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::string error_;
};

}  // namespace tern::net
