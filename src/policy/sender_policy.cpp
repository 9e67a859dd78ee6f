#include "policy/sender_policy.hpp"

#include <algorithm>

#include "core/address.hpp"
#include "delivery/recipient_resolver.hpp"

namespace tern::policy {

bool may_send_as(const config::Config& config, const delivery::UserLookup& users,
                 std::string_view user, std::string_view address,
                 const std::vector<std::string>* extra) {
    auto parsed = parse_mailbox(address, true);
    if (!parsed) return false;
    const std::string key = parsed->key();
    const std::string owner = ascii_lower(user);
    if (key == owner) return true;

    const std::string local = ascii_lower(parsed->local);
    auto sub = split_subaddress(local);
    const std::string base = std::string(sub.user) + "@" + ascii_lower(parsed->domain);
    if (!sub.tag.empty() && base == owner) return true;

    if (extra) {
        for (const auto& e : *extra) {
            auto k = ascii_lower(e);
            if (k == key || k == base) return true;
            if (!k.empty() && k.front() == '@' && k.substr(1) == ascii_lower(parsed->domain))
                return true;
        }
    }

    // An explicit alias that delivers to the user (directly or through nested aliases).
    delivery::RecipientResolver resolver(config, users);
    for (const auto& candidate : {key, base}) {
        if (!config.aliases.count(candidate)) continue;
        auto r = resolver.expand(candidate);
        if (std::find(r.mailboxes.begin(), r.mailboxes.end(), owner) != r.mailboxes.end())
            return true;
    }
    return false;
}

}  // namespace tern::policy
