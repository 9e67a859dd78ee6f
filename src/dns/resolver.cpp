#include "dns/resolver.hpp"

namespace tern::dns {

asio::awaitable<std::vector<AddressAnswer>> Resolver::addresses_each(
    std::vector<std::string> hosts) {
    std::vector<AddressAnswer> out;
    out.reserve(hosts.size());
    for (auto& h : hosts) out.push_back(co_await addresses(std::move(h)));
    co_return out;
}

}  // namespace tern::dns
