// QueueControl over the spool files, for `tern queue` when no server is running (the spool's
// lock guarantees that: Spool::open fails while a server holds the directory).
//
// Every change goes through the Spool API (update, remove, set_held) and is flushed before the
// call returns, so it is durable when the command exits. It does not wake any delivery
// scheduler — there is none in this process; the server sees the new states when it starts
// (a flushed recipient's next_attempt of 0 means "due now").
#pragma once

#include "control/queue_control.hpp"
#include "queue/spool.hpp"

namespace tern::control {

// "pending", "deferred", "delivered", "failed".
const char* status_name(queue::RecipientStatus status);
// A spool entry as the control interface shows it.
MessageInfo to_message_info(const queue::QueueEntry& entry);

class SpoolQueueControl : public QueueControl {
public:
    // `spool` must outlive this object.
    explicit SpoolQueueControl(queue::Spool& spool) : spool_(spool) {}

    std::vector<MessageInfo> list() override;
    std::optional<MessageInfo> show(const std::string& id) override;
    // Sets next_attempt = 0 on every pending or deferred recipient (status, attempts and
    // last_error kept) of the message(s) not on hold, through Spool::retry_now; returns how
    // many messages that covered.
    std::size_t flush(const std::optional<std::string>& id) override;
    bool remove(const std::string& id) override;
    bool hold(const std::string& id) override;
    bool release(const std::string& id) override;

private:
    queue::Spool& spool_;
};

}  // namespace tern::control
