// Delivery status notifications: composing the bounce, delay warning or success notice for
// the sender of a message (RFC 3464 message/delivery-status in RFC 6522 multipart/report;
// RFC 3461 4.1-4.4 NOTIFY, RET, ENVID, ORCPT; RFC 3463 status codes; RFC 3834 5
// Auto-Submitted; RFC 6533 message/global-delivery-status for UTF-8 addresses).
//
// compose_dsn() is pure: the time, our host name and a unique token are passed in. It
// returns a complete RFC 5322 message with CRLF line endings only, or nullopt when no DSN
// is to be sent:
//  - the original had the null reverse path <>: never bounce a bounce (RFC 5321 4.5.5,
//    RFC 3461 6.2). The caller sends every DSN from <> itself, so DSNs never loop;
//  - no recipient is selected by its NOTIFY (FAILURE or absent -> failed; DELAY -> delayed,
//    or absent when delay_by_default; SUCCESS -> delivered/relayed/expanded; NEVER -> none).
//
// Decisions:
//  - Returned content: RET=FULL returns the whole message; RET=HDRS only its header; RET
//    absent returns the whole message in a failure report (as Postfix does) and the header
//    in delay and success reports. The whole message becomes the header only when it is
//    larger than max_full_message (10 MiB), holds NUL octets or lines over 998 octets (not
//    valid 8bit MIME, RFC 2045 2.8); the text part says so.
//  - The original's line endings are normalised to CRLF; 8-bit content is declared with
//    Content-Transfer-Encoding: 8bit (RFC 6152; the caller sends with BODY=8BITMIME).
//  - UTF-8 (RFC 6533): when the sender or a reported address is not ASCII, the report is
//    message/global-delivery-status with "utf-8" address types, the original is
//    message/global (or message/global-headers), and the text part is UTF-8. The caller
//    must send such a DSN with SMTPUTF8.
//  - Text from peers (diagnostics, host names) is sanitised: control octets, CR and LF
//    become spaces (no header or MIME structure can be injected), non-ASCII becomes '?'.
//    Long fields are folded; no header line exceeds 998 octets.
//  - The MIME boundary is derived from `unique`; when that occurs anywhere in the message
//    (headers or parts), a numbered variant that does not is chosen in one linear pass.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/envelope.hpp"

namespace tern::dsn {

enum class Action { Failed, Delayed, Delivered, Relayed, Expanded };  // RFC 3464 2.3.3

struct RecipientReport {
    std::string final_recipient;        // the address delivery was attempted to
    std::string original_recipient;     // ORCPT as "addr-type;address" (decoded), or empty
    std::uint8_t notify = 0;            // NotifyFlags from the envelope (0 = NOTIFY absent)
    Action action = Action::Failed;
    std::string status;                 // RFC 3463 "5.1.1"; empty: derived from the action
    std::string remote_mta;             // DNS name of the remote MTA, or empty
    std::string diagnostic_type = "smtp";
    std::string diagnostic;             // e.g. the remote reply "550 5.1.1 No such user"
    std::int64_t last_attempt = 0;      // unix seconds; 0 = field omitted
    std::int64_t will_retry_until = 0;  // delayed only; 0 = field omitted
};

inline constexpr std::size_t kMaxFullMessage = 10 * 1024 * 1024;

struct DsnInput {
    std::string reporting_mta;           // our host name (From: MAILER-DAEMON@it, Reporting-MTA)
    std::string sender;                  // the original reverse path; "" = <>: no DSN
    DsnRet ret = DsnRet::Unspecified;
    std::string envid;                   // RFC 3461 ENVID, decoded; empty = none
    std::int64_t arrival = 0;            // unix seconds the original arrived; 0 = omitted
    std::vector<RecipientReport> recipients;
    std::string_view original;           // the original message as queued
    std::int64_t now = 0;                // unix seconds: Date
    std::string unique;                  // unique token: Message-ID and boundary
    bool delay_by_default = false;       // RFC 3461 4.1 leaves NOTIFY-absent delays to us
    std::size_t max_full_message = kMaxFullMessage;
};

// Whether this recipient's NOTIFY asks for a report of its action.
bool wants_report(const RecipientReport& r, bool delay_by_default = false);

std::optional<std::string> compose_dsn(const DsnInput& in);

}  // namespace tern::dsn
