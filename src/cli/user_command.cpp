// `tern user ...`: see user_command.hpp.
#include "cli/user_command.hpp"

#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <functional>
#include <memory>

#include "auth/user_db.hpp"
#include "auth/user_store.hpp"
#include "cli/load_config.hpp"
#include "config/config.hpp"
#include "core/address.hpp"

namespace tern::cli {
namespace {

// One line from `in`, without its CR/LF. Empty when there is none.
std::optional<std::string> read_password(bool password_stdin, std::istream& in, std::ostream& err) {
    if (!password_stdin) {
        err << "error: give the password on standard input with --password-stdin "
               "(passwords are never taken from the command line)\n";
        return std::nullopt;
    }
    std::string line;
    std::getline(in, line);
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.pop_back();
    if (line.empty()) {
        err << "error: no password on standard input (an empty password is not allowed)\n";
        return std::nullopt;
    }
    return line;
}

int fail(std::ostream& err, const std::string& msg) {
    err << "error: " << msg << "\n";
    return 1;
}

// Turns terminal echo off while a password is typed interactively.
class NoEcho {
public:
    NoEcho() {
        if (::isatty(STDIN_FILENO) && ::tcgetattr(STDIN_FILENO, &saved_) == 0) {
            termios t = saved_;
            t.c_lflag &= ~static_cast<tcflag_t>(ECHO);
            active_ = ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &t) == 0;
            std::cerr << "Password: " << std::flush;
        }
    }
    ~NoEcho() {
        if (active_) {
            ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_);
            std::cerr << "\n";
        }
    }
    NoEcho(const NoEcho&) = delete;
    NoEcho& operator=(const NoEcho&) = delete;

private:
    termios saved_{};
    bool active_ = false;
};

using Report = std::function<void(int)>;

}  // namespace

int run_user_add(const std::optional<std::string>& config_path, std::string_view address,
                 bool password_stdin, std::istream& in, std::ostream& out, std::ostream& err) {
    auto cfg = load_config(config_path, err);
    if (!cfg) return 1;
    auto a = auth::check_user_address(address);
    if (!a.error.empty()) return fail(err, a.error);
    auto domain = a.key.substr(a.key.rfind('@') + 1);
    if (!cfg->is_local_domain(domain))
        return fail(err, "'" + domain + "' is not a local domain (add it to server.domains in " +
                             cfg->source + ")");
    auto password = read_password(password_stdin, in, err);
    if (!password) return 1;
    if (auto e = auth::add_user(cfg->users_file(), a.key, *password); !e.empty()) return fail(err, e);
    out << "added user " << a.key << "\n";
    return 0;
}

int run_user_passwd(const std::optional<std::string>& config_path, std::string_view address,
                    bool password_stdin, std::istream& in, std::ostream& out, std::ostream& err) {
    auto cfg = load_config(config_path, err);
    if (!cfg) return 1;
    auto a = auth::check_user_address(address);
    if (!a.error.empty()) return fail(err, a.error);
    auto password = read_password(password_stdin, in, err);
    if (!password) return 1;
    if (auto e = auth::set_password(cfg->users_file(), a.key, *password); !e.empty()) return fail(err, e);
    out << "changed password of " << a.key << "\n";
    return 0;
}

int run_user_del(const std::optional<std::string>& config_path, std::string_view address,
                 std::ostream& out, std::ostream& err) {
    auto cfg = load_config(config_path, err);
    if (!cfg) return 1;
    if (auto e = auth::delete_user(cfg->users_file(), address); !e.empty()) return fail(err, e);
    out << "deleted user " << ascii_lower(address) << "\n";
    return 0;
}

int run_user_list(const std::optional<std::string>& config_path, std::ostream& out, std::ostream& err) {
    auto cfg = load_config(config_path, err);
    if (!cfg) return 1;
    auto loaded = auth::UserDb::load(cfg->users_file());
    if (!loaded.db) {
        for (auto& e : loaded.errors) err << e << "\n";
        return 1;
    }
    for (auto& u : loaded.db->list()) out << u << "\n";
    return 0;
}

namespace {

void register_user_commands(CLI::App& app, std::optional<std::string>& config_path, Report finish) {
    auto* user = app.add_subcommand("user", "Manage mail users (the users file in server.data_dir)");
    user->require_subcommand(1);

    // Per-command state lives as long as the App (captured by the callbacks).
    struct Args {
        std::string address;
        bool password_stdin = false;
    };
    auto args = std::make_shared<Args>();
    auto add_config = [&config_path](CLI::App* sub) {
        sub->add_option("-c,--config", config_path, "Configuration file (default: embedded)");
    };

    auto* add = user->add_subcommand("add", "Add a user; the password is read from stdin");
    add->add_option("address", args->address, "Mail address, e.g. alice@example.test")->required();
    add->add_flag("--password-stdin", args->password_stdin, "Read the password (one line) from stdin");
    add_config(add);
    add->callback([args, &config_path, finish] {
        int rc;
        {
            std::unique_ptr<NoEcho> guard;
            if (args->password_stdin) guard = std::make_unique<NoEcho>();
            rc = run_user_add(config_path, args->address, args->password_stdin, std::cin, std::cout, std::cerr);
        }
        finish(rc);
    });

    auto* passwd = user->add_subcommand("passwd", "Change a user's password; read from stdin");
    passwd->add_option("address", args->address, "Mail address")->required();
    passwd->add_flag("--password-stdin", args->password_stdin, "Read the password (one line) from stdin");
    add_config(passwd);
    passwd->callback([args, &config_path, finish] {
        int rc;
        {
            std::unique_ptr<NoEcho> guard;
            if (args->password_stdin) guard = std::make_unique<NoEcho>();
            rc = run_user_passwd(config_path, args->address, args->password_stdin, std::cin, std::cout, std::cerr);
        }
        finish(rc);
    });

    auto* del = user->add_subcommand("del", "Delete a user (the mailbox is kept)");
    del->add_option("address", args->address, "Mail address")->required();
    add_config(del);
    del->callback([args, &config_path, finish] { finish(run_user_del(config_path, args->address, std::cout, std::cerr)); });

    auto* list = user->add_subcommand("list", "List users");
    add_config(list);
    list->callback([&config_path, finish] { finish(run_user_list(config_path, std::cout, std::cerr)); });
}

}  // namespace

void add_user_commands(CLI::App& app, std::optional<std::string>& config_path, int& exit_code) {
    register_user_commands(app, config_path, [&exit_code](int code) { exit_code = code; });
}

void add_user_commands(CLI::App& app, std::optional<std::string>& config_path) {
    register_user_commands(app, config_path, [](int code) {
        if (code != 0) throw CLI::RuntimeError(code);
    });
}

}  // namespace tern::cli
