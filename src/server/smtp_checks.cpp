#include "server/smtp_checks.hpp"

#include "server/dkim_keyring.hpp"
#include "server/quota_check.hpp"
#include "store/mailbox_path.hpp"

#include "core/address.hpp"
#include "delivery/recipient_resolver.hpp"
#include "message/from_addresses.hpp"
#include "message/submission_headers.hpp"
#include "policy/send_quota.hpp"
#include "policy/sender_policy.hpp"
#include "server/random_hex.hpp"

namespace tern::server {
namespace {

const std::vector<std::string>* extra_senders(const config::Config& c, const std::string& user) {
    auto it = c.senders.find(user);
    return it == c.senders.end() ? nullptr : &it->second;
}

}  // namespace

Outcome check_recipient(const Services& s, const config::Config& c, const std::string& auth_user,
                        std::size_t pending, const std::string& address, std::int64_t now) {
    auto at = address.rfind('@');
    bool local = at == std::string::npos || c.is_local_domain(std::string_view(address).substr(at + 1));
    if (local || auth_user.empty()) {
        delivery::RecipientResolver resolver(c, *s.user_lookup);
        auto r = resolver.check_rcpt(address);
        if (r.is_ok() && local && c.retrieval.quota > 0 && s.mailboxes) {
            // Refused at RCPT only when every mailbox it reaches is full (an alias to several
            // users still gets through; the full ones wait in the queue).
            auto e = resolver.expand(address);
            bool all_full = !e.mailboxes.empty() && e.remote.empty();
            for (const auto& key : e.mailboxes) {
                auto path = store::mailbox_path(c.mailboxes_dir(), key);
                if (!path || check_quota(*s.mailboxes, c, *path).is_ok()) all_full = false;
            }
            if (all_full) return Outcome::temporary("4.2.2", "Mailbox full", 452);
        }
        if (!r.is_ok() || auth_user.empty()) return r;
    } else if (!parse_mailbox(address, true)) {
        return Outcome::permanent("5.1.3", "Bad recipient address syntax", 501);
    }
    auto q = s.quota->check_recipient(auth_user, pending, now);
    if (!q.is_ok()) return q;
    return Outcome::ok("Recipient OK", "2.1.5");
}

Outcome check_sender(const Services& s, const config::Config& c, const std::string& auth_user,
                     const std::string& address, std::int64_t now) {
    if (!policy::may_send_as(c, *s.user_lookup, auth_user, address, extra_senders(c, auth_user)))
        return Outcome::permanent("5.7.1", "Sender address not owned by user " + auth_user, 553);
    auto q = s.quota->check_message(auth_user, now);
    if (!q.is_ok()) return q;
    return Outcome::ok("Sender OK", "2.1.0");
}

Outcome prepare_submission(const Services& s, const config::Config& c, const std::string& auth_user,
                           std::string_view data, std::int64_t now, std::string& prefix) {
    if (c.submission.check_from_header) {
        for (const auto& from : message::from_addresses(data)) {
            if (!policy::may_send_as(c, *s.user_lookup, auth_user, from, extra_senders(c, auth_user)))
                return Outcome::permanent("5.7.1", "From: address not owned by user " + auth_user, 553);
        }
    }
    prefix = message::missing_submission_headers(data, c.server.hostname, now, random_hex(12));
    if (s.dkim) {
        if (auto ring = s.dkim()) {
            // Signed as it will travel: with the Date:/Message-ID: just added.
            std::string whole = prefix;
            whole.append(data);
            prefix = ring->sign(whole, now) + prefix;
        }
    }
    return Outcome::ok();
}

}  // namespace tern::server
