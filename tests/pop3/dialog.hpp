// Test harness for the POP3 session: plays a scripted client input against a ServerSession
// the way the network driver does (take actions, perform them, feed more only when not
// parked), splitting the input into chunks of k octets, and records everything the session
// did as a transcript. run_every_chunking() asserts that the transcript is the same for every
// chunk size: the parse must never depend on how the bytes arrive.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "pop3/server_session.hpp"

namespace tern::pop3::test {

struct Transcript {
    // "S: +OK ...", one event per reply line; "VERIFY user password MECH", "LOOKUP user",
    // "ATTEMPT user MECH ok|fail reason", "OPEN user", "READ index" / "READ index top n",
    // "COMMIT 0,2", "STLS", "CLOSE".
    std::vector<std::string> events;
    friend bool operator==(const Transcript&, const Transcript&) = default;
};

inline std::ostream& operator<<(std::ostream& os, const Transcript& t) {
    for (const auto& e : t.events) os << "\n  " << e;
    return os;
}

// The default maildrop of alice@example.test: three messages.
inline std::vector<MessageInfo> default_listing() {
    return {{"uid-one", 30}, {"uid-two", 45}, {"uid-three", 12}};
}

inline const std::vector<std::string> kDefaultMessages = {
    "Subject: one\n\nfirst body\n",
    "Subject: two\nFrom: b@example.test\n\nline 1\n.dotted\nline 3\n",
    "Subject: three\r\n\r\nthird\r\n",
};

struct Responder {
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
    std::function<MaildropResult(const std::string&)> maildrop = [](const std::string&) {
        return MaildropResult(default_listing());
    };
    std::function<std::optional<std::string>(const ReadMessage&)> message = [](const ReadMessage& r) {
        return r.index < kDefaultMessages.size() ? std::optional<std::string>(kDefaultMessages[r.index]) : std::nullopt;
    };
    std::function<bool(const CommitDeletes&)> commit = [](const CommitDeletes&) { return true; };
};

inline SessionOptions test_options() {
    SessionOptions o;
    o.hostname = "pop.example.test";
    o.tls_active = true;
    return o;
}

inline std::string join(const std::vector<std::size_t>& v) {
    std::string out;
    for (auto i : v) out += (out.empty() ? "" : ",") + std::to_string(i);
    return out;
}

// Plays `phases` (the input before and after each STLS) in chunks of `k` octets. When the
// session asks for TLS, the rest of the current phase is dropped — in real life those
// plaintext octets would be swallowed by the TLS handshake — and the next phase starts.
inline Transcript run_dialog(const SessionOptions& opts, const std::vector<std::string>& phases, std::size_t k,
                             const Responder& responder = {}) {
    Transcript t;
    ServerSession s(opts);
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
                } else if (auto* o = std::get_if<OpenMaildrop>(&a)) {
                    t.events.push_back("OPEN " + o->user);
                    EXPECT_TRUE(s.parked());
                    s.maildrop_opened(responder.maildrop(o->user));
                } else if (auto* m = std::get_if<ReadMessage>(&a)) {
                    t.events.push_back("READ " + std::to_string(m->index) +
                                       (m->top ? " top " + std::to_string(*m->top) : std::string()));
                    EXPECT_TRUE(s.parked());
                    s.message_read(responder.message(*m));
                } else if (auto* c = std::get_if<CommitDeletes>(&a)) {
                    t.events.push_back("COMMIT " + join(c->indexes));
                    EXPECT_TRUE(s.parked());
                    EXPECT_EQ(s.phase(), Phase::Update);
                    s.update_done(responder.commit(*c));
                } else if (std::holds_alternative<StartTls>(a)) {
                    t.events.push_back("STLS");
                    tls_requested = true;
                    EXPECT_TRUE(s.parked());
                    s.tls_started();
                } else if (std::holds_alternative<Close>(a)) {
                    t.events.push_back("CLOSE");
                    closed_seen = true;
                    EXPECT_TRUE(s.closed());
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
        for (std::size_t k : {97u, 128u, 254u, 255u, 256u, 511u, 512u, 1000u, 1031u, 4093u}) {
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

// The events after the greeting.
inline std::vector<std::string> after_greeting(const Transcript& t) {
    return t.events.empty() ? t.events : std::vector<std::string>(t.events.begin() + 1, t.events.end());
}

// The events after the login's "+OK Maildrop ready" reply.
inline std::vector<std::string> after_login(const Transcript& t) {
    auto it = std::find_if(t.events.begin(), t.events.end(),
                           [](const std::string& e) { return e.rfind("S: +OK Maildrop ready", 0) == 0; });
    EXPECT_NE(it, t.events.end()) << "no login in" << t;
    return it == t.events.end() ? std::vector<std::string>{} : std::vector<std::string>(it + 1, t.events.end());
}

inline std::vector<std::string> concat_events(const std::vector<std::string>& a, const std::vector<std::string>& b) {
    std::vector<std::string> out = a;
    out.insert(out.end(), b.begin(), b.end());
    return out;
}

inline const std::string kLogin = "USER alice@example.test\r\nPASS secret\r\n";
inline const std::vector<std::string> kLoginEvents = {
    "S: +OK pop.example.test POP3 ready",
    "S: +OK Send PASS",
    "VERIFY alice@example.test secret USER",
    "ATTEMPT alice@example.test USER ok ok",
    "OPEN alice@example.test",
    "S: +OK Maildrop ready, 3 messages (87 octets)",
};

}  // namespace tern::pop3::test
