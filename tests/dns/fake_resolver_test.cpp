// The FakeResolver's own behaviour, which the inbound-check tests rely on.
#include "dns/fake_resolver.hpp"

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <gtest/gtest.h>

#include <optional>

using namespace tern::dns;
using tern::dns::test::FakeResolver;

namespace {

template <class T>
T run(asio::awaitable<T> a) {
    asio::io_context io;
    std::optional<T> result;
    asio::co_spawn(io, std::move(a), [&](std::exception_ptr e, T out) {
        if (e) std::rethrow_exception(e);
        result = std::move(out);
    });
    io.run();
    if (!result) throw std::runtime_error("coroutine did not finish");
    return std::move(*result);
}

}  // namespace

TEST(FakeResolver, AddressesOfFiltersByFamily) {
    FakeResolver r;
    r.add_addresses("dual.test", {"2001:db8::1", "192.0.2.1"});
    r.add_addresses("v4.test", {"192.0.2.2"});
    auto v4 = run(r.addresses_of("dual.test", AddressFamily::Ipv4));
    ASSERT_EQ(v4.status, Status::Ok);
    ASSERT_EQ(v4.addresses.size(), 1u);
    EXPECT_EQ(v4.addresses[0].to_string(), "192.0.2.1");
    auto v6 = run(r.addresses_of("dual.test", AddressFamily::Ipv6));
    ASSERT_EQ(v6.addresses.size(), 1u);
    EXPECT_EQ(v6.addresses[0].to_string(), "2001:db8::1");
    EXPECT_EQ(run(r.addresses_of("v4.test", AddressFamily::Ipv6)).status, Status::NotFound);
    EXPECT_EQ(run(r.addresses_of("none.test", AddressFamily::Ipv4)).status, Status::NotFound);
    EXPECT_EQ(r.asked, (std::vector<std::string>{"A dual.test", "AAAA dual.test", "AAAA v4.test",
                                                 "A none.test"}));
}

TEST(FakeResolver, TxtAndPtr) {
    FakeResolver r;
    r.add_txt("_dmarc.x.test", {"v=DMARC1; p=none"});
    r.fail_txt("tmp.test", Status::TempFail);
    r.add_ptr("192.0.2.1", {"host.x.test"});
    EXPECT_EQ(run(r.txt("_dmarc.x.test")).records, (std::vector<std::string>{"v=DMARC1; p=none"}));
    EXPECT_EQ(run(r.txt("tmp.test")).status, Status::TempFail);
    EXPECT_EQ(run(r.txt("none.test")).status, Status::NotFound);
    EXPECT_EQ(run(r.ptr(asio::ip::make_address("192.0.2.1"))).names,
              (std::vector<std::string>{"host.x.test"}));
    // Keyed by the reverse name: the mapped form of the address is the same entry.
    EXPECT_EQ(run(r.ptr(asio::ip::make_address("::ffff:192.0.2.1"))).status, Status::Ok);
    EXPECT_EQ(run(r.ptr(asio::ip::make_address("192.0.2.2"))).status, Status::NotFound);
}
