// The local delivery agent: one queued recipient -> the Maildirs it expands to.
//
// Each mailbox gets the message with "Return-Path: <reverse-path>" prepended (RFC 5321
// 4.4: added at final delivery). The Maildir file's unique base is derived only from the
// queue entry and the recipient's index, never from the clock or a counter, so a retry writes
// the same names and — with maybe_duplicate — skips mailboxes an earlier attempt already
// reached. No mailbox index is part of the name: every mailbox is its own directory, and the
// base must stay stable even if an alias change reorders the expansion between attempts.
//
// Deliberately left out: Delivered-To, Sieve, quotas beyond the file system's, and forwarding
// itself — remote alias targets are returned for the caller to queue.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <functional>
#include <string_view>
#include <vector>

#include "core/envelope.hpp"
#include "core/outcome.hpp"
#include "delivery/recipient_resolver.hpp"

namespace tern::delivery {

struct LocalDeliveryResult {
    // Ok when every mailbox has the message (and any remote targets are listed below);
    // temporary when a mailbox failed temporarily (retry with maybe_duplicate = true);
    // permanent when the recipient expands to nothing deliverable.
    Outcome outcome;
    std::vector<std::string> delivered;  // user keys that have the message now
    std::vector<std::string> remote;     // alias targets outside our domains, for the caller to
                                         // queue; listed on every attempt, whatever the outcome
    std::vector<std::string> dropped;    // alias branches that led nowhere (for logs)
};

class LocalDeliveryAgent {
public:
    // Asked before a mailbox gets the message (e.g. its quota): a non-Ok outcome is that
    // mailbox's result and nothing is written.
    using Admit = std::function<Outcome(const std::filesystem::path& maildir)>;
    // Told after a mailbox got the message (e.g. to wake IMAP IDLE sessions).
    using Delivered = std::function<void(const std::filesystem::path& maildir)>;

    // `resolver` must outlive the agent. `hostname` becomes part of Maildir file names.
    LocalDeliveryAgent(const RecipientResolver& resolver, std::filesystem::path mailboxes_root,
                       std::string hostname, Admit admit = {}, Delivered delivered = {});

    // Delivers `data` (the message as queued, CRLF line endings) to
    // envelope.recipients[rcpt_index]. Pass maybe_duplicate = true on every attempt after the
    // first and after a restart: mailboxes that already have the message are then skipped.
    // Thread-safe: several delivery threads may call it at once.
    LocalDeliveryResult deliver(const Envelope& envelope, const std::string& queue_id,
                                std::size_t rcpt_index, std::string_view data,
                                bool maybe_duplicate) const;

private:
    const RecipientResolver& resolver_;
    std::filesystem::path root_;
    std::string hostname_;
    Admit admit_;
    Delivered delivered_;
};

// "Return-Path: <mail_from>\r\n" ("<>" for the null sender). Control bytes in mail_from (which
// the SMTP parser never admits) are dropped so that they cannot start a new header line.
std::string return_path_header(std::string_view mail_from);

// "<received_at>.R<queue_id>_<rcpt_index>.<hostname>", queue id and host name escaped for a
// Maildir name; the same inputs always give the same base.
std::string delivery_unique_base(std::int64_t received_at, std::string_view queue_id,
                                 std::size_t rcpt_index, std::string_view hostname);

}  // namespace tern::delivery
