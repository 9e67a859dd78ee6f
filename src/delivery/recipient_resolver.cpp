// Recipient resolution: see recipient_resolver.hpp.
#include "delivery/recipient_resolver.hpp"

#include <set>

#include "core/address.hpp"

namespace tern::delivery {

struct RecipientResolver::Walk {
    ExpandResult result;
    std::set<std::string> mailbox_seen;
    std::set<std::string> remote_seen;
    std::set<std::string> in_progress;  // alias keys on the current path: reaching one is a loop
    std::set<std::string> done;         // alias keys fully expanded: their targets are in already
    bool has_error = false;

    void add_mailbox(const std::string& key) {
        if (mailbox_seen.insert(key).second) result.mailboxes.push_back(key);
    }
    void add_remote(std::string address, const std::string& dedupe_key) {
        if (remote_seen.insert(dedupe_key).second) result.remote.push_back(std::move(address));
    }
    void drop(std::string_view address, Outcome why) {
        result.dropped.push_back(std::string(address) + ": " + why.str());
        if (!has_error) {
            result.error = std::move(why);
            has_error = true;
        }
    }
};

namespace {

Outcome user_unknown() { return Outcome::permanent("5.1.1", "User unknown", 550); }
Outcome bad_syntax() { return Outcome::permanent("5.1.3", "Bad recipient address syntax", 501); }
Outcome alias_loop() { return Outcome::permanent("5.4.6", "Alias loop", 550); }
Outcome too_deep() { return Outcome::permanent("5.4.6", "Alias nesting too deep", 550); }
Outcome relay_denied() { return Outcome::permanent("5.7.1", "Relay access denied", 550); }

bool has_at(std::string_view s) { return s.find('@') != std::string_view::npos; }

}  // namespace

RecipientResolver::RecipientResolver(const config::Config& config, const UserLookup& users)
    : config_(config), users_(users) {}

std::string_view RecipientResolver::primary_domain() const {
    return config_.server.domains.empty() ? std::string_view{} : config_.server.domains.front();
}

Outcome RecipientResolver::check_rcpt(std::string_view address) const {
    if (!has_at(address)) {
        // RFC 5321 4.1.1.3: "Postmaster" without domain, case-insensitive, must be accepted.
        if (iequals(address, "postmaster")) return Outcome::ok("Recipient OK", "2.1.5");
        return bad_syntax();
    }
    auto a = parse_mailbox(address, /*allow_utf8=*/true);
    if (!a) return bad_syntax();
    if (a->is_address_literal() || !config_.is_local_domain(a->domain)) return relay_denied();
    // RFC 5321 4.5.1: postmaster at every local domain is always accepted, even when it turns
    // out to be undeliverable (it then bounces, see header).
    if (iequals(a->local, "postmaster")) return Outcome::ok("Recipient OK", "2.1.5");
    auto r = expand(address);
    if (r.deliverable()) return Outcome::ok("Recipient OK", "2.1.5");
    return r.error;
}

ExpandResult RecipientResolver::expand(std::string_view address) const {
    Walk walk;
    resolve(walk, address, {}, 0);
    if (walk.result.deliverable()) {
        walk.result.error = Outcome::ok();
    } else if (!walk.has_error) {
        walk.result.error = user_unknown();  // unreachable in practice; never report Ok for nothing
    }
    return std::move(walk.result);
}

void RecipientResolver::resolve(Walk& walk, std::string_view address,
                                std::string_view alias_domain, std::size_t depth) const {
    std::string text(address);
    if (!has_at(text)) {
        if (!alias_domain.empty()) {
            text += "@";  // a bare alias target: a local part in the alias's own domain
            text += alias_domain;
        } else if (iequals(text, "postmaster") && !primary_domain().empty()) {
            text += "@";
            text += primary_domain();
        } else {
            return walk.drop(address, bad_syntax());
        }
    }
    auto a = parse_mailbox(text, /*allow_utf8=*/true);
    if (!a) return walk.drop(address, bad_syntax());

    const std::string domain = ascii_lower(a->domain);
    if (a->is_address_literal() || !config_.is_local_domain(domain)) {
        // Keep the local part as written: only the remote host may interpret its case.
        Address remote{a->local, domain};
        return walk.add_remote(remote.str(), remote.str());
    }

    const std::string local = ascii_lower(a->local);
    // 1. exact key: alias, then user.
    const std::string key = local + "@" + domain;
    if (try_alias(walk, key, domain, depth)) return;
    if (users_.exists(key)) return walk.add_mailbox(key);

    // 2. sub-address stripped.
    auto sub = split_subaddress(local);
    if (sub.user.size() != local.size()) {
        const std::string base = std::string(sub.user) + "@" + domain;
        if (try_alias(walk, base, domain, depth)) return;
        if (users_.exists(base)) return walk.add_mailbox(base);
    }

    // 3. catch-all.
    if (try_alias(walk, "@" + domain, domain, depth)) return;

    // 4. postmaster of a domain without one: the first local domain's postmaster.
    if (sub.user == "postmaster" && !primary_domain().empty() && !iequals(domain, primary_domain())) {
        return resolve(walk, "postmaster@" + std::string(primary_domain()), {}, depth + 1);
    }

    // 5.
    walk.drop(address, user_unknown());
}

// Expands alias `key` when it exists. Returns false when there is no such alias.
bool RecipientResolver::try_alias(Walk& walk, const std::string& key, std::string_view domain,
                                  std::size_t depth) const {
    auto it = config_.aliases.find(key);
    if (it == config_.aliases.end()) return false;
    if (walk.in_progress.count(key)) {
        // The alias reached itself. A user of the same name gets the message (copy-and-forward
        // aliases); otherwise this branch only loops.
        if (users_.exists(key)) {
            walk.add_mailbox(key);
        } else {
            walk.drop(key, alias_loop());
        }
        return true;
    }
    if (walk.done.count(key)) return true;  // reached twice without a loop: targets already in
    if (depth >= kMaxAliasDepth) {
        walk.drop(key, too_deep());
        return true;
    }
    walk.in_progress.insert(key);
    for (const auto& target : it->second) resolve(walk, target, domain, depth + 1);
    walk.in_progress.erase(key);
    walk.done.insert(key);
    return true;
}

}  // namespace tern::delivery
