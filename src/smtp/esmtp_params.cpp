// ESMTP MAIL/RCPT parameters and xtext: see esmtp_params.hpp.
#include "smtp/esmtp_params.hpp"

#include <limits>
#include <vector>

#include "core/address.hpp"

namespace tern::smtp {
namespace {

struct Param {
    std::string key;          // upper-cased
    std::string_view value;
    bool has_value = false;
};

// esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
bool is_keyword(std::string_view k) {
    if (k.empty() || k.size() > 64 || k.front() == '-') return false;
    for (char c : k) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
        if (!ok) return false;
    }
    return true;
}

// esmtp-value = 1*(%d33-60 / %d62-126)
bool is_value(std::string_view v) {
    if (v.empty()) return false;
    for (char ch : v) {
        auto c = static_cast<unsigned char>(ch);
        if (c < 33 || c > 126 || c == '=') return false;
    }
    return true;
}

std::string upper(std::string_view s) {
    std::string out(s);
    for (auto& c : out) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    return out;
}

Reply syntax_error(std::string_view what) {
    return Reply(501, "5.5.4", "Syntax error in parameters: " + std::string(what));
}

// Splits "KEY=VALUE KEY2" into params. Duplicates are reported by the caller.
std::variant<std::vector<Param>, Reply> split_params(std::string_view text) {
    std::vector<Param> out;
    std::size_t i = 0;
    while (i < text.size()) {
        if (text[i] == ' ') { ++i; continue; }
        auto end = text.find(' ', i);
        if (end == std::string_view::npos) end = text.size();
        auto tok = text.substr(i, end - i);
        i = end;
        Param p;
        auto eq = tok.find('=');
        auto key = tok.substr(0, eq);
        if (!is_keyword(key)) return syntax_error("bad parameter name");
        p.key = upper(key);
        if (eq != std::string_view::npos) {
            p.value = tok.substr(eq + 1);
            p.has_value = true;
            if (!is_value(p.value)) return syntax_error("bad value for " + p.key);
        }
        for (const auto& q : out) {
            if (q.key == p.key) return syntax_error("duplicate " + p.key);
        }
        out.push_back(p);
    }
    return out;
}

Reply unsupported(const std::string& key) {
    return Reply(555, "5.5.4", "Unsupported parameter " + key);
}

bool parse_digits(std::string_view v, std::uint64_t& out) {
    if (v.empty()) return false;
    std::uint64_t n = 0;
    constexpr auto kMax = std::numeric_limits<std::uint64_t>::max();
    for (char c : v) {
        if (c < '0' || c > '9') return false;
        auto d = static_cast<std::uint64_t>(c - '0');
        n = (n > (kMax - d) / 10) ? kMax : n * 10 + d;  // saturate: a huge SIZE is just too big
    }
    out = n;
    return true;
}

bool printable_ascii(std::string_view s) {
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c > 0x7E) return false;
    }
    return true;
}

bool no_controls(std::string_view s) {
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7F) return false;
    }
    return true;
}

}  // namespace


std::variant<MailParams, Reply> parse_mail_params(std::string_view text) {
    auto split = split_params(text);
    if (auto* err = std::get_if<Reply>(&split)) return *err;
    MailParams mp;
    for (const auto& p : std::get<std::vector<Param>>(split)) {
        if (p.key == "SIZE") {
            std::uint64_t n = 0;
            if (!p.has_value || !parse_digits(p.value, n)) return syntax_error("SIZE=<octets>");
            mp.size = n;
        } else if (p.key == "BODY") {
            auto v = upper(p.value);
            if (v == "7BIT") mp.body = BodyType::SevenBit;
            else if (v == "8BITMIME") mp.body = BodyType::EightBitMime;
            else return syntax_error("BODY=7BIT|8BITMIME");
        } else if (p.key == "SMTPUTF8") {
            if (p.has_value) return syntax_error("SMTPUTF8 takes no value");
            mp.smtputf8 = true;
        } else if (p.key == "RET") {
            auto v = upper(p.value);
            if (v == "FULL") mp.ret = DsnRet::Full;
            else if (v == "HDRS") mp.ret = DsnRet::Headers;
            else return syntax_error("RET=FULL|HDRS");
        } else if (p.key == "ENVID") {
            if (!p.has_value || p.value.size() > kMaxEnvidLength) return syntax_error("ENVID");
            auto decoded = xtext_decode(p.value);
            // The decoded ENVID must be printable US-ASCII (RFC 3461 4.4).
            if (!decoded || decoded->empty() || !printable_ascii(*decoded)) return syntax_error("ENVID");
            mp.envid = std::move(*decoded);
        } else {
            return unsupported(p.key);
        }
    }
    return mp;
}

std::variant<RcptParams, Reply> parse_rcpt_params(std::string_view text) {
    auto split = split_params(text);
    if (auto* err = std::get_if<Reply>(&split)) return *err;
    RcptParams rp;
    for (const auto& p : std::get<std::vector<Param>>(split)) {
        if (p.key == "NOTIFY") {
            if (!p.has_value) return syntax_error("NOTIFY");
            std::uint8_t flags = 0;
            std::string_view rest = p.value;
            while (true) {
                auto comma = rest.find(',');
                auto item = upper(rest.substr(0, comma));
                if (item == "NEVER") flags |= kNotifyNever;
                else if (item == "SUCCESS") flags |= kNotifySuccess;
                else if (item == "FAILURE") flags |= kNotifyFailure;
                else if (item == "DELAY") flags |= kNotifyDelay;
                else return syntax_error("NOTIFY=NEVER|SUCCESS,FAILURE,DELAY");
                if (comma == std::string_view::npos) break;
                rest = rest.substr(comma + 1);
            }
            // RFC 3461 4.1: NEVER must not be combined with the other keywords.
            if ((flags & kNotifyNever) && flags != kNotifyNever) {
                return syntax_error("NOTIFY=NEVER excludes other values");
            }
            rp.notify = flags;
        } else if (p.key == "ORCPT") {
            if (!p.has_value || p.value.size() > kMaxOrcptLength) return syntax_error("ORCPT");
            auto semi = p.value.find(';');
            if (semi == std::string_view::npos || semi == 0) return syntax_error("ORCPT=addr-type;xtext");
            auto type = p.value.substr(0, semi);
            if (!is_keyword(type)) return syntax_error("ORCPT addr-type");
            auto decoded = xtext_decode(p.value.substr(semi + 1));
            if (!decoded || decoded->empty()) return syntax_error("ORCPT xtext");
            // rfc822 addresses are ASCII; utf-8 (RFC 6533) may carry UTF-8 once decoded.
            bool ok = printable_ascii(*decoded) ||
                      (iequals(type, "utf-8") && is_valid_utf8(*decoded) && no_controls(*decoded));
            if (!ok) return syntax_error("ORCPT address");
            rp.orcpt = std::string(type) + ";" + *decoded;
        } else {
            return unsupported(p.key);
        }
    }
    return rp;
}

}  // namespace tern::smtp
