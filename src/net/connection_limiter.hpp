// Bounds concurrent connections in total and per client IP. Thread-safe. A Slot releases its
// count when destroyed, so a connection can never leak a count on any exit path.
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <string>

namespace tern::net {

class ConnectionLimiter {
public:
    ConnectionLimiter(std::size_t max_total, std::size_t max_per_ip)
        : max_total_(max_total), max_per_ip_(max_per_ip) {}

    class Slot {
    public:
        Slot() = default;
        Slot(Slot&& o) noexcept : owner_(o.owner_), ip_(std::move(o.ip_)) { o.owner_ = nullptr; }
        Slot& operator=(Slot&& o) noexcept;
        Slot(const Slot&) = delete;
        Slot& operator=(const Slot&) = delete;
        ~Slot() { release(); }
        explicit operator bool() const { return owner_ != nullptr; }

    private:
        friend class ConnectionLimiter;
        Slot(ConnectionLimiter* owner, std::string ip) : owner_(owner), ip_(std::move(ip)) {}
        void release();
        ConnectionLimiter* owner_ = nullptr;
        std::string ip_;
    };

    enum class Refusal { None, Total, PerIp };
    // On success the Slot is non-empty; otherwise `why` says which limit was hit.
    Slot acquire(const std::string& ip, Refusal& why);

    void set_limits(std::size_t max_total, std::size_t max_per_ip);
    std::size_t active() const;

private:
    void release(const std::string& ip);
    mutable std::mutex mu_;
    std::size_t max_total_;
    std::size_t max_per_ip_;
    std::size_t total_ = 0;
    std::map<std::string, std::size_t> per_ip_;
};

}  // namespace tern::net
