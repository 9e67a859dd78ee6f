// POP3 command line parsing (command.hpp): keywords, arguments, numbers.
#include "pop3/command.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

using namespace tern::pop3;
using namespace std::string_literals;

TEST(Pop3Command, KeywordsAreCaseInsensitive) {
    EXPECT_EQ(parse_command("STAT").verb, Verb::Stat);
    EXPECT_EQ(parse_command("stat").verb, Verb::Stat);
    EXPECT_EQ(parse_command("StAt").verb, Verb::Stat);
    EXPECT_EQ(parse_command("top 1 2").verb, Verb::Top);
    const std::pair<const char*, Verb> all[] = {
        {"USER", Verb::User}, {"PASS", Verb::Pass}, {"AUTH", Verb::Auth}, {"STLS", Verb::Stls},
        {"CAPA", Verb::Capa}, {"QUIT", Verb::Quit}, {"STAT", Verb::Stat}, {"LIST", Verb::List},
        {"RETR", Verb::Retr}, {"DELE", Verb::Dele}, {"NOOP", Verb::Noop}, {"RSET", Verb::Rset},
        {"TOP", Verb::Top},   {"UIDL", Verb::Uidl},
    };
    for (const auto& [name, verb] : all) EXPECT_EQ(parse_command(name).verb, verb) << name;
}

TEST(Pop3Command, UnknownKeywords) {
    for (const char* line : {"", " STAT", "STATS", "ST", "APOP a b", "XTND XMIT", "STAT\t"}) {
        EXPECT_EQ(parse_command(line).verb, Verb::Unknown) << line;
    }
    EXPECT_EQ(parse_command("STA\0T"s).verb, Verb::Unknown);
    EXPECT_EQ(parse_command("STAT\r"s).verb, Verb::Unknown);
}

TEST(Pop3Command, Arguments) {
    auto c = parse_command("TOP 1 10");
    EXPECT_EQ(c.argc, 2u);
    EXPECT_EQ(c.args[0], "1");
    EXPECT_EQ(c.args[1], "10");
    EXPECT_EQ(c.rest, "1 10");
    // Runs of spaces and trailing spaces are tolerated.
    c = parse_command("TOP  1   10 ");
    EXPECT_EQ(c.argc, 2u);
    EXPECT_EQ(c.args[0], "1");
    EXPECT_EQ(c.args[1], "10");
    c = parse_command("STAT ");
    EXPECT_EQ(c.argc, 0u);
    EXPECT_EQ(c.rest, "");
    // More arguments than kept are still counted.
    c = parse_command("LIST 1 2 3 4 5");
    EXPECT_EQ(c.argc, 5u);
    EXPECT_EQ(c.args[2], "3");
    // PASS keeps the rest verbatim.
    c = parse_command("PASS  my secret ");
    EXPECT_EQ(c.verb, Verb::Pass);
    EXPECT_EQ(c.rest, " my secret ");
}

TEST(Pop3Command, Numbers) {
    EXPECT_EQ(parse_number("0"), 0u);
    EXPECT_EQ(parse_number("1"), 1u);
    EXPECT_EQ(parse_number("007"), 7u);
    EXPECT_EQ(parse_number("18446744073709551615"), UINT64_MAX);
    EXPECT_EQ(parse_number("18446744073709551616"), UINT64_MAX);  // saturates
    EXPECT_EQ(parse_number("99999999999999999999999999"), UINT64_MAX);
    for (const char* bad : {"", "-1", "+1", "1a", " 1", "1 ", "0x10", "1.5"}) {
        EXPECT_FALSE(parse_number(bad)) << bad;
    }
}
