#include "server/connection_registry.hpp"

#include <atomic>

#include <asio/post.hpp>

#include "net/stream.hpp"

namespace tern::server {

std::uint64_t next_session_id() {
    static std::atomic<std::uint64_t> counter{0};
    return ++counter;
}
namespace {
void request_stop(const std::shared_ptr<ConnectionControl>& c) {
    asio::post(c->executor, [c] {
        c->stopping = true;
        if (c->stream && c->reading) c->stream->cancel();  // wakes the pending read
    });
}
}  // namespace

std::shared_ptr<ConnectionControl> ConnectionRegistry::add(asio::any_io_executor executor,
                                                           net::Stream* stream) {
    auto c = std::make_shared<ConnectionControl>();
    c->executor = std::move(executor);
    c->stream = stream;
    std::lock_guard lock(mu_);
    c->id = next_id_++;
    live_[c->id] = c;
    // A connection accepted while stopping is told to stop at once.
    if (stopping_) request_stop(c);
    return c;
}

void ConnectionRegistry::remove(std::uint64_t id) {
    std::lock_guard lock(mu_);
    live_.erase(id);
    if (live_.empty()) cv_.notify_all();
}

void ConnectionRegistry::stop_all() {
    std::lock_guard lock(mu_);
    stopping_ = true;
    for (auto& [id, c] : live_) request_stop(c);
}

bool ConnectionRegistry::wait_empty(std::chrono::steady_clock::time_point deadline) {
    std::unique_lock lock(mu_);
    return cv_.wait_until(lock, deadline, [this] { return live_.empty(); });
}

std::size_t ConnectionRegistry::size() const {
    std::lock_guard lock(mu_);
    return live_.size();
}

}  // namespace tern::server
