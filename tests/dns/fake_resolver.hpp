// A Resolver with canned answers, for testing what is built on top of it (lookup_domain)
// without DNS. Names not configured are NotFound.
#pragma once

#include "dns/resolver.hpp"

#include <map>
#include <string>
#include <vector>

namespace tern::dns::test {

class FakeResolver final : public Resolver {
public:
    std::map<std::string, MxAnswer> mx_answers;
    std::map<std::string, AddressAnswer> address_answers;
    std::vector<std::string> asked;  // every name asked, in order ("MX name" / "ADDR name")

    void add_mx(const std::string& domain, std::vector<MxRecord> records) {
        mx_answers[domain] = MxAnswer{Status::Ok, std::move(records), "", false};
    }
    void add_addresses(const std::string& host, std::vector<std::string> addresses) {
        AddressAnswer a{Status::Ok, {}, "", false};
        for (const auto& s : addresses) a.addresses.push_back(asio::ip::make_address(s));
        address_answers[host] = a;
    }
    void fail(const std::string& host, Status status) {
        address_answers[host] = AddressAnswer{status, {}, host + ": " + std::string(to_string(status)), false};
    }

    asio::awaitable<MxAnswer> mx(std::string domain) override {
        asked.push_back("MX " + domain);
        auto it = mx_answers.find(domain);
        if (it != mx_answers.end()) co_return it->second;
        co_return MxAnswer{Status::NotFound, {}, domain + " MX: no MX record", false};
    }

    asio::awaitable<AddressAnswer> addresses(std::string host) override {
        asked.push_back("ADDR " + host);
        auto it = address_answers.find(host);
        if (it != address_answers.end()) co_return it->second;
        co_return AddressAnswer{Status::NotFound, {}, host + ": domain does not exist (NXDOMAIN)", false};
    }

    void stop() override {}
};

}  // namespace tern::dns::test
