// What a delivery agent (local or remote) tells the bouncer about recipients that reached a
// state worth reporting to the sender: failed, delayed, or delivered/relayed (for NOTIFY=SUCCESS).
#pragma once

#include <cstddef>
#include <string>

#include "core/outcome.hpp"
#include "dsn/dsn.hpp"

namespace tern::server {

struct DeliveryReport {
    std::size_t recipient = 0;  // index into the envelope's recipients
    dsn::Action action = dsn::Action::Failed;
    Outcome outcome;            // the reply or local outcome
    std::string remote_mta;     // the host that answered, if any
    std::int64_t will_retry_until = 0;  // Delayed: when we give up
};

}  // namespace tern::server
