// Local delivery: see local_delivery.hpp.
#include "delivery/local_delivery.hpp"

#include <optional>

#include "store/mailbox_path.hpp"
#include "store/maildir.hpp"

namespace tern::delivery {

std::string return_path_header(std::string_view mail_from) {
    std::string out = "Return-Path: <";
    for (char ch : mail_from) {
        auto c = static_cast<unsigned char>(ch);
        if (c >= 0x20 && c != 0x7F) out.push_back(ch);
    }
    out += ">\r\n";
    return out;
}

std::string delivery_unique_base(std::int64_t received_at, std::string_view queue_id,
                                 std::size_t rcpt_index, std::string_view hostname) {
    return std::to_string(received_at) + ".R" + store::escape_name_part(queue_id) + "_" +
           std::to_string(rcpt_index) + "." + store::escape_name_part(hostname);
}

LocalDeliveryAgent::LocalDeliveryAgent(const RecipientResolver& resolver,
                                       std::filesystem::path mailboxes_root, std::string hostname, Admit admit,
                                       Delivered delivered)
    : resolver_(resolver),
      root_(std::move(mailboxes_root)),
      hostname_(std::move(hostname)),
      admit_(std::move(admit)),
      delivered_(std::move(delivered)) {}

LocalDeliveryResult LocalDeliveryAgent::deliver(const Envelope& envelope,
                                                const std::string& queue_id,
                                                std::size_t rcpt_index, std::string_view data,
                                                bool maybe_duplicate) const {
    LocalDeliveryResult out;
    if (rcpt_index >= envelope.recipients.size()) {
        // A caller bug; keep the message queued rather than bounce it.
        out.outcome = Outcome::temporary("4.3.0", "no such recipient in envelope");
        return out;
    }
    auto expansion = resolver_.expand(envelope.recipients[rcpt_index].address);
    out.remote = std::move(expansion.remote);
    out.dropped = std::move(expansion.dropped);
    if (expansion.mailboxes.empty() && out.remote.empty()) {
        out.outcome = expansion.error;
        return out;
    }

    const auto base = delivery_unique_base(envelope.received_at, queue_id, rcpt_index, hostname_);
    const auto prefix = return_path_header(envelope.mail_from);
    std::optional<Outcome> first_failure;
    // Every mailbox is attempted even after a failure, so a retry has less left to do.
    for (const auto& key : expansion.mailboxes) {
        auto path = store::mailbox_path(root_, key);
        Outcome r = !path ? Outcome::temporary("4.3.0", "mailbox name not usable")  // an admin problem: retried
                    : admit_ ? admit_(*path)
                             : Outcome::ok();
        if (r.is_ok()) r = store::deliver(*path, base, prefix, data, maybe_duplicate);
        if (r.is_ok()) {
            if (delivered_) delivered_(*path);
            out.delivered.push_back(key);
        } else if (!first_failure) {
            first_failure = std::move(r);
        }
    }
    if (first_failure) {
        out.outcome = std::move(*first_failure);
    } else {
        out.outcome = Outcome::ok("Delivered to " + std::to_string(out.delivered.size()) +
                                  " mailbox(es)" +
                                  (out.remote.empty() ? "" : ", forwarding to " +
                                   std::to_string(out.remote.size()) + " address(es)"));
    }
    return out;
}

}  // namespace tern::delivery
