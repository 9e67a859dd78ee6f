// When to try a deferred recipient again: exponential backoff from [queue] first_retry,
// doubling per attempt up to max_retry, with +-20% jitter so that a destination that comes
// back is not hit by the whole queue at the same second. Pure (the random draw is passed in).
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>

#include "config/config.hpp"

namespace tern::queue {

struct RetryPolicy {
    std::int64_t first_retry = 300;
    std::int64_t max_retry = 3600;
    std::int64_t lifetime = 5 * 24 * 3600;

    static RetryPolicy from(const config::Queue& q) {
        return {static_cast<std::int64_t>(q.first_retry), static_cast<std::int64_t>(q.max_retry),
                static_cast<std::int64_t>(q.lifetime)};
    }

    // Seconds to wait after the attempt numbered `attempts` (1 = the first attempt failed).
    template <class Rng>
    std::int64_t delay(std::uint32_t attempts, Rng& rng) const {
        std::int64_t d = first_retry;
        for (std::uint32_t i = 1; i < attempts && d < max_retry; ++i) d *= 2;
        d = std::min(d, max_retry);
        std::uniform_int_distribution<std::int64_t> jitter(-d / 5, d / 5);
        return std::max<std::int64_t>(1, d + jitter(rng));
    }
    // The message has been queued too long: temporary failures become permanent.
    bool expired(std::int64_t arrival, std::int64_t now) const { return now - arrival >= lifetime; }
};

}  // namespace tern::queue
