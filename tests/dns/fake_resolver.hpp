// A Resolver with canned answers, for testing what is built on top of it (lookup_domain, the
// inbound mail checks) without DNS. Names not configured are NotFound.
#pragma once

#include "dns/name.hpp"
#include "dns/resolver.hpp"

#include <map>
#include <string>
#include <vector>

namespace tern::dns::test {

class FakeResolver final : public Resolver {
public:
    std::map<std::string, MxAnswer> mx_answers;
    std::map<std::string, AddressAnswer> address_answers;
    std::map<std::string, TxtAnswer> txt_answers;
    std::map<std::string, NameAnswer> ptr_answers;  // keyed by reverse_name(address)
    // every name asked, in order ("MX name", "ADDR name", "A name", "AAAA name", "TXT name",
    // "PTR address")
    std::vector<std::string> asked;

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
    void add_txt(const std::string& name, std::vector<std::string> records) {
        txt_answers[name] = TxtAnswer{Status::Ok, std::move(records), "", false};
    }
    void fail_txt(const std::string& name, Status status) {
        txt_answers[name] = TxtAnswer{status, {}, name + " TXT: " + std::string(to_string(status)), false};
    }
    void add_ptr(const std::string& address, std::vector<std::string> names) {
        ptr_answers[reverse_name(asio::ip::make_address(address))] =
            NameAnswer{Status::Ok, std::move(names), "", false};
    }
    void fail_ptr(const std::string& address, Status status) {
        ptr_answers[reverse_name(asio::ip::make_address(address))] =
            NameAnswer{status, {}, address + " PTR: " + std::string(to_string(status)), false};
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

    // The configured addresses of that family only; none of it is NotFound, as in DNS.
    asio::awaitable<AddressAnswer> addresses_of(std::string host, AddressFamily family) override {
        const bool v6 = family == AddressFamily::Ipv6;
        asked.push_back((v6 ? "AAAA " : "A ") + host);
        auto it = address_answers.find(host);
        if (it == address_answers.end())
            co_return AddressAnswer{Status::NotFound, {}, host + ": domain does not exist (NXDOMAIN)", false};
        AddressAnswer a = it->second;
        if (a.status != Status::Ok) co_return a;
        std::erase_if(a.addresses, [v6](const asio::ip::address& x) { return x.is_v6() != v6; });
        if (a.addresses.empty()) {
            a.status = Status::NotFound;
            a.error = host + (v6 ? " AAAA" : " A") + ": no record";
        }
        co_return a;
    }

    asio::awaitable<TxtAnswer> txt(std::string name) override {
        asked.push_back("TXT " + name);
        auto it = txt_answers.find(name);
        if (it != txt_answers.end()) co_return it->second;
        co_return TxtAnswer{Status::NotFound, {}, name + " TXT: domain does not exist (NXDOMAIN)", false};
    }

    asio::awaitable<NameAnswer> ptr(asio::ip::address address) override {
        asked.push_back("PTR " + address.to_string());
        auto it = ptr_answers.find(reverse_name(address));
        if (it != ptr_answers.end()) co_return it->second;
        co_return NameAnswer{Status::NotFound, {}, address.to_string() + " PTR: domain does not exist (NXDOMAIN)", false};
    }

    void stop() override {}
};

}  // namespace tern::dns::test
