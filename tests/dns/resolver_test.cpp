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
};

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
        dnsmasq_ = Dnsmasq::start(kRecords, error);
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
