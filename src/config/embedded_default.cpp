// The configuration `tern serve` uses without --config (README: "The two commands").
#include "config/config.hpp"

namespace tern::config {
namespace {

constexpr std::string_view kEmbeddedDefault = R"toml(# Tern embedded default configuration: used by `tern serve` without --config.
# Data in ./var, one local domain "localhost", loopback listeners on unprivileged ports.

[server]
hostname = "localhost"
data_dir = "var"
domains = ["localhost"]

[listen]
smtp = ["127.0.0.1:2525"]
submission = ["127.0.0.1:2587"]
submissions = ["127.0.0.1:2465"]
pop3 = ["127.0.0.1:2110"]
pop3s = ["127.0.0.1:2995"]
imap = ["127.0.0.1:2143"]
imaps = ["127.0.0.1:2993"]

[limits]
message_size = 36700160
recipients = 100
command_line = 512
text_line = 1000
errors = 10
connections = 1000
connections_per_ip = 20
received_headers = 100
timeout_command = 300
timeout_data = 180

[tls]
# No certificate configured: a self-signed one for server.hostname is generated in <data_dir>/tls/.
# certificate = "/etc/tern/fullchain.pem"
# private_key = "/etc/tern/key.pem"

[aliases]
)toml";

}  // namespace

std::string_view embedded_default() { return kEmbeddedDefault; }

}  // namespace tern::config
