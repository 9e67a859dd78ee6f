// libFuzzer harness for the POP3 server session (src/pop3: framing, commands, AUTH over the
// sasl mechanisms, the TRANSACTION state and the multi-line message conversion). The first
// bytes pick the limits, options and a seed; the rest is client input, fed twice: in one
// write and split at positions derived from the seed. Every action is answered from a PRNG
// advanced once per completion, so both feedings get the same answers: password verdicts
// (Ok, BadCredentials, TemporaryFailure, Throttled; "alice"/"secret" always Ok), SCRAM
// secrets (user "user" has the RFC 7677 one), maildrops (listings of 0-6 messages, now and
// then an invalid one, IN-USE or a temporary failure), message contents over a small
// alphabet rich in '.', CR and LF (or unreadable), commit results; TLS is started.
// Invariants:
//  - both feedings give the same transcript (the parse never depends on chunking);
//  - nothing follows Close; nothing is fed while parked; completions only when asked for;
//  - waiting for input, the session holds less than line_limit() octets, which is at most
//    max(command_line, kAuthLineLimit);
//  - every reply is one response: CRLF lines only, no bare CR or LF, starting "+OK", "-ERR"
//    or "+ " (AUTH continuation); a multi-line one ends with the only "." line; response
//    codes are only [AUTH], [SYS/TEMP], [IN-USE];
//  - RETR/TOP replies equal an independent reference conversion of the content;
//  - logins only when offered; AuthAttempt.success == authenticated(); OpenMaildrop only
//    once authenticated; ReadMessage and CommitDeletes name listed messages (ascending,
//    unique) in the right state;
//  - timeout() at the end closes without a reply.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/base64.hpp"
#include "pop3/server_session.hpp"

using namespace tern;
using namespace tern::pop3;

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

struct Rng {
    std::uint32_t x;
    std::uint32_t next() {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        return x;
    }
    std::uint32_t below(std::uint32_t n) { return next() % n; }
};

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

// The RFC 1939 conversion, written the obvious way: split into lines at CRLF, LF or CR,
// keep the header, the blank line and `top` body lines, stuff, terminate.
std::string reference_body(const std::string& content, std::optional<std::size_t> top) {
    std::vector<std::string> lines;
    std::string cur;
    bool partial = false;
    for (std::size_t i = 0; i < content.size(); ++i) {
        char c = content[i];
        if (c == '\r' || c == '\n') {
            lines.push_back(cur);
            cur.clear();
            partial = false;
            if (c == '\r' && i + 1 < content.size() && content[i + 1] == '\n') ++i;
        } else {
            cur += c;
            partial = true;
        }
    }
    if (partial) lines.push_back(cur);
    std::size_t keep = lines.size();
    if (top) {
        auto blank = std::find(lines.begin(), lines.end(), std::string());
        if (blank != lines.end()) {
            std::size_t header = static_cast<std::size_t>(blank - lines.begin()) + 1;
            if (*top < lines.size() - header) keep = header + *top;
        }
    }
    std::string out;
    for (std::size_t i = 0; i < keep; ++i) {
        if (!lines[i].empty() && lines[i][0] == '.') out += '.';
        out += lines[i];
        out += "\r\n";
    }
    return out + ".\r\n";
}

void check_reply(const std::string& s) {
    check(s.size() >= 4 && s.compare(s.size() - 2, 2, "\r\n") == 0);
    std::vector<std::string_view> lines;
    std::size_t start = 0;
    while (start < s.size()) {
        auto end = s.find("\r\n", start);
        check(end != std::string::npos);
        std::string_view line(s.data() + start, end - start);
        check(line.find('\r') == std::string_view::npos && line.find('\n') == std::string_view::npos);
        lines.push_back(line);
        start = end + 2;
    }
    auto first = lines.front();
    check(first.starts_with("+OK") || first.starts_with("-ERR") || first.starts_with("+ "));
    if (first.starts_with("-ERR [")) {
        check(first.starts_with("-ERR [AUTH] ") || first.starts_with("-ERR [SYS/TEMP] ") ||
              first.starts_with("-ERR [IN-USE] "));
    }
    if (lines.size() > 1) {
        check(first.starts_with("+OK"));
        check(lines.back() == ".");
        for (std::size_t i = 1; i + 1 < lines.size(); ++i) check(lines[i] != ".");
    }
}

std::string random_content(Rng& rng) {
    static const char alphabet[] = {'a', 'b', '.', '.', '\r', '\n', '\n', ' ', ':', '\0'};
    std::string out(rng.below(80), 'a');
    for (char& c : out) c = alphabet[rng.below(sizeof alphabet)];
    return out;
}

std::string run(const SessionOptions& opts, std::string_view input, std::uint32_t seed, bool split, bool end_by_shutdown) {
    static const sasl::ScramCredentials creds = rfc_credentials();
    ServerSession s(opts);
    std::string transcript;
    bool closed = false;
    bool tls = false;
    Rng answers{seed | 1};
    std::vector<MessageInfo> listing;
    std::optional<std::string> expected_reply;  // the RETR/TOP answer after message_read
    const AuthVerdict verdicts[] = {AuthVerdict::Ok, AuthVerdict::BadCredentials, AuthVerdict::TemporaryFailure,
                                    AuthVerdict::Ok, AuthVerdict::Throttled};
    auto drain = [&] {
        while (true) {
            auto actions = s.take_actions();
            if (actions.empty()) break;
            for (auto& a : actions) {
                check(!closed);
                if (auto* r = std::get_if<SendReply>(&a)) {
                    check_reply(r->bytes);
                    if (expected_reply) {
                        check(r->bytes == *expected_reply);
                        expected_reply.reset();
                    }
                    transcript += r->bytes;
                    continue;
                }
                check(!expected_reply);
                if (auto* v = std::get_if<VerifyPassword>(&a)) {
                    check(s.parked() && s.login_offered() && !s.authenticated() && s.phase() == Phase::Authorization);
                    check(!v->user.empty() && !v->password.empty());
                    transcript += "VERIFY " + v->user + " " + v->mechanism + "\n";
                    auto verdict = verdicts[answers.below(5)];
                    if (v->user == "alice" && v->password == "secret") verdict = AuthVerdict::Ok;
                    s.password_verified(verdict);
                } else if (auto* l = std::get_if<LookupScram>(&a)) {
                    check(s.parked() && s.login_offered() && !s.authenticated());
                    transcript += "LOOKUP " + l->user + "\n";
                    auto verdict = verdicts[answers.below(5)];
                    s.scram_credentials(l->user == "user" ? std::optional(creds) : std::nullopt, verdict);
                } else if (auto* at = std::get_if<AuthAttempt>(&a)) {
                    check(at->success == s.authenticated());
                    check(!at->success || at->user == s.user());
                    transcript += "ATTEMPT " + at->user + (at->success ? " ok " : " fail ") + at->reason + "\n";
                } else if (auto* o = std::get_if<OpenMaildrop>(&a)) {
                    check(s.parked() && s.authenticated() && o->user == s.user());
                    transcript += "OPEN\n";
                    auto pick = answers.below(16);
                    if (pick == 0) {
                        s.maildrop_opened(MaildropError::InUse);
                    } else if (pick == 1) {
                        s.maildrop_opened(MaildropError::TemporaryFailure);
                    } else {
                        std::vector<MessageInfo> m(answers.below(7));
                        for (std::size_t i = 0; i < m.size(); ++i) {
                            m[i].uid = "u" + std::to_string(i);
                            m[i].size = answers.below(1000);
                        }
                        if (pick == 2 && !m.empty()) m[0].uid = answers.below(2) ? "bad uid" : "";
                        if (pick == 3 && m.size() > 1) m[1].uid = m[0].uid;
                        listing = m;
                        s.maildrop_opened(std::move(m));
                        if (s.phase() == Phase::Transaction) check(s.message_count() == listing.size());
                    }
                } else if (auto* m = std::get_if<ReadMessage>(&a)) {
                    check(s.parked() && s.phase() == Phase::Transaction && m->index < listing.size());
                    transcript += "READ " + std::to_string(m->index) + "\n";
                    if (answers.below(10) == 0) {
                        expected_reply = "-ERR [SYS/TEMP] Cannot read message " + std::to_string(m->index + 1) + "\r\n";
                        s.message_read(std::nullopt);
                    } else {
                        auto content = random_content(answers);
                        expected_reply = (m->top ? std::string("+OK Top of message follows\r\n")
                                                 : "+OK " + std::to_string(listing[m->index].size) + " octets\r\n") +
                                         reference_body(content, m->top);
                        s.message_read(std::move(content));
                    }
                } else if (auto* c = std::get_if<CommitDeletes>(&a)) {
                    check(s.parked() && s.phase() == Phase::Update && !c->indexes.empty());
                    check(c->indexes.size() == s.deleted_count());
                    for (std::size_t i = 0; i < c->indexes.size(); ++i) {
                        check(c->indexes[i] < listing.size());
                        check(i == 0 || c->indexes[i - 1] < c->indexes[i]);
                    }
                    transcript += "COMMIT\n";
                    s.update_done(answers.below(4) != 0);
                } else if (std::holds_alternative<StartTls>(a)) {
                    check(s.parked() && !s.tls_active());
                    transcript += "STLS\n";
                    tls = true;
                    s.tls_started();
                } else {
                    transcript += "CLOSE\n";
                    closed = true;
                    check(s.closed());
                }
            }
        }
        check(!expected_reply);
        check(s.line_limit() <= std::max(opts.limits.command_line, kAuthLineLimit));
        if (!s.parked() && !s.closed()) check(s.buffered() < s.line_limit());
        if (s.closed()) check(s.buffered() == 0);
        auto t = s.read_timeout();
        check(t == opts.limits.timeout_authorization || t == opts.limits.timeout_transaction);
    };
    s.start();
    drain();
    std::size_t off = 0;
    Rng cuts{seed ^ 0x9E3779B9u};
    while (off < input.size() && !s.closed() && !tls) {
        check(!s.parked());
        std::size_t n = input.size() - off;
        if (split) {
            auto x = cuts.next();
            std::size_t max = (x & 0x100) ? 600 : 24;
            n = std::min<std::size_t>(n, 1 + (x >> 9) % max);
        }
        s.feed(input.substr(off, n));
        off += n;
        drain();
    }
    if (!s.closed()) {
        if (end_by_shutdown) {
            s.shutdown();
        } else {
            s.timeout();
            auto a = s.take_actions();
            check(a.size() == 1 && std::holds_alternative<Close>(a[0]));  // RFC 1939 3: no reply
            transcript += "CLOSE\n";
        }
        drain();
        check(s.closed());
    }
    return transcript;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 6) return 0;
    SessionOptions opts;
    opts.hostname = "pop.fuzz.test";
    // Small limits so the fuzzer reaches them; the first bytes choose them.
    opts.limits.command_line = data[0];  // below kMinCommandLine: raised by the session
    opts.limits.errors = 1 + (data[1] & 15u);
    opts.limits.auth_failures = 1 + (data[1] >> 4 & 3u);
    opts.stls_available = data[2] & 0x01;
    opts.tls_active = data[2] & 0x02;
    opts.plaintext_auth = data[2] & 0x04;
    if (data[2] & 0x08) opts.expire_policy.clear();
    const bool end_by_shutdown = data[2] & 0x10;
    opts.sasl.nonce = [] { return std::string("%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"); };
    opts.sasl.fake_secret = "fuzz";
    opts.sasl.fake_iterations = 64;
    std::uint32_t seed = (std::uint32_t{data[3]} << 16 | std::uint32_t{data[4]} << 8 | data[5]) * 2654435761u;
    std::string_view input(reinterpret_cast<const char*>(data) + 6, size - 6);

    std::string whole = run(opts, input, seed, false, end_by_shutdown);
    std::string split = run(opts, input, seed, true, end_by_shutdown);
    check(whole == split);
    return 0;
}
