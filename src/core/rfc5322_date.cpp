#include "core/rfc5322_date.hpp"

#include <array>
#include <cstdio>

namespace tern {
namespace {

// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
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

std::string rfc5322_date(std::int64_t unix_time, int offset) {
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

}  // namespace tern
