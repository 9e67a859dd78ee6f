// Tests for `tern config check` (cli/config_command).
#include "cli/config_command.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "config/config.hpp"

namespace tern::cli {
namespace {

TEST(ConfigCheck, EmbeddedDefaultPrintsEffectiveConfig) {
    std::ostringstream out, err;
    EXPECT_EQ(run_config_check(std::nullopt, out, err), 0);
    EXPECT_EQ(err.str(), "");
    auto again = config::load_string(out.str(), "<embedded default>");
    ASSERT_TRUE(again.config) << out.str();
    EXPECT_EQ(*again.config, *config::load(std::nullopt).config);
}

TEST(ConfigCheck, PrintsEveryErrorAndFails) {
    char tmpl[] = "/tmp/tern-config-check-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    std::filesystem::path dir = tmpl;
    auto file = dir / "bad.toml";
    std::ofstream(file) << "[limits]\nrecipients = 0\ntext_line = 5\n";
    std::ostringstream out, err;
    EXPECT_EQ(run_config_check(file.string(), out, err), 1);
    EXPECT_EQ(out.str(), "");
    EXPECT_EQ(err.str(), file.string() + ":2:14: key 'limits.recipients': 0 is out of range (1..100000)\n" +
                             file.string() + ":3:13: key 'limits.text_line': 5 is out of range (1000..1048576)\n");
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tern::cli
