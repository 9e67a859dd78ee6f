// Throttling of failed authentication (RFC 4954 14 asks servers to slow down password
// guessing): failures are counted per client IP and per account in a sliding window; past
// the limit, further attempts are refused without checking the password, so the expensive
// argon2 check cannot be used to burn CPU either. Thread-safe; the clock is a parameter.
//
// Memory is bounded: at most kMaxTracked keys per kind; the oldest are forgotten first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>

namespace tern::policy {

struct AuthThrottleLimits {
    std::size_t failures_per_ip = 10;
    std::size_t failures_per_account = 10;
    std::int64_t window_seconds = 60;
};

class AuthThrottle {
public:
    static constexpr std::size_t kMaxTracked = 100000;

    explicit AuthThrottle(AuthThrottleLimits limits) : limits_(limits) {}
    void set_limits(AuthThrottleLimits limits);

    // True when a new attempt from `ip` for `account` must be refused now. `account` may be
    // empty (not known yet); it is lower-cased by the caller.
    bool blocked(const std::string& ip, const std::string& account, std::int64_t now);
    void record_failure(const std::string& ip, const std::string& account, std::int64_t now);

private:
    using Times = std::deque<std::int64_t>;
    std::size_t count(std::map<std::string, Times>& m, const std::string& key, std::int64_t now);
    void add(std::map<std::string, Times>& m, const std::string& key, std::int64_t now);

    std::mutex mu_;
    AuthThrottleLimits limits_;
    std::map<std::string, Times> by_ip_;
    std::map<std::string, Times> by_account_;
};

}  // namespace tern::policy
