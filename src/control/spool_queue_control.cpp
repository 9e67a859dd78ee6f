// QueueControl over the spool files (see spool_queue_control.hpp).
#include "control/spool_queue_control.hpp"

namespace tern::control {

const char* status_name(queue::RecipientStatus status) {
    switch (status) {
        case queue::RecipientStatus::Pending: return "pending";
        case queue::RecipientStatus::Deferred: return "deferred";
        case queue::RecipientStatus::Delivered: return "delivered";
        case queue::RecipientStatus::Failed: return "failed";
    }
    return "unknown";
}

MessageInfo to_message_info(const queue::QueueEntry& entry) {
    MessageInfo m;
    m.id = entry.id;
    m.arrival = entry.envelope.received_at;  // already unix seconds
    m.sender = entry.envelope.mail_from;
    m.size = entry.size;
    m.held = entry.held;
    m.recipients.reserve(entry.recipients.size());
    for (std::size_t i = 0; i < entry.recipients.size(); ++i) {
        const auto& st = entry.recipients[i];
        RecipientInfo r;
        if (i < entry.envelope.recipients.size()) r.address = entry.envelope.recipients[i].address;
        r.state = status_name(st.status);
        r.attempts = st.attempts;
        r.next_attempt = st.next_attempt;
        r.last_error = st.last_error;
        m.recipients.push_back(std::move(r));
    }
    return m;
}

std::vector<MessageInfo> SpoolQueueControl::list() {
    std::vector<MessageInfo> out;
    for (const auto& e : spool_.entries()) out.push_back(to_message_info(e));
    return out;
}

std::optional<MessageInfo> SpoolQueueControl::show(const std::string& id) {
    auto e = spool_.entry(id);
    if (!e) return std::nullopt;
    return to_message_info(*e);
}

std::size_t SpoolQueueControl::flush(const std::optional<std::string>& id) {
    std::size_t touched = 0;
    if (id) {
        touched = spool_.retry_now(*id) ? 1 : 0;
    } else {
        // Each message is rescheduled atomically (Spool::retry_now), so a delivery result
        // recorded since entries() was taken is never overwritten.
        for (const auto& e : spool_.entries())
            if (spool_.retry_now(e.id)) ++touched;
    }
    spool_.flush();
    return touched;
}

bool SpoolQueueControl::remove(const std::string& id) {
    if (!spool_.entry(id)) return false;
    spool_.remove(id);
    spool_.flush();
    return true;
}

bool SpoolQueueControl::hold(const std::string& id) {
    if (!spool_.entry(id)) return false;
    spool_.set_held(id, true);
    spool_.flush();
    return true;
}

bool SpoolQueueControl::release(const std::string& id) {
    if (!spool_.entry(id)) return false;
    spool_.set_held(id, false);
    spool_.flush();
    return true;
}

}  // namespace tern::control
