// Received: header composition: see received_header.hpp.
#include "smtp/received_header.hpp"

#include "core/rfc5322_date.hpp"

#include <array>
#include <cstdio>
#include <vector>

namespace tern::smtp {
namespace {

bool all_of(std::string_view s, std::size_t max, bool (*ok)(char)) {
    if (s.empty() || s.size() > max) return false;
    for (char c : s) {
        if (!ok(c)) return false;
    }
    return true;
}

bool alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

bool helo_char(char c) { return alnum(c) || c == '-' || c == '.' || c == '_' || c == ':' || c == '[' || c == ']'; }
bool host_char(char c) { return alnum(c) || c == '-' || c == '.' || c == '_'; }
bool ip_char(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '.' || c == ':'; }
bool tls_char(char c) { return alnum(c) || c == '-' || c == '.' || c == '_' || c == '+' || c == '/'; }
bool rcpt_char(char c) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x21 || u > 0x7E) return false;
    switch (c) {
        case '<': case '>': case '(': case ')': case ';': case '\\': case '"': case ',':
            return false;
        default:
            return true;
    }
}

// Civil date from days since 1970-01-01 (H. Hinnant's algorithm, proleptic Gregorian).
}  // namespace

std::string_view received_protocol(bool esmtp, bool tls, bool authenticated) {
    if (!esmtp) return "SMTP";
    if (tls) return authenticated ? "ESMTPSA" : "ESMTPS";
    return authenticated ? "ESMTPA" : "ESMTP";
}

std::string compose_received(const ReceivedFacts& f) {
    std::string ip;
    if (all_of(f.peer_address, 45, ip_char)) {
        ip = f.peer_address.find(':') != std::string_view::npos ? "[IPv6:" + std::string(f.peer_address) + "]"
                                                                : "[" + std::string(f.peer_address) + "]";
    }
    std::vector<std::string> words;
    if (all_of(f.helo, 255, helo_char)) {
        words.push_back("from " + std::string(f.helo));
    } else {
        words.push_back("from " + (ip.empty() ? std::string("unknown") : ip));
    }
    if (!ip.empty()) words.push_back("(" + ip + ")");
    if (f.tls && all_of(f.tls->version, 32, tls_char) && all_of(f.tls->cipher, 64, tls_char)) {
        words.push_back("(using " + f.tls->version + " with cipher " + f.tls->cipher + ")");
    }
    words.push_back("by " + (all_of(f.hostname, 255, host_char) ? std::string(f.hostname) : std::string("unknown")));
    std::string_view proto = "SMTP";
    for (std::string_view p : {"SMTP", "ESMTP", "ESMTPS", "ESMTPA", "ESMTPSA"}) {
        if (f.protocol == p) proto = p;
    }
    words.push_back("with " + std::string(proto));
    if (all_of(f.queue_id, 64, host_char)) words.push_back("id " + std::string(f.queue_id));
    if (all_of(f.recipient, 256, rcpt_char)) words.push_back("for <" + std::string(f.recipient) + ">");
    words.back() += ";";
    words.push_back(rfc5322_date(f.unix_time, f.utc_offset_minutes));

    std::string out = "Received:";
    std::size_t line = out.size();
    for (const auto& w : words) {
        if (line + 1 + w.size() < kMaxReceivedLine || line <= 9) {
            out += ' ';
            line += 1 + w.size();
        } else {
            out += "\r\n\t";  // fold: continuation lines start with whitespace
            line = 1 + w.size();
        }
        out += w;
    }
    out += "\r\n";
    return out;
}

}  // namespace tern::smtp
