// Test harness for the SMTP client session (RFC 5321 client side): plays a scripted server
// (its replies, split into phases at STARTTLS) against a ClientSession the way the delivery
// driver does (drain the actions, perform them, feed more), splitting the server's bytes into
// chunks of k octets.
// The transcript records what the client wrote (line by line, however the Sends were cut)
// and every other action. run_every_chunking() asserts the transcript is the same for every
// chunk size, and that every message got exactly one MessageResult.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <variant>
#include <vector>

#include "outbound/client_session.hpp"

namespace tern::outbound::test {

// Replies and a message most dialogs share.
inline const std::string kMsg = "Subject: hi\r\n\r\nhello\r\n";
inline const std::string kMailOk = "250 2.1.0 Ok\r\n";
inline const std::string kRcptOk = "250 2.1.5 Ok\r\n";
inline const std::string kGo = "354 End data with <CR><LF>.<CR><LF>\r\n";
inline const std::string kQueued = "250 2.0.0 Ok: queued as 4711\r\n";
inline const std::string kBye = "221 2.0.0 Bye\r\n";

struct Script {
    ClientOptions options = default_options();
    std::vector<MessageJob> jobs;
    bool no_more = true;
    std::vector<std::string> phases;      // server octets; a new phase after each STARTTLS
    enum class End { Nothing, Drop, Timeout } end = End::Nothing;
    TlsInfo tls{"TLSv1.3", "TLS_AES_128_GCM_SHA256"};

    static ClientOptions default_options() {
        ClientOptions o;
        o.hostname = "out.example.test";
        o.data_chunk = 7;  // many small Sends: exercises the streaming
        return o;
    }
};

struct Transcript {
    std::vector<std::string> events;  // "C: MAIL FROM:<a@b>", "STARTTLS", "CLOSE", "RESULT ..."
    std::string wire;                 // every octet the client wrote
    std::vector<MessageResult> results;
    friend bool operator==(const Transcript& a, const Transcript& b) {
        return a.events == b.events && a.wire == b.wire;
    }
};

inline std::ostream& operator<<(std::ostream& os, const Transcript& t) {
    for (const auto& e : t.events) os << "\n  " << e;
    return os;
}

inline std::string describe(const Outcome& o) {
    const char* k = o.is_ok() ? "ok" : o.is_temporary() ? "temp" : "perm";
    return std::string(k) + " " + o.str();
}

inline std::string describe(const MessageResult& r) {
    std::string s = "RESULT " + std::to_string(r.message) + (r.host_failure ? " host" : "") + " data=" +
                    describe(r.data);
    for (const auto& o : r.recipients) s += " | " + describe(o);
    return s;
}

inline Transcript run_client(const Script& script, std::size_t k) {
    Transcript t;
    ClientSession s(script.options);
    std::string partial;  // client output not yet ended by CRLF
    bool tls_requested = false;
    bool closed_seen = false;
    auto drain = [&] {
        while (true) {
            auto actions = s.take_actions();
            if (actions.empty()) break;
            for (auto& a : actions) {
                EXPECT_FALSE(closed_seen) << "action after Close";
                if (auto* send = std::get_if<Send>(&a)) {
                    EXPECT_FALSE(send->bytes.empty());
                    t.wire += send->bytes;
                    partial += send->bytes;
                    std::size_t pos;
                    while ((pos = partial.find("\r\n")) != std::string::npos) {
                        t.events.push_back("C: " + partial.substr(0, pos));
                        partial.erase(0, pos + 2);
                    }
                } else if (std::holds_alternative<StartTls>(a)) {
                    t.events.push_back("STARTTLS");
                    tls_requested = true;
                    EXPECT_TRUE(s.waiting_for_tls());
                    s.tls_started(script.tls);
                } else if (std::holds_alternative<Close>(a)) {
                    t.events.push_back("CLOSE");
                    closed_seen = true;
                    EXPECT_TRUE(s.closed());
                } else if (auto* r = std::get_if<MessageResult>(&a)) {
                    t.events.push_back(describe(*r));
                    t.results.push_back(*r);
                }
            }
        }
    };
    s.start();
    for (const auto& job : script.jobs) s.add_message(job);
    if (script.no_more) s.no_more_messages();
    drain();
    for (const auto& phase : script.phases) {
        tls_requested = false;
        for (std::size_t off = 0; off < phase.size() && !s.closed() && !tls_requested; off += k) {
            s.feed(std::string_view(phase).substr(off, k));
            drain();
            EXPECT_LE(s.buffered(), phase.size());
        }
        if (s.closed()) break;
    }
    if (!s.closed()) {
        if (script.end == Script::End::Drop) s.connection_lost();
        else if (script.end == Script::End::Timeout) s.timeout();
        drain();
    }
    if (!partial.empty()) t.events.push_back("C(partial): " + partial);
    return t;
}

inline Transcript run_every_chunking(const Script& script) {
    std::size_t longest = 1;
    for (const auto& p : script.phases) longest = std::max(longest, p.size());
    Transcript whole = run_client(script, longest);
    // Every message has exactly one result, unless the session is still open and waiting.
    std::vector<int> seen(script.jobs.size(), 0);
    for (const auto& r : whole.results) {
        EXPECT_LT(r.message, script.jobs.size());
        if (r.message < seen.size()) {
            ++seen[r.message];
            EXPECT_EQ(r.recipients.size(), script.jobs[r.message].recipients.size());
        }
    }
    for (int n : seen) EXPECT_LE(n, 1);
    std::size_t limit = std::min<std::size_t>(longest, 400);
    for (std::size_t k = 1; k < limit; ++k) {
        Transcript t = run_client(script, k);
        EXPECT_EQ(t, whole) << "chunk size " << k;
        if (!(t == whole)) break;
    }
    return whole;
}

inline MessageJob job(std::string from, std::vector<std::string> rcpts, std::string_view data) {
    MessageJob j;
    j.mail_from = std::move(from);
    for (auto& r : rcpts) j.recipients.push_back(EnvelopeRecipient{std::move(r), 0, ""});
    j.data = data;
    return j;
}

inline bool has_event(const Transcript& t, const std::string& e) {
    return std::find(t.events.begin(), t.events.end(), e) != t.events.end();
}

inline std::vector<std::string> client_lines(const Transcript& t) {
    std::vector<std::string> out;
    for (const auto& e : t.events) {
        if (e.rfind("C: ", 0) == 0) out.push_back(e.substr(3));
    }
    return out;
}

// EHLO replies used by the tests.
inline const std::string kGreeting = "220 mx.remote.test ESMTP\r\n";
inline const std::string kEhloPlain = "250-mx.remote.test\r\n250-SIZE 1000\r\n250-8BITMIME\r\n250 ENHANCEDSTATUSCODES\r\n";
inline const std::string kEhloPipe =
    "250-mx.remote.test hello\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250-8BITMIME\r\n250-DSN\r\n"
    "250-SMTPUTF8\r\n250 ENHANCEDSTATUSCODES\r\n";

}  // namespace tern::outbound::test
