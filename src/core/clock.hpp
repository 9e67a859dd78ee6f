// Wall-clock time as unix seconds: what the queue records (arrival, next attempt) and what
// rate limits count in.
#pragma once

#include <chrono>
#include <cstdint>

namespace tern {

inline std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace tern
