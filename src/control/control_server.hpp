// The control socket: a Unix stream socket (normally <data_dir>/control.sock) through which
// `tern queue` reaches the running server's QueueControl. Protocol: control/protocol.hpp —
// one JSON request line, one JSON response line, then the server closes the connection.
//
// Security: the socket is created with mode 0600 (bound under a temporary name, chmod'ed before
// it listens, then renamed into place, so it never exists with a wider mode and no process-wide
// umask is touched): only the server's user (and root) may connect. Requests are bounded
// (kMaxRequestLine bytes, `request_timeout` to arrive) so a stuck client cannot hold a
// connection. An existing file at the path is removed only when it is a socket nobody answers
// on (left over by a crash); a live server or a file of another kind makes start() fail.
//
// Threads: accepting and connection I/O run on a strand of the given executor, one coroutine
// per connection. The QueueControl is called on `blocking` when given (e.g. the server's
// blocking thread pool: the call may wait for a spool fsync), else inline on the strand (the
// I/O thread waits for the call; fine for quick implementations and tests). Inline, calls run
// one at a time; on a multi-threaded `blocking` executor they may overlap, so the QueueControl
// must then be thread-safe (SpoolQueueControl is: the Spool is).
//
// Deliberately left out: authentication beyond file permissions (no SO_PEERCRED check) and
// several requests per connection.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include <asio/any_io_executor.hpp>

#include "control/queue_control.hpp"

namespace tern::control {

class ControlServer {
public:
    struct Options {
        std::chrono::steady_clock::duration request_timeout = std::chrono::seconds(5);
        std::chrono::steady_clock::duration write_timeout = std::chrono::seconds(5);
    };

    // `control` must outlive every connection: stop() the server and let the executor's
    // context finish (or be destroyed) before destroying it.
    ControlServer(asio::any_io_executor ex, std::filesystem::path socket, QueueControl& control);
    ControlServer(asio::any_io_executor ex, std::filesystem::path socket, QueueControl& control,
                  std::optional<asio::any_io_executor> blocking, Options options);
    ~ControlServer();  // stop()
    ControlServer(const ControlServer&) = delete;
    ControlServer& operator=(const ControlServer&) = delete;

    // Creates the socket and starts accepting (the coroutines run when the executor's context
    // runs). False with `error` naming the path and the problem, e.g. another server already
    // listening there or a path longer than a Unix socket address allows.
    bool start(std::string& error);
    // Thread-safe, idempotent: removes the socket file (if it is still the one we created),
    // then closes the acceptor and open connections on the strand.
    void stop();

    const std::filesystem::path& path() const { return path_; }

    struct State;

private:
    asio::any_io_executor ex_;
    std::filesystem::path path_;
    QueueControl& control_;
    std::optional<asio::any_io_executor> blocking_;
    Options options_;
    std::shared_ptr<State> state_;
};

}  // namespace tern::control
