// libFuzzer harness for the whole IMAP server session (src/imap: reader, parser, every command
// over tests/imap/fake_backend.hpp, an in-memory store with three messages and a few folders).
// The first bytes pick options and limits (output_batch small, so Drain is exercised) and a
// seed; the rest is client input, run three times: in one feed(), split at points derived from
// the seed, and split again with another session changing the folder between feeds (messages
// added, flagged, removed; folder_changed()). Completions are answered at once: "alice" with
// "secret" logs in, anything else fails; TLS and COMPRESS are started (compression is the
// identity here: what StartCompression hands back is fed again, as the driver feeds what it
// inflates); Drain is answered with drained(). Invariants, beyond no crash / UB / leak:
//  - the first two runs give the same transcript (nothing depends on chunking or batches);
//  - nothing follows Close; nothing is fed while parked; after the end, calls do nothing;
//  - every reply is whole responses with CRLF line ends, no bare CR or LF outside literals
//    ("{n}" at the end of a line), each "* ...", "+ ..." or "<tag> OK|NO|BAD ..." where the tag
//    is one the client sent at the start of a line;
//  - waiting for input the session holds at most a line's worth of unframed input;
//  - timeout() or shutdown() at the end closes with a BYE.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fake_backend.hpp"
#include "imap/server_session.hpp"

using namespace tern::imap;
using tern::imap::session_test::FakeBackend;

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

std::shared_ptr<FakeBackend> make_backend() {
    auto b = std::make_shared<FakeBackend>();
    b->add("INBOX", "From: Bob <bob@example.test>\r\nTo: alice@example.test\r\nSubject: Hello\r\n"
                    "Date: Mon, 13 Nov 2023 10:00:00 +0000\r\n\r\nFirst body\r\n", {"\\Seen"});
    b->add("INBOX", "Subject: =?utf-8?q?caf=C3=A9?=\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
                    "a OK not a response\r\n* BYE nor this\r\n");
    b->add("INBOX", "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\n"
                    "Content-Type: text/plain\r\n\r\none\r\n--XX\r\nContent-Type: message/rfc822\r\n\r\n"
                    "Subject: inner\r\n\r\ntwo\r\n--XX--\r\n", {"\\Flagged", "$Work"});
    b->create("Archive", "\\Archive");
    b->create("Archive/2023", "");
    b->create("Sent", "\\Sent");
    b->subscribe("Sent", true);
    return b;
}

// The tags the client could have sent: the first token of every input line.
std::set<std::string> client_tags(std::string_view input) {
    std::set<std::string> tags;
    std::size_t at = 0;
    while (at <= input.size()) {
        auto end = input.find_first_of(" \r\n", at);
        if (end == std::string_view::npos) end = input.size();
        tags.emplace(input.substr(at, end - at));
        auto lf = input.find('\n', at);
        if (lf == std::string_view::npos) break;
        at = lf + 1;
    }
    return tags;
}

// One SendReply: whole responses, CRLF lines, literals skipped.
void check_reply(std::string_view s, const std::set<std::string>& tags) {
    check(s.size() >= 4 && s.ends_with("\r\n"));
    std::size_t at = 0;
    while (at < s.size()) {
        // The start of a response.
        std::string_view rest = s.substr(at);
        if (!rest.starts_with("* ") && !rest.starts_with("+ ")) {
            auto sp = rest.find(' ');
            check(sp != std::string_view::npos && sp > 0);
            check(tags.count(std::string(rest.substr(0, sp))) == 1);
            auto status = rest.substr(sp + 1);
            check(status.starts_with("OK ") || status.starts_with("NO ") || status.starts_with("BAD "));
        }
        while (true) {  // lines of this response, joined by literals
            auto crlf = s.find("\r\n", at);
            check(crlf != std::string_view::npos);
            std::string_view line = s.substr(at, crlf - at);
            check(line.find('\r') == std::string_view::npos && line.find('\n') == std::string_view::npos);
            at = crlf + 2;
            if (!line.ends_with('}')) break;
            auto open = line.rfind('{');
            check(open != std::string_view::npos);
            std::string_view digits = line.substr(open + 1, line.size() - open - 2);
            if (digits.ends_with('+')) digits.remove_suffix(1);  // never from a server, but harmless
            check(!digits.empty() && digits.size() < 10 &&
                  std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }));
            std::size_t n = std::stoul(std::string(digits));
            check(at + n <= s.size());
            at += n;  // the literal, then the response goes on
        }
    }
}

std::string run(const SessionOptions& opts, std::string_view input, std::uint32_t seed, bool split, bool changes,
                bool end_by_shutdown) {
    ServerSession s(opts);
    auto backend = make_backend();
    const auto tags = client_tags(input);
    std::string transcript;
    bool closed = false;
    bool tls = false;
    std::string replay;
    Rng answers{seed | 1};
    auto drain = [&] {
        while (true) {
            auto actions = s.take_actions();
            if (actions.empty() && !replay.empty() && !s.parked() && !s.closed()) {
                s.feed(std::exchange(replay, {}));
                continue;
            }
            if (actions.empty()) break;
            for (auto& a : actions) {
                check(!closed);
                if (auto* r = std::get_if<action::SendReply>(&a)) {
                    check_reply(r->bytes, tags);
                    transcript += r->bytes;
                } else if (auto* v = std::get_if<action::VerifyPassword>(&a)) {
                    check(s.parked() && s.state() == State::NotAuthenticated && s.login_offered());
                    transcript += "VERIFY " + v->user + "\n";
                    s.password_verified(v->user == "alice" && v->password == "secret" ? AuthVerdict::Ok
                                                                                      : AuthVerdict::BadCredentials);
                } else if (auto* l = std::get_if<action::LookupScram>(&a)) {
                    check(s.parked());
                    transcript += "LOOKUP " + l->user + "\n";
                    s.scram_credentials(std::nullopt);
                } else if (auto* at = std::get_if<action::AuthAttempt>(&a)) {
                    transcript += std::string("ATTEMPT ") + (at->success ? "ok\n" : "fail\n");
                } else if (std::get_if<action::OpenMailboxes>(&a)) {
                    check(s.parked());
                    transcript += "OPEN\n";
                    s.mailboxes_opened(backend);
                } else if (std::holds_alternative<action::StartTls>(a)) {
                    check(s.parked() && !s.tls_active());
                    transcript += "STARTTLS\n";
                    tls = true;
                    s.tls_started();
                } else if (auto* c = std::get_if<action::StartCompression>(&a)) {
                    check(s.compress_active() && s.buffered() == 0);
                    transcript += "COMPRESS\n";
                    replay += c->compressed_input;
                } else if (std::holds_alternative<action::Drain>(a)) {
                    check(s.parked());
                    s.drained();
                } else {
                    check(std::holds_alternative<action::Close>(a) && s.closed());
                    transcript += "CLOSE\n";
                    closed = true;
                }
            }
        }
        if (!s.parked() && !s.closed()) check(s.buffered() <= std::max<std::size_t>(opts.limits.max_line, 12288) + 8);
    };
    s.start();
    drain();
    std::size_t off = 0;
    Rng cuts{seed ^ 0x9E3779B9u};
    // The reader drops what follows STARTTLS; the real driver reads nothing until the handshake.
    while (off < input.size() && !s.closed() && !tls) {
        check(!s.parked());
        std::size_t n = input.size() - off;
        if (split) {
            auto x = cuts.next();
            n = std::min<std::size_t>(n, 1 + (x >> 9) % ((x & 0x100) ? 700 : 20));
        }
        s.feed(input.substr(off, n));
        off += n;
        drain();
        if (changes && !s.closed()) {
            auto pick = answers.below(8);
            auto& inbox = backend->folders.at("INBOX");
            if (pick == 0) {
                backend->add("INBOX", "Subject: new\r\n\r\nnew\r\n");
            } else if (pick == 1 && !inbox.messages.empty()) {
                backend->remove_message("INBOX", inbox.messages[answers.below(inbox.messages.size())].uid);
            } else if (pick == 2 && !inbox.messages.empty()) {
                backend->set_flags("INBOX", inbox.messages[answers.below(inbox.messages.size())].uid, {"\\Answered"});
            } else if (pick == 3) {
                backend->fail_next = static_cast<BackendError>(answers.below(9));
            }
            if (!s.parked()) {
                s.folder_changed();
                drain();
            }
        }
    }
    if (!s.closed() && !s.parked()) {
        if (end_by_shutdown) s.shutdown();
        else s.timeout();
        drain();
        check(s.closed() && transcript.find("* BYE", transcript.size() > 200 ? transcript.size() - 200 : 0) !=
                                std::string::npos);
    }
    // Closed: nothing more comes out, whatever is called.
    if (s.closed()) {
        s.feed("x NOOP\r\n");
        s.drained();
        s.folder_changed();
        s.timeout();
        check(s.take_actions().empty());
    }
    return transcript;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 6) return 0;
    SessionOptions opts;
    opts.hostname = "imap.fuzz.test";
    opts.tls_active = data[0] & 0x01;
    opts.starttls_available = data[0] & 0x02;
    opts.plaintext_auth = data[0] & 0x04;
    const bool end_by_shutdown = data[0] & 0x08;
    opts.limits.errors = 1 + (data[1] & 31u);
    opts.limits.auth_failures = 1 + (data[1] >> 5);
    opts.limits.output_batch = 1 + std::size_t{data[2]} * 64;
    opts.limits.max_line = 64 + static_cast<std::size_t>(data[0] >> 4) * 600;
    opts.limits.literal_unauthenticated = 1024;
    opts.limits.literal = 4096;
    opts.limits.append_limit = 8192;
    opts.sasl.nonce = [] { return std::string("%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"); };
    opts.sasl.fake_secret = "fuzz";
    opts.sasl.fake_iterations = 64;
    std::uint32_t seed = (std::uint32_t{data[3]} << 16 | std::uint32_t{data[4]} << 8 | data[5]) * 2654435761u;
    std::string_view input(reinterpret_cast<const char*>(data) + 6, size - 6);

    std::string whole = run(opts, input, seed, false, false, end_by_shutdown);
    std::string split = run(opts, input, seed, true, false, end_by_shutdown);
    check(whole == split);
    run(opts, input, seed, true, true, end_by_shutdown);
    return 0;
}
