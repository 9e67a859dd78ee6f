// `tern queue list|show|flush|delete|hold|release`: inspecting and managing the mail queue.
//
// Each command first asks the running server through its control socket
// (<data_dir>/control.sock, control/protocol.hpp). When nothing listens there, it opens the
// spool (<data_dir>/queue) itself — possible only while no server runs, since the server holds
// the spool's lock — and answers through the same protocol code (SpoolQueueControl), so both
// paths behave alike. A server that holds the lock but does not answer on the socket is
// reported as such, never worked around.
//
// Exit codes: 0 done; 1 unknown message id or any other failure (stderr names it); 2 usage.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>

namespace CLI {
class App;
}

namespace tern::cli {

struct QueueCommand {
    std::string verb;               // list, show, flush, delete, hold, release
    std::optional<std::string> id;  // required by show/delete/hold/release; optional for flush
    bool json = false;              // list/show: print the JSON document instead of text
};

// Runs one queue command; `now` (unix seconds) is used for ages and "next in 4m".
int run_queue_command(const std::optional<std::string>& config_path, const QueueCommand& cmd,
                      std::ostream& out, std::ostream& err, std::int64_t now);

// Registers "queue" and its six children on `app`; a command sets `exit_code` (0, 1 or 2).
void add_queue_commands(CLI::App& app, std::optional<std::string>& config_path, int& exit_code);

}  // namespace tern::cli
