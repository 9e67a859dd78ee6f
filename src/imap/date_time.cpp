// IMAP dates and date-times: see date_time.hpp.
#include "imap/date_time.hpp"

#include <array>
#include <cstdio>

namespace tern::imap {
namespace {

constexpr std::array<std::string_view, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

int parse_month(std::string_view s) {
    if (s.size() != 3) return 0;
    for (std::size_t i = 0; i < kMonths.size(); ++i) {
        const auto m = kMonths[i];
        if (lower(s[0]) == lower(m[0]) && lower(s[1]) == m[1] && lower(s[2]) == m[2]) return static_cast<int>(i) + 1;
    }
    return 0;
}

// Exactly `n` digits.
bool digits(std::string_view s, std::size_t n, int& out) {
    if (s.size() != n) return false;
    int v = 0;
    for (char c : s) {
        if (!is_digit(c)) return false;
        v = v * 10 + (c - '0');
    }
    out = v;
    return true;
}

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
    static constexpr std::array<int, 12> kDays{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : kDays[static_cast<std::size_t>(m - 1)];
}

// "d-Mon-yyyy" with a day of one or two digits (an optional leading space is the caller's).
std::optional<Date> parse_date_text(std::string_view s) {
    auto d1 = s.find('-');
    if (d1 == std::string_view::npos) return std::nullopt;
    auto d2 = s.find('-', d1 + 1);
    if (d2 == std::string_view::npos) return std::nullopt;
    Date d;
    std::string_view day = s.substr(0, d1);
    if (!(day.size() == 1 || day.size() == 2) || !digits(day, day.size(), d.day)) return std::nullopt;
    d.month = parse_month(s.substr(d1 + 1, d2 - d1 - 1));
    if (d.month == 0 || !digits(s.substr(d2 + 1), 4, d.year)) return std::nullopt;
    if (d.day < 1 || d.day > days_in_month(d.year, d.month)) return std::nullopt;
    return d;
}

}  // namespace

std::int64_t days_from_civil(const Date& date) {
    // H. Hinnant's days_from_civil, for the proleptic Gregorian calendar.
    std::int64_t y = date.year - (date.month <= 2 ? 1 : 0);
    std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    std::int64_t yoe = y - era * 400;
    std::int64_t mp = (date.month + 9) % 12;
    std::int64_t doy = (153 * mp + 2) / 5 + date.day - 1;
    std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

Date civil_from_days(std::int64_t z) {
    z += 719468;
    std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    std::int64_t doe = z - era * 146097;
    std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    std::int64_t mp = (5 * doy + 2) / 153;
    Date d;
    d.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    d.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    d.year = static_cast<int>(yoe + era * 400 + (d.month <= 2 ? 1 : 0));
    return d;
}

Date date_of(std::int64_t unix_seconds, int offset_minutes) {
    std::int64_t local = unix_seconds + std::int64_t{offset_minutes} * 60;
    std::int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
    return civil_from_days(days);
}

std::optional<Date> parse_date(std::string_view text) {
    return parse_date_text(text);
}

std::optional<DateTime> parse_date_time(std::string_view text) {
    if (!text.empty() && text[0] == ' ') text.remove_prefix(1);  // date-day-fixed = SP DIGIT
    auto sp1 = text.find(' ');
    if (sp1 == std::string_view::npos) return std::nullopt;
    auto date = parse_date_text(text.substr(0, sp1));
    if (!date) return std::nullopt;
    std::string_view rest = text.substr(sp1 + 1);
    // time = 2DIGIT ":" 2DIGIT ":" 2DIGIT; zone = ("+" / "-") 4DIGIT
    if (rest.size() != 14 || rest[2] != ':' || rest[5] != ':' || rest[8] != ' ') return std::nullopt;
    int hh = 0, mm = 0, ss = 0, zh = 0, zm = 0;
    if (!digits(rest.substr(0, 2), 2, hh) || !digits(rest.substr(3, 2), 2, mm) || !digits(rest.substr(6, 2), 2, ss))
        return std::nullopt;
    char sign = rest[9];
    if ((sign != '+' && sign != '-') || !digits(rest.substr(10, 2), 2, zh) || !digits(rest.substr(12, 2), 2, zm))
        return std::nullopt;
    if (hh > 23 || mm > 59 || ss > 60 || zh > 23 || zm > 59) return std::nullopt;
    int offset = (zh * 60 + zm) * (sign == '-' ? -1 : 1);
    DateTime dt;
    dt.offset_minutes = offset;
    dt.unix_seconds = days_from_civil(*date) * 86400 + hh * 3600 + mm * 60 + ss - std::int64_t{offset} * 60;
    return dt;
}

std::string format_date_time(std::int64_t unix_seconds, int offset_minutes) {
    if (offset_minutes <= -24 * 60 || offset_minutes >= 24 * 60) offset_minutes = 0;
    std::int64_t local = unix_seconds + std::int64_t{offset_minutes} * 60;
    std::int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
    std::int64_t secs = local - days * 86400;
    Date d = civil_from_days(days);
    int off = offset_minutes < 0 ? -offset_minutes : offset_minutes;
    char buf[64];
    std::snprintf(buf, sizeof buf, "%02d-%s-%04d %02d:%02d:%02d %c%02d%02d", d.day,
                  kMonths[static_cast<std::size_t>(d.month - 1)].data(), d.year, static_cast<int>(secs / 3600),
                  static_cast<int>(secs / 60 % 60), static_cast<int>(secs % 60), offset_minutes < 0 ? '-' : '+',
                  off / 60, off % 60);
    return buf;
}

std::string format_date(const Date& date) {
    if (date.month < 1 || date.month > 12) return "1-Jan-1970";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%d-%s-%04d", date.day, kMonths[static_cast<std::size_t>(date.month - 1)].data(),
                  date.year);
    return buf;
}

}  // namespace tern::imap
