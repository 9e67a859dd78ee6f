// The socket steps every protocol driver (SMTP, POP3, IMAP) takes the same way: writing out
// what the session produced, and the server-side TLS handshake with its log line.
#pragma once

#include <asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <system_error>

#include "net/stream.hpp"
#include "server/services.hpp"

namespace tern::server {

// A client that stops reading gets this long per chunk of kWriteChunk before we give up: a
// slow client may take as long as it needs for a large reply (POP3 RETR, IMAP FETCH) as long
// as it keeps reading.
inline constexpr auto kWriteTimeout = std::chrono::seconds(120);
inline constexpr std::size_t kWriteChunk = 64 * 1024;
// A TLS handshake that stalls is abandoned after this (its resources are freed at once).
inline constexpr auto kHandshakeTimeout = std::chrono::seconds(30);

// Writes `out` in chunks (see above) and clears it; the first error lands in `ec` and ends the
// writing. Does nothing when `ec` is already set.
asio::awaitable<void> write_out(net::Stream& stream, std::string& out, std::error_code& ec);

// The server side of a TLS handshake (implicit TLS or after STARTTLS/STLS) with the current
// certificates, logged as "session=N TLS <version> <cipher>" or the failure. False on failure
// (`ec` set): the connection is over.
asio::awaitable<bool> accept_tls(net::Stream& stream, const Services& services, std::uint64_t session,
                                 std::error_code& ec);

}  // namespace tern::server
