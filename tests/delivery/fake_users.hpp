// A user database that is a fixed set of keys.
#pragma once

#include <set>
#include <string>
#include <string_view>

#include "delivery/user_lookup.hpp"

namespace tern::test {

struct FakeUsers : delivery::UserLookup {
    std::set<std::string, std::less<>> keys;
    explicit FakeUsers(std::set<std::string, std::less<>> k) : keys(std::move(k)) {}
    bool exists(std::string_view key) const override { return keys.find(key) != keys.end(); }
};

}  // namespace tern::test
