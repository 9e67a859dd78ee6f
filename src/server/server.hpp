// The composition root: builds the spool, user directory, delivery service and listeners
// from the configuration, runs the I/O threads, and handles SIGTERM (graceful stop) and
// SIGHUP (reload configuration and users).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "config/config.hpp"

namespace tern::server {

// Runs until SIGTERM/SIGINT; returns the process exit code. `config_path` is what SIGHUP
// reloads (none: the embedded default, which never changes).
// `program` is how the user invoked tern (argv[0]), for the first-mail instructions.
int run_server(config::Config config, std::optional<std::filesystem::path> config_path,
               std::string program = "tern");

}  // namespace tern::server
