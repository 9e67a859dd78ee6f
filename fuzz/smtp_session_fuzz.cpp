// libFuzzer harness for the SMTP server session (src/smtp/server_session and the DATA/BDAT
// readers under it). The input picks the limits and options, then is fed twice: in one write
// and split at positions derived from the input. Every action is auto-answered (recipients
// accepted and refused alternately, commits accepted, TLS started). Invariants:
//  - both feedings give the same transcript (the parse never depends on chunking);
//  - nothing follows Close; nothing is fed while parked;
//  - when waiting for input, the session holds less than one command line of input;
//  - replies are well-formed CRLF lines; committed messages respect the size limit, hold no
//    bare CR/LF and no over-long line, and have 1..limits.recipients recipients.
// On StartTls the rest of the input is dropped in both feedings: in real life those octets
// would be part of the TLS handshake.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "smtp/server_session.hpp"

using namespace tern;
using namespace tern::smtp;

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

void check_reply_bytes(const std::string& s) {
    check(s.size() >= 6 && s.compare(s.size() - 2, 2, "\r\n") == 0);
    std::size_t start = 0;
    while (start < s.size()) {
        auto end = s.find("\r\n", start);
        check(end != std::string::npos);
        std::string_view line(s.data() + start, end - start);
        check(line.size() >= 4 && line[0] >= '2' && line[0] <= '5' && (line[3] == ' ' || line[3] == '-'));
        for (char c : line) check(c != '\r' && c != '\n');
        start = end + 2;
    }
}

void check_message(const CommitMessage& m, const SessionLimits& limits) {
    check(m.data.size() <= limits.message_size);
    check(!m.envelope.recipients.empty() && m.envelope.recipients.size() <= limits.recipients);
    std::size_t line = 0;
    for (std::size_t i = 0; i < m.data.size(); ++i) {
        char c = m.data[i];
        if (c == '\r') {
            check(i + 1 < m.data.size() && m.data[i + 1] == '\n');
        } else if (c == '\n') {
            check(i > 0 && m.data[i - 1] == '\r');
            check(line + 1 <= limits.text_line);
            line = 0;
            continue;
        }
        ++line;
    }
    check(line + 2 <= limits.text_line || line == 0);
}

std::string run(const SessionOptions& opts, std::string_view input, std::uint32_t seed, bool split) {
    ServerSession s(opts, PeerInfo{"192.0.2.1", 2525});
    std::string transcript;
    bool closed = false;
    bool tls = false;
    unsigned rcpt_count = 0;
    auto drain = [&] {
        while (true) {
            auto actions = s.take_actions();
            if (actions.empty()) break;
            for (auto& a : actions) {
                check(!closed);
                if (auto* r = std::get_if<SendReply>(&a)) {
                    check_reply_bytes(r->bytes);
                    transcript += r->bytes;
                } else if (auto* c = std::get_if<CheckRecipient>(&a)) {
                    check(s.parked());
                    transcript += "CHECK " + c->address + "\n";
                    s.recipient_checked(rcpt_count++ % 2 == 0 ? Outcome::ok()
                                                               : Outcome::permanent("5.1.1", "no"));
                } else if (auto* m = std::get_if<CommitMessage>(&a)) {
                    check(s.parked());
                    check_message(*m, opts.limits);
                    transcript += "COMMIT " + std::to_string(m->data.size()) + "\n";
                    s.message_committed(Outcome::ok("queued"));
                } else if (std::holds_alternative<StartTls>(a)) {
                    transcript += "STARTTLS\n";
                    tls = true;
                    s.tls_started(TlsInfo{"TLSv1.3", "X"});
                } else {
                    transcript += "CLOSE\n";
                    closed = true;
                    check(s.closed());
                }
            }
        }
        if (!s.parked() && !s.closed()) check(s.buffered() < opts.limits.command_line);
        if (s.closed()) check(s.buffered() == 0);
    };
    s.start();
    drain();
    std::size_t off = 0;
    std::uint32_t x = seed | 1;
    while (off < input.size() && !s.closed() && !tls) {
        check(!s.parked());
        std::size_t n = input.size() - off;
        if (split) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            std::size_t max = (x & 0x100) ? 600 : 24;
            n = std::min<std::size_t>(n, 1 + (x >> 9) % max);
        }
        s.feed(input.substr(off, n));
        off += n;
        drain();
        auto t = s.read_timeout();
        check(t == opts.limits.timeout_command || t == opts.limits.timeout_data);
    }
    if (!s.closed()) {
        s.timeout();
        drain();
        check(s.closed());
    }
    return transcript;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 6) return 0;
    SessionOptions opts;
    opts.hostname = "mx.fuzz.test";
    // Small limits so the fuzzer reaches them; the first bytes choose them.
    opts.limits.command_line = 16 + data[0] * 2u;
    opts.limits.message_size = 1 + data[1] * 8u;
    opts.limits.recipients = 1 + (data[2] & 7u);
    opts.limits.errors = 1 + (data[2] >> 3);
    opts.limits.text_line = 8 + data[3];
    opts.limits.received_headers = 1 + (data[4] & 3u);
    opts.starttls_available = data[4] & 0x10;
    opts.tls_active = data[4] & 0x20;
    opts.submission = data[4] & 0x40;
    std::uint32_t seed = data[5] * 2654435761u;
    std::string_view input(reinterpret_cast<const char*>(data) + 6, size - 6);

    std::string whole = run(opts, input, seed, false);
    std::string split = run(opts, input, seed, true);
    check(whole == split);
    return 0;
}
