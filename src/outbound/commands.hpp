// What the SMTP client sends for one message: the MAIL and RCPT command lines with their
// ESMTP parameters (RFC 1870 SIZE, RFC 6152 BODY=8BITMIME, RFC 6531 SMTPUTF8, RFC 3461 4
// RET/ENVID/NOTIFY/ORCPT in xtext, RFC 6533 3 utf-8-addr-xtext for UTF-8 ORCPT), and the
// checks that decide, before anything is sent, that a message cannot go to this peer:
//  - the message needs SMTPUTF8 and the peer lacks it: 550 5.6.7 (RFC 6531 3.5, RFC 6533);
//  - the message is larger than the peer's SIZE: 552 5.3.4 (RFC 1870 6.1);
//  - 8-bit content declared BODY=8BITMIME to a peer without 8BITMIME: 550 5.6.3 (RFC 6152
//    3: we do not downgrade MIME);
//  - an address holding control bytes or '<' '>' (it could inject a command): 553 5.1.7
//    for the sender, 553 5.1.3 for that recipient. Addresses come from our own queue, so
//    this never happens unless something upstream is broken.
// DSN parameters go out only when the peer announced DSN (RFC 3461 4: otherwise the client
// must not send them; the driver then reports "relayed" for NOTIFY=SUCCESS).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/envelope.hpp"
#include "core/outcome.hpp"
#include "core/xtext.hpp"
#include "outbound/capabilities.hpp"

namespace tern::outbound {

// One message for this destination, as the driver hands it over.
struct MessageJob {
    std::string mail_from;                      // reverse path without brackets; "" for <>
    std::vector<EnvelopeRecipient> recipients;  // address, NOTIFY flags, ORCPT "type;addr"
    DsnRet ret = DsnRet::Unspecified;
    std::string envid;                          // RFC 3461 ENVID, xtext-decoded
    BodyType body = BodyType::Unspecified;
    bool smtputf8 = false;                      // the sender asked for SMTPUTF8
    // The stored message (any line endings). Not copied: it must stay valid until the
    // session reports this message's MessageResult.
    std::string_view data;
};

// RFC 3461 4 xtext, shared with the server side.
using tern::xtext_encode;
// The ORCPT parameter value for "addr-type;address", or nullopt when it cannot be sent
// (empty, bad type, invalid UTF-8, over RFC 3461's 500 characters). An ASCII address is
// xtext-encoded under its own type; a non-ASCII one is sent with addr-type "utf-8" in
// utf-8-addr-xtext (RFC 6533 3).
std::optional<std::string> orcpt_param(std::string_view orcpt);

// Safe inside "<...>" on a command line: no control bytes, no '<' or '>'.
bool is_safe_path(std::string_view address);
// The message needs SMTPUTF8: asked for, or a non-ASCII envelope address.
bool needs_smtputf8(const MessageJob& job);
bool has_8bit(std::string_view data);

// A reason why the whole message cannot be sent to this peer, or nullopt.
std::optional<Outcome> precheck_message(const MessageJob& job, const Capabilities& caps);
// A reason why this recipient cannot be sent, or nullopt.
std::optional<Outcome> precheck_recipient(const EnvelopeRecipient& rcpt);

std::string mail_command(const MessageJob& job, const Capabilities& caps);      // with CRLF
std::string rcpt_command(const EnvelopeRecipient& rcpt, const Capabilities& caps);  // with CRLF

}  // namespace tern::outbound
