// Test harness for the IMAP session: plays scripted client input against a ServerSession the
// way the network driver does (take actions, perform them, feed more only when not parked),
// in chunks of k octets, with a fresh FakeBackend per run, and records a transcript.
// run_every_chunking() asserts the transcript is the same for every chunk size.
//
// A dialog is a list of phases. Before a phase's input, its `change` (if any) mutates the
// backend as another session would, and the session is told folder_changed(). When the
// session asks for TLS, the rest of the phase is dropped (the handshake would swallow it).
// Drain actions are answered with drained() at once.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <utility>
#include <string>
#include <variant>
#include <vector>

#include "fake_backend.hpp"
#include "imap/server_session.hpp"

namespace tern::imap::session_test {

struct Transcript {
    std::vector<std::string> events;
    friend bool operator==(const Transcript&, const Transcript&) = default;
};

inline std::ostream& operator<<(std::ostream& os, const Transcript& t) {
    for (const auto& e : t.events) os << "\n  " << e;
    return os;
}

struct Phase {
    std::string input;
    std::function<void(FakeBackend&)> change;  // runs before the input, then folder_changed()
};

struct Responder {
    std::function<AuthVerdict(const action::VerifyPassword&)> password = [](const action::VerifyPassword& v) {
        if (v.user == "throttled") return AuthVerdict::Throttled;
        if (v.user == "tempfail") return AuthVerdict::TemporaryFailure;
        return v.user == "alice" && v.password == "secret" ? AuthVerdict::Ok : AuthVerdict::BadCredentials;
    };
    std::function<std::optional<sasl::ScramCredentials>(const std::string&)> scram =
        [](const std::string&) { return std::optional<sasl::ScramCredentials>(); };
    std::optional<OpenError> open_error;
    // The store the login opens; called once per run.
    std::function<std::shared_ptr<FakeBackend>()> backend = [] { return std::make_shared<FakeBackend>(); };
};

inline SessionOptions test_options() {
    SessionOptions o;
    o.hostname = "imap.example.test";
    o.tls_active = true;
    return o;
}

inline void record_reply(Transcript& t, const std::string& bytes) {
    EXPECT_GE(bytes.size(), 2u);
    EXPECT_EQ(bytes.substr(bytes.size() - 2), "\r\n");
    std::size_t start = 0;
    while (start < bytes.size()) {
        auto end = bytes.find("\r\n", start);
        if (end == std::string::npos) end = bytes.size();
        t.events.push_back("S: " + bytes.substr(start, end - start));
        start = end + 2;
    }
}

inline Transcript run_dialog(const SessionOptions& opts, const std::vector<Phase>& phases, std::size_t k,
                             const Responder& responder = {}, std::shared_ptr<FakeBackend>* keep = nullptr) {
    Transcript t;
    ServerSession s(opts);
    std::shared_ptr<FakeBackend> backend = responder.backend();
    if (keep) *keep = backend;
    bool tls_requested = false;
    bool closed_seen = false;
    std::string replay;  // handed back by StartCompression
    auto drain = [&] {
        while (true) {
            auto actions = s.take_actions();
            if (actions.empty() && !replay.empty() && !s.parked() && !s.closed()) {
                s.feed(std::exchange(replay, {}));
                continue;
            }
            if (actions.empty()) break;
            for (auto& a : actions) {
                EXPECT_FALSE(closed_seen) << "action after Close";
                if (auto* r = std::get_if<action::SendReply>(&a)) {
                    record_reply(t, r->bytes);
                } else if (auto* v = std::get_if<action::VerifyPassword>(&a)) {
                    t.events.push_back("VERIFY " + v->user + " " + v->password + " " + v->mechanism);
                    EXPECT_TRUE(s.parked());
                    s.password_verified(responder.password(*v));
                } else if (auto* l = std::get_if<action::LookupScram>(&a)) {
                    t.events.push_back("LOOKUP " + l->user);
                    s.scram_credentials(responder.scram(l->user));
                } else if (auto* at = std::get_if<action::AuthAttempt>(&a)) {
                    t.events.push_back("ATTEMPT " + at->user + " " + at->mechanism + " " +
                                       (at->success ? "ok " : "fail ") + at->reason);
                } else if (auto* o = std::get_if<action::OpenMailboxes>(&a)) {
                    t.events.push_back("OPEN " + o->user);
                    EXPECT_TRUE(s.parked());
                    if (responder.open_error) {
                        s.mailboxes_failed(*responder.open_error);
                    } else {
                        s.mailboxes_opened(backend);
                    }
                } else if (std::holds_alternative<action::StartTls>(a)) {
                    t.events.push_back("STARTTLS");
                    tls_requested = true;
                    EXPECT_TRUE(s.parked());
                    s.tls_started();
                } else if (auto* c = std::get_if<action::StartCompression>(&a)) {
                    // "Compression" is the identity here: what the session handed back is fed
                    // again once the actions are done, as the driver feeds what it inflates.
                    t.events.push_back("COMPRESS");
                    EXPECT_TRUE(s.compress_active());
                    replay += c->compressed_input;
                } else if (std::holds_alternative<action::Drain>(a)) {
                    // Not in the transcript: where batches end depends on the chunking.
                    EXPECT_TRUE(s.parked());
                    s.drained();
                } else if (std::holds_alternative<action::Close>(a)) {
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
        if (s.closed()) break;
        tls_requested = false;
        if (phase.change) {
            phase.change(*backend);
            s.folder_changed();
            drain();
        }
        for (std::size_t off = 0; off < phase.input.size() && !s.closed() && !tls_requested; off += k) {
            EXPECT_FALSE(s.parked());
            s.feed(std::string_view(phase.input).substr(off, k));
            drain();
        }
    }
    return t;
}

inline std::vector<std::size_t> chunk_sizes(std::size_t longest) {
    std::vector<std::size_t> sizes;
    if (longest <= 300) {
        for (std::size_t k = 1; k < longest; ++k) sizes.push_back(k);
    } else {
        for (std::size_t k = 1; k <= 40; ++k) sizes.push_back(k);
        for (std::size_t k : {64u, 97u, 128u, 255u, 256u, 511u, 1000u, 4093u}) {
            if (k < longest) sizes.push_back(k);
        }
    }
    return sizes;
}

inline Transcript run_every_chunking(const SessionOptions& opts, const std::vector<Phase>& phases,
                                     const Responder& responder = {}) {
    std::size_t longest = 1;
    for (const auto& p : phases) longest = std::max(longest, p.input.size());
    Transcript whole = run_dialog(opts, phases, longest, responder);
    for (std::size_t k : chunk_sizes(longest)) {
        Transcript t = run_dialog(opts, phases, k, responder);
        EXPECT_EQ(t, whole) << "chunk size " << k;
        if (t != whole) break;
    }
    return whole;
}

inline Transcript run_every_chunking(const SessionOptions& opts, const std::string& input,
                                     const Responder& responder = {}) {
    return run_every_chunking(opts, std::vector<Phase>{Phase{input, {}}}, responder);
}

inline bool has_event(const Transcript& t, const std::string& e) {
    return std::find(t.events.begin(), t.events.end(), e) != t.events.end();
}

inline bool has_prefix(const Transcript& t, const std::string& prefix) {
    return std::any_of(t.events.begin(), t.events.end(), [&](const std::string& e) { return e.rfind(prefix, 0) == 0; });
}

// The events after the "a OK [CAPABILITY ...] Logged in" of kLogin (tag "L").
inline std::vector<std::string> after_login(const Transcript& t) {
    auto it = std::find_if(t.events.begin(), t.events.end(),
                           [](const std::string& e) { return e.rfind("S: L OK [CAPABILITY", 0) == 0; });
    EXPECT_NE(it, t.events.end()) << "no login in" << t;
    return it == t.events.end() ? std::vector<std::string>{} : std::vector<std::string>(it + 1, t.events.end());
}

inline const std::string kLogin = "L LOGIN alice secret\r\n";

// A backend with INBOX holding three messages and a few folders.
inline const std::string kMsg1 =
    "From: Bob <bob@example.test>\r\nTo: alice@example.test\r\nSubject: Hello there\r\n"
    "Date: Mon, 13 Nov 2023 10:00:00 +0000\r\nMessage-ID: <1@example.test>\r\n\r\nFirst body text\r\n";
inline const std::string kMsg2 =
    "From: carol@example.test\r\nTo: alice@example.test\r\nSubject: Meeting\r\n"
    "Date: Tue, 14 Nov 2023 10:00:00 +0000\r\n\r\nLet us meet on Friday\r\n";
inline const std::string kMsg3 =
    "From: dave@example.test\r\nSubject: Report\r\nMIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: text/plain\r\n\r\npart one\r\n"
    "--XX\r\nContent-Type: text/html\r\n\r\n<p>part two</p>\r\n--XX--\r\n";

inline std::shared_ptr<FakeBackend> standard_backend() {
    auto b = std::make_shared<FakeBackend>();
    b->add("INBOX", kMsg1, {"\\Seen"}, 1'699'869'600);  // 13-Nov-2023 10:00:00
    b->add("INBOX", kMsg2, {}, 1'699'956'000);          // 14-Nov-2023 10:00:00
    b->add("INBOX", kMsg3, {"\\Flagged", "$Work"}, 1'700'042'400);  // 15-Nov-2023 10:00:00
    b->create("Archive", "\\Archive");
    b->create("Archive/2023", "");
    b->create("Sent", "\\Sent");
    b->subscribe("Sent", true);
    return b;
}

inline Responder standard() {
    Responder r;
    r.backend = standard_backend;
    return r;
}

}  // namespace tern::imap::session_test
