// The asynchronous DNS resolver: MX and A/AAAA lookups as coroutines for outbound delivery,
// TXT, PTR and single-family address lookups for the inbound checks (SPF, DKIM, DMARC). Resolver is an interface (a seam: tests and the delivery code can use a fake);
// Resolver::create() makes the real one, built on libunbound (unbound_resolver.cpp).
//
// Timeouts and failures are answers, never exceptions: every lookup ends as Ok, NotFound or
// TempFail within ResolverOptions::timeout.
#pragma once

#include "dns/answer.hpp"

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace tern::dns {

struct ResolverOptions {
    // "127.0.0.1", "127.0.0.1:5353", "::1", "[::1]:5353" (see nameserver.hpp); the lookups are
    // forwarded to them, names under .test and the reverse zones of loopback, private and
    // documentation addresses included (libunbound otherwise answers those itself, RFC 6761,
    // RFC 6303). Empty: the system resolver (/etc/resolv.conf, /etc/hosts).
    std::vector<std::string> nameservers;
    // Per lookup (each call below, one addresses_each() call included); past it the lookup is
    // TempFail.
    std::chrono::seconds timeout{30};
    // DNSSEC trust anchor file (zone-file DS/DNSKEY lines, e.g. Debian's
    // /usr/share/dns/root.key). Empty: no validation, `secure` is always false. With it, answers
    // that fail validation (including from a forwarder that strips DNSSEC) are TempFail.
    std::string trust_anchor_file;
};

class Resolver {
public:
    virtual ~Resolver() = default;

    // nullptr and `error` when the options are invalid (bad nameserver syntax, timeout not
    // positive, unreadable trust anchor) or libunbound fails to set up. The resolver's own work
    // runs on a strand of `executor`.
    static std::unique_ptr<Resolver> create(asio::any_io_executor executor, ResolverOptions options,
                                            std::string& error);

    // The MX records of `domain`. May be co_awaited from any coroutine on any executor or thread:
    // the resolver serialises internally and resumes the caller on the caller's executor. An
    // invalid name (see name.hpp) is NotFound without a query. Supports per-operation
    // cancellation (e.g. `co_await (r.mx(d) || timer.async_wait(...))`): TempFail "cancelled".
    virtual asio::awaitable<MxAnswer> mx(std::string domain) = 0;

    // A and AAAA, queried concurrently. Ok when either has addresses (the other's failure is
    // noted in `error`); NotFound only when both are NotFound; TempFail otherwise.
    virtual asio::awaitable<AddressAnswer> addresses(std::string host) = 0;

    // Only A (Ipv4) or only AAAA (Ipv6), as SPF asks by the client's family (RFC 7208 5.3).
    // NotFound when the name has no record of that family.
    virtual asio::awaitable<AddressAnswer> addresses_of(std::string host, AddressFamily family) = 0;

    // The TXT records of `name` (underscores allowed: "_dmarc.example.com"), each with its
    // strings concatenated. More than kMaxTxtRecords records or kMaxTxtBytes of text, or
    // record data that does not parse: TempFail (see answer.hpp).
    virtual asio::awaitable<TxtAnswer> txt(std::string name) = 0;

    // The PTR names of `address` (the in-addr.arpa / ip6.arpa name is built here), at most
    // kMaxPtrNames of them, in the order served. A name that does not decode: TempFail.
    virtual asio::awaitable<NameAnswer> ptr(asio::ip::address address) = 0;

    // addresses() for several hosts at once, answers in the same order. The real resolver
    // queries them all concurrently under one timeout; this default asks one after another.
    virtual asio::awaitable<std::vector<AddressAnswer>> addresses_each(
        std::vector<std::string> hosts);

    // Ends outstanding lookups (they complete with TempFail "resolver stopped") and makes later
    // ones fail the same way. Call it from any thread before destroying the resolver (the
    // destructor does it too); a coroutine still waiting is resumed, never left hanging. The
    // resolver must go before the io_context of its executor, which must run for the stop to
    // complete.
    virtual void stop() = 0;
};

}  // namespace tern::dns
