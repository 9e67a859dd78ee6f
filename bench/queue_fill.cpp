// bench/queue_fill DIR COUNT: puts COUNT messages, each with one remote recipient already
// deferred for a day, into the spool at DIR (what a server that cannot reach a big destination
// accumulates). Used by bench/large_queue.py to measure start-up and reception with a large queue.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/clock.hpp"
#include "queue/spool.hpp"

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: queue_fill DIR COUNT\n");
        return 2;
    }
    tern::queue::Spool::Options o;
    o.dir = argv[1];
    std::string error;
    auto spool = tern::queue::Spool::open(o, error);
    if (!spool) {
        std::fprintf(stderr, "queue_fill: %s\n", error.c_str());
        return 1;
    }
    long count = std::atol(argv[2]);
    std::int64_t now = tern::unix_now();
    std::string body = "Subject: queued\r\n\r\n" + std::string(1000, 'x') + "\r\n";
    long failed = 0;
    for (long i = 0; i < count; ++i) {
        tern::Envelope env;
        env.mail_from = "sender@example.test";
        env.recipients.push_back({"rcpt" + std::to_string(i % 1000) + "@unreachable.test", 0, ""});
        env.received_at = now;
        env.helo = "fill";
        env.client_address = "127.0.0.1";
        spool->commit(std::move(env), {}, body, [&spool, now, &failed](tern::queue::CommitResult r) {
            if (!r.outcome.is_ok()) {
                ++failed;
                return;
            }
            tern::queue::RecipientState st;
            st.status = tern::queue::RecipientStatus::Deferred;
            st.attempts = 1;
            st.next_attempt = now + 86400;
            st.last_error = "451 4.4.1 connect: Connection refused";
            spool->update(r.id, 0, st);
        });
    }
    spool->flush();
    spool->close();
    if (failed) std::fprintf(stderr, "queue_fill: %ld commits failed\n", failed);
    return failed ? 1 : 0;
}
