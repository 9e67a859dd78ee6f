// Per-user sending limits for submission — the "bulk mail" protection a provider offers:
// messages per hour and recipients per day, in sliding windows. A message over the limit is
// refused with 450 4.7.1 (temporary: the user may send again later). Thread-safe; the clock
// is a parameter. A limit of 0 means unlimited.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "core/outcome.hpp"

namespace tern::policy {

struct SendQuotaLimits {
    std::size_t messages_per_hour = 200;
    std::size_t recipients_per_day = 2000;
};

class SendQuota {
public:
    explicit SendQuota(SendQuotaLimits limits) : limits_(limits) {}
    void set_limits(SendQuotaLimits limits);

    // At MAIL: may `user` start another message?
    Outcome check_message(const std::string& user, std::int64_t now);
    // At RCPT: may `user` add one more recipient, given `pending` already accepted in this
    // transaction (not yet recorded)?
    Outcome check_recipient(const std::string& user, std::size_t pending, std::int64_t now);
    // After the message is queued.
    void record(const std::string& user, std::size_t recipients, std::int64_t now);

private:
    struct Usage {
        std::deque<std::int64_t> messages;                           // times, last hour
        std::deque<std::pair<std::int64_t, std::size_t>> recipients;  // (time, count), last day
        std::size_t recipients_total = 0;
    };
    void prune(Usage& u, std::int64_t now);

    std::mutex mu_;
    SendQuotaLimits limits_;
    std::map<std::string, Usage> usage_;
};

}  // namespace tern::policy
