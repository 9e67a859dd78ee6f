// Tracks live client connections so a graceful stop can reach each one: on SIGTERM every
// connection is asked (on its own strand) to stop reading, answer 421 and close.
#pragma once

#include <asio/any_io_executor.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>

namespace tern::net {
class Stream;
}

namespace tern::server {

// Shared between a connection's coroutine and the registry; touched only on the connection's
// strand, except `id`.
struct ConnectionControl {
    std::uint64_t id = 0;
    asio::any_io_executor executor;
    net::Stream* stream = nullptr;  // cleared by the connection before it ends
    // True while the connection waits for the client. Only such a wait is interrupted on stop:
    // cancelling a write could cut a reply short (or make one that went out look failed).
    bool reading = false;
    bool stopping = false;
};

// The number a connection is known by in the log ("session=N"), unique across SMTP, POP3 and
// IMAP for the life of the process.
std::uint64_t next_session_id();

class ConnectionRegistry {
public:
    std::shared_ptr<ConnectionControl> add(asio::any_io_executor executor, net::Stream* stream);
    void remove(std::uint64_t id);
    // Asks every connection to stop; returns at once.
    void stop_all();
    // Waits until no connection is left or the deadline passes; true when none is left.
    bool wait_empty(std::chrono::steady_clock::time_point deadline);
    std::size_t size() const;

    // A connection's entry for as long as this lives: removed on every way out of the
    // connection's coroutine, an exception included (so a graceful stop never waits for it).
    class Registration {
    public:
        Registration(ConnectionRegistry& registry, asio::any_io_executor executor, net::Stream* stream)
            : registry_(registry), control_(registry.add(std::move(executor), stream)) {}
        ~Registration() {
            control_->stream = nullptr;
            registry_.remove(control_->id);
        }
        Registration(const Registration&) = delete;
        Registration& operator=(const Registration&) = delete;
        ConnectionControl* operator->() const { return control_.get(); }

    private:
        ConnectionRegistry& registry_;
        std::shared_ptr<ConnectionControl> control_;
    };

private:
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::uint64_t next_id_ = 1;
    bool stopping_ = false;
    std::map<std::uint64_t, std::shared_ptr<ConnectionControl>> live_;
};

}  // namespace tern::server
