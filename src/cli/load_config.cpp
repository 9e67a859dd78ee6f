#include "cli/load_config.hpp"

#include <ostream>

namespace tern::cli {

std::optional<config::Config> load_config(const std::optional<std::string>& path, std::ostream& err) {
    std::optional<std::filesystem::path> p;
    if (path) p = *path;
    auto r = config::load(p);
    for (auto& e : r.errors) err << e << "\n";
    return std::move(r.config);
}

}  // namespace tern::cli
