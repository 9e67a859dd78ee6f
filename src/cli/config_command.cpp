// `tern config check`: see config_command.hpp.
#include "cli/config_command.hpp"

#include <CLI/CLI.hpp>
#include <functional>
#include <iostream>

#include "config/config.hpp"

namespace tern::cli {

int run_config_check(const std::optional<std::string>& config_path, std::ostream& out, std::ostream& err) {
    std::optional<std::filesystem::path> p;
    if (config_path) p = *config_path;
    auto r = config::load(p);
    if (!r.config) {
        for (auto& e : r.errors) err << e << "\n";
        return 1;
    }
    out << config::render(*r.config);
    return 0;
}

namespace {

void register_config_commands(CLI::App& app, std::optional<std::string>& config_path,
                              std::function<void(int)> finish) {
    auto* config = app.add_subcommand("config", "Inspect the configuration");
    config->require_subcommand(1);
    auto* check = config->add_subcommand("check", "Check the configuration and print the effective one");
    check->add_option("-c,--config", config_path, "Configuration file (default: embedded)");
    check->callback([&config_path, finish] { finish(run_config_check(config_path, std::cout, std::cerr)); });
}

}  // namespace

void add_config_commands(CLI::App& app, std::optional<std::string>& config_path, int& exit_code) {
    register_config_commands(app, config_path, [&exit_code](int code) { exit_code = code; });
}

void add_config_commands(CLI::App& app, std::optional<std::string>& config_path) {
    register_config_commands(app, config_path, [](int code) {
        if (code != 0) throw CLI::RuntimeError(code);
    });
}

}  // namespace tern::cli
