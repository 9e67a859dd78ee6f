// `tern queue` against the running server: the spool holds the truth (SpoolQueueControl), and
// the schedulers that keep their own timetable are told about flush, hold, release and delete.
#pragma once

#include "control/spool_queue_control.hpp"

namespace tern::server {

class DeliveryService;
class OutboundService;

class ServerQueueControl : public control::QueueControl {
public:
    ServerQueueControl(queue::Spool& spool, DeliveryService& local, OutboundService& remote)
        : spool_(spool), local_(local), remote_(remote) {}

    std::vector<control::MessageInfo> list() override { return spool_.list(); }
    std::optional<control::MessageInfo> show(const std::string& id) override { return spool_.show(id); }
    std::size_t flush(const std::optional<std::string>& id) override;
    bool remove(const std::string& id) override;
    bool hold(const std::string& id) override;
    bool release(const std::string& id) override;

private:
    control::SpoolQueueControl spool_;
    DeliveryService& local_;
    OutboundService& remote_;
};

}  // namespace tern::server
