// The one question delivery asks the user database: does this mailbox exist? A seam of its
// own so delivery does not depend on how users are stored (the server adapts the auth
// library's user db to it; tests use a set of names).
#pragma once

#include <string_view>

namespace tern::delivery {

struct UserLookup {
    virtual ~UserLookup() = default;
    // `key` is a lower-cased "local@domain" without sub-address. Must be safe to call from
    // several delivery threads at once.
    virtual bool exists(std::string_view key) const = 0;
};

}  // namespace tern::delivery
