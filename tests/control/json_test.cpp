// JSON forms of MessageInfo / RecipientInfo: round trips, field names, leniency about absent
// fields, strictness about types.
#include "control/json.hpp"

#include <gtest/gtest.h>

using namespace tern::control;
using nlohmann::json;

namespace {

MessageInfo sample() {
    MessageInfo m;
    m.id = "0000002a-00013f40";
    m.arrival = 1700000000;
    m.sender = "alice@example.test";
    m.size = 123456789012ull;
    m.held = true;
    m.recipients = {{"bob@example.org", "deferred", 3, 1700000600, "451 4.4.1 mx: refused"},
                    {"ünïcode@example.test", "pending", 0, 0, ""}};
    return m;
}

void expect_equal(const MessageInfo& a, const MessageInfo& b) {
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.arrival, b.arrival);
    EXPECT_EQ(a.sender, b.sender);
    EXPECT_EQ(a.size, b.size);
    EXPECT_EQ(a.held, b.held);
    ASSERT_EQ(a.recipients.size(), b.recipients.size());
    for (std::size_t i = 0; i < a.recipients.size(); ++i) {
        EXPECT_EQ(a.recipients[i].address, b.recipients[i].address);
        EXPECT_EQ(a.recipients[i].state, b.recipients[i].state);
        EXPECT_EQ(a.recipients[i].attempts, b.recipients[i].attempts);
        EXPECT_EQ(a.recipients[i].next_attempt, b.recipients[i].next_attempt);
        EXPECT_EQ(a.recipients[i].last_error, b.recipients[i].last_error);
    }
}

}  // namespace

TEST(ControlJson, RoundTripThroughText) {
    MessageInfo m = sample();
    std::string text = json(m).dump();
    auto back = json::parse(text).get<MessageInfo>();
    expect_equal(m, back);
}

TEST(ControlJson, FieldNamesAndTypes) {
    json j = sample();
    EXPECT_EQ(j["id"], "0000002a-00013f40");
    EXPECT_EQ(j["arrival"], 1700000000);  // unix seconds, a number
    EXPECT_EQ(j["sender"], "alice@example.test");
    EXPECT_EQ(j["size"], 123456789012ull);
    EXPECT_EQ(j["held"], true);
    ASSERT_TRUE(j["recipients"].is_array());
    EXPECT_EQ(j["recipients"][0],
              (json{{"address", "bob@example.org"}, {"state", "deferred"}, {"attempts", 3},
                    {"next_attempt", 1700000600}, {"last_error", "451 4.4.1 mx: refused"}}));
    EXPECT_EQ(j.size(), 6u);
}

TEST(ControlJson, NullSenderIsEmptyString) {
    MessageInfo m = sample();
    m.sender = "";
    EXPECT_EQ(json(m)["sender"], "");
}

TEST(ControlJson, AbsentFieldsDefaultButIdIsRequired) {
    auto m = json::parse(R"({"id":"x","recipients":[{"address":"a@b"}]})").get<MessageInfo>();
    EXPECT_EQ(m.id, "x");
    EXPECT_EQ(m.arrival, 0);
    EXPECT_FALSE(m.held);
    ASSERT_EQ(m.recipients.size(), 1u);
    EXPECT_EQ(m.recipients[0].address, "a@b");
    EXPECT_EQ(m.recipients[0].attempts, 0u);
    EXPECT_THROW(json::parse(R"({"sender":"a@b"})").get<MessageInfo>(), json::exception);
    EXPECT_THROW(json::parse(R"({"id":"x","recipients":[{}]})").get<MessageInfo>(), json::exception);
    EXPECT_THROW(json::parse(R"({"id":"x","held":"yes"})").get<MessageInfo>(), json::exception);
    EXPECT_THROW(json::parse(R"({"id":7})").get<MessageInfo>(), json::exception);
}
