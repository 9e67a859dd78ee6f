// `tern serve [--config FILE]`: runs the server.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

namespace tern::cli {

// `program` is argv[0], echoed in the first-mail instructions.
void add_serve_command(CLI::App& app, std::optional<std::string>& config_path, int& exit_code,
                       std::string program);

}  // namespace tern::cli
