// The configuration a command works on: --config FILE, or the embedded default without it.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>

#include "config/config.hpp"

namespace tern::cli {

// nullopt after writing every error (file, line, key) to `err`, one per line.
std::optional<config::Config> load_config(const std::optional<std::string>& path, std::ostream& err);

}  // namespace tern::cli
