// The client side of the control socket (protocol: control/protocol.hpp), used by `tern queue`.
// Synchronous, plain POSIX: one connection, one request line, one response line, all within a
// deadline.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace tern::control {

enum class RequestFailure {
    None,      // a response was read (it may still say ok:false)
    NoServer,  // nothing listens at the path (ENOENT, ECONNREFUSED, ENOTDIR, path too long for
               // a socket address): the caller may fall back to the spool files
    Failed,    // anything else: permission denied, timeout, broken or malformed response
};

// Sends `request` and returns the server's response (a JSON object). nullopt with `error`
// describing the problem (naming the socket path) and `*failure` (when given) saying which
// kind it was.
std::optional<nlohmann::json> control_request(
    const std::filesystem::path& socket, const nlohmann::json& request, std::string& error,
    RequestFailure* failure = nullptr,
    std::chrono::milliseconds timeout = std::chrono::seconds(30));

// A connected (blocking-mode, close-on-exec) Unix stream socket to `path`, or -1 with `err`
// set to the errno (ENAMETOOLONG for a path that does not fit a socket address, ETIMEDOUT
// when a full backlog did not clear within `timeout`). Also used by ControlServer to tell a
// live socket from a stale one.
int connect_unix_socket(const std::filesystem::path& path, std::chrono::milliseconds timeout,
                        int& err);

}  // namespace tern::control
