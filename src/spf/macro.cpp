#include "spf/macro.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <vector>

namespace tern::spf {
namespace {

std::string ip_macro(const std::string& ip, bool dotted_v6) {
    unsigned char b[16];
    if (inet_pton(AF_INET6, ip.c_str(), b) == 1) {
        if (!dotted_v6) return ip;
        static const char* hex = "0123456789abcdef";
        std::string out;
        for (int i = 0; i < 16; ++i) {
            if (i) out += '.';
            out += hex[b[i] >> 4];
            out += '.';
            out += hex[b[i] & 15];
        }
        return out;
    }
    return ip;
}

bool is_v6(const std::string& ip) {
    unsigned char b[16];
    return inet_pton(AF_INET6, ip.c_str(), b) == 1;
}

std::string url_escape(std::string_view s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        bool unreserved = std::isalnum(u) || c == '-' || c == '.' || c == '_' || c == '~';
        if (unreserved) {
            out += c;
        } else {
            out += '%';
            out += hex[u >> 4];
            out += hex[u & 15];
        }
    }
    return out;
}

}  // namespace

std::optional<std::string> expand(std::string_view spec, const MacroContext& ctx, bool explanation, std::string* error) {
    auto fail = [&](const char* why) -> std::optional<std::string> {
        if (error) *error = why;
        return std::nullopt;
    };
    std::string out;
    for (std::size_t i = 0; i < spec.size(); ++i) {
        char c = spec[i];
        if (c != '%') {
            auto u = static_cast<unsigned char>(c);
            if (u < 0x21 || u > 0x7E) {
                if (!(explanation && c == ' ')) return fail("bad character in domain-spec");
            }
            out += c;
            continue;
        }
        if (++i >= spec.size()) return fail("'%' at the end of a macro string");
        char n = spec[i];
        if (n == '%') { out += '%'; continue; }
        if (n == '_') { out += ' '; continue; }
        if (n == '-') { out += "%20"; continue; }
        if (n != '{') return fail("bad '%' escape");
        std::size_t close = spec.find('}', i);
        if (close == std::string_view::npos) return fail("unterminated macro");
        std::string_view body = spec.substr(i + 1, close - i - 1);
        i = close;
        if (body.empty()) return fail("empty macro");
        char letter = body[0];
        bool upper = letter >= 'A' && letter <= 'Z';
        char l = upper ? static_cast<char>(letter - 'A' + 'a') : letter;
        std::string value;
        std::string local = ctx.sender.substr(0, ctx.sender.rfind('@'));
        std::string sdomain = ctx.sender.rfind('@') == std::string::npos ? ctx.sender
                                                                           : ctx.sender.substr(ctx.sender.rfind('@') + 1);
        switch (l) {
            case 's': value = ctx.sender; break;
            case 'l': value = local.empty() ? "postmaster" : local; break;
            case 'o': value = sdomain; break;
            case 'd': value = ctx.domain; break;
            case 'i': value = ip_macro(ctx.ip, true); break;
            case 'p': value = "unknown"; break;  // no PTR lookups for macros (7.3 discourages %{p})
            case 'v': value = is_v6(ctx.ip) ? "ip6" : "in-addr"; break;
            case 'h': value = ctx.helo; break;
            case 'c':
                if (!explanation) return fail("%{c} outside an explanation");
                value = ip_macro(ctx.ip, false);
                break;
            case 'r':
                if (!explanation) return fail("%{r} outside an explanation");
                value = ctx.receiver.empty() ? "unknown" : ctx.receiver;
                break;
            case 't':
                if (!explanation) return fail("%{t} outside an explanation");
                value = std::to_string(ctx.now);
                break;
            default: return fail("unknown macro letter");
        }
        // Transformers: *DIGIT [ "r" ], then delimiters.
        std::size_t p = 1;
        std::size_t keep = 0;
        bool has_digits = false;
        while (p < body.size() && body[p] >= '0' && body[p] <= '9') {
            keep = keep * 10 + static_cast<std::size_t>(body[p] - '0');
            if (keep > 1000) return fail("macro digit transformer too large");
            has_digits = true;
            ++p;
        }
        if (has_digits && keep == 0) return fail("macro digit transformer of zero");
        bool reverse = false;
        if (p < body.size() && (body[p] == 'r' || body[p] == 'R')) {
            reverse = true;
            ++p;
        }
        std::string delims = ".";
        if (p < body.size()) {
            delims.clear();
            for (; p < body.size(); ++p) {
                if (std::string_view(".-+,/_=").find(body[p]) == std::string_view::npos) return fail("bad macro delimiter");
                delims += body[p];
            }
        }
        std::vector<std::string> parts;
        std::string cur;
        for (char ch : value) {
            if (delims.find(ch) != std::string::npos) {
                parts.push_back(cur);
                cur.clear();
            } else {
                cur += ch;
            }
        }
        parts.push_back(cur);
        if (reverse) std::reverse(parts.begin(), parts.end());
        if (has_digits && keep < parts.size()) parts.erase(parts.begin(), parts.end() - static_cast<long>(keep));
        std::string joined;
        for (std::size_t k = 0; k < parts.size(); ++k) {
            if (k) joined += '.';
            joined += parts[k];
        }
        out += upper ? url_escape(joined) : joined;
    }
    if (!explanation) {
        while (out.size() > 253) {
            auto dot = out.find('.');
            if (dot == std::string::npos) return fail("domain-spec too long");
            out.erase(0, dot + 1);
        }
    }
    return out;
}

}  // namespace tern::spf
