#include "server/login_checks.hpp"

#include <asio/co_spawn.hpp>
#include <asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "auth/user_directory.hpp"
#include "core/address.hpp"
#include "core/clock.hpp"
#include "policy/auth_throttle.hpp"

namespace tern::server {
namespace {

// A plain coroutine function rather than a capturing lambda: g++ 12 mishandles lambda
// captures in coroutines handed to co_spawn (seen as a bad free under ASan).
asio::awaitable<bool> verify_on_pool(auth::UserDirectory* users, std::string user, std::string password) {
    co_return users->verify_password(user, password);
}

// The claimed identity is whatever the client sent: quoted, with quotes, backslashes, control
// bytes and spaces escaped, so it cannot forge fields for a log parser (fail2ban and the like).
std::string log_quoted(std::string_view s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c < 0x20 || c == 0x7f) {
            static constexpr char kHex[] = "0123456789abcdef";
            out += "\\x";
            out += kHex[c >> 4];
            out += kHex[c & 15];
        } else {
            out += static_cast<char>(c);
        }
    }
    return out + "\"";
}

}  // namespace

asio::awaitable<LoginVerdict> check_password(const Services& services, const std::string& peer_ip,
                                             std::string user, std::string password) {
    user = ascii_lower(user);
    if (services.throttle->blocked(peer_ip, user, unix_now())) co_return LoginVerdict::Throttled;
    // argon2id costs tens of milliseconds of CPU and memory: run it off the I/O threads.
    bool ok = co_await asio::co_spawn(*services.blocking, verify_on_pool(services.users, user, std::move(password)),
                                      asio::use_awaitable);
    co_return ok ? LoginVerdict::Ok : LoginVerdict::BadCredentials;
}

ScramLookup lookup_scram(const Services& services, const std::string& peer_ip, const std::string& user) {
    auto key = ascii_lower(user);
    if (services.throttle->blocked(peer_ip, key, unix_now())) return {LoginVerdict::Throttled, std::nullopt};
    return {LoginVerdict::Ok, services.users->scram_secret(key)};
}

void record_login(const Services& services, std::uint64_t session, const std::string& peer_ip,
                  const std::string& user, const std::string& mechanism, bool success, const std::string& reason) {
    spdlog::info("session={} auth user={} mechanism={} result={}", session, log_quoted(user), mechanism,
                 success ? "ok" : reason);
    if (!success && (reason == "bad-credentials" || reason == "invalid-proof"))
        services.throttle->record_failure(peer_ip, ascii_lower(user), unix_now());
}

}  // namespace tern::server
