// Composing the Received: trace header field for an accepted message (RFC 5321 4.4
// Time-stamp-line; RFC 5322 3.6.7 trace fields and 3.3 date-time; RFC 3848 "with" protocol
// types). A pure function: the time is passed in, nothing is read from a clock.
//
// Every value that came from the network is inserted only when it is a safe token, so a
// client can never add header fields, comments or lines through it:
//  - the EHLO name only when it is made of letters, digits and "-._:[]" (at most 255 octets);
//    otherwise the from-clause names the peer's address literal instead;
//  - the "for <recipient>" clause only with exactly one recipient, and only when the address
//    is plain printable ASCII without comment or angle characters.
// Privacy: the authenticated user name is never written, only the fact (ESMTPA/ESMTPSA).
// Lines are folded before 78 octets (RFC 5322 2.1.1).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "smtp/peer.hpp"

namespace tern::smtp {

inline constexpr std::size_t kMaxReceivedLine = 78;  // RFC 5322 2.1.1 SHOULD, excluding CRLF

struct ReceivedFacts {
    std::string_view helo;          // what the client said in EHLO/HELO
    std::string_view peer_address;  // "192.0.2.1" or "2001:db8::1"
    std::string_view hostname;      // our name
    std::string_view protocol;      // RFC 3848: SMTP, ESMTP, ESMTPS, ESMTPA, ESMTPSA
    std::optional<TlsInfo> tls;
    std::string_view queue_id;
    std::string_view recipient;     // set only when the message has exactly one recipient
    std::int64_t unix_time = 0;
    int utc_offset_minutes = 0;     // e.g. +60 for "+0100"
};

// RFC 3848 protocol type for the "with" clause.
std::string_view received_protocol(bool esmtp, bool tls, bool authenticated);

// "Received: from ...\r\n" with folded continuation lines, ending in CRLF.
std::string compose_received(const ReceivedFacts& facts);


}  // namespace tern::smtp
