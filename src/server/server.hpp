// The composition root: builds the spool, user directory, delivery service and listeners
// from the configuration, runs the I/O threads, and handles SIGTERM (graceful stop) and
// SIGHUP (reload configuration and users).
#pragma once

#include <filesystem>
#include <optional>

#include "config/config.hpp"

namespace tern::server {

// Runs until SIGTERM/SIGINT; returns the process exit code. `config_path` is what SIGHUP
// reloads (none: the embedded default, which never changes).
int run_server(config::Config config, std::optional<std::filesystem::path> config_path);

}  // namespace tern::server
