// Turns delivery reports into delivery status notifications (RFC 3464, composed by dsn/) and
// queues them like any other message: from the null sender <>, to the original sender, durable
// in the spool before this returns, then handed to `dispatch` (local and remote delivery).
// compose_dsn() applies NOTIFY and never bounces a message from <>, so the caller reports
// every outcome and lets it decide.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/envelope.hpp"
#include "server/delivery_report.hpp"

namespace tern::queue {
class Spool;
}

namespace tern::server {

class Bouncer {
public:
    using Dispatch = std::function<void(const std::string& id, std::shared_ptr<const Envelope>)>;
    // `hostname` is asked for each report, so a SIGHUP change of server.hostname applies.
    using Hostname = std::function<std::string()>;
    Bouncer(queue::Spool& spool, Hostname hostname, Dispatch dispatch);

    // `original` is the queued message (for RET); returns the DSN's queue id, or "" when no
    // DSN is due (NOTIFY, null sender) or it could not be queued (logged).
    std::string report(const std::string& id, const Envelope& envelope, const std::vector<DeliveryReport>& reports,
                       std::string_view original, bool delay_by_default = false);

private:
    queue::Spool& spool_;
    Hostname hostname_;
    Dispatch dispatch_;
};

}  // namespace tern::server
