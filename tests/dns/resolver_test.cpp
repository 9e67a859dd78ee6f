// The libunbound Resolver against a real DNS server: dnsmasq on 127.0.0.1 (tests/dns/dnsmasq.hpp).
#include "dns/resolver.hpp"

#include "dns/dnsmasq.hpp"
#include "dns/route.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/thread_pool.hpp>
#include <asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <optional>
#include <thread>

using namespace tern::dns;
using tern::dns::test::Dnsmasq;
using tern::dns::test::SilentServer;
using Clock = std::chrono::steady_clock;

namespace {

const std::vector<std::string> kRecords = {
    // two preferences
    "--mx-host=two.test,mx1.two.test,10", "--mx-host=two.test,mx2.two.test,20",
    "--host-record=mx1.two.test,127.0.0.2", "--host-record=mx2.two.test,2001:db8::2,127.0.0.3",
    // Null MX, written both ways dnsmasq can
    "--mx-host=nullmx.test,.,0", "--dns-rr=rawnull.test,15,000000",
    // no MX, an A record: implicit MX
    "--host-record=amx.test,127.0.0.9",
    // AAAA and A
    "--host-record=dual.test,2001:db8::10,127.0.0.10",
    // an MX whose target has no address
    "--mx-host=noaddr.test,ghost.test,10",
    // MX rdata whose name runs past its end
    "--dns-rr=badmx.test,15,000a03666f6f",
    // TXT: one record of three strings, three records, underscore names, one malformed
    // (no shell in between: the commas split the strings, the spaces are kept)
    "--txt-record=multi.test,v=spf1 ,ip4:192.0.2.0/24 ,-all",
    "--txt-record=many.test,one", "--txt-record=many.test,two", "--txt-record=many.test,three",
    "--txt-record=_dmarc.under.test,v=DMARC1; p=reject",
    "--txt-record=sel._domainkey.under.test,v=DKIM1; k=ed25519; p=",
    "--dns-rr=badtxt.test,16,05616263",
    // PTR: two names for one IPv4 address, one for an IPv6 address (2001:db8::ab)
    "--ptr-record=50.0.0.127.in-addr.arpa,Reverse.TWO.test",
    "--ptr-record=50.0.0.127.in-addr.arpa,alias.test",
    "--ptr-record=b.a.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa,v6.test",
};

// One more TXT record at lots.test than an answer may hold.
std::vector<std::string> with_many_txt(std::vector<std::string> records) {
    for (std::size_t i = 0; i <= kMaxTxtRecords; ++i)
        records.push_back("--txt-record=lots.test,r" + std::to_string(i));
    return records;
}

template <class T>
T run_on(asio::io_context& io, asio::awaitable<T> a) {
    std::optional<T> result;
    asio::co_spawn(io, std::move(a), [&](std::exception_ptr e, T out) {
        if (e) std::rethrow_exception(e);
        result = std::move(out);
    });
    io.restart();
    io.run();
    if (!result) throw std::runtime_error("coroutine did not finish");
    return std::move(*result);
}

std::vector<MxRecord> sorted(std::vector<MxRecord> r) {
    std::sort(r.begin(), r.end(), [](auto& a, auto& b) { return a.preference < b.preference; });
    return r;
}

std::vector<std::string> strings(const std::vector<asio::ip::address>& v) {
    std::vector<std::string> out;
    for (const auto& a : v) out.push_back(a.to_string());
    return out;
}

asio::awaitable<RouteLookup> route_of(Resolver& r, std::string domain) {
    std::mt19937_64 rng(1);
    co_return co_await lookup_domain(r, std::move(domain), rng);
}

class ResolverTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string error;
        dnsmasq_ = Dnsmasq::start(with_many_txt(kRecords), error);
        ASSERT_TRUE(dnsmasq_) << error;
        resolver_ = make({dnsmasq_->nameserver()}, std::chrono::seconds(10));
        ASSERT_TRUE(resolver_);
    }
    void TearDown() override {
        if (resolver_) resolver_->stop();
        resolver_.reset();
        io_.restart();
        io_.run();  // lets stop() finish
        dnsmasq_.reset();
    }

    std::unique_ptr<Resolver> make(std::vector<std::string> nameservers, std::chrono::seconds timeout) {
        std::string error;
        ResolverOptions o;
        o.nameservers = std::move(nameservers);
        o.timeout = timeout;
        auto r = Resolver::create(io_.get_executor(), o, error);
        EXPECT_TRUE(r) << error;
        return r;
    }

    asio::io_context io_;
    std::unique_ptr<Dnsmasq> dnsmasq_;
    std::unique_ptr<Resolver> resolver_;
};

}  // namespace

TEST(ResolverCreate, RejectsBadOptions) {
    asio::io_context io;
    auto bad = [&](ResolverOptions o, std::string expect) {
        std::string error;
        EXPECT_FALSE(Resolver::create(io.get_executor(), o, error));
        EXPECT_NE(error.find(expect), std::string::npos) << error;
    };
    bad(ResolverOptions{{"dns.example"}, std::chrono::seconds(5), ""}, "bad nameserver");
    bad(ResolverOptions{{"127.0.0.1:0"}, std::chrono::seconds(5), ""}, "bad nameserver");
    bad(ResolverOptions{{"127.0.0.1"}, std::chrono::seconds(0), ""}, "timeout");
    bad(ResolverOptions{{"127.0.0.1"}, std::chrono::seconds(5), "/nonexistent/root.key"},
        "trust anchor");
}

TEST_F(ResolverTest, MxWithTwoPreferences) {
    auto mx = run_on(io_, resolver_->mx("two.test"));
    ASSERT_EQ(mx.status, Status::Ok) << mx.error;
    EXPECT_EQ(sorted(mx.records),
              (std::vector<MxRecord>{{10, "mx1.two.test"}, {20, "mx2.two.test"}}));
    EXPECT_FALSE(mx.secure);  // no trust anchor configured

    auto route = run_on(io_, route_of(*resolver_, "TWO.test."));
    ASSERT_EQ(route.kind, MxPlan::Kind::Hosts) << route.error;
    ASSERT_EQ(route.destinations.size(), 2u);
    EXPECT_EQ(route.destinations[0].host, "mx1.two.test");
    EXPECT_EQ(strings(route.destinations[0].addresses), (std::vector<std::string>{"127.0.0.2"}));
    EXPECT_EQ(route.destinations[1].host, "mx2.two.test");
    EXPECT_EQ(strings(route.destinations[1].addresses),
              (std::vector<std::string>{"2001:db8::2", "127.0.0.3"}));
    EXPECT_TRUE(route.error.empty()) << route.error;
}

TEST_F(ResolverTest, NullMx) {
    for (std::string domain : {std::string("nullmx.test"), std::string("rawnull.test")}) {
        auto mx = run_on(io_, resolver_->mx(domain));
        ASSERT_EQ(mx.status, Status::Ok) << mx.error;
        EXPECT_EQ(mx.records, (std::vector<MxRecord>{{0, ""}})) << domain;
        auto route = run_on(io_, route_of(*resolver_, domain));
        EXPECT_EQ(route.kind, MxPlan::Kind::NullMx) << domain;
        EXPECT_TRUE(route.destinations.empty());
    }
}

TEST_F(ResolverTest, ImplicitMx) {
    auto mx = run_on(io_, resolver_->mx("amx.test"));
    EXPECT_EQ(mx.status, Status::NotFound);
    EXPECT_NE(mx.error.find("no MX record"), std::string::npos) << mx.error;
    auto route = run_on(io_, route_of(*resolver_, "amx.test"));
    ASSERT_EQ(route.kind, MxPlan::Kind::Hosts) << route.error;
    ASSERT_EQ(route.destinations.size(), 1u);
    EXPECT_EQ(route.destinations[0].host, "amx.test");
    EXPECT_EQ(route.destinations[0].preference, 0);
    EXPECT_EQ(strings(route.destinations[0].addresses), (std::vector<std::string>{"127.0.0.9"}));
}

TEST_F(ResolverTest, NxDomain) {
    auto mx = run_on(io_, resolver_->mx("nowhere.test"));
    EXPECT_EQ(mx.status, Status::NotFound);
    EXPECT_NE(mx.error.find("NXDOMAIN"), std::string::npos) << mx.error;
    auto a = run_on(io_, resolver_->addresses("nowhere.test"));
    EXPECT_EQ(a.status, Status::NotFound);
    EXPECT_TRUE(a.addresses.empty());
    auto route = run_on(io_, route_of(*resolver_, "nowhere.test"));
    EXPECT_EQ(route.kind, MxPlan::Kind::NoSuchDomain);
    EXPECT_NE(route.error.find("nowhere.test"), std::string::npos) << route.error;
}

TEST_F(ResolverTest, AaaaAndABothReturnedIpv6First) {
    auto a = run_on(io_, resolver_->addresses("dual.test"));
    ASSERT_EQ(a.status, Status::Ok) << a.error;
    EXPECT_EQ(strings(a.addresses), (std::vector<std::string>{"2001:db8::10", "127.0.0.10"}));
    EXPECT_TRUE(a.error.empty()) << a.error;

    auto v4 = run_on(io_, resolver_->addresses("amx.test"));  // A only: NODATA for AAAA is fine
    ASSERT_EQ(v4.status, Status::Ok) << v4.error;
    EXPECT_EQ(strings(v4.addresses), (std::vector<std::string>{"127.0.0.9"}));
    EXPECT_TRUE(v4.error.empty()) << v4.error;
}

TEST_F(ResolverTest, AddressesEachAsksAllHostsAtOnce) {
    auto all = run_on(io_, resolver_->addresses_each(
                               {"mx1.two.test", "nowhere.test", "bad name", "dual.test"}));
    ASSERT_EQ(all.size(), 4u);
    EXPECT_EQ(all[0].status, Status::Ok);
    EXPECT_EQ(strings(all[0].addresses), (std::vector<std::string>{"127.0.0.2"}));
    EXPECT_EQ(all[1].status, Status::NotFound);
    EXPECT_EQ(all[2].status, Status::NotFound);
    EXPECT_NE(all[2].error.find("invalid character"), std::string::npos) << all[2].error;
    EXPECT_EQ(all[3].addresses.size(), 2u);
}

TEST_F(ResolverTest, ExplicitMxWithoutAddressesIsNoSuchDomain) {
    auto route = run_on(io_, route_of(*resolver_, "noaddr.test"));
    EXPECT_EQ(route.kind, MxPlan::Kind::NoSuchDomain);
    EXPECT_NE(route.error.find("ghost.test"), std::string::npos) << route.error;
}

TEST_F(ResolverTest, MalformedMxIsTempFail) {
    auto mx = run_on(io_, resolver_->mx("badmx.test"));
    EXPECT_EQ(mx.status, Status::TempFail) << mx.error;
    EXPECT_TRUE(mx.records.empty());
}

TEST_F(ResolverTest, InvalidNamesAreNotQueried) {
    const std::vector<std::string> names = {"", "a..test", "bad name.test",
                                            std::string("nul\0.test", 9), std::string(300, 'a')};
    for (const auto& name : names) {
        auto mx = run_on(io_, resolver_->mx(name));
        EXPECT_EQ(mx.status, Status::NotFound);
        EXPECT_FALSE(mx.error.empty());
        auto a = run_on(io_, resolver_->addresses(name));
        EXPECT_EQ(a.status, Status::NotFound);
    }
    EXPECT_EQ(dnsmasq_->log().find("query["), std::string::npos) << dnsmasq_->log();
}

std::vector<std::string> sorted(std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
}

TEST_F(ResolverTest, TxtJoinsTheStringsOfARecord) {
    auto t = run_on(io_, resolver_->txt("Multi.TEST."));
    ASSERT_EQ(t.status, Status::Ok) << t.error;
    EXPECT_EQ(t.records, (std::vector<std::string>{"v=spf1 ip4:192.0.2.0/24 -all"}));
    EXPECT_FALSE(t.secure);
}

TEST_F(ResolverTest, TxtReturnsEveryRecord) {
    auto t = run_on(io_, resolver_->txt("many.test"));
    ASSERT_EQ(t.status, Status::Ok) << t.error;
    EXPECT_EQ(sorted(t.records), (std::vector<std::string>{"one", "three", "two"}));
}

TEST_F(ResolverTest, TxtAtUnderscoreNames) {
    auto dmarc = run_on(io_, resolver_->txt("_dmarc.under.test"));
    ASSERT_EQ(dmarc.status, Status::Ok) << dmarc.error;
    EXPECT_EQ(dmarc.records, (std::vector<std::string>{"v=DMARC1; p=reject"}));
    auto dkim = run_on(io_, resolver_->txt("sel._domainkey.under.test"));
    ASSERT_EQ(dkim.status, Status::Ok) << dkim.error;
    EXPECT_EQ(dkim.records, (std::vector<std::string>{"v=DKIM1; k=ed25519; p="}));
}

TEST_F(ResolverTest, TxtNotFound) {
    auto nx = run_on(io_, resolver_->txt("nowhere.test"));
    EXPECT_EQ(nx.status, Status::NotFound);
    EXPECT_NE(nx.error.find("nowhere.test TXT"), std::string::npos) << nx.error;
    EXPECT_NE(nx.error.find("NXDOMAIN"), std::string::npos) << nx.error;
    auto nodata = run_on(io_, resolver_->txt("amx.test"));  // exists, A only
    EXPECT_EQ(nodata.status, Status::NotFound);
    EXPECT_NE(nodata.error.find("no TXT record"), std::string::npos) << nodata.error;
    auto invalid = run_on(io_, resolver_->txt("bad name.test"));
    EXPECT_EQ(invalid.status, Status::NotFound);
    EXPECT_NE(invalid.error.find("invalid character"), std::string::npos) << invalid.error;
}

TEST_F(ResolverTest, MalformedOrTooManyTxtIsTempFail) {
    auto bad = run_on(io_, resolver_->txt("badtxt.test"));
    EXPECT_EQ(bad.status, Status::TempFail);
    EXPECT_TRUE(bad.records.empty());
    EXPECT_NE(bad.error.find("badtxt.test TXT: malformed"), std::string::npos) << bad.error;
    auto lots = run_on(io_, resolver_->txt("lots.test"));
    EXPECT_EQ(lots.status, Status::TempFail) << lots.records.size();
    EXPECT_TRUE(lots.records.empty());
    EXPECT_NE(lots.error.find("more than 64 records"), std::string::npos) << lots.error;
}

TEST_F(ResolverTest, PtrOfIpv4) {
    auto p = run_on(io_, resolver_->ptr(asio::ip::make_address("127.0.0.50")));
    ASSERT_EQ(p.status, Status::Ok) << p.error;
    EXPECT_EQ(sorted(p.names), (std::vector<std::string>{"alias.test", "reverse.two.test"}));
    EXPECT_FALSE(p.secure);
    // The same address as an IPv4-mapped IPv6 address.
    auto mapped = run_on(io_, resolver_->ptr(asio::ip::make_address("::ffff:127.0.0.50")));
    ASSERT_EQ(mapped.status, Status::Ok) << mapped.error;
    EXPECT_EQ(mapped.names.size(), 2u);
}

TEST_F(ResolverTest, PtrOfIpv6) {
    auto p = run_on(io_, resolver_->ptr(asio::ip::make_address("2001:db8::ab")));
    ASSERT_EQ(p.status, Status::Ok) << p.error;
    EXPECT_EQ(p.names, (std::vector<std::string>{"v6.test"}));
}

TEST_F(ResolverTest, PtrNotFound) {
    auto p = run_on(io_, resolver_->ptr(asio::ip::make_address("127.0.0.99")));
    EXPECT_EQ(p.status, Status::NotFound);
    EXPECT_TRUE(p.names.empty());
    EXPECT_NE(p.error.find("127.0.0.99"), std::string::npos) << p.error;
}

TEST_F(ResolverTest, AddressesOfOneFamily) {
    auto v4 = run_on(io_, resolver_->addresses_of("dual.test", AddressFamily::Ipv4));
    ASSERT_EQ(v4.status, Status::Ok) << v4.error;
    EXPECT_EQ(strings(v4.addresses), (std::vector<std::string>{"127.0.0.10"}));
    auto v6 = run_on(io_, resolver_->addresses_of("dual.test", AddressFamily::Ipv6));
    ASSERT_EQ(v6.status, Status::Ok) << v6.error;
    EXPECT_EQ(strings(v6.addresses), (std::vector<std::string>{"2001:db8::10"}));
    auto none = run_on(io_, resolver_->addresses_of("amx.test", AddressFamily::Ipv6));
    EXPECT_EQ(none.status, Status::NotFound);
    EXPECT_NE(none.error.find("amx.test AAAA"), std::string::npos) << none.error;
    auto nx = run_on(io_, resolver_->addresses_of("nowhere.test", AddressFamily::Ipv4));
    EXPECT_EQ(nx.status, Status::NotFound);
    EXPECT_NE(nx.error.find("NXDOMAIN"), std::string::npos) << nx.error;
}

TEST_F(ResolverTest, ManyConcurrentLookupsAcrossThreads) {
    // The resolver's context runs on three threads, the callers on a pool of four with no
    // strand: the resolver serialises itself and resumes each caller on the pool.
    auto guard = asio::make_work_guard(io_);
    std::vector<std::thread> io_threads;
    for (int i = 0; i < 3; ++i) io_threads.emplace_back([this] { io_.run(); });
    asio::thread_pool pool(4);
    std::atomic<int> ok{0}, done{0};
    std::atomic<bool> wrong_thread{false};
    std::vector<std::thread::id> io_ids;
    for (auto& t : io_threads) io_ids.push_back(t.get_id());
    const int n = 300;
    for (int i = 0; i < n; ++i) {
        const char* name = i % 3 == 0 ? "two.test" : i % 3 == 1 ? "nullmx.test" : "rawnull.test";
        asio::co_spawn(pool, resolver_->mx(name), [&](std::exception_ptr, MxAnswer a) {
            if (a.status == Status::Ok) ++ok;
            if (std::find(io_ids.begin(), io_ids.end(), std::this_thread::get_id()) != io_ids.end())
                wrong_thread = true;
            ++done;
        });
    }
    pool.join();
    guard.reset();
    for (auto& t : io_threads) t.join();
    EXPECT_EQ(done, n);
    EXPECT_EQ(ok, n);
    EXPECT_FALSE(wrong_thread);
}

namespace {

asio::awaitable<std::size_t> mx_or_timer(Resolver& r, std::string domain, std::chrono::milliseconds t) {
    using namespace asio::experimental::awaitable_operators;
    asio::steady_timer timer(co_await asio::this_coro::executor, t);
    auto v = co_await (r.mx(std::move(domain)) || timer.async_wait(asio::use_awaitable));
    co_return v.index();
}

asio::awaitable<void> stop_after(Resolver& r, std::chrono::milliseconds t) {
    asio::steady_timer timer(co_await asio::this_coro::executor, t);
    co_await timer.async_wait(asio::use_awaitable);
    r.stop();
}

asio::awaitable<void> destroy_after(std::unique_ptr<Resolver>& r, std::chrono::milliseconds t) {
    asio::steady_timer timer(co_await asio::this_coro::executor, t);
    co_await timer.async_wait(asio::use_awaitable);
    r.reset();
}

}  // namespace

class SilentResolverTest : public ResolverTest {
protected:
    void SetUp() override {}  // no dnsmasq: a nameserver that never answers
    SilentServer silent_;
};

TEST_F(SilentResolverTest, TimesOutAsTempFail) {
    resolver_ = make({silent_.nameserver()}, std::chrono::seconds(2));
    ASSERT_TRUE(resolver_);
    auto t0 = Clock::now();
    auto mx = run_on(io_, resolver_->mx("example.test"));
    auto elapsed = Clock::now() - t0;
    EXPECT_EQ(mx.status, Status::TempFail);
    EXPECT_NE(mx.error.find("timed out after 2s"), std::string::npos) << mx.error;
    EXPECT_GE(elapsed, std::chrono::milliseconds(1900));
    EXPECT_LT(elapsed, std::chrono::seconds(4));

    t0 = Clock::now();
    auto route = run_on(io_, route_of(*resolver_, "example.test"));
    EXPECT_EQ(route.kind, MxPlan::Kind::TempFail);
    EXPECT_LT(Clock::now() - t0, std::chrono::seconds(4));

    auto a = run_on(io_, resolver_->addresses("example.test"));
    EXPECT_EQ(a.status, Status::TempFail);
}

TEST_F(SilentResolverTest, TxtPtrAndOneFamilyTimeOutAsTempFail) {
    resolver_ = make({silent_.nameserver()}, std::chrono::seconds(1));
    ASSERT_TRUE(resolver_);
    auto t = run_on(io_, resolver_->txt("_dmarc.example.test"));
    EXPECT_EQ(t.status, Status::TempFail);
    EXPECT_NE(t.error.find("_dmarc.example.test TXT: timed out"), std::string::npos) << t.error;
    auto p = run_on(io_, resolver_->ptr(asio::ip::make_address("192.0.2.1")));
    EXPECT_EQ(p.status, Status::TempFail);
    EXPECT_NE(p.error.find("192.0.2.1: 1.2.0.192.in-addr.arpa PTR: timed out"), std::string::npos)
        << p.error;
    auto a = run_on(io_, resolver_->addresses_of("example.test", AddressFamily::Ipv4));
    EXPECT_EQ(a.status, Status::TempFail);
    EXPECT_NE(a.error.find("example.test A: timed out"), std::string::npos) << a.error;
}

TEST_F(SilentResolverTest, StopEndsPendingLookups) {
    resolver_ = make({silent_.nameserver()}, std::chrono::seconds(30));
    ASSERT_TRUE(resolver_);
    asio::co_spawn(io_, stop_after(*resolver_, std::chrono::milliseconds(200)), asio::detached);
    auto t0 = Clock::now();
    auto mx = run_on(io_, resolver_->mx("example.test"));
    EXPECT_LT(Clock::now() - t0, std::chrono::seconds(3));
    EXPECT_EQ(mx.status, Status::TempFail);
    EXPECT_NE(mx.error.find("resolver stopped"), std::string::npos) << mx.error;
    // Later lookups fail the same way, at once.
    auto again = run_on(io_, resolver_->addresses("example.test"));
    EXPECT_EQ(again.status, Status::TempFail);
    EXPECT_NE(again.error.find("resolver stopped"), std::string::npos) << again.error;
    auto txt = run_on(io_, resolver_->txt("example.test"));
    EXPECT_EQ(txt.status, Status::TempFail);
    EXPECT_NE(txt.error.find("resolver stopped"), std::string::npos) << txt.error;
    auto ptr = run_on(io_, resolver_->ptr(asio::ip::make_address("::1")));
    EXPECT_EQ(ptr.status, Status::TempFail);
    EXPECT_NE(ptr.error.find("resolver stopped"), std::string::npos) << ptr.error;
}

TEST_F(SilentResolverTest, DestroyingTheResolverCompletesPendingLookups) {
    resolver_ = make({silent_.nameserver()}, std::chrono::seconds(30));
    ASSERT_TRUE(resolver_);
    asio::co_spawn(io_, destroy_after(resolver_, std::chrono::milliseconds(200)), asio::detached);
    auto t0 = Clock::now();
    auto a = run_on(io_, resolver_->addresses("example.test"));
    EXPECT_LT(Clock::now() - t0, std::chrono::seconds(3));
    EXPECT_FALSE(resolver_);
    EXPECT_EQ(a.status, Status::TempFail);
    EXPECT_NE(a.error.find("resolver stopped"), std::string::npos) << a.error;
}

TEST_F(SilentResolverTest, PerOperationCancellation) {
    resolver_ = make({silent_.nameserver()}, std::chrono::seconds(30));
    ASSERT_TRUE(resolver_);
    auto t0 = Clock::now();
    auto which = run_on(io_, mx_or_timer(*resolver_, "example.test", std::chrono::milliseconds(300)));
    EXPECT_EQ(which, 1u);  // the timer won; the lookup was cancelled, not waited for
    EXPECT_LT(Clock::now() - t0, std::chrono::seconds(3));
}
