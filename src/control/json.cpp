// JSON forms of the queue control types (see json.hpp).
#include "control/json.hpp"

namespace tern::control {

void to_json(nlohmann::json& j, const RecipientInfo& r) {
    j = nlohmann::json{{"address", r.address},
                       {"state", r.state},
                       {"attempts", r.attempts},
                       {"next_attempt", r.next_attempt},
                       {"last_error", r.last_error}};
}

void from_json(const nlohmann::json& j, RecipientInfo& r) {
    r = RecipientInfo{};
    j.at("address").get_to(r.address);
    r.state = j.value("state", std::string());
    r.attempts = j.value("attempts", std::uint32_t{0});
    r.next_attempt = j.value("next_attempt", std::int64_t{0});
    r.last_error = j.value("last_error", std::string());
}

void to_json(nlohmann::json& j, const MessageInfo& m) {
    j = nlohmann::json{{"id", m.id},         {"arrival", m.arrival}, {"sender", m.sender},
                       {"size", m.size},     {"held", m.held},       {"recipients", m.recipients}};
}

void from_json(const nlohmann::json& j, MessageInfo& m) {
    m = MessageInfo{};
    j.at("id").get_to(m.id);
    m.arrival = j.value("arrival", std::int64_t{0});
    m.sender = j.value("sender", std::string());
    m.size = j.value("size", std::uint64_t{0});
    m.held = j.value("held", false);
    if (auto it = j.find("recipients"); it != j.end()) it->get_to(m.recipients);
}

}  // namespace tern::control
