// Test harness for the SMTP session: plays a scripted client input against a ServerSession
// the way the network driver does (take actions, perform them, feed more only when not
// parked), splitting the input into chunks of k octets, and records everything the session
// did as a transcript. run_every_chunking() asserts that the transcript is the same for every
// chunk size: the parse must never depend on how the bytes arrive.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <string>
#include <variant>
#include <vector>

#include "smtp/server_session.hpp"

namespace tern::smtp::test {

struct Transcript {
    // "S: 250 2.1.0 Sender OK", "CHECK x", "SENDER x", "COMMIT", "STARTTLS", "CLOSE",
    // "VERIFY user password MECH", "LOOKUP user", "ATTEMPT user MECH ok|fail reason"
    std::vector<std::string> events;
    std::vector<CommitMessage> commits;
    friend bool operator==(const Transcript& a, const Transcript& b) {
        if (a.events != b.events || a.commits.size() != b.commits.size()) return false;
        for (std::size_t i = 0; i < a.commits.size(); ++i) {
            if (a.commits[i].data != b.commits[i].data) return false;
        }
        return true;
    }
};

inline std::ostream& operator<<(std::ostream& os, const Transcript& t) {
    for (const auto& e : t.events) os << "\n  " << e;
    return os;
}

// Default answers: a recipient containing "unknown" is refused permanently, one containing
// "tempfail" temporarily; everything else is accepted. Every commit succeeds.
struct Responder {
    std::function<Outcome(const std::string&)> recipient = [](const std::string& a) {
        if (a.find("unknown") != std::string::npos) return Outcome::permanent("5.1.1", "No such user");
        if (a.find("tempfail") != std::string::npos) return Outcome::temporary("4.2.1", "Try later", 450);
        return Outcome::ok();
    };
    std::function<Outcome(const CommitMessage&)> commit = [](const CommitMessage&) {
        return Outcome::ok("Queued as Q1");
    };
    TlsInfo tls{"TLSv1.3", "TLS_AES_128_GCM_SHA256"};
    // A sender containing "forged" is refused (553 5.7.1), one containing "tempfail" 451.
    std::function<Outcome(const std::string&)> sender = [](const std::string& a) {
        if (a.find("forged") != std::string::npos) {
            return Outcome::permanent("5.7.1", "Sender address not owned by user", 553);
        }
        if (a.find("tempfail") != std::string::npos) return Outcome::temporary("4.3.0", "Try later");
        return Outcome::ok();
    };
    // alice@example.test / "secret" is valid; user "throttled" is throttled, "tempfail" gets a
    // temporary failure; everything else is bad credentials.
    std::function<AuthVerdict(const VerifyPassword&)> password = [](const VerifyPassword& v) {
        if (v.user == "throttled") return AuthVerdict::Throttled;
        if (v.user == "tempfail") return AuthVerdict::TemporaryFailure;
        return v.user == "alice@example.test" && v.password == "secret" ? AuthVerdict::Ok
                                                                         : AuthVerdict::BadCredentials;
    };
    // The SCRAM secret: set by tests that use SCRAM; nullopt = unknown user.
    std::function<std::optional<sasl::ScramCredentials>(const std::string&)> scram =
        [](const std::string&) { return std::optional<sasl::ScramCredentials>(); };
    AuthVerdict scram_verdict = AuthVerdict::Ok;
};

inline SessionOptions test_options() {
    SessionOptions o;
    o.hostname = "mx.example.test";
    return o;
}

inline PeerInfo test_peer() { return PeerInfo{"192.0.2.7", 40000}; }

// Plays `phases` (the input before and after each STARTTLS) in chunks of `k` octets. When the
// session asks for TLS, the rest of the current phase is dropped — in real life those
// plaintext octets would be swallowed by the TLS handshake — and the next phase starts.
inline Transcript run_dialog(const SessionOptions& opts, const std::vector<std::string>& phases,
                             std::size_t k, const Responder& responder = {}) {
    Transcript t;
    ServerSession s(opts, test_peer());
    bool tls_requested = false;
    bool closed_seen = false;
    auto drain = [&] {
        while (true) {
            auto actions = s.take_actions();
            if (actions.empty()) break;
            for (auto& a : actions) {
                EXPECT_FALSE(closed_seen) << "action after Close";
                if (auto* r = std::get_if<SendReply>(&a)) {
                    EXPECT_GE(r->bytes.size(), 2u);
                    EXPECT_EQ(r->bytes.substr(r->bytes.size() - 2), "\r\n");
                    std::size_t start = 0;
                    while (start < r->bytes.size()) {
                        auto end = r->bytes.find("\r\n", start);
                        t.events.push_back("S: " + r->bytes.substr(start, end - start));
                        start = end + 2;
                    }
                } else if (auto* v = std::get_if<VerifyPassword>(&a)) {
                    t.events.push_back("VERIFY " + v->user + " " + v->password + " " + v->mechanism);
                    EXPECT_TRUE(s.parked());
                    s.password_verified(responder.password(*v));
                } else if (auto* l = std::get_if<LookupScram>(&a)) {
                    t.events.push_back("LOOKUP " + l->user);
                    EXPECT_TRUE(s.parked());
                    s.scram_credentials(responder.scram(l->user), responder.scram_verdict);
                } else if (auto* at = std::get_if<AuthAttempt>(&a)) {
                    t.events.push_back("ATTEMPT " + at->user + " " + at->mechanism + " " +
                                       (at->success ? "ok " : "fail ") + at->reason);
                    EXPECT_EQ(at->success, s.authenticated());
                } else if (auto* sc = std::get_if<CheckSender>(&a)) {
                    t.events.push_back("SENDER " + sc->address);
                    EXPECT_TRUE(s.parked());
                    s.sender_checked(responder.sender(sc->address));
                } else if (auto* c = std::get_if<CheckRecipient>(&a)) {
                    t.events.push_back("CHECK " + c->address);
                    EXPECT_TRUE(s.parked());
                    s.recipient_checked(responder.recipient(c->address));
                } else if (auto* m = std::get_if<CommitMessage>(&a)) {
                    t.events.push_back("COMMIT");
                    t.commits.push_back(*m);
                    EXPECT_TRUE(s.parked());
                    s.message_committed(responder.commit(*m));
                } else if (std::holds_alternative<StartTls>(a)) {
                    t.events.push_back("STARTTLS");
                    tls_requested = true;
                    s.tls_started(responder.tls);
                } else if (std::holds_alternative<Close>(a)) {
                    t.events.push_back("CLOSE");
                    closed_seen = true;
                }
            }
        }
    };
    s.start();
    drain();
    for (const auto& phase : phases) {
        tls_requested = false;
        for (std::size_t off = 0; off < phase.size() && !s.closed() && !tls_requested; off += k) {
            EXPECT_FALSE(s.parked());
            s.feed(std::string_view(phase).substr(off, k));
            if (!s.parked()) {
                // The buffer stays bounded while looking for a line end.
                EXPECT_LE(s.buffered(), s.line_limit() + k);
                EXPECT_LE(s.line_limit(), std::max(opts.limits.command_line, kAuthLineLimit));
            }
            drain();
        }
        if (s.closed()) break;
    }
    return t;
}

// Runs the dialog at every chunk size 1..N (N = longest phase; for long inputs a spread of
// sizes) and checks every transcript equals the one-write transcript, which it returns.
inline Transcript run_every_chunking(const SessionOptions& opts, const std::vector<std::string>& phases,
                                     const Responder& responder = {}) {
    std::size_t longest = 1;
    for (const auto& p : phases) longest = std::max(longest, p.size());
    Transcript whole = run_dialog(opts, phases, longest, responder);
    std::vector<std::size_t> sizes;
    if (longest <= 600) {
        for (std::size_t k = 1; k < longest; ++k) sizes.push_back(k);
    } else {
        for (std::size_t k = 1; k <= 64; ++k) sizes.push_back(k);
        for (std::size_t k : {97u, 128u, 255u, 256u, 511u, 512u, 513u, 1000u, 1024u, 4093u}) {
            if (k < longest) sizes.push_back(k);
        }
    }
    for (std::size_t k : sizes) {
        Transcript t = run_dialog(opts, phases, k, responder);
        EXPECT_EQ(t, whole) << "chunk size " << k;
        if (t != whole) break;  // one failure report is enough
    }
    return whole;
}

inline Transcript run_every_chunking(const SessionOptions& opts, const std::string& input,
                                     const Responder& responder = {}) {
    return run_every_chunking(opts, std::vector<std::string>{input}, responder);
}

inline bool has_event(const Transcript& t, const std::string& e) {
    return std::find(t.events.begin(), t.events.end(), e) != t.events.end();
}

inline std::size_t count_prefix(const Transcript& t, const std::string& prefix) {
    return static_cast<std::size_t>(std::count_if(t.events.begin(), t.events.end(), [&](const std::string& e) {
        return e.rfind(prefix, 0) == 0;
    }));
}

// The events after the greeting and the EHLO reply.
inline std::vector<std::string> after_ehlo(const Transcript& t) {
    std::vector<std::string> out;
    bool seen = false;
    for (const auto& e : t.events) {
        if (seen) out.push_back(e);
        else if (e.rfind("S: 250 ", 0) == 0 && e.find(" 2.") == std::string::npos) seen = true;
    }
    return out;
}

inline const std::string kEhlo = "EHLO client.example.test\r\n";

}  // namespace tern::smtp::test
