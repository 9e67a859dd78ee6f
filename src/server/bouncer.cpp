#include "server/bouncer.hpp"

#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <future>

#include "queue/spool.hpp"

namespace tern::server {
namespace {

std::int64_t now_unix() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string random_token() {
    unsigned char b[8];
    RAND_bytes(b, sizeof b);
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned char c : b) {
        out += hex[c >> 4];
        out += hex[c & 15];
    }
    return out;
}

bool is_ascii(std::string_view s) {
    for (unsigned char c : s)
        if (c >= 0x80) return false;
    return true;
}

}  // namespace

Bouncer::Bouncer(queue::Spool& spool, std::string hostname, Dispatch dispatch)
    : spool_(spool), hostname_(std::move(hostname)), dispatch_(std::move(dispatch)) {}

void Bouncer::set_hostname(std::string hostname) { hostname_ = std::move(hostname); }

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
    in.reporting_mta = hostname_;
    in.sender = env.mail_from;
    in.ret = env.ret;
    in.envid = env.envid;
    in.arrival = env.received_at;
    in.original = original;
    in.now = now_unix();
    in.unique = id + "." + random_token();
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
    dsn_env.helo = hostname_;
    dsn_env.client_address = "127.0.0.1";
    bool utf8 = !is_ascii(*text);
    dsn_env.smtputf8 = !is_ascii(env.mail_from);
    if (utf8) dsn_env.body = BodyType::EightBitMime;
    std::promise<queue::CommitResult> done;
    auto fut = done.get_future();
    spool_.commit(dsn_env, {}, std::move(*text), [&done](queue::CommitResult r) { done.set_value(std::move(r)); });
    auto r = fut.get();
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
