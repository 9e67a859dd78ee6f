// One connection stream for every protocol driver: plain TCP, upgraded in place to TLS
// (STARTTLS: RFC 3207 SMTP, RFC 2595 POP3 STLS / IMAP STARTTLS) or TLS from the first byte
// (RFC 8314 implicit TLS: handshake right after accept).
//
// Every operation is bounded in time and reports errors as values (never exceptions):
// asio::error::timed_out when the timeout passes first — identical for plain and TLS, built
// on the per-operation cancellation of timed_io.hpp, which asio::ssl::stream supports.
//
// STARTTLS safety (RFC 3207 4.2, the "command injection" of CVE-2011-0411): the Stream keeps
// no plaintext read-ahead — read_some() reads straight into the caller's buffer, so after the
// driver has thrown away whatever it buffered before STARTTLS, the first byte the handshake
// sees is the first byte the client sent after our "220 ready". Anything injected before the
// ClientHello makes the handshake fail. The driver must discard its own buffer; Stream cannot.
//
// Threading: a Stream belongs to one coroutine on one strand. At most one read and one write
// may be pending at a time; cancel() and close() must be called on that strand.
//
// After an error (other than timed_out from read_some) the stream is not to be used again,
// except for shutdown()/close(); after a failed handshake every operation fails with
// asio::error::not_connected. A TLS peer that closes TCP without close_notify shows up as
// asio::ssl::error::stream_truncated from read_some, a clean close as asio::error::eof.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/buffer.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl/stream_base.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <system_error>

namespace asio::ssl {
class context;
}

namespace tern::net {

// What a TLS handshake negotiated (for logs and the Received header, RFC 5321 4.4 / 8314 4.3).
struct TlsInfo {
    std::string version;      // "TLSv1.3", "TLSv1.2"
    std::string cipher;       // OpenSSL name: "TLS_AES_256_GCM_SHA384", "ECDHE-RSA-AES128-GCM-SHA256"
    std::string server_name;  // the SNI name the client sent, empty if none
};

class Stream {
public:
    using Duration = std::chrono::steady_clock::duration;

    // Takes the accepted socket; runs on its executor (the connection's strand).
    explicit Stream(asio::ip::tcp::socket socket);
    ~Stream();
    // Movable (the socket stays at the same address, so pointers from socket() stay valid).
    Stream(Stream&&) noexcept;
    Stream& operator=(Stream&&) noexcept;
    Stream(const Stream&) = delete;
    Stream& operator=(const Stream&) = delete;

    // The TCP socket, for endpoints and options. Do not read, write or cancel it directly
    // (use cancel()); it keeps its address for the Stream's life, moves included.
    asio::ip::tcp::socket& socket();
    asio::any_io_executor get_executor();

    // Reads at least one byte into `buf` (plain or decrypted). ec: timed_out, eof, ...
    asio::awaitable<std::size_t> read_some(asio::mutable_buffer buf, Duration timeout,
                                           std::error_code& ec);
    // Writes all of `buf`. ec = timed_out when the peer does not take it within `timeout`.
    asio::awaitable<void> write_all(asio::const_buffer buf, Duration timeout, std::error_code& ec);

    // Server-side TLS handshake on this socket: right after accept (implicit TLS) or after the
    // plaintext STARTTLS exchange. `context` comes from TlsContextStore::context() and is kept
    // for the life of the TLS session. A stalled or failed handshake returns its error within
    // `timeout` (timed_out, or OpenSSL's reason) and leaves the stream unusable; the caller
    // closes it. Calling it on a stream that is already TLS gives already_connected.
    asio::awaitable<void> handshake(std::shared_ptr<asio::ssl::context> context, Duration timeout,
                                    std::error_code& ec);

    // Client-side TLS handshake (outbound SMTP: STARTTLS or implicit TLS to a relay). Sends
    // `server_name` as SNI when it is a host name. With `verify_name` set, the peer's chain
    // must verify against the context's trust store and its certificate must name that host
    // (RFC 6125); otherwise the certificate is accepted as it is (opportunistic TLS, RFC 7435).
    // Errors as for handshake(); a failed verification names OpenSSL's reason.
    asio::awaitable<void> handshake_client(std::shared_ptr<asio::ssl::context> context,
                                           std::string server_name, bool verify_name,
                                           Duration timeout, std::error_code& ec);
    // After a failed handshake_client with verification: OpenSSL's verification result text.
    std::string verify_error() const;

    // Graceful end: for TLS sends close_notify (without waiting for the peer's), bounded by
    // `timeout` so a peer that does not read cannot hold it; then close(). Best effort.
    asio::awaitable<void> shutdown(Duration timeout = std::chrono::seconds(2));
    // Closes the socket at once and frees the TLS state. Idempotent.
    void close();
    // Wakes the pending operations (read, write, handshake): they complete with
    // operation_aborted. Meant for a stop request (SIGTERM) posted to the connection's strand.
    // Prefer it to socket().cancel(): it also reaches a TLS operation that is between two
    // socket reads. After a cancelled read the stream stays usable (a final "421" write).
    void cancel();

    bool is_open() const;
    bool is_tls() const;                      // a TLS handshake completed
    std::optional<TlsInfo> tls_info() const;  // set when is_tls()

private:
    asio::awaitable<void> handshake_as(asio::ssl::stream_base::handshake_type role,
                                       std::shared_ptr<asio::ssl::context> context,
                                       std::string server_name, bool verify_name, Duration timeout,
                                       std::error_code& ec);
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace tern::net
