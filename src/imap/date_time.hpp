// IMAP dates (RFC 9051 9 "date", used by SEARCH BEFORE/ON/SINCE and SENT*) and date-times
// ("date-time": APPEND's internal date, FETCH INTERNALDATE), without any clock or time zone
// database: a date-time carries its own numeric offset.
//
//   date      = date-text / DQUOTE date-text DQUOTE;  date-text = date-day "-" date-month "-" date-year
//   date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE
//
// The parsers take the text without the quotes (the command parser removes them). Month names
// are case-insensitive. Days are checked against the month (with leap years), times against
// 23:59:60, zones against +/-2359. We accept "1-Feb-1994", " 1-Feb-1994" and "01-Feb-1994" in
// a date-time, as clients differ.
//
// format_date_time() writes the two-digit day ("01-Feb-1994 08:00:00 +0100"), which every
// client reads; it is what INTERNALDATE sends (with the quotes added by the caller).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tern::imap {

struct Date {
    int year = 1970;
    int month = 1;  // 1..12
    int day = 1;    // 1..31

    friend bool operator==(const Date&, const Date&) = default;
    friend auto operator<=>(const Date&, const Date&) = default;
};

struct DateTime {
    std::int64_t unix_seconds = 0;  // the instant, UTC
    int offset_minutes = 0;         // the zone it was written in: +0100 -> 60

    friend bool operator==(const DateTime&, const DateTime&) = default;
};

std::optional<Date> parse_date(std::string_view text);
std::optional<DateTime> parse_date_time(std::string_view text);

// "dd-Mon-yyyy hh:mm:ss +hhmm" for the instant seen at `offset_minutes` east of UTC. An offset
// beyond +/-23:59 is written as +0000 (with the UTC time).
std::string format_date_time(std::int64_t unix_seconds, int offset_minutes);
// "d-Mon-yyyy", as SEARCH dates are written.
std::string format_date(const Date& date);

// Days since 1970-01-01 of a civil (proleptic Gregorian) date, and back.
std::int64_t days_from_civil(const Date& date);
Date civil_from_days(std::int64_t days);
// The calendar date of an instant at a UTC offset (SEARCH compares dates, RFC 9051 6.4.4:
// "disregarding time and timezone"; the session picks the offset).
Date date_of(std::int64_t unix_seconds, int offset_minutes);

}  // namespace tern::imap
