#include "dns/dnsmasq.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <thread>

namespace tern::dns::test {

namespace {

constexpr const char* kDnsmasq = "/usr/sbin/dnsmasq";

sockaddr_in loopback(std::uint16_t port) {
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return sa;
}

// Binds a UDP socket to 127.0.0.1:port (0: any free port); returns the fd or -1.
int bind_udp(std::uint16_t port, std::uint16_t* bound = nullptr) {
    int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    auto sa = loopback(port);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
        int e = errno;
        ::close(fd);
        errno = e;
        return -1;
    }
    if (bound) {
        socklen_t len = sizeof sa;
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
        *bound = ntohs(sa.sin_port);
    }
    return fd;
}

void terminate(pid_t pid) {
    ::kill(pid, SIGTERM);
    for (int i = 0; i < 500; ++i) {  // 5 s
        if (::waitpid(pid, nullptr, WNOHANG) == pid) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
}

}  // namespace

std::unique_ptr<Dnsmasq> Dnsmasq::start(const std::vector<std::string>& records, std::string& error) {
    if (::access(kDnsmasq, X_OK) != 0) {
        error = std::string(kDnsmasq) + " not found (package dnsmasq-base)";
        return nullptr;
    }
    const char* tmp = std::getenv("TMPDIR");
    for (int attempt = 0; attempt < 5; ++attempt) {
        std::uint16_t port = 0;
        int probe = bind_udp(0, &port);
        if (probe < 0) {
            error = "cannot bind a UDP socket on 127.0.0.1";
            return nullptr;
        }
        ::close(probe);  // dnsmasq takes the port; a race with another process is retried

        // The log is an unlinked file: nothing is left behind, even by a crashed test.
        std::string log_path = std::string(tmp && *tmp ? tmp : "/tmp") + "/tern-dnsmasq-XXXXXX";
        const int log_fd = ::mkostemp(log_path.data(), O_CLOEXEC);
        if (log_fd < 0) {
            error = "mkstemp failed";
            return nullptr;
        }
        ::unlink(log_path.c_str());

        std::vector<std::string> args = {
            kDnsmasq, "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts",
            "--listen-address=127.0.0.1", "--bind-interfaces", "--port=" + std::to_string(port),
            "--pid-file=",  // none: /run may not be writable
            // As root, dnsmasq would switch to user "dnsmasq" (which may not exist) and group
            // "dip"; any such switch also clears the parent-death signal set below.
            // Unprivileged, these are ignored.
            "--user=root", "--group=root", "--log-facility=-", "--log-queries",
            "--local=/#/"};  // every name without records: NXDOMAIN, nothing forwarded
        args.insert(args.end(), records.begin(), records.end());
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);

        // fork/exec rather than posix_spawn for PR_SET_PDEATHSIG: a test process that crashes
        // or is killed by ctest's timeout must not leave dnsmasq running. Only
        // async-signal-safe calls in the child.
        const pid_t parent = ::getpid();
        const pid_t pid = ::fork();
        if (pid < 0) {
            ::close(log_fd);
            error = "fork failed";
            return nullptr;
        }
        if (pid == 0) {
            ::prctl(PR_SET_PDEATHSIG, SIGTERM);
            if (::getppid() != parent) ::_exit(127);
            int in = ::open("/dev/null", O_RDONLY);
            if (in < 0) ::_exit(127);
            ::dup2(in, 0);
            ::dup2(log_fd, 1);  // dup2 clears O_CLOEXEC on the copies
            ::dup2(log_fd, 2);
            ::close_range(3, ~0u, 0);
            ::execv(kDnsmasq, argv.data());
            ::_exit(127);
        }
        std::unique_ptr<Dnsmasq> d(new Dnsmasq(pid, port, log_fd));

        // Ready once it logged "started" and holds the port (it binds before that line).
        bool exited = false;
        for (int i = 0; i < 1000; ++i) {  // 10 s
            int status = 0;
            if (::waitpid(pid, &status, WNOHANG) == pid) {
                exited = true;
                d->pid_ = -1;
                break;
            }
            if (d->log().find("started") != std::string::npos) {
                int fd = bind_udp(port);
                if (fd < 0 && errno == EADDRINUSE) return d;
                if (fd >= 0) ::close(fd);
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        error = (exited ? "dnsmasq exited: " : "dnsmasq did not start: ") + d->log();
        if (!exited || error.find("in use") == std::string::npos) return nullptr;
    }
    return nullptr;
}

Dnsmasq::~Dnsmasq() {
    if (pid_ > 0) terminate(pid_);
    ::close(log_fd_);
}

std::string Dnsmasq::log() const {
    std::string out;
    char buf[4096];
    for (off_t off = 0;;) {
        ssize_t n = ::pread(log_fd_, buf, sizeof buf, off);
        if (n <= 0) break;
        out.append(buf, static_cast<std::size_t>(n));
        off += n;
    }
    return out;
}

SilentServer::SilentServer() {
    fd_ = bind_udp(0, &port_);
    if (fd_ < 0) throw std::runtime_error("cannot bind a UDP socket on 127.0.0.1");
}

SilentServer::~SilentServer() { ::close(fd_); }

}  // namespace tern::dns::test
