// The control socket protocol: one request line in, one response line out, both JSON.
//
//   {"cmd":"list"}                      -> {"ok":true,"messages":[MessageInfo...]}
//   {"cmd":"show","id":"ID"}            -> {"ok":true,"message":MessageInfo}
//   {"cmd":"flush"}                     -> {"ok":true,"count":N}  (every message)
//   {"cmd":"flush","id":"ID"}           -> {"ok":true,"count":N}  (N = 0 when it is on hold)
//   {"cmd":"delete","id":"ID"}          -> {"ok":true,"count":1}
//   {"cmd":"hold","id":"ID"}            -> {"ok":true,"count":1}
//   {"cmd":"release","id":"ID"}         -> {"ok":true,"count":1}
//   any failure                         -> {"ok":false,"error":"no such message: ID"} etc.
//
// MessageInfo as in control/json.hpp. Lines end in "\n"; a request is at most kMaxRequestLine
// bytes including it. Unknown members of a request are ignored (room to grow); a request that
// is not a JSON object, names no or an unknown "cmd", or lacks a needed string "id" gets
// ok:false with an error saying which. This file does no I/O: the server (control_server.hpp)
// and the offline CLI path both answer through handle_control_request / handle_control_line.
#pragma once

#include <cstddef>
#include <string_view>

#include <nlohmann/json.hpp>

#include "control/queue_control.hpp"

namespace tern::control {

inline constexpr std::size_t kMaxRequestLine = 4096;

// Answers one request. Never throws: a QueueControl that throws becomes ok:false.
nlohmann::json handle_control_request(QueueControl& control, const nlohmann::json& request);
// The same for a request line (without or with its "\n"); malformed JSON becomes ok:false.
nlohmann::json handle_control_line(QueueControl& control, std::string_view request_line);

// {"ok":false,"error":message}
nlohmann::json control_error(std::string message);

}  // namespace tern::control
