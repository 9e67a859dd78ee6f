// Test support: a dnsmasq serving fixed records on 127.0.0.1 at a port picked at run time,
// stopped (and waited for) when the object goes. Also a UDP port that never answers.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace tern::dns::test {

class Dnsmasq {
public:
    // `records` are dnsmasq options: "--mx-host=a.test,mx.a.test,10",
    // "--host-record=mx.a.test,127.0.0.2", "--dns-rr=b.test,15,000000". Every name without
    // records is NXDOMAIN. nullptr and `error` (with dnsmasq's log) when it does not start
    // within a few seconds.
    static std::unique_ptr<Dnsmasq> start(const std::vector<std::string>& records, std::string& error);
    ~Dnsmasq();
    Dnsmasq(const Dnsmasq&) = delete;
    Dnsmasq& operator=(const Dnsmasq&) = delete;

    std::uint16_t port() const { return port_; }
    std::string nameserver() const { return "127.0.0.1:" + std::to_string(port_); }
    std::string log() const;

private:
    Dnsmasq(pid_t pid, std::uint16_t port, int log_fd) : pid_(pid), port_(port), log_fd_(log_fd) {}
    pid_t pid_;
    std::uint16_t port_;
    int log_fd_;  // dnsmasq's stdout and stderr, an unlinked file
};

// A UDP socket on 127.0.0.1 that is never read: a nameserver that does not answer.
class SilentServer {
public:
    SilentServer();
    ~SilentServer();
    SilentServer(const SilentServer&) = delete;
    SilentServer& operator=(const SilentServer&) = delete;
    std::string nameserver() const { return "127.0.0.1:" + std::to_string(port_); }

private:
    int fd_ = -1;
    std::uint16_t port_ = 0;
};

}  // namespace tern::dns::test
