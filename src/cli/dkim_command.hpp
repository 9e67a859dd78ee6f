// `tern dkim keygen DOMAIN` and `tern dns records DOMAIN`: the DKIM keys of a local domain and
// the DNS records an operator publishes for it (MX, SPF, DKIM, DMARC, RFC 6186 SRV).
#pragma once

#include <iosfwd>
#include <optional>
#include <string>

namespace CLI {
class App;
}

namespace tern::config {
struct Config;
}

namespace tern::cli {

// Makes the keys of `domain` for `selector` (default: [dkim] selector) and each algorithm
// (default: [dkim] algorithms) that has none yet, then prints their TXT records. 0 or 1.
int run_dkim_keygen(const config::Config& c, const std::string& domain, const std::optional<std::string>& selector,
                    const std::optional<std::string>& algorithm, std::ostream& out, std::ostream& err);

// Prints the records in zone-file syntax. Keys are read, never made (a missing one is a
// comment saying how to make it). 0, or 1 when `domain` is not local.
int run_dns_records(const config::Config& c, const std::string& domain, std::ostream& out, std::ostream& err);

// Registers "dkim keygen" and "dns records"; they set `exit_code`.
void add_dkim_commands(CLI::App& app, std::optional<std::string>& config_path, int& exit_code);

}  // namespace tern::cli
