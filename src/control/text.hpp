// Human-readable rendering of the queue for `tern queue list` and `tern queue show`. Pure
// functions of the data and `now` (unix seconds), so tests fix the clock. Control bytes in
// text that came from outside (addresses, a remote server's error reply) are shown as '?', so
// that nothing in the queue can drive the administrator's terminal.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "control/queue_control.hpp"

namespace tern::control {

// "42s", "3m", "2h", "4d" (rounded down; negative counts as 0).
std::string format_duration(std::int64_t seconds);
// When a recipient is tried next: "now" (0 or past), "in 4m"; "-" for a final state.
std::string format_next_attempt(const RecipientInfo& r, std::int64_t now);
// "2023-11-14T22:13:20Z"; "-" for 0.
std::string format_time(std::int64_t unix_seconds);
// "1 deferred, 1 delivered, 1 pending"-style counts in a fixed order (pending, deferred,
// delivered, failed), prefixed with "held; " when held.
std::string summarize_states(const MessageInfo& m);
// "<>" for the null sender, else the address.
std::string format_sender(std::string_view sender);
// Replaces control bytes (< 0x20, 0x7f) with '?'.
std::string printable(std::string_view text);

// The `list` table: a header line, per message one line (id, age, size, sender, state summary)
// followed by one indented line per recipient, and a closing count. "queue is empty\n" when
// there is nothing.
std::string render_list(const std::vector<MessageInfo>& messages, std::int64_t now);
// Every field of one message, one per line.
std::string render_message(const MessageInfo& m, std::int64_t now);

}  // namespace tern::control
