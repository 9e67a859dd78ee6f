#include "net/connection_limiter.hpp"

namespace tern::net {

ConnectionLimiter::Slot& ConnectionLimiter::Slot::operator=(Slot&& o) noexcept {
    if (this != &o) {
        release();
        owner_ = o.owner_;
        ip_ = std::move(o.ip_);
        o.owner_ = nullptr;
    }
    return *this;
}

void ConnectionLimiter::Slot::release() {
    if (owner_) owner_->release(ip_);
    owner_ = nullptr;
}

ConnectionLimiter::Slot ConnectionLimiter::acquire(const std::string& ip, Refusal& why) {
    std::lock_guard lock(mu_);
    if (total_ >= max_total_) {
        why = Refusal::Total;
        return {};
    }
    auto& n = per_ip_[ip];
    if (n >= max_per_ip_) {
        if (n == 0) per_ip_.erase(ip);
        why = Refusal::PerIp;
        return {};
    }
    ++n;
    ++total_;
    why = Refusal::None;
    return Slot(this, ip);
}

void ConnectionLimiter::release(const std::string& ip) {
    std::lock_guard lock(mu_);
    --total_;
    auto it = per_ip_.find(ip);
    if (it != per_ip_.end() && --it->second == 0) per_ip_.erase(it);
}

void ConnectionLimiter::set_limits(std::size_t max_total, std::size_t max_per_ip) {
    std::lock_guard lock(mu_);
    max_total_ = max_total;
    max_per_ip_ = max_per_ip;
}

std::size_t ConnectionLimiter::active() const {
    std::lock_guard lock(mu_);
    return total_;
}

}  // namespace tern::net
