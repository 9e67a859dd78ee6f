// The control socket client (see control_client.hpp).
#include "control/control_client.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

namespace tern::control {
namespace {

using Clock = std::chrono::steady_clock;

// Larger responses can only come from a broken server (a queue of a million messages is
// about 300 MB of JSON; refuse rather than exhaust memory).
constexpr std::size_t kMaxResponse = 1u << 30;

int remaining_ms(Clock::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left <= 0 ? 0 : static_cast<int>(std::min<long long>(left, 1 << 30));
}

// Waits for `events` on fd; false on timeout (errno = ETIMEDOUT) or error.
bool wait_fd(int fd, short events, Clock::time_point deadline) {
    for (;;) {
        pollfd p{fd, events, 0};
        int n = ::poll(&p, 1, remaining_ms(deadline));
        if (n > 0) return true;
        if (n == 0) {
            errno = ETIMEDOUT;
            return false;
        }
        if (errno != EINTR) return false;
    }
}

class FdGuard {
public:
    explicit FdGuard(int fd) : fd_(fd) {}
    ~FdGuard() {
        if (fd_ >= 0) ::close(fd_);
    }
    FdGuard(const FdGuard&) = delete;
    FdGuard& operator=(const FdGuard&) = delete;
    int get() const { return fd_; }
    int release() {
        int f = fd_;
        fd_ = -1;
        return f;
    }

private:
    int fd_;
};

int connect_nonblocking(const std::filesystem::path& path, Clock::time_point deadline, int& err) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    const std::string& p = path.native();
    if (p.empty() || p.size() >= sizeof addr.sun_path) {
        err = ENAMETOOLONG;
        return -1;
    }
    std::memcpy(addr.sun_path, p.c_str(), p.size() + 1);
    FdGuard fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (fd.get() < 0) {
        err = errno;
        return -1;
    }
    // A Unix stream connect completes at once or fails with EAGAIN when the listener's
    // backlog is full (never EINPROGRESS): retry until the deadline.
    for (;;) {
        if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0) break;
        if (errno == EINTR) continue;
        if (errno != EAGAIN) {
            err = errno;
            return -1;
        }
        if (Clock::now() >= deadline) {
            err = ETIMEDOUT;
            return -1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return fd.release();
}

std::string describe(const std::filesystem::path& socket, const std::string& what) {
    return "control socket " + socket.string() + ": " + what;
}

}  // namespace

int connect_unix_socket(const std::filesystem::path& path, std::chrono::milliseconds timeout,
                        int& err) {
    int fd = connect_nonblocking(path, Clock::now() + timeout, err);
    if (fd < 0) return -1;
    int flags = ::fcntl(fd, F_GETFL);
    if (flags >= 0) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    return fd;
}

std::optional<nlohmann::json> control_request(const std::filesystem::path& socket,
                                              const nlohmann::json& request, std::string& error,
                                              RequestFailure* failure,
                                              std::chrono::milliseconds timeout) {
    RequestFailure dummy;
    RequestFailure& kind = failure ? *failure : dummy;
    kind = RequestFailure::None;
    const auto deadline = Clock::now() + timeout;
    auto fail = [&](RequestFailure k, const std::string& what) -> std::optional<nlohmann::json> {
        kind = k;
        error = describe(socket, what);
        return std::nullopt;
    };

    int err = 0;
    FdGuard fd(connect_nonblocking(socket, deadline, err));
    if (fd.get() < 0) {
        if (err == ENOENT || err == ECONNREFUSED || err == ENOTDIR)
            return fail(RequestFailure::NoServer, std::string("no server listening (") +
                                                      std::strerror(err) + ")");
        if (err == ENAMETOOLONG)
            return fail(RequestFailure::NoServer,
                        "path too long for a Unix socket address, so no server can listen there");
        return fail(RequestFailure::Failed, std::strerror(err));
    }

    std::string out = request.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    out.push_back('\n');
    std::size_t sent = 0;
    bool send_broken = false;  // the server may answer (e.g. "too long") and close early
    while (sent < out.size()) {
        ssize_t n = ::send(fd.get(), out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
        if (n >= 0) {
            sent += static_cast<std::size_t>(n);
            continue;
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            if (!wait_fd(fd.get(), POLLOUT, deadline))
                return fail(RequestFailure::Failed, std::string("sending the request: ") + std::strerror(errno));
            continue;
        }
        if (errno == EPIPE || errno == ECONNRESET) {
            send_broken = true;
            break;
        }
        return fail(RequestFailure::Failed, std::string("sending the request: ") + std::strerror(errno));
    }

    std::string in;
    char buf[65536];
    for (;;) {
        ssize_t n = ::recv(fd.get(), buf, sizeof buf, 0);
        if (n > 0) {
            in.append(buf, static_cast<std::size_t>(n));
            if (in.find('\n', in.size() - static_cast<std::size_t>(n)) != std::string::npos) break;
            if (in.size() > kMaxResponse) return fail(RequestFailure::Failed, "response too large");
            continue;
        }
        if (n == 0) break;
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            if (!wait_fd(fd.get(), POLLIN, deadline))
                return fail(RequestFailure::Failed,
                            errno == ETIMEDOUT ? "no response in time"
                                               : std::string("reading the response: ") + std::strerror(errno));
            continue;
        }
        if (errno == ECONNRESET && !in.empty()) break;
        return fail(RequestFailure::Failed, std::string("reading the response: ") + std::strerror(errno));
    }
    if (auto nl = in.find('\n'); nl != std::string::npos) in.resize(nl);
    if (in.empty())
        return fail(RequestFailure::Failed, send_broken ? "connection closed while sending the request"
                                                        : "connection closed without a response");
    auto response = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
    if (response.is_discarded() || !response.is_object())
        return fail(RequestFailure::Failed, "malformed response (not a JSON object)");
    return response;
}

}  // namespace tern::control
