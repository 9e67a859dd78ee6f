// JSON forms of MessageInfo and RecipientInfo, as the control socket and `tern queue --json`
// show them. Times are unix seconds; field names are the struct's.
//
//   {"id":"0000002a-00013f40","arrival":1700000000,"sender":"alice@example.test","size":1234,
//    "held":false,"recipients":[{"address":"bob@example.org","state":"deferred","attempts":3,
//    "next_attempt":1700000600,"last_error":"451 4.4.1 connection refused"}]}
//
// from_json is lenient about what may be absent (everything but "id" and "address" defaults)
// and strict about types (nlohmann::json::type_error when a field has the wrong one).
#pragma once

#include <nlohmann/json.hpp>

#include "control/queue_control.hpp"

namespace tern::control {

void to_json(nlohmann::json& j, const RecipientInfo& r);
void from_json(const nlohmann::json& j, RecipientInfo& r);
void to_json(nlohmann::json& j, const MessageInfo& m);
void from_json(const nlohmann::json& j, MessageInfo& m);

}  // namespace tern::control
