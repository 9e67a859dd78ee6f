#include "server/quota_check.hpp"

#include <spdlog/spdlog.h>

#include "mailbox/store.hpp"

namespace tern::server {

Outcome check_quota(mailbox::Store& store, const config::Config& config, const std::filesystem::path& maildir) {
    const auto quota = config.retrieval.quota;
    if (quota == 0) return Outcome::ok();
    auto usage = store.usage(maildir);  // cached by directory mtimes: cheap when nothing changed
    if (!usage) {
        if (usage.error().code != mailbox::ErrorCode::NotFound)
            spdlog::warn("quota: cannot measure {}: {}", maildir.string(), usage.error().text);
        return Outcome::ok();
    }
    if (usage->bytes >= quota) return Outcome::temporary("4.2.2", "Mailbox full", 452);
    return Outcome::ok();
}

}  // namespace tern::server
