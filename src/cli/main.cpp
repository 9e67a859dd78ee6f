// tern: the command line. `serve` runs the server; `user`, `config`, `queue`, `dkim` and `dns`
// administer it.
#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <optional>
#include <string>

#include "cli/config_command.hpp"
#include "cli/dkim_command.hpp"
#include "cli/queue_command.hpp"
#include "cli/serve_command.hpp"
#include "cli/user_command.hpp"

int main(int argc, char** argv) {
    // Logs go to stderr, one line per event, key=value fields; stdout is for command output.
    auto logger = spdlog::stderr_color_mt("tern");
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
    spdlog::set_default_logger(logger);
    spdlog::flush_on(spdlog::level::info);

    CLI::App app{"Tern: a complete Internet mail server"};
    app.require_subcommand(1);
    std::optional<std::string> config_path;
    int exit_code = 0;
    tern::cli::add_serve_command(app, config_path, exit_code, argc > 0 ? argv[0] : "tern");
    tern::cli::add_user_commands(app, config_path, exit_code);
    tern::cli::add_config_commands(app, config_path, exit_code);
    tern::cli::add_queue_commands(app, config_path, exit_code);
    tern::cli::add_dkim_commands(app, config_path, exit_code);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    return exit_code;
}
