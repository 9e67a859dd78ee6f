// The envelope of a message as accepted by SMTP and kept in the queue: the reverse path,
// the recipients with their RFC 3461 DSN parameters, and facts about how it arrived.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tern {

// RFC 3461 NOTIFY: a bit set; Never excludes the others. 0 means "not given" (default
// behaviour: notify on failure).
enum NotifyFlags : std::uint8_t {
    kNotifyNever = 1,
    kNotifySuccess = 2,
    kNotifyFailure = 4,
    kNotifyDelay = 8,
};

enum class DsnRet : std::uint8_t { Unspecified, Full, Headers };

enum class BodyType : std::uint8_t { Unspecified, SevenBit, EightBitMime, BinaryMime };

struct EnvelopeRecipient {
    std::string address;      // the forward path as accepted, e.g. "alice+tag@example.test"
    std::uint8_t notify = 0;  // NotifyFlags
    std::string orcpt;        // RFC 3461 ORCPT as "addr-type;xtext-decoded address", or empty
};

struct Envelope {
    std::string mail_from;  // reverse path without brackets; empty for the null sender <>
    std::vector<EnvelopeRecipient> recipients;
    DsnRet ret = DsnRet::Unspecified;
    std::string envid;      // RFC 3461 ENVID, xtext-decoded
    BodyType body = BodyType::Unspecified;
    bool smtputf8 = false;
    std::int64_t received_at = 0;   // unix seconds when the message was accepted
    std::string helo;               // what the client said in EHLO/HELO
    std::string client_address;     // "ip" of the peer
    std::string auth_user;          // authenticated user, empty when none
};

}  // namespace tern
