// `tern user add|list|del|passwd`: managing the users file from the command line.
//
// Passwords are read from standard input only (--password-stdin), never from argv, where
// other local users could see them in the process list. The run_* functions hold the logic
// and take their streams, so tests call them without CLI11; each returns the exit code
// (0 success, 1 failure) after writing one short line to `out` or the errors to `err`.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

namespace CLI {
class App;
}

namespace tern::cli {

int run_user_add(const std::optional<std::string>& config_path, std::string_view address,
                 bool password_stdin, std::istream& in, std::ostream& out, std::ostream& err);
int run_user_passwd(const std::optional<std::string>& config_path, std::string_view address,
                    bool password_stdin, std::istream& in, std::ostream& out, std::ostream& err);
int run_user_del(const std::optional<std::string>& config_path, std::string_view address,
                 std::ostream& out, std::ostream& err);
int run_user_list(const std::optional<std::string>& config_path, std::ostream& out, std::ostream& err);

// Registers the "user" subcommand and its four children on `app`. `config_path` receives
// --config (also accepted after each subcommand); a command sets `exit_code` (0 or 1).
void add_user_commands(CLI::App& app, std::optional<std::string>& config_path, int& exit_code);
// The same, but a failing command throws CLI::RuntimeError(code) instead, which
// CLI11_PARSE / app.exit() turn into the exit code.
void add_user_commands(CLI::App& app, std::optional<std::string>& config_path);

}  // namespace tern::cli
