// `tern dkim keygen` and `tern dns records`: see dkim_command.hpp.
#include "cli/dkim_command.hpp"

#include <CLI/CLI.hpp>
#include <iostream>

#include "config/config.hpp"
#include "core/address.hpp"
#include "cli/load_config.hpp"
#include "net/endpoint.hpp"
#include "server/dkim_keyring.hpp"

namespace tern::cli {
namespace {

// A TXT value in zone-file syntax: quoted strings of at most 255 octets (RFC 1035 3.3.14).
std::string txt(std::string_view value) {
    std::string out;
    while (true) {
        std::string_view piece = value.substr(0, 255);
        if (!out.empty()) out += ' ';
        out += '"';
        for (char c : piece) {
            if (c == '"' || c == '\\') out += '\\';
            out += c;
        }
        out += '"';
        value.remove_prefix(piece.size());
        if (value.empty()) break;
    }
    return out;
}

// The port of a listener's first address (the config checked its syntax), or 0 when none.
unsigned port_of(const std::vector<std::string>& addresses) {
    std::string error;
    auto ep = addresses.empty() ? std::nullopt : net::parse_endpoint(addresses.front(), error);
    return ep ? ep->port() : 0;
}

bool check_local(const config::Config& c, const std::string& domain, std::ostream& err) {
    if (c.is_local_domain(domain)) return true;
    err << "tern: " << domain << " is not a local domain (server.domains in " << c.source << ")\n";
    return false;
}

}  // namespace

int run_dkim_keygen(const config::Config& c, const std::string& domain_in, const std::optional<std::string>& selector,
                    const std::optional<std::string>& algorithm, std::ostream& out, std::ostream& err) {
    std::string domain = ascii_lower(domain_in);
    if (!check_local(c, domain, err)) return 1;
    std::vector<std::string> algs = c.dkim.algorithms;
    if (algorithm) {
        if (*algorithm != "rsa" && *algorithm != "ed25519") {
            err << "tern: unknown algorithm '" << *algorithm << "' (rsa, ed25519)\n";
            return 1;
        }
        algs = {*algorithm};
    }
    std::string base = selector ? ascii_lower(*selector) : c.dkim.selector;
    if (!is_valid_domain(base) || base.find('.') != std::string::npos) {
        err << "tern: selector must be a DNS label (letters, digits, '-')\n";
        return 1;
    }
    int code = 0;
    for (const auto& alg : algs) {
        std::string sel = server::dkim_selector(base, alg);
        auto path = server::dkim_key_path(c, domain, sel);
        std::string error;
        bool created = false;
        auto key = server::load_or_create_dkim_key(path, *dkim::parse_key_type(alg), true, &error, &created);
        if (!key) {
            err << "tern: " << error << "\n";
            code = 1;
            continue;
        }
        out << "; " << (created ? "made " : "exists ") << path.string() << "\n";
        out << sel << "._domainkey." << domain << ". IN TXT " << txt(key->dns_record()) << "\n";
    }
    return code;
}

int run_dns_records(const config::Config& c, const std::string& domain_in, std::ostream& out, std::ostream& err) {
    std::string domain = ascii_lower(domain_in);
    if (!check_local(c, domain, err)) return 1;
    const std::string host = c.server.hostname + ".";
    const std::string d = domain + ".";
    out << "; DNS records for " << domain << " (tern dns records, configuration " << c.source << ")\n";
    out << d << " IN MX 10 " << host << "\n";
    out << d << " IN TXT " << txt("v=spf1 mx -all") << "\n";
    if (c.dkim.sign) {
        for (const auto& alg : c.dkim.algorithms) {
            std::string sel = server::dkim_selector(c.dkim.selector, alg);
            auto path = server::dkim_key_path(c, domain, sel);
            std::string error;
            auto key = server::load_or_create_dkim_key(path, *dkim::parse_key_type(alg), false, &error);
            if (key) {
                out << sel << "._domainkey." << d << " IN TXT " << txt(key->dns_record()) << "\n";
            } else {
                out << "; no " << alg << " DKIM key yet (" << error << "): start the server or run `tern dkim keygen "
                    << domain << "`\n";
            }
        }
    }
    out << "_dmarc." << d << " IN TXT " << txt("v=DMARC1; p=quarantine; rua=mailto:postmaster@" + domain) << "\n";
    // RFC 6186: where mail clients find submission and retrieval; "." means not offered.
    struct Srv {
        const char* name;
        const std::vector<std::string>& listen;
    };
    const Srv srvs[] = {{"_submission._tcp", c.listen.submission}, {"_submissions._tcp", c.listen.submissions},
                        {"_imap._tcp", c.listen.imap},             {"_imaps._tcp", c.listen.imaps},
                        {"_pop3._tcp", c.listen.pop3},             {"_pop3s._tcp", c.listen.pop3s}};
    for (const auto& s : srvs) {
        unsigned port = port_of(s.listen);
        out << s.name << "." << d << " IN SRV ";
        if (port == 0) out << "0 0 0 .\n";
        else out << "0 1 " << port << " " << host << "\n";
    }
    return 0;
}

void add_dkim_commands(CLI::App& app, std::optional<std::string>& config_path, int& exit_code) {
    auto* dkim = app.add_subcommand("dkim", "DKIM signing keys");
    dkim->require_subcommand(1);
    auto* keygen = dkim->add_subcommand("keygen", "Make the DKIM keys of a local domain and print their DNS records");
    static std::string keygen_domain;
    static std::optional<std::string> keygen_selector, keygen_algorithm;
    keygen->add_option("domain", keygen_domain, "Local domain")->required();
    keygen->add_option("-s,--selector", keygen_selector, "Selector base name (default: [dkim] selector)");
    keygen->add_option("-a,--algorithm", keygen_algorithm, "rsa or ed25519 (default: [dkim] algorithms)");
    keygen->add_option("-c,--config", config_path, "Configuration file (default: embedded)");
    keygen->callback([&config_path, &exit_code] {
        auto c = load_config(config_path, std::cerr);
        exit_code = c ? run_dkim_keygen(*c, keygen_domain, keygen_selector, keygen_algorithm, std::cout, std::cerr) : 1;
    });

    auto* dns = app.add_subcommand("dns", "DNS records to publish");
    dns->require_subcommand(1);
    auto* records = dns->add_subcommand("records", "Print the MX, SPF, DKIM, DMARC and SRV records of a local domain");
    static std::string records_domain;
    records->add_option("domain", records_domain, "Local domain")->required();
    records->add_option("-c,--config", config_path, "Configuration file (default: embedded)");
    records->callback([&config_path, &exit_code] {
        auto c = load_config(config_path, std::cerr);
        exit_code = c ? run_dns_records(*c, records_domain, std::cout, std::cerr) : 1;
    });
}

}  // namespace tern::cli
