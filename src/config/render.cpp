// The effective configuration back as TOML, defaults included (`tern config check`).
#include <algorithm>
#include <cstdio>
#include <sstream>

#include "config/config.hpp"
#include "config/specs.hpp"

namespace tern::config {

namespace detail {

std::string toml_quote(std::string_view s) {
    std::string out = "\"";
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        switch (ch) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\b': out += "\\b"; break;
            case '\t': out += "\\t"; break;
            case '\n': out += "\\n"; break;
            case '\f': out += "\\f"; break;
            case '\r': out += "\\r"; break;
            default:
                if (c < 0x20 || c == 0x7F) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04X", c);
                    out += buf;
                } else {
                    out.push_back(ch);
                }
        }
    }
    out += '"';
    return out;
}

}  // namespace detail

namespace {

using detail::kLimitSpecs;
using detail::kListenSpecs;
using detail::toml_quote;

std::string render_list(const std::vector<std::string>& items) {
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i) out += ", ";
        out += toml_quote(items[i]);
    }
    return out + "]";
}

}  // namespace

std::string render(const Config& c) {
    std::string source = c.source;
    std::replace_if(source.begin(), source.end(), [](char ch) {
        return static_cast<unsigned char>(ch) < 0x20 || ch == 0x7F; }, '?');
    std::ostringstream out;
    out << "# Effective Tern configuration (from " << source << "), defaults included.\n\n";
    out << "[server]\n";
    out << "hostname = " << toml_quote(c.server.hostname) << "\n";
    out << "data_dir = " << toml_quote(c.server.data_dir.string()) << "\n";
    out << "domains = " << render_list(c.server.domains) << "\n\n";
    out << "[listen]\n";
    for (auto& spec : kListenSpecs) out << spec.name << " = " << render_list(c.listen.*spec.field) << "\n";
    out << "\n[limits]\n";
    for (auto& spec : kLimitSpecs) out << spec.name << " = " << spec.get(c.limits) << "\n";
    out << "\n[tls]\n";
    if (c.tls.configured()) {
        out << "certificate = " << toml_quote(c.tls.certificate) << "\n";
        out << "private_key = " << toml_quote(c.tls.private_key) << "\n";
    } else {
        out << "# no certificate: a self-signed one for " << toml_quote(c.server.hostname)
            << " is kept in " << toml_quote((c.server.data_dir / "tls").string()) << "\n";
    }
    for (auto& pair : c.tls.certificates) {
        out << "\n[[tls.certificates]]\n";
        out << "certificate = " << toml_quote(pair.certificate) << "\n";
        out << "private_key = " << toml_quote(pair.private_key) << "\n";
    }
    out << "\n[submission]\n";
    out << "check_from_header = " << (c.submission.check_from_header ? "true" : "false") << "\n";
    out << "messages_per_hour = " << c.submission.messages_per_hour << "\n";
    out << "recipients_per_day = " << c.submission.recipients_per_day << "\n";
    out << "auth_without_tls = " << (c.submission.auth_without_tls ? "true" : "false") << "\n";
    out << "\n[retrieval]\n";
    out << "plaintext_auth = " << (c.retrieval.plaintext_auth ? "true" : "false") << "\n";
    out << "quota = " << c.retrieval.quota << "\n";
    out << "\n[dkim]\n";
    out << "sign = " << (c.dkim.sign ? "true" : "false") << "\n";
    out << "selector = " << toml_quote(c.dkim.selector) << "\n";
    out << "algorithms = " << render_list(c.dkim.algorithms) << "\n";
    out << "\n[auth]\n";
    out << "max_failures_per_ip = " << c.auth.max_failures_per_ip << "\n";
    out << "max_failures_per_account = " << c.auth.max_failures_per_account << "\n";
    out << "failure_window = " << c.auth.failure_window << "\n";
    out << "\n[dns]\n";
    out << "nameservers = " << render_list(c.dns.nameservers) << "\n";
    out << "timeout = " << c.dns.timeout << "\n";
    out << "\n[outbound]\n";
    out << "tls = " << toml_quote(std::string(to_string(c.outbound.tls))) << "\n";
    out << "connections = " << c.outbound.connections << "\n";
    out << "connections_per_destination = " << c.outbound.connections_per_destination << "\n";
    out << "messages_per_connection = " << c.outbound.messages_per_connection << "\n";
    out << "connect_timeout = " << c.outbound.connect_timeout << "\n";
    out << "ca_file = " << toml_quote(c.outbound.ca_file) << "\n";
    out << "mx_port = " << c.outbound.mx_port << "\n";
    out << "\n[queue]\n";
    out << "first_retry = " << c.queue.first_retry << "\n";
    out << "max_retry = " << c.queue.max_retry << "\n";
    out << "lifetime = " << c.queue.lifetime << "\n";
    out << "delay_warning = " << c.queue.delay_warning << "\n";
    out << "\n[relay]\n";
    if (c.relay.configured()) {
        const char* mode = c.relay.tls == Relay::Mode::Starttls ? "starttls"
                           : c.relay.tls == Relay::Mode::Implicit ? "implicit" : "none";
        out << "host = " << toml_quote(c.relay.host) << "\n";
        out << "port = " << c.relay.port << "\n";
        out << "tls = " << toml_quote(mode) << "\n";
        out << "verify = " << (c.relay.verify ? "true" : "false") << "\n";
        if (!c.relay.username.empty()) {
            out << "username = " << toml_quote(c.relay.username) << "\n";
            out << "password = \"(hidden)\"  # never printed\n";
        }
    } else {
        out << "# no relay: remote mail goes to the recipient domain's MX hosts\n";
    }
    out << "\n[routes]\n";
    for (auto& [domain, r] : c.routes) {
        out << toml_quote(domain) << " = ";
        if (r.tls) out << "{ next_hop = " << toml_quote(r.next_hop.str()) << ", tls = " << toml_quote(std::string(to_string(*r.tls))) << " }\n";
        else out << toml_quote(r.next_hop.str()) << "\n";
    }
    out << "\n[senders]\n";
    for (auto& [user, extra] : c.senders) out << toml_quote(user) << " = " << render_list(extra) << "\n";
    out << "\n[aliases]\n";
    for (auto& [key, targets] : c.aliases) out << toml_quote(key) << " = " << render_list(targets) << "\n";
    return out.str();
}

}  // namespace tern::config
