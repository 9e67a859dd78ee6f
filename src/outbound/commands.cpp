// MAIL/RCPT command lines and the per-message checks of the SMTP client (RFC 5321 4.1.1.2,
// 4.1.1.3; RFC 1870; RFC 6152; RFC 6531 3.4, 3.5; RFC 3461 4; RFC 6533 3). See commands.hpp.
#include "outbound/commands.hpp"

#include <cstdint>

#include "core/address.hpp"

namespace tern::outbound {
namespace {

constexpr std::size_t kMaxEnvid = 100;   // RFC 3461 4.4
constexpr std::size_t kMaxOrcpt = 500;   // RFC 3461 4.2
constexpr char kHex[] = "0123456789ABCDEF";

bool is_ascii(std::string_view s) {
    for (char c : s) {
        if (static_cast<unsigned char>(c) >= 0x80) return false;
    }
    return true;
}

// Decodes one UTF-8 sequence at s[i] (already validated by is_valid_utf8).
std::uint32_t next_code_point(std::string_view s, std::size_t& i) {
    auto b = static_cast<unsigned char>(s[i++]);
    if (b < 0x80) return b;
    int extra = b >= 0xF0 ? 3 : b >= 0xE0 ? 2 : 1;
    std::uint32_t cp = b & (0x3F >> extra);
    for (int k = 0; k < extra && i < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i++]) & 0x3F);
    return cp;
}

// RFC 6533 3: utf-8-addr-xtext = 1*(QCHAR / EmbeddedUnicodeChar); QCHAR excludes '+', '='
// and '\'; everything else is "\x{HEX}" with upper-case hex and no leading zeros beyond two.
std::string utf8_addr_xtext(std::string_view s) {
    std::string out;
    std::size_t i = 0;
    while (i < s.size()) {
        std::uint32_t cp = next_code_point(s, i);
        if (cp >= 0x21 && cp <= 0x7E && cp != '+' && cp != '=' && cp != '\\') {
            out.push_back(static_cast<char>(cp));
            continue;
        }
        std::string hex;
        for (std::uint32_t v = cp; v != 0 || hex.size() < 2; v >>= 4) hex.insert(hex.begin(), kHex[v & 0xF]);
        out += "\\x{" + hex + "}";
    }
    return out;
}

bool is_addr_type(std::string_view t) {
    if (t.empty() || t.size() > 32) return false;
    for (char c : t) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
        if (!ok) return false;
    }
    return true;
}

}  // namespace


std::optional<std::string> orcpt_param(std::string_view orcpt) {
    auto semi = orcpt.find(';');
    if (semi == std::string_view::npos) return std::nullopt;
    std::string_view type = orcpt.substr(0, semi);
    std::string_view addr = orcpt.substr(semi + 1);
    if (!is_addr_type(type) || addr.empty()) return std::nullopt;
    std::string out;
    // An ASCII value is sent as it is stored (for addr-type utf-8 that is already the
    // utf-8-addr-xtext form the server kept); only raw UTF-8 needs RFC 6533 encoding.
    if (!is_ascii(addr)) {
        if (!is_valid_utf8(addr)) return std::nullopt;
        out = "utf-8;" + utf8_addr_xtext(addr);
    } else {
        out = std::string(type) + ";" + xtext_encode(addr);
    }
    if (out.size() > kMaxOrcpt) return std::nullopt;
    return out;
}

bool is_safe_path(std::string_view address) {
    for (char ch : address) {
        auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7F || c == '<' || c == '>') return false;
    }
    return address.size() <= 2 * kMaxPath;
}

bool needs_smtputf8(const MessageJob& job) {
    if (job.smtputf8 || !is_ascii(job.mail_from)) return true;
    for (const auto& r : job.recipients) {
        if (!is_ascii(r.address)) return true;
    }
    return false;
}

bool has_8bit(std::string_view data) { return !is_ascii(data); }

std::optional<Outcome> precheck_message(const MessageJob& job, const Capabilities& caps) {
    if (!is_safe_path(job.mail_from)) {
        return Outcome::permanent("5.1.7", "Unusable sender address", 553);
    }
    if (needs_smtputf8(job) && !caps.smtputf8) {
        return Outcome::permanent("5.6.7", "SMTPUTF8 is required, but was not offered by the host");
    }
    std::uint64_t limit = caps.size_limit();
    if (limit != 0 && job.data.size() > limit) {
        return Outcome::permanent("5.3.4", "Message size " + std::to_string(job.data.size()) +
                                               " exceeds the host's limit of " + std::to_string(limit), 552);
    }
    if (job.body == BodyType::EightBitMime && !caps.eightbitmime && has_8bit(job.data)) {
        return Outcome::permanent("5.6.3", "8-bit message, but the host does not offer 8BITMIME");
    }
    return std::nullopt;
}

std::optional<Outcome> precheck_recipient(const EnvelopeRecipient& rcpt) {
    if (rcpt.address.empty() || !is_safe_path(rcpt.address)) {
        return Outcome::permanent("5.1.3", "Unusable recipient address", 553);
    }
    return std::nullopt;
}

std::string mail_command(const MessageJob& job, const Capabilities& caps) {
    std::string cmd = "MAIL FROM:<" + job.mail_from + ">";
    // RFC 1870 6: the client should declare the size when the server supports SIZE.
    if (caps.size) cmd += " SIZE=" + std::to_string(job.data.size());
    if (job.body == BodyType::EightBitMime && caps.eightbitmime) cmd += " BODY=8BITMIME";
    if (needs_smtputf8(job) && caps.smtputf8) cmd += " SMTPUTF8";
    if (caps.dsn) {
        if (job.ret == DsnRet::Full) cmd += " RET=FULL";
        else if (job.ret == DsnRet::Headers) cmd += " RET=HDRS";
        if (!job.envid.empty()) {
            std::string envid = xtext_encode(job.envid);
            if (envid.size() <= kMaxEnvid) cmd += " ENVID=" + envid;
        }
    }
    return cmd + "\r\n";
}

std::string rcpt_command(const EnvelopeRecipient& rcpt, const Capabilities& caps) {
    std::string cmd = "RCPT TO:<" + rcpt.address + ">";
    if (caps.dsn) {
        if (rcpt.notify & kNotifyNever) {
            cmd += " NOTIFY=NEVER";
        } else if (rcpt.notify != 0) {
            std::string list;
            if (rcpt.notify & kNotifySuccess) list += ",SUCCESS";
            if (rcpt.notify & kNotifyFailure) list += ",FAILURE";
            if (rcpt.notify & kNotifyDelay) list += ",DELAY";
            if (!list.empty()) cmd += " NOTIFY=" + list.substr(1);
        }
        if (!rcpt.orcpt.empty()) {
            if (auto o = orcpt_param(rcpt.orcpt)) cmd += " ORCPT=" + *o;
        }
    }
    return cmd + "\r\n";
}

}  // namespace tern::outbound
