// libFuzzer harness for the SMTP client side (src/outbound): the reply parser (RFC 5321 4.2)
// and the client session fed with arbitrary peer octets. The first bytes choose the options
// (TLS policy, credentials, chunk sizes); the rest is what the server says, in phases split
// at "~TLS~" (the octets after a STARTTLS handshake). Each input runs twice, in one write
// per phase and split at positions derived from the input. Invariants:
//  - both runs give the same transcript (parsing never depends on chunking), unless the peer
//    flooded the client while it was sending message data (see below);
//  - nothing follows Close; every message gets exactly one MessageResult by the end;
//  - outcome kinds match their codes (2xx ok, 4xx temporary, 5xx permanent), texts hold no
//    CR or LF, a result has one outcome per recipient;
//  - everything the client writes has CRLF line ends only (commands and encoded data);
//  - parsed replies respect the limits and hold no control octets.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "outbound/client_session.hpp"

using namespace tern;
using namespace tern::outbound;

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

void check_outcome(const Outcome& o) {
    if (o.is_ok()) check(o.code >= 200 && o.code <= 299);
    if (o.is_temporary()) check(o.code >= 400 && o.code <= 499);
    if (o.is_permanent()) check(o.code >= 500 && o.code <= 599);
    check(!o.enhanced.empty() && o.enhanced[0] == static_cast<char>('0' + o.code / 100));
    check(o.text.find_first_of("\r\n") == std::string::npos);
}

void check_wire(const std::string& wire) {
    for (std::size_t i = 0; i < wire.size(); ++i) {
        if (wire[i] == '\r') check(i + 1 < wire.size() && wire[i + 1] == '\n');
        if (wire[i] == '\n') check(i > 0 && wire[i - 1] == '\r');
    }
    check(wire.empty() || wire.compare(wire.size() - 2, 2, "\r\n") == 0);
}

std::string run_parser(std::string_view input, std::uint32_t seed, bool split) {
    ReplyLimits limits{64, 5};
    ReplyParser p(limits);
    std::string out;
    std::uint32_t x = seed | 1;
    while (!input.empty()) {
        std::size_t n = input.size();
        if (split) {
            x ^= x << 13, x ^= x >> 17, x ^= x << 5;
            n = std::min<std::size_t>(n, 1 + x % 40);
        }
        std::string_view chunk = input.substr(0, n);
        input.remove_prefix(n);
        while (!chunk.empty()) {
            auto r = p.consume(chunk);
            if (r == ReplyParser::Result::Error) return out + "ERROR " + p.error();
            if (r != ReplyParser::Result::Complete) continue;
            Reply reply = p.take();
            check(reply.code >= 200 && reply.code <= 599 && !reply.lines.empty());
            check(reply.lines.size() <= limits.lines);
            for (const auto& l : reply.lines) {
                check(l.size() + 6 <= limits.line);
                for (char c : l) check(static_cast<unsigned char>(c) >= 0x20 && c != 0x7F);
            }
            out += reply.str() + "\n";
        }
    }
    return out;
}

const std::string kMessages[] = {
    "Subject: a\r\n\r\n.dot\r\n",
    "x\n.\ny\r.\rz\r",
    std::string(300, '.') + "\n.\r\n..",
};

std::string run_session(const ClientOptions& opts, const std::vector<std::string_view>& phases, std::uint32_t seed,
                        bool split) {
    ClientSession s(opts);
    std::string transcript, wire;
    bool closed = false, tls = false;
    std::vector<int> results(3, 0);
    auto drain = [&] {
        while (true) {
            auto actions = s.take_actions();
            if (actions.empty()) break;
            for (auto& a : actions) {
                check(!closed);
                if (auto* snd = std::get_if<Send>(&a)) {
                    check(!snd->bytes.empty());
                    wire += snd->bytes;
                } else if (std::holds_alternative<StartTls>(a)) {
                    transcript += "STARTTLS\n";
                    tls = true;
                    s.tls_started(TlsInfo{"TLSv1.3", "X"});
                } else if (std::holds_alternative<Close>(a)) {
                    transcript += "CLOSE\n";
                    closed = true;
                    check(s.closed());
                } else if (auto* r = std::get_if<MessageResult>(&a)) {
                    check(r->message < 3);
                    ++results[r->message];
                    check(r->recipients.size() == 2);
                    check_outcome(r->data);
                    for (const auto& o : r->recipients) check_outcome(o);
                    transcript += "RESULT " + std::to_string(r->message) + " " + r->data.str() + "\n";
                }
            }
        }
    };
    s.start();
    for (int i = 0; i < 3; ++i) {
        MessageJob j;
        j.mail_from = i == 2 ? "" : "a@x.test";
        j.recipients = {{"b@y.test", static_cast<std::uint8_t>(i * 5), "rfc822;b@y.test"}, {"c@y.test", 0, ""}};
        j.data = kMessages[i];
        j.body = i == 1 ? BodyType::EightBitMime : BodyType::Unspecified;
        s.add_message(std::move(j));
    }
    s.no_more_messages();
    drain();
    std::uint32_t x = seed | 1;
    for (std::string_view phase : phases) {
        tls = false;
        std::size_t off = 0;
        while (off < phase.size() && !s.closed() && !tls) {
            std::size_t n = phase.size() - off;
            if (split) {
                x ^= x << 13, x ^= x >> 17, x ^= x << 5;
                n = std::min<std::size_t>(n, 1 + x % 64);
            }
            s.feed(phase.substr(off, n));
            off += n;
            drain();
            check(s.buffered() <= opts.reply_limits.line * opts.reply_limits.lines);
        }
        if (s.closed()) break;
    }
    if (!s.closed()) {
        s.connection_lost();
        drain();
    }
    check(s.closed());
    for (int n : results) check(n == 1);
    check_wire(wire);
    return transcript + wire;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 4) return 0;
    ClientOptions opts;
    opts.hostname = "client.fuzz.test";
    opts.tls = static_cast<TlsPolicy>(data[0] % 3);
    opts.tls_active = data[0] & 0x10;
    if (data[0] & 0x20) opts.auth = ClientCredentials{"user", "pass"};
    opts.auth_without_tls = data[0] & 0x40;
    opts.data_chunk = 1 + data[1] % 32;
    opts.reply_limits.line = 16 + data[2];
    opts.reply_limits.lines = 1 + data[3] % 16;
    std::uint32_t seed = (data[1] << 8 | data[2]) * 2654435761u;
    std::string_view input(reinterpret_cast<const char*>(data) + 4, size - 4);

    check(run_parser(input, seed, false) == run_parser(input, seed, true));

    std::vector<std::string_view> phases;
    std::string_view rest = input;
    for (std::size_t cut; (cut = rest.find("~TLS~")) != std::string_view::npos;) {
        phases.push_back(rest.substr(0, cut));
        rest.remove_prefix(cut + 5);
    }
    phases.push_back(rest);
    // Octets that arrive while the message data is still going out wait in a buffer bounded
    // by the largest reply. How much waits at once depends on where the reads fall relative
    // to the data writes, so a peer that floods that window is refused with "too much input"
    // in one run and with whatever its octets then break in the other: both are right.
    std::string whole = run_session(opts, phases, seed, false);
    std::string split = run_session(opts, phases, seed, true);
    const std::string_view flood = "too much input while sending the message data";
    if (whole.find(flood) == std::string::npos && split.find(flood) == std::string::npos) check(whole == split);
    return 0;
}
