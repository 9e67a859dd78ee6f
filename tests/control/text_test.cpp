// The human-readable queue listing and message view, with a fixed clock (golden strings).
#include "control/text.hpp"

#include <gtest/gtest.h>

using namespace tern::control;

namespace {

constexpr std::int64_t kNow = 1700000000;

MessageInfo deferred_message() {
    MessageInfo m;
    m.id = "0000002a-00013f40";
    m.arrival = kNow - 180;
    m.sender = "alice@example.test";
    m.size = 1234;
    m.recipients = {{"bob@example.org", "deferred", 3, kNow + 240, "451 4.4.1 mx.example.org: refused"},
                    {"carol@example.test", "delivered", 1, 0, ""},
                    {"dan@example.net", "pending", 0, 0, ""}};
    return m;
}

MessageInfo held_bounce() {
    MessageInfo m;
    m.id = "0000002b-00000040";
    m.arrival = kNow - 4 * 86400 - 5;
    m.sender = "";
    m.size = 99;
    m.held = true;
    m.recipients = {{"erin@example.org", "deferred", 12, kNow - 10, "421 4.7.0 go\x1b[31maway\r\n"}};
    return m;
}

}  // namespace

TEST(ControlText, Durations) {
    EXPECT_EQ(format_duration(-5), "0s");
    EXPECT_EQ(format_duration(0), "0s");
    EXPECT_EQ(format_duration(59), "59s");
    EXPECT_EQ(format_duration(60), "1m");
    EXPECT_EQ(format_duration(3599), "59m");
    EXPECT_EQ(format_duration(7200), "2h");
    EXPECT_EQ(format_duration(86399), "23h");
    EXPECT_EQ(format_duration(4 * 86400 + 100), "4d");
}

TEST(ControlText, NextAttemptAndTimes) {
    RecipientInfo r{"a@b", "deferred", 1, kNow + 240, ""};
    EXPECT_EQ(format_next_attempt(r, kNow), "in 4m");
    r.next_attempt = 0;
    EXPECT_EQ(format_next_attempt(r, kNow), "now");
    r.next_attempt = kNow - 1;
    EXPECT_EQ(format_next_attempt(r, kNow), "now");
    r.state = "failed";
    EXPECT_EQ(format_next_attempt(r, kNow), "-");
    EXPECT_EQ(format_time(1700000000), "2023-11-14T22:13:20Z");
    EXPECT_EQ(format_time(0), "-");
}

TEST(ControlText, Summaries) {
    EXPECT_EQ(summarize_states(deferred_message()), "1 pending, 1 deferred, 1 delivered");
    EXPECT_EQ(summarize_states(held_bounce()), "held; 1 deferred");
    MessageInfo odd;
    odd.recipients = {{"a@b", "quarantined", 0, 0, ""}, {"c@d", "failed", 0, 0, ""}};
    EXPECT_EQ(summarize_states(odd), "1 failed, 1 quarantined");
    EXPECT_EQ(summarize_states(MessageInfo{}), "no recipients");
    EXPECT_EQ(format_sender(""), "<>");
    EXPECT_EQ(printable("a\x1b[2Jb\r\n\x7f"), "a?[2Jb???");
}

TEST(ControlText, EmptyList) { EXPECT_EQ(render_list({}, kNow), "queue is empty\n"); }

TEST(ControlText, ListGolden) {
    EXPECT_EQ(render_list({deferred_message(), held_bounce()}, kNow),
              "ID                 AGE  SIZE  SENDER              STATE\n"
              "0000002a-00013f40  3m   1234  alice@example.test  1 pending, 1 deferred, 1 delivered\n"
              "    bob@example.org  deferred  3 attempts  next in 4m  last error: 451 4.4.1 mx.example.org: refused\n"
              "    carol@example.test  delivered  1 attempt\n"
              "    dan@example.net  pending  0 attempts  next now\n"
              "0000002b-00000040  4d   99    <>                  held; 1 deferred\n"
              "    erin@example.org  deferred  12 attempts  next now  last error: 421 4.7.0 go?[31maway??\n"
              "-- 2 messages, 1333 bytes, 1 held\n");
}

TEST(ControlText, MessageGolden) {
    EXPECT_EQ(render_message(deferred_message(), kNow),
              "id:         0000002a-00013f40\n"
              "arrival:    2023-11-14T22:10:20Z (3m ago)\n"
              "sender:     alice@example.test\n"
              "size:       1234 bytes\n"
              "held:       no\n"
              "state:      1 pending, 1 deferred, 1 delivered\n"
              "recipients: 3\n"
              "  bob@example.org\n"
              "    state:        deferred\n"
              "    attempts:     3\n"
              "    next:         2023-11-14T22:17:20Z (in 4m)\n"
              "    last error:   451 4.4.1 mx.example.org: refused\n"
              "  carol@example.test\n"
              "    state:        delivered\n"
              "    attempts:     1\n"
              "    next:         -\n"
              "    last error:   -\n"
              "  dan@example.net\n"
              "    state:        pending\n"
              "    attempts:     0\n"
              "    next:         now\n"
              "    last error:   -\n");
    std::string held = render_message(held_bounce(), kNow);
    EXPECT_NE(held.find("sender:     <>\n"), std::string::npos) << held;
    EXPECT_NE(held.find("held:       yes"), std::string::npos) << held;
    EXPECT_EQ(held.find('\x1b'), std::string::npos);
}
