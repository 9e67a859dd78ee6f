#include "policy/auth_throttle.hpp"

namespace tern::policy {

void AuthThrottle::set_limits(AuthThrottleLimits limits) {
    std::lock_guard lock(mu_);
    limits_ = limits;
}

std::size_t AuthThrottle::count(std::map<std::string, Times>& m, const std::string& key,
                                std::int64_t now) {
    auto it = m.find(key);
    if (it == m.end()) return 0;
    auto& t = it->second;
    while (!t.empty() && t.front() <= now - limits_.window_seconds) t.pop_front();
    if (t.empty()) {
        m.erase(it);
        return 0;
    }
    return t.size();
}

void AuthThrottle::add(std::map<std::string, Times>& m, const std::string& key, std::int64_t now) {
    if (m.size() >= kMaxTracked && !m.count(key)) {
        // Forget the entry whose latest failure is oldest: bounded memory under a spray of keys.
        auto victim = m.begin();
        for (auto it = m.begin(); it != m.end(); ++it)
            if (it->second.empty() || it->second.back() < victim->second.back()) victim = it;
        m.erase(victim);
    }
    auto& t = m[key];
    t.push_back(now);
    // Never keep more than the limit needs.
    while (t.size() > 4 * (limits_.failures_per_ip + limits_.failures_per_account) + 4) t.pop_front();
}

bool AuthThrottle::blocked(const std::string& ip, const std::string& account, std::int64_t now) {
    std::lock_guard lock(mu_);
    if (count(by_ip_, ip, now) >= limits_.failures_per_ip) return true;
    return !account.empty() && count(by_account_, account, now) >= limits_.failures_per_account;
}

void AuthThrottle::record_failure(const std::string& ip, const std::string& account,
                                  std::int64_t now) {
    std::lock_guard lock(mu_);
    add(by_ip_, ip, now);
    if (!account.empty()) add(by_account_, account, now);
}

}  // namespace tern::policy
