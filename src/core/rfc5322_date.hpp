// RFC 5322 3.3 date-time: "Tue, 15 Nov 1994 08:12:31 +0100", for Date:, Received: and DSN
// fields. Pure: the time is passed in. Years are clamped to 0..9999.
#pragma once

#include <cstdint>
#include <string>

namespace tern {

// `utc_offset_minutes` is the zone to render in (+60 for "+0100"); an offset of a day or more
// is not a real zone and gives UTC.
std::string rfc5322_date(std::int64_t unix_time, int utc_offset_minutes = 0);

}  // namespace tern
