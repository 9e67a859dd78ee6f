// libFuzzer harness for the DSN composer (src/dsn, RFC 3464 / RFC 6522). The first bytes
// choose RET, actions, NOTIFY flags and the lengths of the sender, unique token, remote host
// and diagnostic text taken from the input; the rest is the original message. Invariants on
// every DSN produced:
//  - only CRLF line ends, no line over 998 octets (RFC 5322 2.1.1), ends with CRLF;
//  - the boundary appears only in the Content-Type header and on delimiter lines, and the
//    body is exactly three parts followed by the close delimiter (RFC 2046 5.1.1);
//  - the header section is ASCII unless an address is UTF-8 (RFC 6533);
//  - the null sender never gets a DSN.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "dsn/dsn.hpp"

using namespace tern;
using namespace tern::dsn;

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

void check_message(const std::string& m, bool ascii_header) {
    check(m.size() >= 2 && m.compare(m.size() - 2, 2, "\r\n") == 0);
    std::size_t pos = 0, line_no = 0, body_start = std::string::npos;
    while (pos < m.size()) {
        std::size_t end = m.find("\r\n", pos);
        check(end != std::string::npos);
        std::string_view line(m.data() + pos, end - pos);
        check(line.find_first_of("\r\n") == std::string_view::npos);
        check(line.size() <= 998);
        if (body_start == std::string::npos) {
            if (line.empty()) body_start = end + 2;
            else if (ascii_header) {
                for (char c : line) check(static_cast<unsigned char>(c) < 0x80);
            }
        }
        pos = end + 2;
        ++line_no;
    }
    check(body_start != std::string::npos);
    // The sender may contain 'boundary="' (sanitised, on one line): look for our header.
    const std::string ct = "Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"";
    auto b = m.find(ct);
    check(b != std::string::npos && b < body_start);
    b += ct.size();
    std::string boundary = m.substr(b, m.find('"', b) - b);
    check(!boundary.empty());
    std::size_t delimiters = 0, at = 0;
    bool closed = false;
    while ((at = m.find(boundary, at)) != std::string::npos) {
        if (at == b) {
            at += boundary.size();
            continue;
        }
        check(at >= 4 && m.compare(at - 4, 4, "\r\n--") == 0);
        check(!closed);
        std::size_t after = at + boundary.size();
        if (m.compare(after, 4, "--\r\n") == 0) {
            closed = true;
            check(after + 4 == m.size());
        } else {
            check(m.compare(after, 2, "\r\n") == 0);
            ++delimiters;
        }
        at = after;
    }
    check(closed && delimiters == 3);
}

std::string take(std::string_view& in, std::size_t n) {
    n = std::min(n, in.size());
    std::string s(in.substr(0, n));
    in.remove_prefix(n);
    return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 8) return 0;
    std::string_view in(reinterpret_cast<const char*>(data) + 8, size - 8);
    DsnInput d;
    d.ret = static_cast<DsnRet>(data[0] % 3);
    d.delay_by_default = data[0] & 0x80;
    d.max_full_message = (data[0] & 0x40) ? 64 : kMaxFullMessage;
    d.sender = take(in, data[1] % 40);
    d.unique = take(in, data[2] % 20);
    d.reporting_mta = take(in, data[3] % 20);
    d.envid = take(in, data[4] % 20);
    d.now = static_cast<std::int64_t>(data[5]) * 100000000 - 1000;
    d.arrival = d.now - 1;
    std::size_t n = 1 + data[6] % 3;
    for (std::size_t i = 0; i < n; ++i) {
        RecipientReport r;
        r.action = static_cast<Action>((data[7] >> (2 * i)) % 5);
        r.notify = static_cast<std::uint8_t>(data[(i + 1) % 8] & 0x0F);
        r.final_recipient = take(in, 12);
        r.original_recipient = (data[i] & 1) ? take(in, 12) : "";
        r.status = take(in, data[(i + 2) % 8] % 8);
        r.remote_mta = take(in, data[(i + 3) % 8] % 16);
        r.diagnostic = take(in, data[(i + 4) % 8] % 128);
        r.diagnostic_type = (data[i] & 2) ? take(in, 6) : "smtp";
        r.last_attempt = d.now;
        r.will_retry_until = d.now + 86400;
        d.recipients.push_back(std::move(r));
    }
    d.original = in;

    auto m = compose_dsn(d);
    if (d.sender.empty()) check(!m);
    if (!m) return 0;
    bool ascii = true;
    auto non_ascii = [](std::string_view s) {
        for (char c : s) {
            if (static_cast<unsigned char>(c) >= 0x80) return true;
        }
        return false;
    };
    if (non_ascii(d.sender)) ascii = false;
    for (const auto& r : d.recipients) {
        if (non_ascii(r.final_recipient) || non_ascii(r.original_recipient)) ascii = false;
    }
    check_message(*m, ascii);
    return 0;
}
