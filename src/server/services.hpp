// What a connection (SMTP, POP3, IMAP) needs from the rest of the server: narrow references,
// no Server&. Each protocol uses the part it needs.
#pragma once

#include <asio/thread_pool.hpp>
#include <functional>
#include <memory>
#include <string>

#include "config/config.hpp"
#include "sasl/mechanism.hpp"

namespace tern::auth {
class UserDirectory;
}
namespace tern::delivery {
struct UserLookup;
}
namespace tern::mailbox {
class Store;
}
namespace tern::net {
class TlsContextStore;
}
namespace tern::policy {
class AuthThrottle;
class SendQuota;
}
namespace tern::queue {
class Spool;
}

namespace tern::server {

class ConnectionRegistry;
class DeliveryService;
class DkimKeyring;

struct Services {
    std::function<std::shared_ptr<const config::Config>()> config;  // current snapshot
    auth::UserDirectory* users = nullptr;             // credentials (argon2id, SCRAM secrets)
    const delivery::UserLookup* user_lookup = nullptr; // mailbox existence
    queue::Spool* spool = nullptr;
    DeliveryService* delivery = nullptr;
    ConnectionRegistry* registry = nullptr;
    net::TlsContextStore* tls = nullptr;
    policy::AuthThrottle* throttle = nullptr;
    policy::SendQuota* quota = nullptr;
    asio::thread_pool* blocking = nullptr;  // for argon2 checks: never on an I/O thread
    mailbox::Store* mailboxes = nullptr;    // POP3/IMAP: folders, indexes, the POP3 lock
    asio::thread_pool* mailbox_io = nullptr; // mailbox file I/O (sync of a large folder takes a while)
    sasl::Options sasl;                     // SCRAM nonce source and unknown-user secret
    std::function<std::shared_ptr<const DkimKeyring>()> dkim;  // current signing keys (may be unset)
};

}  // namespace tern::server
