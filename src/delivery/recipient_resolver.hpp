// Who a recipient is: the RCPT TO check on the MX listener, and the expansion of a local
// address into mailboxes (user keys) and forwarding targets.
//
// Rules, in order, for local part L (ASCII case-insensitive) at a local domain D:
//   1. alias "L@D", else user "L@D"             — so an exact alias "alice+tag@D" wins;
//   2. sub-address "U+tag": alias "U@D", else user "U@D";
//   3. catch-all alias "@D" — only when nothing above matched;
//   4. postmaster (RFC 5321 4.5.1, always accepted): when D has neither alias, user nor
//      catch-all for it, the postmaster of the first local domain; when that has none either
//      the message is undeliverable (permanent failure at delivery, so it bounces).
//   5. otherwise 5.1.1 User unknown.
// A bare "postmaster" (no domain, RFC 5321 4.1.1.3) means postmaster@<first local domain>.
// Alias targets may be local addresses (expanded again, recursively), remote addresses
// (returned for outbound delivery), or a bare local part (same domain as the alias key).
// An alias that reaches itself again delivers to the user of that name if there is one
// (the usual "alice -> alice, alice@elsewhere" copy-and-forward); otherwise that branch is a
// loop and is dropped. Nesting is capped at kMaxAliasDepth. The expansion fails (5.4.6 for
// loops and depth, 5.1.1 for unknown users) only when nothing deliverable remains.
//
// Deliberately left out: file/pipe/include targets (Tern delivers only to Maildirs or SMTP),
// and any lookup that could fail temporarily (config and user db are in memory).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "core/outcome.hpp"
#include "delivery/user_lookup.hpp"

namespace tern::delivery {

// How many aliases may be nested on one expansion path (Postfix uses 100; 20 is plenty for a
// hand-written table and bounds the work a crafted config can cause).
inline constexpr std::size_t kMaxAliasDepth = 20;

struct ExpandResult {
    std::vector<std::string> mailboxes;  // lower-cased user keys "local@domain", each once
    std::vector<std::string> remote;     // non-local addresses aliases point to, each once
    std::vector<std::string> dropped;    // "address: reason" for branches that led nowhere (logs)
    Outcome error;                       // Ok when something is deliverable, else the first reason

    bool deliverable() const { return !mailboxes.empty() || !remote.empty(); }
};

class RecipientResolver {
public:
    // Both must outlive the resolver. `users` must be safe for concurrent calls.
    RecipientResolver(const config::Config& config, const UserLookup& users);

    // RCPT TO on the MX listener: Ok (2.1.5), 5.7.1 Relay access denied for a domain that is not
    // local, 5.1.1 User unknown, 5.4.6 for an alias that only loops, 5.1.3 for bad syntax.
    // `address` is the forward path without angle brackets.
    Outcome check_rcpt(std::string_view address) const;

    // Expands `address` (as accepted at RCPT) into mailboxes and remote targets.
    ExpandResult expand(std::string_view address) const;

private:
    struct Walk;
    void resolve(Walk& walk, std::string_view address, std::string_view alias_domain,
                 std::size_t depth) const;
    bool try_alias(Walk& walk, const std::string& key, std::string_view domain,
                   std::size_t depth) const;
    std::string_view primary_domain() const;

    const config::Config& config_;
    const UserLookup& users_;
};

}  // namespace tern::delivery
