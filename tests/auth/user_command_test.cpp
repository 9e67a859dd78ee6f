// Tests for the `tern user` command logic (cli/user_command) without CLI11 parsing, plus one
// pass through CLI11 to check the registration and exit codes.
#include "cli/user_command.hpp"

#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <sstream>

#include "support/temp_dir.hpp"
#include "auth/user_db.hpp"

namespace tern::cli {
namespace {

using test::TempDir;
using test::write_file;

struct Env {
    TempDir dir;
    std::optional<std::string> config;
    Env() {
        auto file = dir.path() / "tern.toml";
        write_file(file, "[server]\ndata_dir = \"" + (dir.path() / "data").string() +
                             "\"\ndomains = [\"example.test\"]\n");
        config = file.string();
    }
    std::filesystem::path users() const { return dir.path() / "data" / "users"; }
};

TEST(UserCommand, AddListPasswdDel) {
    Env env;
    std::istringstream in("pencil\r\n");
    std::ostringstream out, err;
    EXPECT_EQ(run_user_add(env.config, "Alice@Example.test", true, in, out, err), 0) << err.str();
    EXPECT_EQ(out.str(), "added user alice@example.test\n");

    std::istringstream in2("x\n");
    std::ostringstream out2, err2;
    EXPECT_EQ(run_user_add(env.config, "alice@example.test", true, in2, out2, err2), 1);
    EXPECT_NE(err2.str().find("already exists"), std::string::npos) << err2.str();

    std::ostringstream list, lerr;
    EXPECT_EQ(run_user_list(env.config, list, lerr), 0);
    EXPECT_EQ(list.str(), "alice@example.test\n");

    std::istringstream in3("crayon\n");
    std::ostringstream out3, err3;
    EXPECT_EQ(run_user_passwd(env.config, "alice@example.test", true, in3, out3, err3), 0) << err3.str();
    auto db = auth::UserDb::load(env.users());
    ASSERT_TRUE(db.db);
    EXPECT_TRUE(db.db->verify_password("alice@example.test", "crayon"));

    std::ostringstream out4, err4;
    EXPECT_EQ(run_user_del(env.config, "alice@example.test", out4, err4), 0) << err4.str();
    EXPECT_EQ(run_user_del(env.config, "alice@example.test", out4, err4), 1);
    EXPECT_NE(err4.str().find("no such user"), std::string::npos);
}

TEST(UserCommand, Refusals) {
    Env env;
    std::ostringstream out, err;
    std::istringstream pw("pencil\n");
    EXPECT_EQ(run_user_add(env.config, "a@example.test", false, pw, out, err), 1);
    EXPECT_NE(err.str().find("--password-stdin"), std::string::npos);

    std::istringstream empty("\n");
    EXPECT_EQ(run_user_add(env.config, "a@example.test", true, empty, out, err), 1);
    std::istringstream eof("");
    EXPECT_EQ(run_user_add(env.config, "a@example.test", true, eof, out, err), 1);

    std::istringstream pw2("pencil\n");
    std::ostringstream err2;
    EXPECT_EQ(run_user_add(env.config, "a@elsewhere.test", true, pw2, out, err2), 1);
    EXPECT_NE(err2.str().find("not a local domain"), std::string::npos) << err2.str();

    std::istringstream pw3("pencil\n");
    std::ostringstream err3;
    EXPECT_EQ(run_user_passwd(env.config, "nobody@example.test", true, pw3, out, err3), 1);
    EXPECT_NE(err3.str().find("no such user"), std::string::npos) << err3.str();
    EXPECT_EQ(out.str(), "");

    std::optional<std::string> bad = (env.dir.path() / "missing.toml").string();
    std::ostringstream err4;
    EXPECT_EQ(run_user_list(bad, out, err4), 1);
    EXPECT_NE(err4.str().find("cannot read"), std::string::npos);
}

TEST(UserCommand, Cli11Registration) {
    Env env;
    CLI::App app("tern");
    std::optional<std::string> config_path;
    add_user_commands(app, config_path);
    // `user list --config FILE` on an empty data dir: success, no output.
    std::vector<std::string> args = {"tern", "user", "list", "--config", *env.config};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    EXPECT_NO_THROW(app.parse(static_cast<int>(argv.size()), argv.data()));
    EXPECT_EQ(config_path, env.config);

    // `user add` without --password-stdin fails with exit code 1 through CLI::RuntimeError.
    CLI::App app2("tern");
    std::optional<std::string> config_path2;
    add_user_commands(app2, config_path2);
    std::vector<std::string> args2 = {"tern", "user", "add", "a@example.test", "-c", *env.config};
    std::vector<char*> argv2;
    for (auto& a : args2) argv2.push_back(a.data());
    try {
        app2.parse(static_cast<int>(argv2.size()), argv2.data());
        ADD_FAILURE() << "expected CLI::RuntimeError";
    } catch (const CLI::ParseError& e) {
        EXPECT_EQ(app2.exit(e), 1);
    }
}

TEST(UserCommand, Cli11ExitCodeForm) {
    Env env;
    CLI::App app("tern");
    std::optional<std::string> config_path;
    int exit_code = 0;
    add_user_commands(app, config_path, exit_code);
    std::vector<std::string> args = {"tern", "user", "del", "nobody@example.test", "--config", *env.config};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    EXPECT_NO_THROW(app.parse(static_cast<int>(argv.size()), argv.data()));
    EXPECT_EQ(exit_code, 1);
}

}  // namespace
}  // namespace tern::cli
