// deliver_remote against scripted SMTP servers on 127.0.0.x with a fake resolver: MX order,
// moving on to the next host after a connection failure or a 421, keeping per-recipient
// refusals final, Null MX, and a peer that greets with our own name (loop).
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <map>
#include <thread>

#include "dns/resolver.hpp"
#include "transport/remote_delivery.hpp"

namespace tern::transport {
namespace {

class FakeResolver : public dns::Resolver {
public:
    std::map<std::string, dns::MxAnswer> mx_answers;
    std::map<std::string, std::vector<asio::ip::address>> hosts;

    asio::awaitable<dns::MxAnswer> mx(std::string domain) override {
        auto it = mx_answers.find(domain);
        if (it != mx_answers.end()) co_return it->second;
        dns::MxAnswer a;
        a.status = dns::Status::NotFound;
        co_return a;
    }
    asio::awaitable<dns::AddressAnswer> addresses(std::string host) override {
        dns::AddressAnswer a;
        auto it = hosts.find(host);
        if (it == hosts.end()) {
            a.status = dns::Status::NotFound;
            a.error = host + ": no such host";
        } else {
            a.status = dns::Status::Ok;
            a.addresses = it->second;
        }
        co_return a;
    }
    // Not used by delivery.
    asio::awaitable<dns::AddressAnswer> addresses_of(std::string, dns::AddressFamily) override {
        co_return dns::AddressAnswer{dns::Status::NotFound, {}, "not configured", false};
    }
    asio::awaitable<dns::TxtAnswer> txt(std::string) override {
        co_return dns::TxtAnswer{dns::Status::NotFound, {}, "not configured", false};
    }
    asio::awaitable<dns::NameAnswer> ptr(asio::ip::address) override {
        co_return dns::NameAnswer{dns::Status::NotFound, {}, "not configured", false};
    }
    void stop() override {}
};

// A one-connection-at-a-time SMTP server on `ip`: greets with `greeting`, answers RCPT for
// addresses in `refuse` with 550, everything else with 250; records each message's data.
class ScriptedServer {
public:
    ScriptedServer(const char* ip, std::uint16_t port, std::string greeting)
        : greeting_(std::move(greeting)) {
        fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_port = htons(port);
        ::inet_pton(AF_INET, ip, &sa.sin_addr);
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || ::listen(fd_, 8) != 0)
            ADD_FAILURE() << "cannot listen on " << ip << ":" << port;
        socklen_t len = sizeof sa;
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &len);
        port_ = ntohs(sa.sin_port);
        thread_ = std::thread([this] { serve(); });
    }
    ~ScriptedServer() {
        ::shutdown(fd_, SHUT_RDWR);
        ::close(fd_);
        thread_.join();
    }
    std::uint16_t port() const { return port_; }
    std::vector<std::string> refuse;
    std::vector<std::string> messages;
    std::atomic<int> connections{0};

private:
    void serve() {
        while (true) {
            int c = ::accept(fd_, nullptr, nullptr);
            if (c < 0) return;
            ++connections;
            dialog(c);
            ::close(c);
        }
    }
    static void put(int c, const std::string& s) { (void)!::write(c, s.data(), s.size()); }
    static bool line(int c, std::string& buf, std::string& out) {
        while (true) {
            auto e = buf.find("\r\n");
            if (e != std::string::npos) {
                out = buf.substr(0, e);
                buf.erase(0, e + 2);
                return true;
            }
            char tmp[4096];
            ssize_t n = ::read(c, tmp, sizeof tmp);
            if (n <= 0) return false;
            buf.append(tmp, static_cast<std::size_t>(n));
        }
    }
    void dialog(int c) {
        put(c, greeting_ + "\r\n");
        if (greeting_.rfind("220", 0) != 0) return;
        std::string buf, l;
        while (line(c, buf, l)) {
            if (l.rfind("EHLO", 0) == 0) put(c, "250 ok\r\n");
            else if (l.rfind("MAIL", 0) == 0) put(c, "250 2.1.0 ok\r\n");
            else if (l.rfind("RCPT", 0) == 0) {
                bool no = false;
                for (auto& r : refuse) no = no || l.find("<" + r + ">") != std::string::npos;
                put(c, no ? "550 5.1.1 No such user\r\n" : "250 2.1.5 ok\r\n");
            } else if (l == "DATA") {
                put(c, "354 go\r\n");
                std::string data;
                while (line(c, buf, l) && l != ".") data += l + "\n";
                messages.push_back(data);
                put(c, "250 2.0.0 queued\r\n");
            } else if (l == "QUIT") {
                put(c, "221 bye\r\n");
                return;
            } else {
                put(c, "500 what\r\n");
            }
        }
    }
    std::string greeting_;
    int fd_ = -1;
    std::uint16_t port_ = 0;
    std::thread thread_;
};

struct Run {
    std::vector<std::vector<RecipientResult>> results;
};

Run run(FakeResolver& resolver, RoutePlan plan, std::vector<std::string> rcpts) {
    auto env = std::make_shared<Envelope>();
    env->mail_from = "alice@a.test";
    for (auto& r : rcpts) env->recipients.push_back({r, 0, ""});
    DeliveryItem item;
    item.id = "1-1";
    item.envelope = env;
    for (std::size_t i = 0; i < rcpts.size(); ++i) item.recipients.push_back(i);
    item.data = std::make_shared<const std::string>("Subject: t\r\n\r\nbody\r\n");
    RemoteDeliveryOptions opts;
    opts.hostname = "mx.a.test";
    opts.connect_timeout = std::chrono::seconds(5);
    asio::io_context io;
    std::promise<Run> done;
    auto f = done.get_future();
    asio::co_spawn(io, deliver_remote(opts, resolver, plan, {item}, 7),
                   [&done](std::exception_ptr e, std::vector<std::vector<RecipientResult>> r) {
                       if (e) std::rethrow_exception(e);
                       done.set_value(Run{std::move(r)});
                   });
    io.run();
    return f.get();
}

RoutePlan mx_plan(std::string domain, std::uint16_t port) {
    RoutePlan p;
    p.kind = RoutePlan::Kind::Mx;
    p.domain = domain;
    p.key = "mx:" + domain;
    p.next_hop = {domain, port};
    p.tls = outbound::TlsPolicy::None;
    return p;
}

TEST(RemoteDelivery, SecondMxWhenTheFirstRefusesConnections) {
    ScriptedServer good("127.0.0.1", 0, "220 mx2.b.test ESMTP");
    FakeResolver r;
    r.mx_answers["b.test"] = {dns::Status::Ok, {{10, "mx1.b.test"}, {20, "mx2.b.test"}}, "", false};
    r.hosts["mx1.b.test"] = {asio::ip::make_address("127.0.0.2")};  // nothing listens there
    r.hosts["mx2.b.test"] = {asio::ip::make_address("127.0.0.1")};
    auto res = run(r, mx_plan("b.test", good.port()), {"bob@b.test", "nobody@b.test"});
    ASSERT_EQ(res.results.size(), 1u);
    EXPECT_TRUE(res.results[0][0].outcome.is_ok()) << res.results[0][0].outcome.str();
    EXPECT_EQ(res.results[0][0].remote_mta, "mx2.b.test");
    EXPECT_TRUE(res.results[0][0].relayed);  // the peer did not announce DSN
    ASSERT_EQ(good.messages.size(), 1u);
    EXPECT_NE(good.messages[0].find("body"), std::string::npos);
}

TEST(RemoteDelivery, RecipientRefusalIsFinalAndNotTriedElsewhere) {
    ScriptedServer first("127.0.0.1", 0, "220 mx1.b.test ESMTP");
    first.refuse = {"nobody@b.test"};
    FakeResolver r;
    r.mx_answers["b.test"] = {dns::Status::Ok, {{10, "mx1.b.test"}, {20, "mx2.b.test"}}, "", false};
    r.hosts["mx1.b.test"] = {asio::ip::make_address("127.0.0.1")};
    r.hosts["mx2.b.test"] = {asio::ip::make_address("127.0.0.3")};
    auto res = run(r, mx_plan("b.test", first.port()), {"bob@b.test", "nobody@b.test"});
    EXPECT_TRUE(res.results[0][0].outcome.is_ok());
    EXPECT_TRUE(res.results[0][1].outcome.is_permanent());
    EXPECT_EQ(res.results[0][1].outcome.str(), "550 5.1.1 No such user");
    EXPECT_EQ(first.connections, 1);
}

TEST(RemoteDelivery, BusyHostThenNextHost) {
    ScriptedServer busy("127.0.0.1", 0, "421 4.3.2 busy");
    ScriptedServer good("127.0.0.4", busy.port(), "220 mx2.b.test ESMTP");
    FakeResolver r;
    r.mx_answers["b.test"] = {dns::Status::Ok, {{10, "mx1.b.test"}, {20, "mx2.b.test"}}, "", false};
    r.hosts["mx1.b.test"] = {asio::ip::make_address("127.0.0.1")};
    r.hosts["mx2.b.test"] = {asio::ip::make_address("127.0.0.4")};
    auto res = run(r, mx_plan("b.test", busy.port()), {"bob@b.test"});
    EXPECT_TRUE(res.results[0][0].outcome.is_ok()) << res.results[0][0].outcome.str();
    EXPECT_EQ(good.messages.size(), 1u);
}

TEST(RemoteDelivery, AllHostsDownIsTemporary) {
    FakeResolver r;
    r.hosts["b.test"] = {asio::ip::make_address("127.0.0.2")};  // implicit MX, nothing listening
    auto res = run(r, mx_plan("b.test", 1), {"bob@b.test"});
    EXPECT_TRUE(res.results[0][0].outcome.is_temporary()) << res.results[0][0].outcome.str();
    EXPECT_EQ(res.results[0][0].outcome.enhanced, "4.4.1");
}

TEST(RemoteDelivery, NullMxAndNoSuchDomainArePermanent) {
    FakeResolver r;
    r.mx_answers["null.test"] = {dns::Status::Ok, {{0, ""}}, "", false};
    auto res = run(r, mx_plan("null.test", 25), {"x@null.test"});
    EXPECT_EQ(res.results[0][0].outcome.str().substr(0, 10), "556 5.1.10");
    auto none = run(r, mx_plan("none.test", 25), {"x@none.test"});
    EXPECT_TRUE(none.results[0][0].outcome.is_permanent()) << none.results[0][0].outcome.str();
    EXPECT_EQ(none.results[0][0].outcome.enhanced, "5.1.2");
}

TEST(RemoteDelivery, GreetingWithOurNameIsALoop) {
    ScriptedServer self("127.0.0.1", 0, "220 MX.A.TEST ESMTP");
    FakeResolver r;
    r.hosts["b.test"] = {asio::ip::make_address("127.0.0.1")};
    auto res = run(r, mx_plan("b.test", self.port()), {"bob@b.test"});
    EXPECT_EQ(res.results[0][0].outcome.enhanced, "5.4.6") << res.results[0][0].outcome.str();
    EXPECT_TRUE(self.messages.empty());
}

}  // namespace
}  // namespace tern::transport
