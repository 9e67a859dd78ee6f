// RFC 6409 8.2/8.3: a submission server adds Date: and Message-ID: when the client left them out.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tern::message {

// The header lines (CRLF-terminated) to prepend to `message`: "Date: ..." if it has no Date
// field, "Message-ID: <unique@hostname>" if it has no Message-ID. `unique` must be unique per
// message (the caller passes random hex). Empty when nothing is missing.
std::string missing_submission_headers(std::string_view message, std::string_view hostname,
                                       std::int64_t unix_time, std::string_view unique);

}  // namespace tern::message
