#include "dkim/canonical.hpp"
#include "core/address.hpp"

#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

namespace tern::dkim {
namespace {

bool is_wsp(char c) { return c == ' ' || c == '\t'; }

// Feeds canonical body octets to a sink, line by line, holding back empty lines until a
// non-empty one follows (trailing empty lines are dropped).
template <class Sink>
void for_each_canonical_chunk(std::string_view body, bool relaxed, Sink&& sink) {
    std::uint64_t pending_empty = 0;
    bool emitted = false;
    std::string line;
    while (!body.empty()) {
        std::size_t eol = body.find("\r\n");
        std::string_view raw = body.substr(0, eol);
        body.remove_prefix(eol == std::string_view::npos ? body.size() : eol + 2);
        std::string_view out = raw;
        if (relaxed) {
            line.clear();
            bool in_wsp = false;
            for (char c : raw) {
                if (is_wsp(c)) {
                    in_wsp = true;
                    continue;
                }
                if (in_wsp && !line.empty()) line += ' ';
                in_wsp = false;
                line += c;
            }
            // A line of whitespace only is empty; a line that starts with whitespace keeps one SP.
            if (!line.empty() && !raw.empty() && is_wsp(raw.front())) line.insert(line.begin(), ' ');
            out = line;
        }
        if (out.empty()) {
            ++pending_empty;
            continue;
        }
        for (; pending_empty > 0; --pending_empty) sink(std::string_view("\r\n"));
        sink(out);
        sink(std::string_view("\r\n"));
        emitted = true;
    }
    // 3.4.3: an empty body is one CRLF in simple canonicalization; 3.4.4: nothing in relaxed.
    if (!emitted && !relaxed) sink(std::string_view("\r\n"));
}

struct MdCtxFree {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

}  // namespace

std::string wire_form(std::string_view message) {
    std::string out;
    out.reserve(message.size() + message.size() / 40);
    for (std::size_t i = 0; i < message.size(); ++i) {
        char c = message[i];
        if (c == '\r') {
            out += "\r\n";
            if (i + 1 < message.size() && message[i + 1] == '\n') ++i;
        } else if (c == '\n') {
            out += "\r\n";
        } else {
            out += c;
        }
    }
    return out;
}

bool is_wire_form(std::string_view message) {
    for (std::size_t i = message.find_first_of("\r\n"); i != std::string_view::npos;
         i = message.find_first_of("\r\n", i + 2)) {
        if (message[i] == '\n' || i + 1 >= message.size() || message[i + 1] != '\n') return false;
    }
    return true;
}

SplitMessage split_message(std::string_view wire) {
    SplitMessage m;
    std::size_t pos = 0;
    while (pos < wire.size()) {
        std::size_t eol = wire.find("\r\n", pos);
        std::size_t line_end = eol == std::string_view::npos ? wire.size() : eol;
        std::string_view line = wire.substr(pos, line_end - pos);
        std::size_t next = eol == std::string_view::npos ? wire.size() : eol + 2;
        if (line.empty()) {
            m.body = wire.substr(next);
            return m;
        }
        if (is_wsp(line.front())) {
            if (m.headers.empty()) break;  // a continuation with no field: body starts here
            auto& last = m.headers.back();
            last.field = std::string_view(last.field.data(), line_end - (last.field.data() - wire.data()));
            pos = next;
            continue;
        }
        std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) break;
        std::string_view name = line.substr(0, colon);
        while (!name.empty() && is_wsp(name.back())) name.remove_suffix(1);
        bool printable = !name.empty();
        for (char c : name) {
            auto u = static_cast<unsigned char>(c);
            if (u <= 0x20 || u >= 0x7F) printable = false;
        }
        if (!printable) break;
        m.headers.push_back(RawHeader{name, line});
        pos = next;
    }
    // No empty line: what follows the last field (if anything) is the body.
    m.body = wire.substr(std::min(pos, wire.size()));
    return m;
}


std::string canonical_header(std::string_view field, bool relaxed) {
    if (!relaxed) return std::string(field) + "\r\n";
    std::size_t colon = field.find(':');
    std::string_view name = field.substr(0, colon);
    while (!name.empty() && is_wsp(name.back())) name.remove_suffix(1);
    std::string out = ascii_lower(name);
    out += ':';
    std::string_view value = colon == std::string_view::npos ? std::string_view{} : field.substr(colon + 1);
    bool in_wsp = false;
    std::size_t start = out.size();
    for (char c : value) {
        if (c == '\r' || c == '\n') continue;  // unfold
        if (is_wsp(c)) {
            in_wsp = true;
            continue;
        }
        if (in_wsp && out.size() > start) out += ' ';
        in_wsp = false;
        out += c;
    }
    out += "\r\n";
    return out;
}

std::string canonical_body(std::string_view body, bool relaxed) {
    std::string out;
    for_each_canonical_chunk(body, relaxed, [&](std::string_view s) { out += s; });
    return out;
}

std::string body_hash(std::string_view body, bool relaxed, std::optional<std::uint64_t> limit,
                      std::uint64_t* canonical_length) {
    std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) throw std::runtime_error("SHA-256 unavailable");
    std::uint64_t total = 0, hashed = 0;
    for_each_canonical_chunk(body, relaxed, [&](std::string_view s) {
        total += s.size();
        if (limit && hashed >= *limit) return;
        std::size_t n = s.size();
        if (limit) n = static_cast<std::size_t>(std::min<std::uint64_t>(n, *limit - hashed));
        EVP_DigestUpdate(ctx.get(), s.data(), n);
        hashed += n;
    });
    if (canonical_length) *canonical_length = total;
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx.get(), md, &len);
    return std::string(reinterpret_cast<char*>(md), len);
}

}  // namespace tern::dkim
