// ControlServer and control_request end to end over a Unix socket in a temporary directory,
// with a fake QueueControl: every command, malformed and oversized requests, slow clients,
// stale and live sockets, file mode, stop(), and calls on a blocking thread pool.
#include "control/control_server.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/thread_pool.hpp>
#include <atomic>
#include <thread>

#include "control/control_client.hpp"
#include "control/fake_queue_control.hpp"
#include "control/json.hpp"
#include "control/protocol.hpp"
#include "support/temp_dir.hpp"

using namespace tern;
using namespace tern::control;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

// An io_context running on its own thread for the test's lifetime.
class IoThread {
public:
    IoThread() : guard_(asio::make_work_guard(io)), thread_([this] { io.run(); }) {}
    ~IoThread() {
        guard_.reset();
        io.stop();
        thread_.join();
    }
    std::thread::id id() const { return thread_.get_id(); }
    asio::io_context io;

private:
    asio::executor_work_guard<asio::io_context::executor_type> guard_;
    std::thread thread_;
};

// Raw bytes in, everything the server sends until it closes out.
std::string raw_exchange(const std::filesystem::path& path, const std::string& bytes,
                         bool shut_write = false) {
    int err = 0;
    int fd = connect_unix_socket(path, 2s, err);
    if (fd < 0) return "connect failed: " + std::string(std::strerror(err));
    timeval tv{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += static_cast<std::size_t>(n);
    }
    if (shut_write) ::shutdown(fd, SHUT_WR);
    std::string in;
    char buf[4096];
    for (;;) {
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;  // EOF, ECONNRESET after the reply, or timeout
        in.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return in;
}

json parse_line(const std::string& s) {
    EXPECT_FALSE(s.empty());
    EXPECT_EQ(s.back(), '\n') << s;
    EXPECT_EQ(s.find('\n'), s.size() - 1) << "exactly one line: " << s;
    return json::parse(s, nullptr, false);
}

class ControlServerTest : public ::testing::Test {
protected:
    std::filesystem::path sock() const { return tmp.path() / "control.sock"; }

    std::unique_ptr<ControlServer> start(ControlServer::Options o = {},
                                         std::optional<asio::any_io_executor> blocking = {}) {
        auto s = std::make_unique<ControlServer>(io.io.get_executor(), sock(), control, blocking, o);
        std::string err;
        EXPECT_TRUE(s->start(err)) << err;
        return s;
    }

    json request(const json& req) {
        std::string err;
        RequestFailure kind;
        auto r = control_request(sock(), req, err, &kind, 10s);
        EXPECT_TRUE(r) << err;
        EXPECT_EQ(kind, RequestFailure::None);
        return r ? *r : json();
    }

    test::TempDir tmp;
    test::FakeQueueControl control;
    IoThread io;  // after `control`: destroyed (and its connections ended) first
};

}  // namespace

TEST_F(ControlServerTest, EveryCommand) {
    auto server = start();
    auto r = request({{"cmd", "list"}});
    EXPECT_EQ(r["ok"], true);
    ASSERT_EQ(r["messages"].size(), 2u);
    EXPECT_EQ(r["messages"][0].get<MessageInfo>().recipients[0].address, "bob@example.org");

    r = request({{"cmd", "show"}, {"id", "00000001-00000040"}});
    EXPECT_EQ(r["message"]["sender"], "alice@example.test");

    EXPECT_EQ(request({{"cmd", "flush"}}), (json{{"ok", true}, {"count", 1}}));
    EXPECT_EQ(request({{"cmd", "flush"}, {"id", "00000001-00000040"}})["count"], 1);
    EXPECT_EQ(request({{"cmd", "hold"}, {"id", "00000001-00000040"}})["ok"], true);
    EXPECT_TRUE(control.messages["00000001-00000040"].held);
    EXPECT_EQ(request({{"cmd", "release"}, {"id", "00000001-00000040"}})["ok"], true);
    EXPECT_FALSE(control.messages["00000001-00000040"].held);
    EXPECT_EQ(request({{"cmd", "delete"}, {"id", "00000001-00000040"}})["ok"], true);
    EXPECT_EQ(request({{"cmd", "list"}})["messages"].size(), 1u);

    for (const char* cmd : {"show", "flush", "delete", "hold", "release"})
        EXPECT_EQ(request({{"cmd", cmd}, {"id", "00000001-00000040"}}),
                  (json{{"ok", false}, {"error", "no such message: 00000001-00000040"}}))
            << cmd;
    // Every call ran inline on the I/O thread (no blocking executor given).
    for (auto t : control.threads) EXPECT_EQ(t, io.id());
}

TEST_F(ControlServerTest, SocketIsPrivateAndRemovedByStop) {
    auto server = start();
    struct stat sb {};
    ASSERT_EQ(::lstat(sock().c_str(), &sb), 0);
    EXPECT_TRUE(S_ISSOCK(sb.st_mode));
    EXPECT_EQ(sb.st_mode & 0777, 0600u);
    EXPECT_EQ(test::list_dir(tmp.path()), std::vector<std::string>{"control.sock"});  // no temp left
    server->stop();
    server->stop();  // idempotent
    EXPECT_FALSE(std::filesystem::exists(sock()));
    std::string err;
    RequestFailure kind;
    EXPECT_FALSE(control_request(sock(), {{"cmd", "list"}}, err, &kind, 2s));
    EXPECT_EQ(kind, RequestFailure::NoServer) << err;
}

TEST_F(ControlServerTest, MalformedRequestsGetAnErrorNotACrash) {
    auto server = start();
    for (std::string bad : std::vector<std::string>{"garbage\n", "{\"cmd\":\n", "[1,2]\n", "{}\n", "{\"cmd\":\"purge\"}\n",
                            "{\"cmd\":\"show\"}\n", std::string("\0\xff\n", 3), "\n"}) {
        json r = parse_line(raw_exchange(sock(), bad));
        EXPECT_EQ(r["ok"], false) << bad;
        EXPECT_TRUE(r["error"].is_string()) << bad;
    }
    EXPECT_TRUE(control.calls_made().empty());
    // Still serving.
    EXPECT_EQ(request({{"cmd", "list"}})["ok"], true);
}

TEST_F(ControlServerTest, OnlyTheFirstLineCountsAndAFinalLineNeedsNoNewline) {
    auto server = start();
    json r = parse_line(raw_exchange(sock(), "{\"cmd\":\"flush\"}\n{\"cmd\":\"delete\",\"id\":\"00000001-00000040\"}\n"));
    EXPECT_EQ(r["count"], 1);
    EXPECT_EQ(control.messages.size(), 2u);  // the second line was not executed
    r = parse_line(raw_exchange(sock(), "{\"cmd\":\"list\"}", /*shut_write=*/true));
    EXPECT_EQ(r["messages"].size(), 2u);
    // Closing without sending anything gets no answer (and harms nothing).
    EXPECT_EQ(raw_exchange(sock(), "", true), "");
}

TEST_F(ControlServerTest, OversizedLineIsRefused) {
    auto server = start();
    json r = parse_line(raw_exchange(sock(), std::string(5000, 'x')));
    EXPECT_EQ(r["ok"], false);
    EXPECT_NE(r["error"].get<std::string>().find("too long"), std::string::npos) << r;
    // Through the client: an id far too long for a request line.
    std::string err;
    auto resp = control_request(sock(), {{"cmd", "show"}, {"id", std::string(100000, 'a')}}, err);
    ASSERT_TRUE(resp) << err;
    EXPECT_NE((*resp)["error"].get<std::string>().find("too long"), std::string::npos);
    // Exactly the limit is fine.
    std::string line = R"({"cmd":"show","id":")";
    line += std::string(kMaxRequestLine - line.size() - 3, 'b') + "\"}\n";
    ASSERT_EQ(line.size(), kMaxRequestLine);
    r = parse_line(raw_exchange(sock(), line));
    EXPECT_NE(r["error"].get<std::string>().find("no such message: bbbb"), std::string::npos) << r;
}

TEST_F(ControlServerTest, SilentClientTimesOut) {
    ControlServer::Options o;
    o.request_timeout = 100ms;
    auto server = start(o);
    json r = parse_line(raw_exchange(sock(), "{\"cmd\":"));  // never finishes its line
    EXPECT_EQ(r["ok"], false);
    EXPECT_NE(r["error"].get<std::string>().find("timed out"), std::string::npos);
}

TEST_F(ControlServerTest, CallsRunOnTheBlockingExecutor) {
    asio::thread_pool pool(2);
    auto server = start({}, pool.get_executor());
    EXPECT_EQ(request({{"cmd", "list"}})["messages"].size(), 2u);
    EXPECT_EQ(request({{"cmd", "hold"}, {"id", "00000001-00000040"}})["ok"], true);
    ASSERT_EQ(control.threads.size(), 2u);
    for (auto t : control.threads) EXPECT_NE(t, io.id());
    server->stop();
    pool.join();
}

TEST_F(ControlServerTest, ManyConcurrentClients) {
    asio::thread_pool pool(2);
    auto server = start({}, pool.get_executor());
    std::atomic<int> good{0};
    std::vector<std::thread> clients;
    for (int t = 0; t < 8; ++t)
        clients.emplace_back([&] {
            for (int i = 0; i < 25; ++i) {
                std::string err;
                auto r = control_request(sock(), {{"cmd", "list"}}, err, nullptr, 20s);
                if (r && (*r)["messages"].size() == 2) ++good;
            }
        });
    for (auto& c : clients) c.join();
    EXPECT_EQ(good.load(), 200);
    server->stop();
    pool.join();
}

TEST_F(ControlServerTest, NoServerIsToldApartFromOtherFailures) {
    std::string err;
    RequestFailure kind;
    EXPECT_FALSE(control_request(sock(), {{"cmd", "list"}}, err, &kind, 2s));  // no file
    EXPECT_EQ(kind, RequestFailure::NoServer);
    EXPECT_NE(err.find(sock().string()), std::string::npos) << err;

    // A stale socket: bound once, nobody listening any more.
    {
        int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        std::strcpy(a.sun_path, sock().c_str());
        ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
        ::close(fd);
    }
    EXPECT_FALSE(control_request(sock(), {{"cmd", "list"}}, err, &kind, 2s));
    EXPECT_EQ(kind, RequestFailure::NoServer) << err;

    // A path too long for a socket address: nobody can listen there.
    auto deep = tmp.path() / std::string(120, 'd') / "control.sock";
    EXPECT_FALSE(control_request(deep, {{"cmd", "list"}}, err, &kind, 2s));
    EXPECT_EQ(kind, RequestFailure::NoServer) << err;

    // A server that accepts and then says nothing sensible: a failure, not "no server".
    {
        auto other = tmp.path() / "broken.sock";
        int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        std::strcpy(a.sun_path, other.c_str());
        ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
        ASSERT_EQ(::listen(fd, 4), 0);
        std::thread peer([fd] {
            int c = ::accept(fd, nullptr, nullptr);
            char buf[256];
            (void)::recv(c, buf, sizeof buf, 0);
            (void)::send(c, "not json\n", 9, MSG_NOSIGNAL);
            ::close(c);
        });
        EXPECT_FALSE(control_request(other, {{"cmd", "list"}}, err, &kind, 5s));
        EXPECT_EQ(kind, RequestFailure::Failed);
        EXPECT_NE(err.find("malformed response"), std::string::npos) << err;
        peer.join();
        ::close(fd);
    }
    // ... or one that never answers: a timeout, also a failure.
    {
        auto other = tmp.path() / "mute.sock";
        int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        std::strcpy(a.sun_path, other.c_str());
        ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
        ASSERT_EQ(::listen(fd, 4), 0);
        EXPECT_FALSE(control_request(other, {{"cmd", "list"}}, err, &kind, 200ms));
        EXPECT_EQ(kind, RequestFailure::Failed);
        EXPECT_NE(err.find("no response in time"), std::string::npos) << err;
        ::close(fd);
    }
}

TEST_F(ControlServerTest, StaleSocketIsReplacedLiveOneIsNot) {
    {
        int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        std::strcpy(a.sun_path, sock().c_str());
        ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
        ::close(fd);
    }
    auto first = start();  // removed the stale file, listening now
    EXPECT_EQ(request({{"cmd", "list"}})["ok"], true);

    ControlServer second(io.io.get_executor(), sock(), control);
    std::string err;
    EXPECT_FALSE(second.start(err));
    EXPECT_NE(err.find("another process is listening"), std::string::npos) << err;
    second.stop();  // never started: must not remove the first one's socket
    EXPECT_EQ(request({{"cmd", "list"}})["ok"], true);
}

TEST_F(ControlServerTest, RefusesToReplaceOtherFilesAndOverlongPaths) {
    test::write_file(sock(), "precious");
    ControlServer s(io.io.get_executor(), sock(), control);
    std::string err;
    EXPECT_FALSE(s.start(err));
    EXPECT_NE(err.find("not a socket"), std::string::npos) << err;
    EXPECT_EQ(test::read_file(sock()), "precious");

    ControlServer deep(io.io.get_executor(), tmp.path() / std::string(120, 'd') / "control.sock", control);
    EXPECT_FALSE(deep.start(err));
    EXPECT_NE(err.find("too long"), std::string::npos) << err;
}
