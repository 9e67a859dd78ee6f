// The control protocol without sockets: every command, and every way a request can be wrong.
#include "control/protocol.hpp"

#include <gtest/gtest.h>

#include "control/json.hpp"
#include "control/fake_queue_control.hpp"

using namespace tern::control;
using nlohmann::json;
using tern::test::FakeQueueControl;

namespace {

json ask(FakeQueueControl& c, std::string_view line) { return handle_control_line(c, line); }

void expect_error(const json& r, std::string_view fragment) {
    EXPECT_EQ(r["ok"], false) << r.dump();
    ASSERT_TRUE(r["error"].is_string()) << r.dump();
    EXPECT_NE(r["error"].get<std::string>().find(fragment), std::string::npos) << r.dump();
}

}  // namespace

TEST(ControlProtocol, List) {
    FakeQueueControl c;
    auto r = ask(c, R"({"cmd":"list"})" "\n");
    EXPECT_EQ(r["ok"], true);
    ASSERT_EQ(r["messages"].size(), 2u);
    auto m = r["messages"][0].get<MessageInfo>();
    EXPECT_EQ(m.id, "00000001-00000040");
    EXPECT_EQ(m.recipients[0].last_error, "451 4.4.1 refused");
    EXPECT_EQ(r["messages"][1]["held"], true);
}

TEST(ControlProtocol, Show) {
    FakeQueueControl c;
    auto r = ask(c, R"({"cmd":"show","id":"00000001-00000400"})");
    EXPECT_EQ(r["ok"], true);
    EXPECT_EQ(r["message"]["id"], "00000001-00000400");
    EXPECT_EQ(r["message"]["sender"], "");
    expect_error(ask(c, R"({"cmd":"show","id":"ffffffff-00000040"})"),
                 "no such message: ffffffff-00000040");
}

TEST(ControlProtocol, Flush) {
    FakeQueueControl c;
    EXPECT_EQ(ask(c, R"({"cmd":"flush"})"), (json{{"ok", true}, {"count", 1}}));  // one is held
    EXPECT_EQ(ask(c, R"({"cmd":"flush","id":null})")["count"], 1);
    EXPECT_EQ(ask(c, R"({"cmd":"flush","id":"00000001-00000040"})")["count"], 1);
    EXPECT_EQ(ask(c, R"({"cmd":"flush","id":"00000001-00000400"})")["count"], 0);
    expect_error(ask(c, R"({"cmd":"flush","id":"nope"})"), "no such message: nope");
    EXPECT_EQ(c.calls_made().back(), "show nope");  // unknown: flush itself never called
    expect_error(ask(c, R"({"cmd":"flush","id":5})"), "\"id\" must be a non-empty string");
}

TEST(ControlProtocol, DeleteHoldRelease) {
    FakeQueueControl c;
    const std::string id = "00000001-00000040";
    EXPECT_EQ(ask(c, R"({"cmd":"hold","id":")" + id + "\"}"), (json{{"ok", true}, {"count", 1}}));
    EXPECT_TRUE(c.messages[id].held);
    EXPECT_EQ(ask(c, R"({"cmd":"release","id":")" + id + "\"}")["ok"], true);
    EXPECT_FALSE(c.messages[id].held);
    EXPECT_EQ(ask(c, R"({"cmd":"delete","id":")" + id + "\"}")["ok"], true);
    EXPECT_EQ(c.messages.count(id), 0u);
    for (const char* cmd : {"delete", "hold", "release", "show"})
        expect_error(ask(c, std::string(R"({"cmd":")") + cmd + R"(","id":")" + id + "\"}"),
                     "no such message: " + id);
}

TEST(ControlProtocol, MalformedRequests) {
    FakeQueueControl c;
    expect_error(ask(c, ""), "not valid JSON");
    expect_error(ask(c, "\n"), "not valid JSON");
    expect_error(ask(c, "{\"cmd\":\"list\""), "not valid JSON");
    expect_error(ask(c, "list"), "not valid JSON");
    expect_error(ask(c, "[\"list\"]"), "must be a JSON object");
    expect_error(ask(c, "42"), "must be a JSON object");
    expect_error(ask(c, "{}"), "needs a string \"cmd\"");
    expect_error(ask(c, R"({"cmd":1})"), "needs a string \"cmd\"");
    expect_error(ask(c, R"({"cmd":"purge"})"), "unknown command \"purge\"");
    expect_error(ask(c, R"({"cmd":"show"})"), "missing \"id\"");
    expect_error(ask(c, R"({"cmd":"delete","id":""})"), "non-empty string");
    expect_error(ask(c, R"({"cmd":"hold","id":["a"]})"), "non-empty string");
    expect_error(ask(c, "{\"cmd\":\"list\"}\n{\"cmd\":\"list\"}"), "not valid JSON");
    // Invalid UTF-8 inside a string: refused by the parser, not a crash.
    expect_error(ask(c, "{\"cmd\":\"show\",\"id\":\"\xff\xfe\"}"), "not valid JSON");
    EXPECT_TRUE(c.calls_made().empty());
    // Unknown members are ignored; CRLF is accepted.
    EXPECT_EQ(ask(c, "{\"cmd\":\"list\",\"verbose\":true}\r\n")["ok"], true);
}

TEST(ControlProtocol, AThrowingControlBecomesAnError) {
    FakeQueueControl c;
    c.throw_on_list = true;
    expect_error(ask(c, R"({"cmd":"list"})"), "internal error: spool on fire");
}
