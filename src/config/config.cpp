// Configuration loading: TOML (toml++) -> the typed, immutable tern::config::Config.
//
// Every key is checked for type and range, unknown keys and tables are errors, and all errors
// are collected (not just the first) as "FILE:LINE:COL: key 'a.b': what is wrong", sorted by
// position. Rendering is in render.cpp, next hops in next_hop.cpp. Deliberately left out:
// includes and environment substitution (SIGHUP reloads the whole file, see server.cpp).
#include "config/config.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <tuple>

#include <toml++/toml.h>

#include "config/specs.hpp"
#include "core/address.hpp"

namespace tern::config {
namespace {

using detail::kLimitSpecs;
using detail::kListenSpecs;
using detail::toml_quote;

// A key path segment as the user would write it: bare when possible, else quoted.
std::string key_segment(std::string_view k) {
    bool bare = !k.empty() && std::all_of(k.begin(), k.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-';
    });
    return bare ? std::string(k) : toml_quote(k);
}

std::string_view type_name(toml::node_type t) {
    switch (t) {
        case toml::node_type::table: return "a table";
        case toml::node_type::array: return "an array";
        case toml::node_type::string: return "a string";
        case toml::node_type::integer: return "an integer";
        case toml::node_type::floating_point: return "a float";
        case toml::node_type::boolean: return "a boolean";
        case toml::node_type::date: return "a date";
        case toml::node_type::time: return "a time";
        case toml::node_type::date_time: return "a date-time";
        default: return "nothing";
    }
}

// "1.2.3.4:25", "[::1]:25". Port 0 is accepted and means "any free port" (tests bind port 0).
// Host names (even "localhost") are refused: what a listener binds must be unambiguous.
// Returns an error text, or the canonical "address:port" used to spot duplicates.
struct ListenCheck {
    std::string error;
    std::string canonical;
};
ListenCheck check_listen(std::string_view s) {
    std::string host;
    std::string_view port;
    bool v6 = false;
    if (!s.empty() && s.front() == '[') {
        auto close = s.find("]:");
        if (close == std::string_view::npos) return {"IPv6 listen address must look like \"[::1]:25\"", {}};
        host = std::string(s.substr(1, close - 1));
        port = s.substr(close + 2);
        v6 = true;
    } else {
        auto colon = s.rfind(':');
        if (colon == std::string_view::npos)
            return {"listen address must be \"IPv4:port\" or \"[IPv6]:port\"", {}};
        host = std::string(s.substr(0, colon));
        port = s.substr(colon + 1);
    }
    if (port.empty() || port.size() > 5 ||
        !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return {"port must be a number 0..65535", {}};
    unsigned long p = std::stoul(std::string(port));
    if (p > 65535) return {"port must be a number 0..65535", {}};
    unsigned char buf[16];
    char text[INET6_ADDRSTRLEN];
    if (v6) {
        if (inet_pton(AF_INET6, host.c_str(), buf) != 1)
            return {"'" + host + "' is not an IPv6 address", {}};
        inet_ntop(AF_INET6, buf, text, sizeof text);
        return {{}, "[" + std::string(text) + "]:" + std::to_string(p)};
    }
    if (inet_pton(AF_INET, host.c_str(), buf) != 1)
        return {"'" + host + "' is not an IPv4 address (host names are not accepted; use "
                "e.g. 127.0.0.1 or [::1])", {}};
    inet_ntop(AF_INET, buf, text, sizeof text);
    return {{}, std::string(text) + ":" + std::to_string(p)};
}

class Loader {
public:
    explicit Loader(std::string source) : source_(std::move(source)) {}

    LoadResult run(std::string_view text) {
        Config config;
        config.source = source_;
        toml::table root;
        try {
            root = toml::parse(text, source_);
        } catch (const toml::parse_error& e) {
            add(e.source(), std::string(e.description()));
            return finish(std::nullopt);
        }
        // Server first: the alias check needs the local domains.
        for (auto&& [k, v] : root) {
            std::string name(k.str());
            static constexpr std::array<std::string_view, 15> kTables = {
                "server", "listen", "limits", "tls", "submission", "retrieval", "dkim", "auth", "senders",
                "aliases", "dns", "outbound", "queue", "relay", "routes"};
            if (std::find(kTables.begin(), kTables.end(), name) == kTables.end())
                key_error(k.source(), name,
                          "unknown table (expected server, listen, limits, tls, submission, retrieval, "
                          "dkim, auth, senders, aliases, dns, outbound, queue, relay, routes)");
            else if (!v.is_table())
                key_error(v.source(), name, "must be a table, not " + std::string(type_name(v.type())));
        }
        if (auto* t = root["server"].as_table()) parse_server(*t, config.server);
        if (auto* t = root["listen"].as_table()) parse_listen(*t, config.listen);
        if (auto* t = root["limits"].as_table()) parse_limits(*t, config.limits);
        if (auto* t = root["tls"].as_table()) parse_tls(*t, config.tls);
        if (auto* t = root["aliases"].as_table()) parse_aliases(*t, config);
        if (auto* t = root["submission"].as_table()) parse_submission(*t, config.submission);
        if (auto* t = root["retrieval"].as_table()) parse_retrieval(*t, config.retrieval);
        if (auto* t = root["dkim"].as_table()) parse_dkim(*t, config.dkim);
        if (auto* t = root["auth"].as_table()) parse_auth(*t, config.auth);
        if (auto* t = root["senders"].as_table()) parse_senders(*t, config);
        if (auto* t = root["dns"].as_table()) parse_dns(*t, config.dns);
        if (auto* t = root["outbound"].as_table()) parse_outbound(*t, config.outbound);
        if (auto* t = root["queue"].as_table()) parse_queue(*t, config.queue);
        if (auto* t = root["relay"].as_table()) parse_relay(*t, config.relay);
        if (auto* t = root["routes"].as_table()) parse_routes(*t, config);
        return finish(std::move(config));
    }

    void add_plain(std::string text) { errors_.push_back({0, 0, std::move(text)}); }
    LoadResult finish(std::optional<Config> config) {
        std::stable_sort(errors_.begin(), errors_.end(), [](const Error& a, const Error& b) {
            return std::tie(a.line, a.column) < std::tie(b.line, b.column);
        });
        LoadResult r;
        for (auto& e : errors_) r.errors.push_back(std::move(e.text));
        if (r.errors.empty()) r.config = std::move(config);
        return r;
    }

private:
    struct Error {
        std::uint32_t line;
        std::uint32_t column;
        std::string text;
    };

    void add(const toml::source_region& where, std::string what) {
        auto line = where.begin.line, col = where.begin.column;
        errors_.push_back({line, col, source_ + ":" + std::to_string(line) + ":" +
                                          std::to_string(col) + ": " + std::move(what)});
    }
    void key_error(const toml::source_region& where, std::string_view path, std::string what) {
        add(where, "key '" + std::string(path) + "': " + std::move(what));
    }
    void type_error(const toml::node& v, std::string_view path, std::string_view want) {
        key_error(v.source(), path,
                  "must be " + std::string(want) + ", not " + std::string(type_name(v.type())));
    }

    // Reports every key of `t` not in `known`.
    template <std::size_t N>
    void check_known(const toml::table& t, std::string_view table,
                     const std::array<std::string_view, N>& known) {
        for (auto&& [k, v] : t) {
            if (std::find(known.begin(), known.end(), k.str()) == known.end())
                key_error(k.source(), std::string(table) + "." + key_segment(k.str()), "unknown key");
        }
    }

    const std::string* get_string(const toml::node& v, std::string_view path) {
        if (auto* s = v.as_string()) return &s->get();
        type_error(v, path, "a string");
        return nullptr;
    }

    // An array of strings; nullopt (after reporting) when the shape is wrong.
    std::optional<std::vector<std::pair<std::string, const toml::node*>>> get_string_array(
        const toml::node& v, std::string_view path) {
        auto* arr = v.as_array();
        if (!arr) {
            type_error(v, path, "an array of strings");
            return std::nullopt;
        }
        std::vector<std::pair<std::string, const toml::node*>> out;
        bool ok = true;
        for (auto& el : *arr) {
            if (auto* s = el.as_string()) {
                out.emplace_back(s->get(), &el);
            } else {
                type_error(el, path, "an array of strings; this element is not a string");
                ok = false;
            }
        }
        if (!ok) return std::nullopt;
        return out;
    }

    void parse_server(const toml::table& t, Server& server) {
        check_known(t, "server", std::array<std::string_view, 3>{"hostname", "data_dir", "domains"});
        if (auto* v = t.get("hostname")) {
            if (auto* s = get_string(*v, "server.hostname")) {
                if (!is_valid_domain(*s))
                    key_error(v->source(), "server.hostname", "'" + *s + "' is not a valid domain name");
                else
                    server.hostname = *s;
            }
        }
        if (auto* v = t.get("data_dir")) {
            if (auto* s = get_string(*v, "server.data_dir")) {
                if (s->empty())
                    key_error(v->source(), "server.data_dir", "must not be empty");
                else if (s->find('\0') != std::string::npos)
                    key_error(v->source(), "server.data_dir", "must not contain NUL");
                else
                    server.data_dir = *s;
            }
        }
        if (auto* v = t.get("domains")) {
            if (auto list = get_string_array(*v, "server.domains")) {
                std::vector<std::string> domains;
                for (auto& [d, node] : *list) {
                    auto lower = ascii_lower(d);
                    if (!is_valid_domain(d))
                        key_error(node->source(), "server.domains", "'" + d + "' is not a valid domain name");
                    else if (std::find(domains.begin(), domains.end(), lower) != domains.end())
                        key_error(node->source(), "server.domains", "'" + d + "' is listed twice");
                    else
                        domains.push_back(lower);
                }
                if (list->empty())
                    key_error(v->source(), "server.domains", "must list at least one local domain");
                server.domains = std::move(domains);
            }
        }
    }

    void parse_listen(const toml::table& t, Listen& listen) {
        std::array<std::string_view, kListenSpecs.size()> names;
        for (std::size_t i = 0; i < kListenSpecs.size(); ++i) names[i] = kListenSpecs[i].name;
        check_known(t, "listen", names);
        for (auto& spec : kListenSpecs) {
            auto* v = t.get(spec.name);
            if (!v) continue;
            std::string path = "listen." + std::string(spec.name);
            auto list = get_string_array(*v, path);
            if (!list) continue;
            std::vector<std::string> out;
            for (auto& [addr, node] : *list) {
                auto c = check_listen(addr);
                if (!c.error.empty()) {
                    key_error(node->source(), path, "'" + addr + "': " + c.error);
                    continue;
                }
                // The same address twice can never bind; port 0 is always fresh.
                bool any_port = c.canonical.size() > 2 && c.canonical.ends_with(":0");
                if (!any_port) {
                    auto [it, fresh] = seen_listen_.emplace(c.canonical, path);
                    if (!fresh) {
                        key_error(node->source(), path,
                                  "'" + addr + "' is already used by " + it->second);
                        continue;
                    }
                }
                out.push_back(addr);
            }
            listen.*spec.field = std::move(out);
        }
    }

    void parse_limits(const toml::table& t, Limits& limits) {
        std::array<std::string_view, kLimitSpecs.size()> names;
        for (std::size_t i = 0; i < kLimitSpecs.size(); ++i) names[i] = kLimitSpecs[i].name;
        check_known(t, "limits", names);
        for (auto& spec : kLimitSpecs) {
            auto* v = t.get(spec.name);
            if (!v) continue;
            std::string path = "limits." + std::string(spec.name);
            auto* i = v->as_integer();
            if (!i) {
                type_error(*v, path, "an integer");
                continue;
            }
            std::int64_t n = i->get();
            if (n < 0 || static_cast<std::uint64_t>(n) < spec.min || static_cast<std::uint64_t>(n) > spec.max) {
                key_error(v->source(), path,
                          std::to_string(n) + " is out of range (" + std::to_string(spec.min) +
                              ".." + std::to_string(spec.max) + ")");
                continue;
            }
            spec.set(limits, static_cast<std::uint64_t>(n));
        }
        if (limits.connections_per_ip > limits.connections) {
            const toml::node* v = t.get("connections_per_ip");
            if (!v) v = t.get("connections");
            key_error(v ? v->source() : t.source(), "limits.connections_per_ip",
                      "must not exceed limits.connections (" + std::to_string(limits.connections) + ")");
        }
    }

    // A file path of [tls]: a non-empty string without NUL. Returns the node when the key is
    // present (even if invalid, so "missing" is not reported on top of a type error).
    const toml::node* tls_path(const toml::table& t, std::string_view key, const std::string& path,
                               std::string& out) {
        auto* v = t.get(key);
        if (!v) return nullptr;
        if (auto* s = get_string(*v, path)) {
            if (s->empty())
                key_error(v->source(), path, "must not be empty (leave the key out instead)");
            else if (s->find('\0') != std::string::npos)
                key_error(v->source(), path, "must not contain NUL");
            else
                out = *s;
        }
        return v;
    }

    // certificate + private_key of `t`, both or neither; `prefix` is "tls." or
    // "tls.certificates[N].". Returns whether both keys are present.
    bool tls_pair(const toml::table& t, const std::string& prefix, std::string& certificate,
                  std::string& private_key) {
        auto* c = tls_path(t, "certificate", prefix + "certificate", certificate);
        auto* k = tls_path(t, "private_key", prefix + "private_key", private_key);
        if (c && !k)
            key_error(c->source(), prefix + "private_key",
                      "missing: " + prefix + "certificate is set; give both or neither");
        if (k && !c)
            key_error(k->source(), prefix + "certificate",
                      "missing: " + prefix + "private_key is set; give both or neither");
        return c && k;
    }

    void parse_tls(const toml::table& t, Tls& tls) {
        check_known(t, "tls",
                    std::array<std::string_view, 3>{"certificate", "private_key", "certificates"});
        bool main_pair = tls_pair(t, "tls.", tls.certificate, tls.private_key);
        bool main_half = t.get("certificate") || t.get("private_key");
        auto* v = t.get("certificates");
        if (!v) return;
        auto* arr = v->as_array();
        if (!arr) {
            type_error(*v, "tls.certificates", "an array of tables ([[tls.certificates]])");
            return;
        }
        if (!main_pair && !main_half && !arr->empty())
            key_error(v->source(), "tls.certificates",
                      "needs tls.certificate and tls.private_key: they are the default for "
                      "clients whose SNI name matches none of these");
        for (std::size_t i = 0; i < arr->size(); ++i) {
            const toml::node& el = *arr->get(i);
            std::string path = "tls.certificates[" + std::to_string(i) + "]";
            auto* et = el.as_table();
            if (!et) {
                type_error(el, path, "a table with certificate and private_key");
                continue;
            }
            check_known(*et, path, std::array<std::string_view, 2>{"certificate", "private_key"});
            Tls::Pair pair;
            if (!et->get("certificate") && !et->get("private_key")) {
                key_error(et->source(), path, "needs certificate and private_key");
                continue;
            }
            if (tls_pair(*et, path + ".", pair.certificate, pair.private_key))
                tls.certificates.push_back(std::move(pair));
        }
    }

    void parse_aliases(const toml::table& t, Config& config) {
        std::map<std::string, std::uint32_t> key_lines;
        // toml::table iterates in key order; go in file order so "same alias as line N"
        // always points back to the earlier line.
        std::vector<std::pair<const toml::key*, const toml::node*>> entries;
        for (auto&& [k, v] : t) entries.emplace_back(&k, &v);
        std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
            return std::tie(a.first->source().begin.line, a.first->source().begin.column) <
                   std::tie(b.first->source().begin.line, b.first->source().begin.column);
        });
        for (auto [kp, vp] : entries) {
            const toml::key& k = *kp;
            const toml::node& v = *vp;
            std::string raw(k.str());
            std::string path = "aliases." + key_segment(raw);
            std::string key = ascii_lower(raw);
            bool key_ok = true;
            std::string domain;
            if (!raw.empty() && raw.front() == '@') {
                domain = key.substr(1);
                if (!is_valid_domain(domain)) {
                    key_error(k.source(), path, "'" + raw + "' is not \"local@domain\" or \"@domain\"");
                    key_ok = false;
                }
            } else {
                auto a = parse_mailbox(raw);
                if (!a || a->is_address_literal()) {
                    key_error(k.source(), path, "'" + raw + "' is not \"local@domain\" or \"@domain\"");
                    key_ok = false;
                } else {
                    key = a->key();
                    domain = ascii_lower(a->domain);
                }
            }
            if (key_ok && !config.is_local_domain(domain)) {
                key_error(k.source(), path, "domain '" + domain + "' is not in server.domains");
                key_ok = false;
            }
            if (key_ok) {
                auto [it, fresh] = key_lines.emplace(key, k.source().begin.line);
                if (!fresh) {
                    key_error(k.source(), path,
                              "same alias as line " + std::to_string(it->second) + " (keys ignore case)");
                    key_ok = false;
                }
            }
            std::vector<std::string> targets;
            bool targets_ok = true;
            auto check_target = [&](const std::string& s, const toml::node& node) {
                if (!parse_mailbox(s)) {
                    key_error(node.source(), path, "target '" + s + "' is not a valid address");
                    targets_ok = false;
                } else {
                    targets.push_back(s);
                }
            };
            if (auto* s = v.as_string()) {
                check_target(s->get(), v);
            } else if (v.is_array()) {
                if (auto list = get_string_array(v, path)) {
                    for (auto& [s, node] : *list) check_target(s, *node);
                    if (list->empty()) {
                        key_error(v.source(), path, "must list at least one target");
                        targets_ok = false;
                    }
                } else {
                    targets_ok = false;
                }
            } else {
                type_error(v, path, "a string or an array of strings");
                targets_ok = false;
            }
            if (key_ok && targets_ok) config.aliases[key] = std::move(targets);
        }
    }

    // An integer key in [min, max]; false (after reporting) when present but invalid.
    template <class T>
    void get_int(const toml::table& t, std::string_view table, std::string_view key,
                 std::uint64_t min, std::uint64_t max, T& out) {
        auto* v = t.get(key);
        if (!v) return;
        std::string path = std::string(table) + "." + std::string(key);
        auto* i = v->as_integer();
        if (!i) return type_error(*v, path, "an integer");
        std::int64_t n = i->get();
        if (n < 0 || static_cast<std::uint64_t>(n) < min || static_cast<std::uint64_t>(n) > max)
            return key_error(v->source(), path, std::to_string(n) + " is out of range (" +
                                                    std::to_string(min) + ".." + std::to_string(max) + ")");
        out = static_cast<T>(n);
    }
    void get_bool(const toml::table& t, std::string_view table, std::string_view key, bool& out) {
        auto* v = t.get(key);
        if (!v) return;
        if (auto* b = v->as_boolean()) out = b->get();
        else type_error(*v, std::string(table) + "." + std::string(key), "true or false");
    }

    void parse_submission(const toml::table& t, Submission& s) {
        check_known(t, "submission",
                    std::array<std::string_view, 4>{"check_from_header", "messages_per_hour",
                                                    "recipients_per_day", "auth_without_tls"});
        get_bool(t, "submission", "check_from_header", s.check_from_header);
        get_int(t, "submission", "messages_per_hour", 0, 1000000, s.messages_per_hour);
        get_int(t, "submission", "recipients_per_day", 0, 100000000, s.recipients_per_day);
        get_bool(t, "submission", "auth_without_tls", s.auth_without_tls);
    }

    void parse_retrieval(const toml::table& t, Retrieval& r) {
        check_known(t, "retrieval", std::array<std::string_view, 2>{"plaintext_auth", "quota"});
        get_bool(t, "retrieval", "plaintext_auth", r.plaintext_auth);
        get_int(t, "retrieval", "quota", 0, std::uint64_t(1) << 50, r.quota);
    }

    void parse_dkim(const toml::table& t, Dkim& d) {
        check_known(t, "dkim", std::array<std::string_view, 3>{"sign", "selector", "algorithms"});
        get_bool(t, "dkim", "sign", d.sign);
        if (auto* v = t.get("selector")) {
            if (auto* s = get_string(*v, "dkim.selector")) {
                // One DNS label: a domain without dots.
                if (is_valid_domain(*s) && s->find('.') == std::string::npos) d.selector = ascii_lower(*s);
                else key_error(v->source(), "dkim.selector", "must be a DNS label (letters, digits, '-')");
            }
        }
        if (auto* v = t.get("algorithms")) {
            if (auto list = get_string_array(*v, "dkim.algorithms")) {
                d.algorithms.clear();
                for (auto& [name, node] : *list) {
                    std::string n = ascii_lower(name);
                    if (n != "rsa" && n != "ed25519") {
                        key_error(node->source(), "dkim.algorithms", "unknown algorithm '" + name + "' (rsa, ed25519)");
                    } else if (std::find(d.algorithms.begin(), d.algorithms.end(), n) == d.algorithms.end()) {
                        d.algorithms.push_back(n);
                    }
                }
                if (list->empty())
                    key_error(v->source(), "dkim.algorithms", "empty: set sign = false to turn signing off");
            }
        }
    }

    void parse_auth(const toml::table& t, Auth& a) {
        check_known(t, "auth",
                    std::array<std::string_view, 3>{"max_failures_per_ip", "max_failures_per_account",
                                                    "failure_window"});
        get_int(t, "auth", "max_failures_per_ip", 1, 1000000, a.max_failures_per_ip);
        get_int(t, "auth", "max_failures_per_account", 1, 1000000, a.max_failures_per_account);
        get_int(t, "auth", "failure_window", 1, 86400, a.failure_window);
    }

    // [senders] "user@domain" = ["extra@domain", "@domain"]: the user must be an address of a
    // local domain; entries are addresses or "@domain".
    void parse_senders(const toml::table& t, Config& config) {
        for (auto&& [k, v] : t) {
            std::string raw(k.str());
            std::string path = "senders." + key_segment(raw);
            auto user = parse_mailbox(raw);
            if (!user || user->is_address_literal() || !config.is_local_domain(user->domain)) {
                key_error(k.source(), path, "'" + raw + "' is not an address of a local domain");
                continue;
            }
            auto list = get_string_array(v, path);
            if (!list) continue;
            std::vector<std::string> entries;
            for (auto& [s, node] : *list) {
                bool ok = (!s.empty() && s.front() == '@') ? is_valid_domain(s.substr(1))
                                                           : parse_mailbox(s).has_value();
                if (!ok) key_error(node->source(), path, "'" + s + "' is not an address or \"@domain\"");
                else entries.push_back(ascii_lower(s));
            }
            config.senders[user->key()] = std::move(entries);
        }
    }

    void parse_dns(const toml::table& t, Dns& d) {
        check_known(t, "dns", std::array<std::string_view, 2>{"nameservers", "timeout"});
        get_int(t, "dns", "timeout", 1, 600, d.timeout);
        auto* v = t.get("nameservers");
        if (!v) return;
        auto list = get_string_array(*v, "dns.nameservers");
        if (!list) return;
        for (auto& [s, node] : *list) {
            // Same syntax as a listen address, the port being optional (53).
            std::string with_port = s;
            auto colons = std::count(s.begin(), s.end(), ':');
            if (!s.empty() && s.front() == '[') {
                if (s.find("]:") == std::string::npos) with_port += ":53";
            } else if (colons > 1) {
                with_port = "[" + s + "]:53";  // a bare IPv6 address
            } else if (colons == 0) {
                with_port += ":53";
            }
            auto c = check_listen(with_port);
            if (!c.error.empty() || c.canonical.ends_with(":0"))
                key_error(node->source(), "dns.nameservers",
                          "'" + s + "' is not \"IP\", \"IP:port\" or \"[IPv6]:port\"");
            else
                d.nameservers.push_back(c.canonical);
        }
    }

    std::optional<OutboundTls> get_tls_mode(const toml::node& v, std::string_view path) {
        auto* s = get_string(v, path);
        if (!s) return std::nullopt;
        if (*s == "none") return OutboundTls::None;
        if (*s == "opportunistic") return OutboundTls::Opportunistic;
        if (*s == "required") return OutboundTls::Required;
        if (*s == "verify") return OutboundTls::Verify;
        key_error(v.source(), path,
                  "'" + *s + "' is not one of \"none\", \"opportunistic\", \"required\", \"verify\"");
        return std::nullopt;
    }

    void parse_outbound(const toml::table& t, Outbound& o) {
        check_known(t, "outbound",
                    std::array<std::string_view, 7>{"tls", "connections", "connections_per_destination",
                                                    "messages_per_connection", "connect_timeout",
                                                    "ca_file", "mx_port"});
        get_int(t, "outbound", "mx_port", 1, 65535, o.mx_port);
        if (auto* v = t.get("tls"))
            if (auto m = get_tls_mode(*v, "outbound.tls")) o.tls = *m;
        get_int(t, "outbound", "connections", 1, 10000, o.connections);
        get_int(t, "outbound", "connections_per_destination", 1, 1000, o.connections_per_destination);
        get_int(t, "outbound", "messages_per_connection", 1, 100000, o.messages_per_connection);
        get_int(t, "outbound", "connect_timeout", 1, 600, o.connect_timeout);
        if (auto* v = t.get("ca_file"))
            if (auto* s = get_string(*v, "outbound.ca_file")) o.ca_file = *s;
    }

    void parse_queue(const toml::table& t, Queue& q) {
        check_known(t, "queue", std::array<std::string_view, 4>{"first_retry", "max_retry", "lifetime",
                                                                "delay_warning"});
        get_int(t, "queue", "first_retry", 1, 86400, q.first_retry);
        get_int(t, "queue", "max_retry", 1, 86400, q.max_retry);
        get_int(t, "queue", "lifetime", 1, 60u * 86400, q.lifetime);
        get_int(t, "queue", "delay_warning", 0, 60u * 86400, q.delay_warning);
        if (q.max_retry < q.first_retry) {
            const toml::node* v = t.get("max_retry");
            key_error(v ? v->source() : t.source(), "queue.max_retry",
                      "must not be less than queue.first_retry (" + std::to_string(q.first_retry) + ")");
        }
    }

    void parse_relay(const toml::table& t, Relay& r) {
        check_known(t, "relay", std::array<std::string_view, 6>{"host", "port", "tls", "verify", "username",
                                                                "password"});
        if (auto* v = t.get("host")) {
            if (auto* s = get_string(*v, "relay.host")) {
                std::string error;
                auto hop = parse_next_hop(*s, error);
                bool has_port = !s->empty() && (s->front() == '[' ? s->find("]:") != std::string::npos
                                                                  : s->find(':') != std::string::npos);
                if (!hop || has_port)
                    key_error(v->source(), "relay.host", hop ? "give the port as relay.port" : error);
                else
                    r.host = hop->host;
            }
        }
        get_int(t, "relay", "port", 1, 65535, r.port);
        if (auto* v = t.get("tls")) {
            if (auto* s = get_string(*v, "relay.tls")) {
                if (*s == "starttls") r.tls = Relay::Mode::Starttls;
                else if (*s == "implicit") r.tls = Relay::Mode::Implicit;
                else if (*s == "none") r.tls = Relay::Mode::None;
                else key_error(v->source(), "relay.tls", "'" + *s + "' is not one of \"starttls\", \"implicit\", \"none\"");
            }
        }
        get_bool(t, "relay", "verify", r.verify);
        if (auto* v = t.get("username"))
            if (auto* s = get_string(*v, "relay.username")) r.username = *s;
        if (auto* v = t.get("password"))
            if (auto* s = get_string(*v, "relay.password")) r.password = *s;
        if (r.username.empty() != r.password.empty())
            key_error(t.source(), "relay", "username and password come together");
        if (!r.host.empty() && !r.username.empty() && r.tls == Relay::Mode::None)
            key_error(t.source(), "relay", "credentials are never sent without TLS (relay.tls = \"none\")");
        if (r.host.empty() && (t.get("port") || t.get("username") || t.get("tls")))
            key_error(t.source(), "relay", "needs relay.host");
    }

    // [routes] "domain" = "host:port" | { next_hop = "host:port", tls = "verify" }
    void parse_routes(const toml::table& t, Config& config) {
        for (auto&& [k, v] : t) {
            std::string raw(k.str());
            std::string path = "routes." + key_segment(raw);
            std::string domain = ascii_lower(raw);
            if (domain != "*" && !is_valid_domain(domain)) {
                key_error(k.source(), path, "'" + raw + "' is not a domain or \"*\"");
                continue;
            }
            Route route;
            const toml::node* hop_node = nullptr;
            if (v.is_string()) {
                hop_node = &v;
            } else if (auto* rt = v.as_table()) {
                check_known(*rt, path, std::array<std::string_view, 2>{"next_hop", "tls"});
                hop_node = rt->get("next_hop");
                if (!hop_node) {
                    key_error(rt->source(), path, "needs next_hop = \"host:port\"");
                    continue;
                }
                if (auto* tv = rt->get("tls")) {
                    route.tls = get_tls_mode(*tv, path + ".tls");
                    if (!route.tls) continue;
                }
            } else {
                type_error(v, path, "\"host:port\" or a table { next_hop = \"host:port\", tls = ... }");
                continue;
            }
            auto* s = get_string(*hop_node, path);
            if (!s) continue;
            std::string error;
            auto hop = parse_next_hop(*s, error);
            if (!hop) {
                key_error(hop_node->source(), path, error);
                continue;
            }
            route.next_hop = *hop;
            if (config.is_local_domain(domain))
                key_error(k.source(), path, "domain '" + domain + "' is local (in server.domains)");
            else
                config.routes[domain] = std::move(route);
        }
    }

    std::string source_;
    std::vector<Error> errors_;
    std::map<std::string, std::string> seen_listen_;  // canonical address -> listener key
};


}  // namespace

bool Config::is_local_domain(std::string_view domain) const {
    return std::any_of(server.domains.begin(), server.domains.end(),
                       [&](const std::string& d) { return iequals(d, domain); });
}

bool Config::is_local_address(std::string_view address) const {
    auto at = address.rfind('@');
    return at == std::string_view::npos || is_local_domain(address.substr(at + 1));
}

const std::vector<std::string>* Config::alias_targets(std::string_view key) const {
    auto it = aliases.find(ascii_lower(key));
    return it == aliases.end() ? nullptr : &it->second;
}

const Route* Config::route_for(std::string_view domain) const {
    auto it = routes.find(ascii_lower(domain));
    if (it == routes.end()) it = routes.find("*");
    return it == routes.end() ? nullptr : &it->second;
}



LoadResult load_string(std::string_view toml_text, std::string_view source_name) {
    return Loader(std::string(source_name)).run(toml_text);
}

LoadResult load_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        int err = errno;
        Loader l(path.string());
        l.add_plain(path.string() + ": cannot read: " + std::strerror(err));
        return l.finish(std::nullopt);
    }
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) {
        Loader l(path.string());
        l.add_plain(path.string() + ": read error");
        return l.finish(std::nullopt);
    }
    return load_string(text.str(), path.string());
}

LoadResult load(const std::optional<std::filesystem::path>& path) {
    if (path) return load_file(*path);
    return load_string(embedded_default(), "<embedded default>");
}


}  // namespace tern::config
