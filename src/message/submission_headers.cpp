#include "message/submission_headers.hpp"

#include "core/address.hpp"
#include "message/header_fields.hpp"
#include "core/rfc5322_date.hpp"

namespace tern::message {

std::string missing_submission_headers(std::string_view message, std::string_view hostname,
                                       std::int64_t unix_time, std::string_view unique) {
    bool has_date = false, has_id = false;
    for (const auto& f : header_fields(message)) {
        has_date = has_date || tern::iequals(f.name, "Date");
        has_id = has_id || tern::iequals(f.name, "Message-ID");
    }
    std::string out;
    if (!has_date) out += "Date: " + rfc5322_date(unix_time) + "\r\n";
    if (!has_id) out += "Message-ID: <" + std::string(unique) + "@" + std::string(hostname) + ">\r\n";
    return out;
}

}  // namespace tern::message
