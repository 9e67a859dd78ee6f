// The control socket server (see control_server.hpp).
#include "control/control_server.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/dispatch.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/local/stream_protocol.hpp>
#include <asio/read_until.hpp>
#include <asio/steady_timer.hpp>
#include <asio/strand.hpp>
#include <asio/write.hpp>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <set>

#include "control/control_client.hpp"
#include "control/protocol.hpp"
#include "net/awaitable.hpp"

namespace tern::control {

using Socket = asio::local::stream_protocol::socket;
using nlohmann::json;

struct ControlServer::State {
    State(asio::any_io_executor ex, QueueControl& c, std::optional<asio::any_io_executor> b,
          Options o)
        : strand(asio::make_strand(ex)), acceptor(strand), control(c), blocking(std::move(b)),
          options(o) {}

    asio::strand<asio::any_io_executor> strand;
    asio::local::stream_protocol::acceptor acceptor;
    QueueControl& control;
    std::optional<asio::any_io_executor> blocking;
    Options options;
    // On the strand only:
    std::set<Socket*> connections;
    bool closed = false;
    // Set once by start(), read by stop():
    std::atomic<bool> stopped{false};
    dev_t dev = 0;
    ino_t ino = 0;
};

namespace {

using net::use_tuple;
using namespace std::chrono_literals;

void set_cloexec(int fd) {
    int flags = ::fcntl(fd, F_GETFD);
    if (flags >= 0) ::fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

asio::awaitable<json> run_request(std::shared_ptr<ControlServer::State> st, std::string request) {
    co_return handle_control_line(st->control, request);
}

// The QueueControl call, on the blocking executor when there is one.
asio::awaitable<json> answer(std::shared_ptr<ControlServer::State> st, std::string request) {
    if (!st->blocking) co_return handle_control_line(st->control, request);
    co_return co_await asio::co_spawn(*st->blocking, run_request(st, std::move(request)),
                                      asio::use_awaitable);
}

asio::awaitable<void> serve(std::shared_ptr<ControlServer::State> st, Socket sock) {
    using namespace asio::experimental::awaitable_operators;
    if (st->closed) co_return;
    set_cloexec(sock.native_handle());
    st->connections.insert(&sock);

    // One line of at most kMaxRequestLine bytes (newline included), within request_timeout.
    std::string line;
    asio::steady_timer timer(st->strand, st->options.request_timeout);
    auto r = co_await (asio::async_read_until(sock, asio::dynamic_buffer(line, kMaxRequestLine),
                                              '\n', use_tuple) ||
                       timer.async_wait(use_tuple));
    std::optional<json> response;
    if (r.index() == 1) {
        response = control_error("timed out waiting for the request");
    } else {
        auto [ec, n] = std::get<0>(r);
        if (!ec) {
            line.resize(n);  // the request line; a client has no business sending more
            response = co_await answer(st, std::move(line));
        } else if (ec == asio::error::not_found) {
            response = control_error("request line too long (at most " +
                                     std::to_string(kMaxRequestLine) + " bytes)");
        } else if (ec == asio::error::eof && !line.empty()) {
            response = co_await answer(st, std::move(line));  // a last line without "\n"
        }
        // Any other error (the client went away, stop() closed us): nobody to answer.
    }

    if (response && !st->closed && sock.is_open()) {
        std::string out = response->dump(-1, ' ', false, json::error_handler_t::replace);
        out.push_back('\n');
        asio::steady_timer wtimer(st->strand, st->options.write_timeout);
        co_await (asio::async_write(sock, asio::buffer(out), use_tuple) || wtimer.async_wait(use_tuple));
    }
    st->connections.erase(&sock);
    std::error_code ignored;
    sock.shutdown(Socket::shutdown_both, ignored);
    sock.close(ignored);
}

asio::awaitable<void> accept_loop(std::shared_ptr<ControlServer::State> st) {
    for (;;) {
        auto [ec, sock] = co_await st->acceptor.async_accept(use_tuple);
        if (st->closed || !st->acceptor.is_open()) co_return;
        if (ec) {
            if (ec == asio::error::operation_aborted) co_return;
            // Out of descriptors and the like: back off instead of spinning.
            asio::steady_timer pause(st->strand, 100ms);
            co_await pause.async_wait(use_tuple);
            continue;
        }
        asio::co_spawn(st->strand, serve(st, std::move(sock)), asio::detached);
    }
}

std::string errno_text(const std::filesystem::path& p, const std::string& what, int err) {
    return p.string() + ": " + what + ": " + std::strerror(err);
}

// Clears the way for our socket: nothing there, or a socket nobody answers on (removed).
bool clear_stale(const std::filesystem::path& path, std::string& error) {
    struct stat sb {};
    if (::lstat(path.c_str(), &sb) != 0) {
        if (errno == ENOENT) return true;
        error = errno_text(path, "cannot inspect", errno);
        return false;
    }
    if (!S_ISSOCK(sb.st_mode)) {
        error = path.string() + ": exists and is not a socket (not removing it)";
        return false;
    }
    int err = 0;
    int fd = connect_unix_socket(path, std::chrono::seconds(1), err);
    if (fd >= 0) {
        ::close(fd);
        error = path.string() + ": another process is listening on this control socket";
        return false;
    }
    if (err != ECONNREFUSED) {
        error = errno_text(path, "cannot tell whether the control socket is in use", err);
        return false;
    }
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
        error = errno_text(path, "cannot remove the stale control socket", errno);
        return false;
    }
    return true;
}

}  // namespace

ControlServer::ControlServer(asio::any_io_executor ex, std::filesystem::path socket,
                             QueueControl& control)
    : ControlServer(std::move(ex), std::move(socket), control, std::nullopt, Options{}) {}

ControlServer::ControlServer(asio::any_io_executor ex, std::filesystem::path socket,
                             QueueControl& control, std::optional<asio::any_io_executor> blocking,
                             Options options)
    : ex_(std::move(ex)), path_(std::move(socket)), control_(control),
      blocking_(std::move(blocking)), options_(options) {}

ControlServer::~ControlServer() { stop(); }

bool ControlServer::start(std::string& error) {
    if (state_) {
        error = path_.string() + ": control server already started";
        return false;
    }
    // The socket is bound under a temporary name in the same directory, made 0600 before it
    // listens (until then every connect is refused), and renamed into place.
    std::filesystem::path tmp = path_;
    tmp += ".tmp" + std::to_string(::getpid());
    if (path_.native().size() >= sizeof(sockaddr_un::sun_path) ||
        tmp.native().size() >= sizeof(sockaddr_un::sun_path)) {
        error = path_.string() + ": path too long for a Unix socket (at most " +
                std::to_string(sizeof(sockaddr_un::sun_path) - 1 - (tmp.native().size() - path_.native().size())) +
                " bytes)";
        return false;
    }
    if (!clear_stale(path_, error)) return false;
    if (::unlink(tmp.c_str()) != 0 && errno != ENOENT) {
        error = errno_text(tmp, "cannot remove", errno);
        return false;
    }

    auto st = std::make_shared<State>(ex_, control_, blocking_, options_);
    std::error_code ec;
    st->acceptor.open(asio::local::stream_protocol(), ec);
    if (ec) {
        error = path_.string() + ": cannot create socket: " + ec.message();
        return false;
    }
    set_cloexec(st->acceptor.native_handle());
    st->acceptor.bind(asio::local::stream_protocol::endpoint(tmp.native()), ec);
    if (ec) {
        error = tmp.string() + ": cannot bind: " + ec.message();
        return false;
    }
    auto unlink_tmp = [&] { ::unlink(tmp.c_str()); };
    if (::chmod(tmp.c_str(), 0600) != 0) {
        error = errno_text(tmp, "cannot chmod", errno);
        unlink_tmp();
        return false;
    }
    st->acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        error = tmp.string() + ": cannot listen: " + ec.message();
        unlink_tmp();
        return false;
    }
    if (::rename(tmp.c_str(), path_.c_str()) != 0) {
        error = errno_text(path_, "cannot rename the socket into place", errno);
        unlink_tmp();
        return false;
    }
    struct stat sb {};
    if (::lstat(path_.c_str(), &sb) == 0) {
        st->dev = sb.st_dev;
        st->ino = sb.st_ino;
    }
    state_ = st;
    asio::co_spawn(st->strand, accept_loop(st), asio::detached);
    return true;
}

void ControlServer::stop() {
    auto st = state_;
    if (!st || st->stopped.exchange(true)) return;
    // Only our own socket: another server may have taken the path over meanwhile.
    struct stat sb {};
    if (::lstat(path_.c_str(), &sb) == 0 && S_ISSOCK(sb.st_mode) && sb.st_dev == st->dev &&
        sb.st_ino == st->ino)
        ::unlink(path_.c_str());
    asio::dispatch(st->strand, [st] {
        st->closed = true;
        std::error_code ignored;
        st->acceptor.close(ignored);
        for (Socket* s : st->connections) s->close(ignored);
    });
}

}  // namespace tern::control
