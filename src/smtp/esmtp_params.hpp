// ESMTP parameters of MAIL and RCPT (RFC 5321 4.1.2 esmtp-param): SIZE (RFC 1870 3),
// BODY (RFC 6152 3), SMTPUTF8 (RFC 6531 3.4), RET and ENVID (RFC 3461 4.3, 4.4),
// NOTIFY and ORCPT (RFC 3461 4.1, 4.2), and xtext (RFC 3461 4).
//
// Parameter names are case-insensitive; a parameter given twice is a syntax error (501); a
// parameter we do not support is 555 (RFC 5321 4.1.1.11). Checking SIZE against the limit is
// the session's job (it knows the limit). Left out: AUTH= (RFC 4954 5), BODY=BINARYMIME
// (RFC 3030 3: we do not advertise BINARYMIME), MT-PRIORITY, REQUIRETLS.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "core/envelope.hpp"
#include "core/xtext.hpp"
#include "smtp/reply.hpp"

namespace tern::smtp {

// RFC 3461 4.4: "the ENVID ... MUST NOT exceed 100 characters".
inline constexpr std::size_t kMaxEnvidLength = 100;
// RFC 3461 4.2: "the ORCPT ... MUST NOT exceed 500 characters".
inline constexpr std::size_t kMaxOrcptLength = 500;

struct MailParams {
    std::optional<std::uint64_t> size;   // SIZE=n as declared (saturates at UINT64_MAX)
    BodyType body = BodyType::Unspecified;
    bool smtputf8 = false;
    DsnRet ret = DsnRet::Unspecified;
    std::string envid;                   // xtext-decoded

    friend bool operator==(const MailParams&, const MailParams&) = default;
};

struct RcptParams {
    std::uint8_t notify = 0;             // NotifyFlags; 0 = not given
    std::string orcpt;                   // "addr-type;decoded address", or empty

    friend bool operator==(const RcptParams&, const RcptParams&) = default;
};

// `text` is everything after the closing '>' of the path, spaces included.
std::variant<MailParams, Reply> parse_mail_params(std::string_view text);
std::variant<RcptParams, Reply> parse_rcpt_params(std::string_view text);

// RFC 3461 4 xtext lives in core; named here too for the parameter code and its tests.
using tern::xtext_decode;
using tern::xtext_encode;

}  // namespace tern::smtp
