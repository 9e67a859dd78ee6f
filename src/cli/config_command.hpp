// `tern config check`: load the configuration, report every error, or print the effective
// configuration (all defaults included) as TOML.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>

namespace CLI {
class App;
}

namespace tern::cli {

// Returns the exit code: 0 and the rendered config on `out`, or 1 and one error per line
// on `err`. Without a path, checks the embedded default.
int run_config_check(const std::optional<std::string>& config_path, std::ostream& out, std::ostream& err);

// Registers "config check" on `app`; --config is also accepted after the subcommand. The
// command sets `exit_code` (0 or 1).
void add_config_commands(CLI::App& app, std::optional<std::string>& config_path, int& exit_code);
// The same, but a failure throws CLI::RuntimeError(code) instead of setting an exit code.
void add_config_commands(CLI::App& app, std::optional<std::string>& config_path);

}  // namespace tern::cli
