// Which addresses an authenticated user may send as (RFC 6409 6.1: the submission server
// checks the sender is authorised). A user owns:
//   - their own address, and sub-addresses of it ("alice+news@example.test");
//   - every address whose alias (an explicit [aliases] key, not a catch-all) delivers to them;
//   - the extra addresses listed for them in [senders] ("@domain" there means the whole domain).
// Comparison is case-insensitive. The null sender <> is refused to users: bounces are ours.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "delivery/user_lookup.hpp"

namespace tern::policy {

// `user` is the authenticated user's key ("alice@example.test"); `extra` the user's [senders]
// entry, or null.
bool may_send_as(const config::Config& config, const delivery::UserLookup& users,
                 std::string_view user, std::string_view address,
                 const std::vector<std::string>* extra);

}  // namespace tern::policy
