// Tests for config/config: embedded default, every key, error collection with positions,
// types, ranges, listen addresses, aliases and the render round trip.
#include "config/config.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <unistd.h>

namespace tern::config {
namespace {

LoadResult load(std::string_view text) { return load_string(text, "t.toml"); }

std::string errors_of(const LoadResult& r) {
    std::string out;
    for (auto& e : r.errors) out += e + "\n";
    return out;
}

Config must_load(std::string_view text) {
    auto r = load(text);
    EXPECT_TRUE(r.errors.empty()) << errors_of(r);
    EXPECT_TRUE(r.config.has_value());
    return r.config.value_or(Config{});
}

// Expects exactly one error, which contains `needle`; returns it.
std::string one_error(std::string_view text, std::string_view needle) {
    auto r = load(text);
    EXPECT_FALSE(r.config.has_value());
    EXPECT_EQ(r.errors.size(), 1u) << errors_of(r);
    if (r.errors.empty()) return {};
    EXPECT_NE(r.errors[0].find(needle), std::string::npos) << r.errors[0];
    return r.errors[0];
}

TEST(Config, EmbeddedDefaultLoads) {
    auto r = config::load(std::nullopt);
    ASSERT_TRUE(r.config) << errors_of(r);
    const Config& c = *r.config;
    EXPECT_EQ(c.source, "<embedded default>");
    EXPECT_EQ(c.server.hostname, "localhost");
    EXPECT_EQ(c.server.data_dir, "var");
    EXPECT_EQ(c.server.domains, std::vector<std::string>{"localhost"});
    EXPECT_EQ(c.listen.smtp, std::vector<std::string>{"127.0.0.1:2525"});
    EXPECT_EQ(c.listen.submission, std::vector<std::string>{"127.0.0.1:2587"});
    EXPECT_EQ(c.listen.submissions, std::vector<std::string>{"127.0.0.1:2465"});
    EXPECT_EQ(c.listen.pop3, std::vector<std::string>{"127.0.0.1:2110"});
    EXPECT_EQ(c.listen.pop3s, std::vector<std::string>{"127.0.0.1:2995"});
    EXPECT_EQ(c.listen.imap, std::vector<std::string>{"127.0.0.1:2143"});
    EXPECT_EQ(c.listen.imaps, std::vector<std::string>{"127.0.0.1:2993"});
    EXPECT_EQ(c.limits, Limits{});  // the embedded text and the struct defaults agree
    EXPECT_TRUE(c.aliases.empty());
    EXPECT_EQ(c.users_file(), std::filesystem::path("var/users"));
}

TEST(Config, EmptyDocumentGivesStructDefaults) {
    auto c = must_load("");
    EXPECT_EQ(c.server, Server{});
    EXPECT_EQ(c.listen, Listen{});
    EXPECT_EQ(c.limits, Limits{});
}

TEST(Config, EveryKey) {
    auto c = must_load(R"(
[server]
hostname = "mx.Example.test"
data_dir = "/srv/tern"
domains = ["Example.TEST", "other.test"]

[listen]
smtp = ["0.0.0.0:25", "[::]:25"]
submission = ["127.0.0.1:587"]
submissions = ["127.0.0.1:465"]
pop3 = []
pop3s = ["[::1]:995"]
imap = ["127.0.0.1:143"]
imaps = ["127.0.0.1:993"]

[limits]
message_size = 1048576
recipients = 50
command_line = 1024
text_line = 2000
errors = 3
connections = 500
connections_per_ip = 5
received_headers = 30
timeout_command = 600
timeout_data = 60

[aliases]
"Postmaster@example.test" = ["alice@example.test", "bob@elsewhere.test"]
"@other.test" = "carol@example.test"
)");
    EXPECT_EQ(c.server.hostname, "mx.Example.test");
    EXPECT_EQ(c.server.data_dir, "/srv/tern");
    EXPECT_EQ(c.server.domains, (std::vector<std::string>{"example.test", "other.test"}));
    EXPECT_EQ(c.listen.smtp, (std::vector<std::string>{"0.0.0.0:25", "[::]:25"}));
    EXPECT_EQ(c.listen.submission, std::vector<std::string>{"127.0.0.1:587"});
    EXPECT_EQ(c.listen.submissions, std::vector<std::string>{"127.0.0.1:465"});
    EXPECT_TRUE(c.listen.pop3.empty());
    EXPECT_EQ(c.listen.pop3s, std::vector<std::string>{"[::1]:995"});
    EXPECT_EQ(c.listen.imap, std::vector<std::string>{"127.0.0.1:143"});
    EXPECT_EQ(c.listen.imaps, std::vector<std::string>{"127.0.0.1:993"});
    EXPECT_EQ(c.limits.message_size, 1048576u);
    EXPECT_EQ(c.limits.recipients, 50u);
    EXPECT_EQ(c.limits.command_line, 1024u);
    EXPECT_EQ(c.limits.text_line, 2000u);
    EXPECT_EQ(c.limits.errors, 3u);
    EXPECT_EQ(c.limits.connections, 500u);
    EXPECT_EQ(c.limits.connections_per_ip, 5u);
    EXPECT_EQ(c.limits.received_headers, 30u);
    EXPECT_EQ(c.limits.timeout_command, 600u);
    EXPECT_EQ(c.limits.timeout_data, 60u);
    ASSERT_EQ(c.aliases.size(), 2u);
    EXPECT_EQ(c.aliases.at("postmaster@example.test"),
              (std::vector<std::string>{"alice@example.test", "bob@elsewhere.test"}));
    EXPECT_EQ(c.aliases.at("@other.test"), std::vector<std::string>{"carol@example.test"});
}

TEST(Config, IsLocalDomainIgnoresCase) {
    auto c = must_load("[server]\ndomains = [\"Example.test\"]\n");
    EXPECT_TRUE(c.is_local_domain("example.test"));
    EXPECT_TRUE(c.is_local_domain("EXAMPLE.TEST"));
    EXPECT_FALSE(c.is_local_domain("example.tes"));
    EXPECT_FALSE(c.is_local_domain("localhost"));
    EXPECT_TRUE(c.is_local_address("bob@EXAMPLE.test"));
    EXPECT_TRUE(c.is_local_address("\"a@b\"@example.test"));
    EXPECT_TRUE(c.is_local_address("postmaster"));
    EXPECT_FALSE(c.is_local_address("bob@example.test.evil"));
}

TEST(Config, AliasCatchAllAndLookup) {
    auto c = must_load(R"(
[server]
domains = ["example.test"]
[aliases]
"@Example.Test" = ["catch@example.test"]
"sales@example.test" = "bob@example.test"
)");
    ASSERT_NE(c.alias_targets("@example.test"), nullptr);
    EXPECT_EQ(*c.alias_targets("@EXAMPLE.test"), std::vector<std::string>{"catch@example.test"});
    ASSERT_NE(c.alias_targets("Sales@Example.Test"), nullptr);
    EXPECT_EQ(c.alias_targets("nobody@example.test"), nullptr);
}

TEST(Config, UnknownKeyAndTableWithPositions) {
    auto r = load("[server]\nhostname = \"a.test\"\nhostnme = \"b\"\n\n[limitz]\nx = 1\n");
    ASSERT_EQ(r.errors.size(), 2u) << errors_of(r);
    EXPECT_EQ(r.errors[0], "t.toml:3:1: key 'server.hostnme': unknown key");
    EXPECT_EQ(r.errors[1].rfind("t.toml:5:", 0), 0u) << r.errors[1];
    EXPECT_NE(r.errors[1].find("key 'limitz': unknown table"), std::string::npos);
}

TEST(Config, UnknownTopLevelKey) {
    one_error("hostname = \"x\"\n", "key 'hostname': unknown table");
}

TEST(Config, SectionMustBeATable) {
    one_error("limits = 5\n", "key 'limits': must be a table, not an integer");
    one_error("[retrieval]\nplaintext_auth = 1\n", "retrieval.plaintext_auth");
    one_error("[retrieval]\nplain = true\n", "retrieval.plain");
}

TEST(Config, CollectsAllErrorsInOrder) {
    auto r = load(R"([server]
hostname = 42
domains = ["ok.test", "bad..test"]
[limits]
recipients = 0
message_size = "big"
colour = "blue"
[listen]
smtp = ["localhost:25"]
)");
    EXPECT_FALSE(r.config);
    ASSERT_EQ(r.errors.size(), 6u) << errors_of(r);
    EXPECT_EQ(r.errors[0], "t.toml:2:12: key 'server.hostname': must be a string, not an integer");
    EXPECT_EQ(r.errors[1].rfind("t.toml:3:", 0), 0u);
    EXPECT_NE(r.errors[1].find("'bad..test' is not a valid domain name"), std::string::npos);
    EXPECT_EQ(r.errors[2], "t.toml:5:14: key 'limits.recipients': 0 is out of range (1..100000)");
    EXPECT_EQ(r.errors[3], "t.toml:6:16: key 'limits.message_size': must be an integer, not a string");
    EXPECT_EQ(r.errors[4].rfind("t.toml:7:1: key 'limits.colour': unknown key", 0), 0u);
    EXPECT_EQ(r.errors[5].rfind("t.toml:9:9: key 'listen.smtp': 'localhost:25'", 0), 0u) << r.errors[5];
}

TEST(Config, ParseErrorHasPosition) {
    auto r = load("[server]\nhostname = \"unterminated\n");
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0].rfind("t.toml:2:", 0), 0u) << r.errors[0];
    auto dup = load("[server]\nhostname = \"a\"\nhostname = \"b\"\n");
    ASSERT_EQ(dup.errors.size(), 1u);
    EXPECT_EQ(dup.errors[0].rfind("t.toml:3:", 0), 0u) << dup.errors[0];
}

TEST(Config, BadTypes) {
    one_error("[server]\ndomains = \"example.test\"\n", "must be an array of strings, not a string");
    one_error("[server]\ndomains = [\"a.test\", 3]\n", "this element is not a string");
    one_error("[server]\ndata_dir = true\n", "must be a string, not a boolean");
    one_error("[listen]\nsmtp = \"127.0.0.1:25\"\n", "key 'listen.smtp': must be an array of strings");
    one_error("[limits]\nrecipients = 100.0\n", "must be an integer, not a float");
    one_error("[aliases]\n\"a@localhost\" = 3\n", "must be a string or an array of strings");
    one_error("[aliases]\n\"a@localhost\" = [\"b@localhost\", 1]\n", "this element is not a string");
}

TEST(Config, Ranges) {
    one_error("[limits]\nmessage_size = 1023\n", "1023 is out of range (1024..2147483647)");
    must_load("[limits]\nmessage_size = 1024\n");
    one_error("[limits]\ncommand_line = 511\n", "out of range (512..65536)");
    one_error("[limits]\ntext_line = 999\n", "out of range (1000..1048576)");
    one_error("[limits]\ntimeout_command = 0\n", "out of range (1..86400)");
    one_error("[limits]\ntimeout_data = 86401\n", "out of range (1..86400)");
    one_error("[limits]\nerrors = -1\n", "-1 is out of range");
    one_error("[limits]\nconnections = 10\nconnections_per_ip = 11\n",
              "key 'limits.connections_per_ip': must not exceed limits.connections (10)");
    auto c = must_load("[limits]\nrecipients = 1\ntimeout_command = 86400\n");
    EXPECT_EQ(c.limits.recipients, 1u);
}

TEST(Config, ServerValues) {
    one_error("[server]\nhostname = \"not a host\"\n", "is not a valid domain name");
    one_error("[server]\ndata_dir = \"\"\n", "must not be empty");
    one_error("[server]\ndomains = []\n", "must list at least one local domain");
    one_error("[server]\ndomains = [\"a.test\", \"A.test\"]\n", "'A.test' is listed twice");
    one_error("[server]\ndomains = [\"[127.0.0.1]\"]\n", "is not a valid domain name");
    auto c = must_load("[server]\ndata_dir = \"rel/dir\"\n");
    EXPECT_EQ(c.server.data_dir, "rel/dir");  // kept relative, as given
    EXPECT_EQ(c.queue_dir(), std::filesystem::path("rel/dir/queue"));
}

TEST(Config, ListenAddresses) {
    auto c = must_load(
        "[listen]\nsmtp = [\"127.0.0.1:1\", \"[::1]:65535\", \"[fe80::1]:25\", \"127.0.0.1:0\", "
        "\"127.0.0.1:0\"]\n");
    EXPECT_EQ(c.listen.smtp.size(), 5u);  // port 0 (any free port) may repeat
    for (const char* bad : {"127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1",
                            "127.0.0.1:2x", "1.2.3:25", "256.1.1.1:25", "::1:25", "[::1]25",
                            "[::g]:25", "[127.0.0.1]:25", "example.test:25", ":25", "*:25",
                            "127.0.0.1:123456"}) {
        auto r = load("[listen]\nimap = [\"" + std::string(bad) + "\"]\n");
        EXPECT_FALSE(r.config) << bad;
        ASSERT_EQ(r.errors.size(), 1u) << bad << "\n" << errors_of(r);
        EXPECT_NE(r.errors[0].find("key 'listen.imap'"), std::string::npos) << r.errors[0];
    }
}

TEST(Config, DuplicateListenAddress) {
    one_error("[listen]\nsmtp = [\"127.0.0.1:25\"]\nsubmission = [\"127.0.0.1:25\"]\n",
              "is already used by listen.s");
    one_error("[listen]\nimap = [\"[::1]:143\", \"[0:0::1]:143\"]\n", "already used by listen.imap");
}

TEST(Config, AliasErrors) {
    one_error("[aliases]\n\"bob\" = \"a@localhost\"\n", "is not \"local@domain\" or \"@domain\"");
    one_error("[aliases]\n\"@bad..domain\" = \"a@localhost\"\n", "is not \"local@domain\"");
    one_error("[aliases]\n\"bob@elsewhere.test\" = \"a@localhost\"\n",
              "domain 'elsewhere.test' is not in server.domains");
    one_error("[aliases]\n\"bob@localhost\" = \"not an address\"\n",
              "target 'not an address' is not a valid address");
    one_error("[aliases]\n\"bob@localhost\" = []\n", "must list at least one target");
    auto e = one_error("[aliases]\n\"bob@localhost\" = \"a@localhost\"\n\"BOB@localhost\" = \"c@localhost\"\n",
                       "same alias as line");
    EXPECT_NE(e.find("key 'aliases.\"BOB@localhost\"'"), std::string::npos) << e;
}

TEST(Config, RenderRoundTrip) {
    auto c = must_load(R"(
[server]
hostname = "mx.example.test"
data_dir = "dir with \"quotes\" and \\ back"
domains = ["example.test", "b.test"]
[listen]
smtp = ["[::1]:2525"]
[limits]
recipients = 7
[retrieval]
plaintext_auth = true
[aliases]
"@b.test" = ["x@example.test"]
"a.b@example.test" = ["\"odd local\"@example.test", "y@remote.test"]
)");
    auto text = render(c);
    auto again = load_string(text, c.source);
    ASSERT_TRUE(again.config) << errors_of(again) << text;
    EXPECT_EQ(*again.config, c) << text;
    // Defaults are shown explicitly.
    EXPECT_NE(text.find("timeout_data = 180"), std::string::npos) << text;
    EXPECT_NE(text.find("imaps = []"), std::string::npos) << text;
    EXPECT_TRUE(again.config->retrieval.plaintext_auth);

    auto def = config::load(std::nullopt);
    ASSERT_TRUE(def.config);
    auto def_again = load_string(render(*def.config), def.config->source);
    ASSERT_TRUE(def_again.config) << errors_of(def_again);
    EXPECT_EQ(*def_again.config, *def.config);
}

TEST(Config, TlsAbsentMeansSelfSigned) {
    auto def = config::load(std::nullopt);
    ASSERT_TRUE(def.config);
    EXPECT_EQ(def.config->tls, Tls{});
    EXPECT_FALSE(def.config->tls.configured());
    EXPECT_EQ(def.config->tls_dir(), std::filesystem::path("var/tls"));
    EXPECT_EQ(must_load("[tls]\n").tls, Tls{});
}

TEST(Config, TlsCertificates) {
    auto c = must_load(R"(
[tls]
certificate = "/etc/tern/fullchain.pem"
private_key = "rel/key.pem"
[[tls.certificates]]
certificate = "a.pem"
private_key = "a.key"
[[tls.certificates]]
certificate = "b.pem"
private_key = "b.key"
)");
    EXPECT_TRUE(c.tls.configured());
    EXPECT_EQ(c.tls.certificate, "/etc/tern/fullchain.pem");
    EXPECT_EQ(c.tls.private_key, "rel/key.pem");  // kept as given
    ASSERT_EQ(c.tls.certificates.size(), 2u);
    EXPECT_EQ(c.tls.certificates[0], (Tls::Pair{"a.pem", "a.key"}));
    EXPECT_EQ(c.tls.certificates[1], (Tls::Pair{"b.pem", "b.key"}));
}

TEST(Config, TlsErrors) {
    EXPECT_EQ(one_error("[tls]\ncertificate = \"c.pem\"\n", "missing"),
              "t.toml:2:15: key 'tls.private_key': missing: tls.certificate is set; give both or neither");
    one_error("[tls]\nprivate_key = \"k.pem\"\n", "key 'tls.certificate': missing");
    one_error("[tls]\ncertificate = \"\"\nprivate_key = \"k\"\n",
              "key 'tls.certificate': must not be empty");
    one_error("[tls]\ncertificate = 1\nprivate_key = \"k\"\n",
              "key 'tls.certificate': must be a string, not an integer");
    one_error("[tls]\ncertificate = \"c\"\nprivate_key = \"k\"\nchain = \"x\"\n",
              "key 'tls.chain': unknown key");
    one_error("tls = \"x\"\n", "key 'tls': must be a table");
    one_error("[tls]\ncertificate = \"c\"\nprivate_key = \"k\"\ncertificates = \"x\"\n",
              "key 'tls.certificates': must be an array of tables");
    one_error("[tls]\ncertificate = \"c\"\nprivate_key = \"k\"\ncertificates = [1]\n",
              "key 'tls.certificates[0]': must be a table");
    one_error("[tls]\ncertificate = \"c\"\nprivate_key = \"k\"\n[[tls.certificates]]\n"
              "certificate = \"a\"\n",
              "key 'tls.certificates[0].private_key': missing");
    one_error("[tls]\ncertificate = \"c\"\nprivate_key = \"k\"\n[[tls.certificates]]\n"
              "certificate = \"a\"\nprivate_key = \"b\"\n[[tls.certificates]]\n",
              "key 'tls.certificates[1]': needs certificate and private_key");
    one_error("[tls]\ncertificate = \"c\"\nprivate_key = \"k\"\n[[tls.certificates]]\n"
              "certificate = \"a\"\nprivate_key = \"b\"\nsni = \"x\"\n",
              "key 'tls.certificates[0].sni': unknown key");
    one_error("[[tls.certificates]]\ncertificate = \"a\"\nprivate_key = \"b\"\n",
              "key 'tls.certificates': needs tls.certificate and tls.private_key");
}

TEST(Config, TlsRenderRoundTrip) {
    auto c = must_load(R"(
[tls]
certificate = "dir with \"quote\"/full.pem"
private_key = "key.pem"
[[tls.certificates]]
certificate = "a.pem"
private_key = "a.key"
)");
    auto text = render(c);
    auto again = load_string(text, c.source);
    ASSERT_TRUE(again.config) << errors_of(again) << text;
    EXPECT_EQ(*again.config, c) << text;
    EXPECT_NE(text.find("[[tls.certificates]]\ncertificate = \"a.pem\"\n"), std::string::npos) << text;

    auto none = must_load("[server]\ndata_dir = \"d\"\n");
    auto none_text = render(none);
    EXPECT_NE(none_text.find("[tls]\n# no certificate"), std::string::npos) << none_text;
    auto none_again = load_string(none_text, none.source);
    ASSERT_TRUE(none_again.config) << errors_of(none_again) << none_text;
    EXPECT_EQ(*none_again.config, none);
}

TEST(Config, LoadFile) {
    char dir_template[] = "/tmp/tern-config-test-XXXXXX";
    ASSERT_NE(mkdtemp(dir_template), nullptr);
    std::filesystem::path dir = dir_template;
    auto file = dir / "tern.toml";
    std::ofstream(file) << "[limits]\nrecipients = 0\n";
    auto r = load_file(file);
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0].rfind(file.string() + ":2:14: key 'limits.recipients'", 0), 0u) << r.errors[0];
    auto missing = config::load(dir / "nope.toml");
    ASSERT_EQ(missing.errors.size(), 1u);
    EXPECT_NE(missing.errors[0].find("cannot read"), std::string::npos) << missing.errors[0];
    std::filesystem::remove_all(dir);
}

TEST(ConfigDkim, DefaultsValuesAndRoundTrip) {
    auto def = must_load("");
    EXPECT_TRUE(def.dkim.sign);
    EXPECT_EQ(def.dkim.selector, "tern");
    EXPECT_EQ(def.dkim.algorithms, (std::vector<std::string>{"rsa", "ed25519"}));
    auto c = must_load("[dkim]\nsign = false\nselector = \"Mail-2026\"\nalgorithms = [\"ed25519\", \"ed25519\"]\n");
    EXPECT_FALSE(c.dkim.sign);
    EXPECT_EQ(c.dkim.selector, "mail-2026");
    EXPECT_EQ(c.dkim.algorithms, (std::vector<std::string>{"ed25519"}));
    auto again = load_string(render(c), c.source);
    ASSERT_TRUE(again.config) << errors_of(again);
    EXPECT_EQ(again.config->dkim, c.dkim);
}

TEST(ConfigDkim, BadValuesNameTheKey) {
    one_error("[dkim]\nselector = \"a.b\"\n", "key 'dkim.selector'");
    one_error("[dkim]\nselector = \"-x\"\n", "must be a DNS label");
    one_error("[dkim]\nalgorithms = [\"rsa\", \"dsa\"]\n", "unknown algorithm 'dsa'");
    one_error("[dkim]\nalgorithms = []\n", "set sign = false");
    one_error("[dkim]\nsigning = true\n", "dkim");
}

}  // namespace
}  // namespace tern::config

namespace tern::config {
namespace {

TEST(ConfigOutbound, DefaultsAndEveryKey) {
    auto def = config::load(std::nullopt);
    ASSERT_TRUE(def.config);
    EXPECT_EQ(def.config->outbound.tls, OutboundTls::Opportunistic);
    EXPECT_EQ(def.config->queue.lifetime, 432000u);
    EXPECT_FALSE(def.config->relay.configured());
    EXPECT_TRUE(def.config->routes.empty());
    auto r = load_string(R"(
[dns]
nameservers = ["127.0.0.1:5353", "::1", "10.0.0.1"]
timeout = 5
[outbound]
tls = "required"
connections = 9
connections_per_destination = 2
messages_per_connection = 7
connect_timeout = 3
ca_file = "ca.pem"
[queue]
first_retry = 10
max_retry = 20
lifetime = 100
delay_warning = 50
[relay]
host = "smarthost.test"
port = 465
tls = "implicit"
verify = false
username = "u"
password = "secret"
[routes]
"B.test" = "127.0.0.1:2526"
"v6.test" = "[::1]"
"named.test" = { next_hop = "mx.named.test:2500", tls = "verify" }
"*" = "fallback.test"
)", "t.toml");
    ASSERT_TRUE(r.config) << (r.errors.empty() ? "" : r.errors[0]);
    const Config& c = *r.config;
    EXPECT_EQ(c.dns.nameservers, (std::vector<std::string>{"127.0.0.1:5353", "[::1]:53", "10.0.0.1:53"}));
    EXPECT_EQ(c.dns.timeout, 5u);
    EXPECT_EQ(c.outbound.tls, OutboundTls::Required);
    EXPECT_EQ(c.outbound.connections_per_destination, 2u);
    EXPECT_EQ(c.queue.delay_warning, 50u);
    EXPECT_EQ(c.relay.host, "smarthost.test");
    EXPECT_EQ(c.relay.port, 465);
    EXPECT_EQ(c.relay.tls, Relay::Mode::Implicit);
    EXPECT_FALSE(c.relay.verify);
    ASSERT_NE(c.route_for("b.TEST"), nullptr);
    EXPECT_EQ(c.route_for("b.test")->next_hop, (NextHop{"127.0.0.1", 2526}));
    EXPECT_EQ(c.route_for("v6.test")->next_hop, (NextHop{"::1", 25}));
    EXPECT_EQ(c.route_for("named.test")->tls, OutboundTls::Verify);
    EXPECT_EQ(c.route_for("other.test")->next_hop.host, "fallback.test");
    auto text = render(c);
    EXPECT_EQ(text.find("secret"), std::string::npos) << text;  // passwords are never printed
    EXPECT_NE(text.find("\"named.test\" = { next_hop = \"mx.named.test:2500\", tls = \"verify\" }"), std::string::npos)
        << text;
}

TEST(ConfigOutbound, BadValuesNameTheKey) {
    auto r = load_string(R"(
[dns]
nameservers = ["resolver.test"]
[outbound]
tls = "sometimes"
[queue]
first_retry = 100
max_retry = 50
[relay]
host = "smarthost.test:587"
[routes]
"b.test" = "127.0.0.1:0"
"localhost" = "127.0.0.1:25"
"c.test" = { tls = "verify" }
)", "t.toml");
    ASSERT_FALSE(r.config);
    std::string all;
    for (auto& e : r.errors) all += e + "\n";
    EXPECT_NE(all.find("t.toml:3:16: key 'dns.nameservers'"), std::string::npos) << all;
    EXPECT_NE(all.find("key 'outbound.tls': 'sometimes'"), std::string::npos) << all;
    EXPECT_NE(all.find("key 'queue.max_retry'"), std::string::npos) << all;
    EXPECT_NE(all.find("key 'relay.host': give the port as relay.port"), std::string::npos) << all;
    EXPECT_NE(all.find("key 'routes.\"b.test\"': '127.0.0.1:0'"), std::string::npos) << all;
    EXPECT_NE(all.find("key 'routes.localhost': domain 'localhost' is local"), std::string::npos) << all;
    EXPECT_NE(all.find("needs next_hop"), std::string::npos) << all;
    EXPECT_EQ(r.errors.size(), 7u) << all;
}

TEST(ConfigOutbound, NextHopSyntax) {
    std::string e;
    EXPECT_EQ(parse_next_hop("mx.b.test", e), (NextHop{"mx.b.test", 25}));
    EXPECT_EQ(parse_next_hop("MX.b.test:2525", e), (NextHop{"mx.b.test", 2525}));
    EXPECT_EQ(parse_next_hop("[2001:db8::1]:26", e), (NextHop{"2001:db8::1", 26}));
    EXPECT_EQ((NextHop{"2001:db8::1", 26}).str(), "[2001:db8::1]:26");
    for (const char* bad : {"", "a.test:", "a.test:x", "a.test:70000", "[::1", "[nothost]:25", "a b:25", "a.test:0"})
        EXPECT_FALSE(parse_next_hop(bad, e)) << bad;
}

}  // namespace
}  // namespace tern::config
