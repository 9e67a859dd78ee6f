// Tests for EHLO capability parsing (RFC 5321 4.1.1.1, RFC 1870 4, RFC 4954 3).
#include "outbound/capabilities.hpp"

#include <gtest/gtest.h>

namespace tern::outbound {
namespace {

Reply ehlo(std::vector<std::string> lines) { return Reply{250, "", std::move(lines)}; }

TEST(Capabilities, ReadsTheKnownKeywords) {
    auto c = parse_ehlo(ehlo({"mx.example.test greets you", "PIPELINING", "SIZE 35882577", "8BITMIME",
                              "smtputf8", "DSN", "STARTTLS", "CHUNKING", "ENHANCEDSTATUSCODES",
                              "AUTH PLAIN login SCRAM-SHA-256", "X-UNKNOWN 1"}));
    EXPECT_TRUE(c.pipelining && c.eightbitmime && c.smtputf8 && c.dsn && c.starttls && c.chunking &&
                c.enhanced_status_codes);
    EXPECT_EQ(c.size_limit(), 35882577u);
    EXPECT_EQ(c.auth, (std::vector<std::string>{"PLAIN", "LOGIN", "SCRAM-SHA-256"}));
    EXPECT_TRUE(c.has_auth("login"));
    EXPECT_FALSE(c.has_auth("CRAM-MD5"));
}

TEST(Capabilities, TheFirstLineIsNotAKeyword) {
    auto c = parse_ehlo(ehlo({"PIPELINING"}));
    EXPECT_FALSE(c.pipelining);
}

TEST(Capabilities, SizeWithoutNumberMeansNoKnownLimit) {
    EXPECT_EQ(parse_ehlo(ehlo({"x", "SIZE"})).size, std::optional<std::uint64_t>(0));
    EXPECT_EQ(parse_ehlo(ehlo({"x", "SIZE abc"})).size_limit(), 0u);
    EXPECT_FALSE(parse_ehlo(ehlo({"x"})).size.has_value());
    EXPECT_EQ(parse_ehlo(ehlo({"x", "SIZE 99999999999999999999"})).size_limit(), UINT64_MAX);
}

TEST(Capabilities, ObsoleteAuthEqualsForm) {
    auto c = parse_ehlo(ehlo({"x", "AUTH=LOGIN PLAIN", "AUTH LOGIN"}));
    EXPECT_EQ(c.auth, (std::vector<std::string>{"LOGIN", "PLAIN"}));
}

TEST(Capabilities, MechanismListIsBounded) {
    std::string many = "AUTH";
    for (int i = 0; i < 100; ++i) many += " M" + std::to_string(i);
    EXPECT_EQ(parse_ehlo(ehlo({"x", many})).auth.size(), kMaxAuthMechanisms);
}

}  // namespace
}  // namespace tern::outbound
