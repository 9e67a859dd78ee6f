// The decisions an SMTP connection asks the server for, in one place: who may receive
// (MX rules, relay only for authenticated users), who may send as whom (RFC 6409 6.1), the
// sending limits, and the fix-ups of submitted messages (RFC 6409 8). Each returns an
// Outcome the session turns into a reply.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "core/outcome.hpp"
#include "server/services.hpp"

namespace tern::server {

// RCPT. Local domains: users, aliases, postmaster (550 5.1.1 otherwise). Other domains: relay
// only for an authenticated client (`auth_user` non-empty), within its daily recipient limit
// (`pending` = recipients already accepted in this transaction); else 550 5.7.1.
Outcome check_recipient(const Services& s, const config::Config& c, const std::string& auth_user,
                        std::size_t pending, const std::string& address, std::int64_t now);

// MAIL from an authenticated client: the address must be the user's (553 5.7.1) and the user
// within the hourly message limit (450 4.7.1).
Outcome check_sender(const Services& s, const config::Config& c, const std::string& auth_user,
                     const std::string& address, std::int64_t now);

// End of DATA for an authenticated client: the From: addresses must be the user's (553 5.7.1,
// unless submission.check_from_header is off); `prefix` gets the Date:/Message-ID: lines the
// message lacks, and the DKIM-Signature fields when its From: domain has keys ([dkim]).
Outcome prepare_submission(const Services& s, const config::Config& c, const std::string& auth_user,
                           std::string_view data, std::int64_t now, std::string& prefix);

}  // namespace tern::server
