// libFuzzer harness for the SMTP server session (src/smtp/server_session and the DATA/BDAT
// readers under it). The input picks the limits and options, then is fed twice: in one write
// and split at positions derived from the input. Every action is auto-answered (recipients
// accepted and refused alternately, commits accepted, TLS started; AUTH verdicts cycle
// through Ok, BadCredentials, TemporaryFailure, Throttled; SCRAM user "user" has the RFC 7677
// secret and the server nonce is the RFC's; senders containing 'x' are refused). Invariants:
//  - both feedings give the same transcript (the parse never depends on chunking);
//  - nothing follows Close; nothing is fed while parked;
//  - when waiting for input, the session holds less than line_limit() octets of input, which
//    is at most max(command_line, kAuthLineLimit);
//  - AUTH actions only when AUTH is offered; AuthAttempt.success == authenticated();
//    CheckSender only when authenticated;
//  - replies are well-formed CRLF lines; committed messages respect the size limit, hold no
//    bare CR/LF and no over-long line, and have 1..limits.recipients recipients.
// On StartTls the rest of the input is dropped in both feedings: in real life those octets
// would be part of the TLS handshake.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/base64.hpp"
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

sasl::ScramCredentials rfc_credentials() {
    sasl::ScramCredentials c;
    c.salt = *base64_decode("W22ZaJ0SNY7soEsUEjb6gQ==");
    c.iterations = 4096;
    auto stored = *base64_decode("WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=");
    auto server = *base64_decode("wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=");
    std::copy(stored.begin(), stored.end(), c.stored_key.begin());
    std::copy(server.begin(), server.end(), c.server_key.begin());
    return c;
}

std::string run(const SessionOptions& opts, std::string_view input, std::uint32_t seed, bool split) {
    static const sasl::ScramCredentials creds = rfc_credentials();
    ServerSession s(opts, PeerInfo{"192.0.2.1", 2525});
    std::string transcript;
    bool closed = false;
    bool tls = false;
    unsigned rcpt_count = 0;
    unsigned auth_count = seed >> 8;
    const AuthVerdict verdicts[] = {AuthVerdict::Ok, AuthVerdict::BadCredentials, AuthVerdict::TemporaryFailure,
                                    AuthVerdict::Ok, AuthVerdict::Throttled};
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
                } else if (auto* v = std::get_if<VerifyPassword>(&a)) {
                    check(s.parked() && s.auth_offered() && !s.authenticated());
                    check(!v->user.empty() && !v->password.empty());
                    transcript += "VERIFY " + v->user + " " + v->mechanism + "\n";
                    s.password_verified(verdicts[auth_count++ % 5]);
                } else if (auto* l = std::get_if<LookupScram>(&a)) {
                    check(s.parked() && s.auth_offered() && !s.authenticated());
                    transcript += "LOOKUP " + l->user + "\n";
                    auto verdict = verdicts[auth_count++ % 5];
                    s.scram_credentials(l->user == "user" ? std::optional(creds) : std::nullopt,
                                        verdict == AuthVerdict::BadCredentials ? AuthVerdict::Ok : verdict);
                } else if (auto* at = std::get_if<AuthAttempt>(&a)) {
                    check(at->success == s.authenticated());
                    check(!at->success || at->user == s.auth_user());
                    transcript += "ATTEMPT " + at->user + (at->success ? " ok " : " fail ") + at->reason + "\n";
                } else if (auto* cs = std::get_if<CheckSender>(&a)) {
                    check(s.parked() && s.authenticated());
                    transcript += "SENDER " + cs->address + "\n";
                    s.sender_checked(cs->address.find('x') == std::string::npos
                                         ? Outcome::ok()
                                         : Outcome::permanent("5.7.1", "not yours", 553));
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
        check(s.line_limit() <= std::max(opts.limits.command_line, kAuthLineLimit));
        if (!s.parked() && !s.closed()) check(s.buffered() < s.line_limit());
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
    opts.auth_available = data[4] & 0x80;
    opts.auth_without_tls = data[5] & 0x01;
    opts.sasl.nonce = [] { return std::string("%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"); };
    opts.sasl.fake_secret = "fuzz";
    opts.sasl.fake_iterations = 4096;
    std::uint32_t seed = data[5] * 2654435761u;
    std::string_view input(reinterpret_cast<const char*>(data) + 6, size - 6);

    std::string whole = run(opts, input, seed, false);
    std::string split = run(opts, input, seed, true);
    check(whole == split);
    return 0;
}
