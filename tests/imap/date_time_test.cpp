// IMAP dates and date-times: parsing, validation and formatting.
#include <gtest/gtest.h>

#include "imap/date_time.hpp"

using namespace tern::imap;

TEST(DateTime, ParsesDates) {
    EXPECT_EQ(parse_date("1-Feb-1994"), (Date{1994, 2, 1}));
    EXPECT_EQ(parse_date("01-feb-1994"), (Date{1994, 2, 1}));
    EXPECT_EQ(parse_date("29-FEB-2000"), (Date{2000, 2, 29}));
    EXPECT_EQ(parse_date("31-Dec-9999"), (Date{9999, 12, 31}));
    for (std::string_view bad : {"", "1-Feb-94", "29-Feb-1900", "30-Feb-2000", "0-Jan-2000", "32-Jan-2000",
                                 "001-Jan-2000", "1-Janu-2000", "1 Jan 2000", "1-Jan-2000 ", "x-Jan-2000",
                                 "31-Apr-2020", "1-Jan-20000"}) {
        EXPECT_FALSE(parse_date(bad).has_value()) << bad;
    }
}

TEST(DateTime, ParsesDateTimes) {
    auto dt = parse_date_time("17-Jul-1996 02:44:25 -0700");
    ASSERT_TRUE(dt);
    EXPECT_EQ(dt->unix_seconds, 837596665);  // 1996-07-17T09:44:25Z
    EXPECT_EQ(dt->offset_minutes, -420);
    auto a = parse_date_time(" 1-Feb-1994 08:00:00 +0100");
    auto b = parse_date_time("01-Feb-1994 08:00:00 +0100");
    auto c = parse_date_time("1-Feb-1994 07:00:00 +0000");
    ASSERT_TRUE(a && b && c);
    EXPECT_EQ(*a, *b);
    EXPECT_EQ(a->unix_seconds, c->unix_seconds);
    EXPECT_EQ(parse_date_time("01-Jan-1970 00:00:00 +0000")->unix_seconds, 0);
    EXPECT_EQ(parse_date_time("31-Dec-1969 23:59:59 +0000")->unix_seconds, -1);
    for (std::string_view bad : {"", "01-Feb-1994", "01-Feb-1994 08:00:00", "01-Feb-1994 24:00:00 +0000",
                                 "01-Feb-1994 08:60:00 +0000", "01-Feb-1994 08:00:61 +0000",
                                 "01-Feb-1994 08:00:00 +2400", "01-Feb-1994 08:00:00 +0060",
                                 "01-Feb-1994 08:00:00 0100", "01-Feb-1994 8:00:00 +0100",
                                 "01-Feb-1994  08:00:00 +0100", "01-Feb-1994 08:00:00 +0100 "}) {
        EXPECT_FALSE(parse_date_time(bad).has_value()) << bad;
    }
}

TEST(DateTime, Formats) {
    EXPECT_EQ(format_date_time(837596665, -420), "17-Jul-1996 02:44:25 -0700");
    EXPECT_EQ(format_date_time(0, 0), "01-Jan-1970 00:00:00 +0000");
    EXPECT_EQ(format_date_time(-1, 0), "31-Dec-1969 23:59:59 +0000");
    EXPECT_EQ(format_date_time(951782400, 330), "29-Feb-2000 05:30:00 +0530");
    EXPECT_EQ(format_date_time(0, 24 * 60), "01-Jan-1970 00:00:00 +0000");  // nonsense offset
    EXPECT_EQ(format_date(Date{1994, 2, 1}), "1-Feb-1994");
    // Round trip through the parser.
    for (std::int64_t t : {0LL, 837596665LL, 4102444799LL, -86400LL, 1700000000LL}) {
        for (int off : {0, 60, -420, 345, -720, 840}) {
            auto back = parse_date_time(format_date_time(t, off));
            ASSERT_TRUE(back);
            EXPECT_EQ(back->unix_seconds, t);
            EXPECT_EQ(back->offset_minutes, off);
        }
    }
}

TEST(DateTime, CivilDays) {
    EXPECT_EQ(days_from_civil(Date{1970, 1, 1}), 0);
    EXPECT_EQ(days_from_civil(Date{2000, 3, 1}), 11017);
    EXPECT_EQ(civil_from_days(11017), (Date{2000, 3, 1}));
    for (std::int64_t d = -800000; d < 800000; d += 997) EXPECT_EQ(days_from_civil(civil_from_days(d)), d);
    EXPECT_EQ(date_of(837596665, -420), (Date{1996, 7, 17}));
    EXPECT_EQ(date_of(837596665 + 22 * 3600, -420), (Date{1996, 7, 18}));
    EXPECT_EQ(date_of(-1, 0), (Date{1969, 12, 31}));
}
