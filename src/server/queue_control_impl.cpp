#include "server/queue_control_impl.hpp"

#include "server/delivery_service.hpp"
#include "server/outbound_service.hpp"

namespace tern::server {

std::size_t ServerQueueControl::flush(const std::optional<std::string>& id) {
    std::size_t n = spool_.flush(id);  // durable "due now" for a restart in between
    local_.retry_now(id);
    remote_.retry_now(id);
    return n;
}

bool ServerQueueControl::remove(const std::string& id) {
    if (!spool_.remove(id)) return false;
    local_.forget(id);
    remote_.forget(id);
    return true;
}

bool ServerQueueControl::hold(const std::string& id) {
    if (!spool_.hold(id)) return false;
    local_.set_held(id, true);
    remote_.set_held(id, true);
    return true;
}

bool ServerQueueControl::release(const std::string& id) {
    if (!spool_.release(id)) return false;
    local_.set_held(id, false);
    remote_.set_held(id, false);
    local_.retry_now(id);
    return true;
}

}  // namespace tern::server
