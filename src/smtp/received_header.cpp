// Received: header composition: see received_header.hpp.
#include "smtp/received_header.hpp"

#include <array>
#include <cstdio>
#include <vector>

namespace tern::smtp {
namespace {

bool all_of(std::string_view s, std::size_t max, bool (*ok)(char)) {
    if (s.empty() || s.size() > max) return false;
    for (char c : s) {
        if (!ok(c)) return false;
    }
    return true;
}

bool alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

bool helo_char(char c) { return alnum(c) || c == '-' || c == '.' || c == '_' || c == ':' || c == '[' || c == ']'; }
bool host_char(char c) { return alnum(c) || c == '-' || c == '.' || c == '_'; }
bool ip_char(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '.' || c == ':'; }
bool tls_char(char c) { return alnum(c) || c == '-' || c == '.' || c == '_' || c == '+' || c == '/'; }
bool rcpt_char(char c) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x21 || u > 0x7E) return false;
    switch (c) {
        case '<': case '>': case '(': case ')': case ';': case '\\': case '"': case ',':
            return false;
        default:
            return true;
    }
}

// Civil date from days since 1970-01-01 (H. Hinnant's algorithm, proleptic Gregorian).
void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = static_cast<std::int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    if (m <= 2) ++y;
}

}  // namespace

std::string_view received_protocol(bool esmtp, bool tls, bool authenticated) {
    if (!esmtp) return "SMTP";
    if (tls) return authenticated ? "ESMTPSA" : "ESMTPS";
    return authenticated ? "ESMTPA" : "ESMTP";
}

std::string format_rfc5322_date(std::int64_t unix_time, int offset) {
    static constexpr std::array<const char*, 7> kDays{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr std::array<const char*, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    if (offset <= -24 * 60 || offset >= 24 * 60) offset = 0;  // not a real zone: use UTC
    // Keep the arithmetic far from overflow: years 0..9999 only.
    constexpr std::int64_t kMin = -62167219200;  // 0000-01-01T00:00:00Z
    constexpr std::int64_t kMax = 253402300799;  // 9999-12-31T23:59:59Z
    std::int64_t t = unix_time;
    if (t < kMin + 86400) t = kMin + 86400;
    if (t > kMax - 86400) t = kMax - 86400;
    t += static_cast<std::int64_t>(offset) * 60;
    std::int64_t days = t / 86400;
    std::int64_t secs = t % 86400;
    if (secs < 0) {
        secs += 86400;
        --days;
    }
    std::int64_t year = 0;
    unsigned month = 0;
    unsigned day = 0;
    civil_from_days(days, year, month, day);
    auto weekday = static_cast<std::size_t>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday
    int abs_off = offset < 0 ? -offset : offset;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s, %u %s %04lld %02lld:%02lld:%02lld %c%02d%02d", kDays[weekday], day,
                  kMonths[month - 1], static_cast<long long>(year), static_cast<long long>(secs / 3600),
                  static_cast<long long>(secs / 60 % 60), static_cast<long long>(secs % 60),
                  offset < 0 ? '-' : '+', abs_off / 60, abs_off % 60);
    return buf;
}

std::string compose_received(const ReceivedFacts& f) {
    std::string ip;
    if (all_of(f.peer_address, 45, ip_char)) {
        ip = f.peer_address.find(':') != std::string_view::npos ? "[IPv6:" + std::string(f.peer_address) + "]"
                                                                : "[" + std::string(f.peer_address) + "]";
    }
    std::vector<std::string> words;
    if (all_of(f.helo, 255, helo_char)) {
        words.push_back("from " + std::string(f.helo));
    } else {
        words.push_back("from " + (ip.empty() ? std::string("unknown") : ip));
    }
    if (!ip.empty()) words.push_back("(" + ip + ")");
    if (f.tls && all_of(f.tls->version, 32, tls_char) && all_of(f.tls->cipher, 64, tls_char)) {
        words.push_back("(using " + f.tls->version + " with cipher " + f.tls->cipher + ")");
    }
    words.push_back("by " + (all_of(f.hostname, 255, host_char) ? std::string(f.hostname) : std::string("unknown")));
    std::string_view proto = "SMTP";
    for (std::string_view p : {"SMTP", "ESMTP", "ESMTPS", "ESMTPA", "ESMTPSA"}) {
        if (f.protocol == p) proto = p;
    }
    words.push_back("with " + std::string(proto));
    if (all_of(f.queue_id, 64, host_char)) words.push_back("id " + std::string(f.queue_id));
    if (all_of(f.recipient, 256, rcpt_char)) words.push_back("for <" + std::string(f.recipient) + ">");
    words.back() += ";";
    words.push_back(format_rfc5322_date(f.unix_time, f.utc_offset_minutes));

    std::string out = "Received:";
    std::size_t line = out.size();
    for (const auto& w : words) {
        if (line + 1 + w.size() < kMaxReceivedLine || line <= 9) {
            out += ' ';
            line += 1 + w.size();
        } else {
            out += "\r\n\t";  // fold: continuation lines start with whitespace
            line = 1 + w.size();
        }
        out += w;
    }
    out += "\r\n";
    return out;
}

}  // namespace tern::smtp
