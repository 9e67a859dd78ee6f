#include "server/bouncer.hpp"

#include <spdlog/spdlog.h>

#include "core/clock.hpp"
#include "dsn/mime_text.hpp"
#include "queue/spool.hpp"
#include "server/random_hex.hpp"

namespace tern::server {

Bouncer::Bouncer(queue::Spool& spool, Hostname hostname, Dispatch dispatch)
    : spool_(spool), hostname_(std::move(hostname)), dispatch_(std::move(dispatch)) {}

std::string Bouncer::report(const std::string& id, const Envelope& env, const std::vector<DeliveryReport>& reports,
                            std::string_view original, bool delay_by_default) {
    if (env.mail_from.empty() || reports.empty()) return {};
    // Most reports are successes nobody asked to hear about: decide before composing anything.
    bool any = false;
    for (const auto& r : reports) {
        if (r.recipient >= env.recipients.size()) continue;
        dsn::RecipientReport probe;
        probe.notify = env.recipients[r.recipient].notify;
        probe.action = r.action;
        any = any || dsn::wants_report(probe, delay_by_default);
    }
    if (!any) return {};
    dsn::DsnInput in;
    in.reporting_mta = hostname_();
    in.sender = env.mail_from;
    in.ret = env.ret;
    in.envid = env.envid;
    in.arrival = env.received_at;
    in.original = original;
    in.now = unix_now();
    in.unique = id + "." + random_hex(8);
    in.delay_by_default = delay_by_default;
    for (const auto& r : reports) {
        if (r.recipient >= env.recipients.size()) continue;
        const auto& rcpt = env.recipients[r.recipient];
        dsn::RecipientReport rr;
        rr.final_recipient = rcpt.address;
        rr.original_recipient = rcpt.orcpt;
        rr.notify = rcpt.notify;
        rr.action = r.action;
        rr.status = r.outcome.enhanced;
        rr.remote_mta = r.remote_mta;
        rr.diagnostic = r.outcome.str();
        rr.last_attempt = in.now;
        rr.will_retry_until = r.will_retry_until;
        in.recipients.push_back(std::move(rr));
    }
    auto text = dsn::compose_dsn(in);
    if (!text) return {};
    Envelope dsn_env;
    dsn_env.mail_from = "";  // RFC 3461 6.2, RFC 5321 4.5.5: DSNs come from <>, so they never loop
    EnvelopeRecipient to;
    to.address = env.mail_from;
    dsn_env.recipients.push_back(std::move(to));
    dsn_env.received_at = in.now;
    dsn_env.helo = in.reporting_mta;
    dsn_env.client_address = "127.0.0.1";
    bool utf8 = !dsn::is_ascii(*text);
    dsn_env.smtputf8 = !dsn::is_ascii(env.mail_from);
    if (utf8) dsn_env.body = BodyType::EightBitMime;
    auto r = spool_.commit_and_wait(dsn_env, {}, std::move(*text));
    if (!r.outcome.is_ok()) {
        spdlog::error("queue={} cannot queue the delivery status notification to <{}>: {}", id, env.mail_from,
                      r.outcome.str());
        return {};
    }
    spdlog::info("queue={} dsn={} to=<{}> reports={}", id, r.id, env.mail_from, reports.size());
    if (dispatch_) dispatch_(r.id, std::make_shared<const Envelope>(std::move(dsn_env)));
    return r.id;
}

}  // namespace tern::server
