#include "cli/serve_command.hpp"

#include <spdlog/spdlog.h>

#include <cstdio>

#include "config/config.hpp"
#include "server/server.hpp"

namespace tern::cli {

void add_serve_command(CLI::App& app, std::optional<std::string>& config_path, int& exit_code,
                       std::string program) {
    auto* serve = app.add_subcommand("serve", "Run the mail server");
    serve->add_option("--config", config_path, "Configuration file (TOML); default: embedded");
    serve->callback([&config_path, &exit_code, program] {
        std::optional<std::filesystem::path> path;
        if (config_path) path = *config_path;
        auto r = config::load(path);
        if (!r.config) {
            for (const auto& e : r.errors) std::fprintf(stderr, "%s\n", e.c_str());
            std::fprintf(stderr, "tern: configuration has errors; not starting\n");
            exit_code = 1;
            return;
        }
        spdlog::info("tern starting: hostname={} data_dir={} config={}", r.config->server.hostname,
                     r.config->server.data_dir.string(), r.config->source);
        exit_code = server::run_server(std::move(*r.config), path, program);
    });
}

}  // namespace tern::cli
