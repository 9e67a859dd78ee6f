#include "core/rfc5322_date.hpp"

#include <gtest/gtest.h>

using tern::rfc5322_date;

TEST(Rfc5322Date, FormatsUtcAndOffsets) {
    EXPECT_EQ(rfc5322_date(0), "Thu, 1 Jan 1970 00:00:00 +0000");
    EXPECT_EQ(rfc5322_date(784887151), "Tue, 15 Nov 1994 08:12:31 +0000");
    EXPECT_EQ(rfc5322_date(784887151, -330), "Tue, 15 Nov 1994 02:42:31 -0530");
    EXPECT_EQ(rfc5322_date(951782400, 60), "Tue, 29 Feb 2000 01:00:00 +0100");
    EXPECT_EQ(rfc5322_date(1709164800), "Thu, 29 Feb 2024 00:00:00 +0000");
    EXPECT_EQ(rfc5322_date(4102444799), "Thu, 31 Dec 2099 23:59:59 +0000");
    EXPECT_EQ(rfc5322_date(-1), "Wed, 31 Dec 1969 23:59:59 +0000");
    EXPECT_EQ(rfc5322_date(1700000000, 9999), "Tue, 14 Nov 2023 22:13:20 +0000");  // bogus offset
}
