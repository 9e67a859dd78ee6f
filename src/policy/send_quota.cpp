#include "policy/send_quota.hpp"

namespace tern::policy {
namespace {
constexpr std::int64_t kHour = 3600;
constexpr std::int64_t kDay = 86400;
}  // namespace

void SendQuota::set_limits(SendQuotaLimits limits) {
    std::lock_guard lock(mu_);
    limits_ = limits;
}

void SendQuota::prune(Usage& u, std::int64_t now) {
    while (!u.messages.empty() && u.messages.front() <= now - kHour) u.messages.pop_front();
    while (!u.recipients.empty() && u.recipients.front().first <= now - kDay) {
        u.recipients_total -= u.recipients.front().second;
        u.recipients.pop_front();
    }
}

Outcome SendQuota::check_message(const std::string& user, std::int64_t now) {
    std::lock_guard lock(mu_);
    auto it = usage_.find(user);
    if (it == usage_.end()) return Outcome::ok();
    prune(it->second, now);
    if (limits_.messages_per_hour && it->second.messages.size() >= limits_.messages_per_hour)
        return Outcome::temporary("4.7.1", "Sending limit reached: " +
                                               std::to_string(limits_.messages_per_hour) +
                                               " messages per hour; try again later", 450);
    return Outcome::ok();
}

Outcome SendQuota::check_recipient(const std::string& user, std::size_t pending, std::int64_t now) {
    std::lock_guard lock(mu_);
    std::size_t used = 0;
    if (auto it = usage_.find(user); it != usage_.end()) {
        prune(it->second, now);
        used = it->second.recipients_total;
    }
    if (limits_.recipients_per_day && used + pending + 1 > limits_.recipients_per_day)
        return Outcome::temporary("4.7.1", "Sending limit reached: " +
                                               std::to_string(limits_.recipients_per_day) +
                                               " recipients per day; try again later", 450);
    return Outcome::ok();
}

void SendQuota::record(const std::string& user, std::size_t recipients, std::int64_t now) {
    std::lock_guard lock(mu_);
    auto& u = usage_[user];
    prune(u, now);
    u.messages.push_back(now);
    u.recipients.emplace_back(now, recipients);
    u.recipients_total += recipients;
}

}  // namespace tern::policy
