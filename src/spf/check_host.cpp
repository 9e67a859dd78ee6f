#include "spf/check_host.hpp"
#include "core/address.hpp"

#include <arpa/inet.h>

#include <cstring>

namespace tern::spf {
namespace {

constexpr std::size_t kMaxTerms = 10;
constexpr std::size_t kMaxVoids = 2;
constexpr std::size_t kMaxNames = 10;


// RFC 7208 4.3: a domain that is not a multi-label FQDN makes check_host() return none.
bool valid_domain(std::string_view d) {
    if (d.empty() || d.size() > 253 || d.find('.') == std::string_view::npos) return false;
    std::size_t label = 0;
    for (char c : d) {
        if (c == '.') {
            if (label == 0 || label > 63) return false;
            label = 0;
            continue;
        }
        auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u >= 0x7F) return false;
        ++label;
    }
    return label > 0 && label <= 63;
}

bool prefix_equal(const std::uint8_t* a, const std::uint8_t* b, int bits) {
    int bytes = bits / 8;
    if (std::memcmp(a, b, static_cast<std::size_t>(bytes)) != 0) return false;
    int rest = bits % 8;
    if (rest == 0) return true;
    auto mask = static_cast<std::uint8_t>(0xFF << (8 - rest));
    return (a[bytes] & mask) == (b[bytes] & mask);
}

std::string reverse_name(const std::uint8_t* ip, bool v6) {
    std::string out;
    if (!v6) {
        for (int i = 3; i >= 0; --i) out += std::to_string(ip[i]) + ".";
        return out + "in-addr.arpa";
    }
    static const char* hex = "0123456789abcdef";
    for (int i = 15; i >= 0; --i) {
        out += hex[ip[i] & 15];
        out += '.';
        out += hex[ip[i] >> 4];
        out += '.';
    }
    return out + "ip6.arpa";
}

bool ends_with_domain(const std::string& host, const std::string& domain) {
    std::string h = ascii_lower(host), d = ascii_lower(domain);
    while (!h.empty() && h.back() == '.') h.pop_back();
    while (!d.empty() && d.back() == '.') d.pop_back();
    if (h == d) return true;
    return h.size() > d.size() && h.compare(h.size() - d.size(), d.size(), d) == 0 && h[h.size() - d.size() - 1] == '.';
}

}  // namespace

Check::Check(CheckInput in) : in_(std::move(in)) {
    std::uint8_t b[16];
    if (inet_pton(AF_INET6, in_.ip.c_str(), b) == 1) {
        // An IPv4-mapped address is checked as IPv4 (RFC 7208 5: "ip4-mapped").
        static const std::uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
        if (std::memcmp(b, mapped, 12) == 0) {
            std::memcpy(ip_, b + 12, 4);
            char text[INET_ADDRSTRLEN];
            inet_ntop(AF_INET, ip_, text, sizeof text);
            in_.ip = text;
        } else {
            std::memcpy(ip_, b, 16);
            v6_ = true;
        }
    } else if (inet_pton(AF_INET, in_.ip.c_str(), ip_) != 1) {
        finish(Result::PermError, "bad client address");
        return;
    }
    ctx_.sender = in_.sender;
    ctx_.ip = in_.ip;
    ctx_.helo = in_.helo;
    std::string domain = ascii_lower(in_.domain);
    while (!domain.empty() && domain.back() == '.') domain.pop_back();
    if (!valid_domain(domain)) {
        finish(Result::None, "no valid domain to check");
        return;
    }
    fetch_record(domain, false, false);
}

void Check::finish(Result r, std::string why) {
    result_ = r;
    reason_ = std::move(why);
    query_.reset();
    stack_.clear();
}

void Check::ask(Query::Type t, std::string name, Step s) {
    query_ = Query{t, std::move(name)};
    step_ = s;
}

void Check::fetch_record(std::string domain, bool include, bool redirect) {
    Frame f;
    f.domain = domain;
    f.include = include;
    f.redirect = redirect;
    stack_.push_back(std::move(f));
    ask(Query::Type::Txt, std::move(domain), Step::Record);
}

bool Check::count_term() {
    if (++terms_ > kMaxTerms) {
        finish(Result::PermError, "more than 10 DNS-querying terms");
        return false;
    }
    return true;
}

bool Check::count_void() {
    if (++voids_ > kMaxVoids) {
        finish(Result::PermError, "more than 2 void DNS lookups");
        return false;
    }
    return true;
}

bool Check::ip_in(const std::string& address, int cidr4, int cidr6) const {
    std::uint8_t b[16];
    if (v6_) return inet_pton(AF_INET6, address.c_str(), b) == 1 && prefix_equal(b, ip_, cidr6);
    return inet_pton(AF_INET, address.c_str(), b) == 1 && prefix_equal(b, ip_, cidr4);
}

std::optional<std::string> Check::target(const Mechanism& m) {
    if (m.domain_spec.empty()) return stack_.back().domain;
    ctx_.domain = stack_.back().domain;
    std::string why;
    auto d = expand(m.domain_spec, ctx_, false, &why);
    if (!d) {
        finish(Result::PermError, why);
        return std::nullopt;
    }
    return ascii_lower(*d);
}

// A frame ended with `r`: the whole check, or the include that led to it.
void Check::frame_result(Result r, std::string why) {
    Frame done = std::move(stack_.back());
    stack_.pop_back();
    if (done.redirect && r == Result::None) {
        r = Result::PermError;
        why = "redirect to a domain without an SPF record";
    }
    if (!done.include) {
        if (stack_.empty()) return finish(r, std::move(why));
    }
    if (stack_.empty()) return finish(r, std::move(why));
    // RFC 7208 5.2: how an include's result counts for the include mechanism.
    switch (r) {
        case Result::Pass: return matched(true);
        case Result::Fail:
        case Result::SoftFail:
        case Result::Neutral: return matched(false);
        case Result::TempError: return finish(Result::TempError, why);
        case Result::None:
            return finish(Result::PermError, "include of " + done.domain + ", which has no SPF record");
        case Result::PermError: return finish(Result::PermError, why);
    }
}

void Check::matched(bool match) {
    Frame& f = stack_.back();
    if (match) {
        const Mechanism& m = current();
        static const char* names[] = {"all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists"};
        return frame_result(m.qualifier, std::string("matched ") + names[static_cast<int>(m.kind)] +
                                             (m.domain_spec.empty() ? "" : ":" + m.domain_spec) + " in " + f.domain);
    }
    ++f.next;
    run();
}

void Check::run() {
    query_.reset();
    while (!result_) {
        Frame& f = stack_.back();
        if (f.next >= f.record.mechanisms.size()) {
            if (f.record.redirect) {
                if (!count_term()) return;
                ctx_.domain = f.domain;
                std::string why;
                auto d = expand(*f.record.redirect, ctx_, false, &why);
                if (!d) return finish(Result::PermError, why);
                std::string next = ascii_lower(*d);
                bool include = f.include;
                stack_.pop_back();  // the redirect replaces this frame (6.1)
                if (!valid_domain(next)) return finish(Result::PermError, "redirect to an invalid domain");
                return fetch_record(next, include, true);
            }
            return frame_result(Result::Neutral, "no mechanism matched in " + f.domain);
        }
        const Mechanism& m = f.record.mechanisms[f.next];
        using K = Mechanism::Kind;
        switch (m.kind) {
            case K::All: return matched(true);
            case K::Ip4:
                if (!v6_ && prefix_equal(m.network.data(), ip_, m.cidr4)) return matched(true);
                ++f.next;
                continue;
            case K::Ip6:
                if (v6_ && prefix_equal(m.network.data(), ip_, m.cidr6)) return matched(true);
                ++f.next;
                continue;
            case K::A: {
                if (!count_term()) return;
                auto d = target(m);
                if (!d) return;
                return ask(address_type(), *d, Step::Address);
            }
            case K::Mx: {
                if (!count_term()) return;
                auto d = target(m);
                if (!d) return;
                return ask(Query::Type::Mx, *d, Step::MxNames);
            }
            case K::Ptr: {
                if (!count_term()) return;
                auto d = target(m);
                if (!d) return;
                ptr_target_ = *d;
                return ask(Query::Type::Ptr, reverse_name(ip_, v6_), Step::PtrNames);
            }
            case K::Exists: {
                if (!count_term()) return;
                auto d = target(m);
                if (!d) return;
                return ask(Query::Type::A, *d, Step::Exists);
            }
            case K::Include: {
                if (!count_term()) return;
                auto d = target(m);
                if (!d) return;
                if (!valid_domain(*d)) return finish(Result::PermError, "include of an invalid domain");
                return fetch_record(*d, true, false);
            }
        }
    }
}

void Check::answer(const Answer& a) {
    if (!query_ || result_) return;
    query_.reset();
    const bool temp = a.status == Answer::Status::TempError;
    const bool none = a.status == Answer::Status::NotFound || a.values.empty();
    switch (step_) {
        case Step::Record: {
            if (temp) return finish(Result::TempError, "DNS error looking up the SPF record of " + stack_.back().domain);
            std::vector<const std::string*> spf;
            if (!none) {
                for (const auto& t : a.values) {
                    if (is_spf_record(t)) spf.push_back(&t);
                }
            }
            if (spf.empty()) return frame_result(Result::None, "no SPF record for " + stack_.back().domain);
            if (spf.size() > 1) return finish(Result::PermError, "more than one SPF record for " + stack_.back().domain);
            std::string why;
            auto rec = parse_record(*spf.front(), &why);
            if (!rec) return finish(Result::PermError, why + " in the SPF record of " + stack_.back().domain);
            stack_.back().record = std::move(*rec);
            return run();
        }
        case Step::Address:
            if (temp) return finish(Result::TempError, "DNS error");
            if (none) {
                if (!count_void()) return;
                return matched(false);
            }
            for (const auto& addr : a.values) {
                if (ip_in(addr, current().cidr4, current().cidr6)) return matched(true);
            }
            return matched(false);
        case Step::Exists:
            if (temp) return finish(Result::TempError, "DNS error");
            if (none) {
                if (!count_void()) return;
                return matched(false);
            }
            return matched(true);
        case Step::MxNames:
            if (temp) return finish(Result::TempError, "DNS error");
            if (none) {
                if (!count_void()) return;
                return matched(false);
            }
            if (a.values.size() > kMaxNames) return finish(Result::PermError, "more than 10 MX names");
            names_ = a.values;
            ask(address_type(), names_.back(), Step::MxAddress);
            names_.pop_back();
            return;
        case Step::MxAddress:
            if (temp) return finish(Result::TempError, "DNS error");
            if (!none) {
                for (const auto& addr : a.values) {
                    if (ip_in(addr, current().cidr4, current().cidr6)) return matched(true);
                }
            }
            if (names_.empty()) return matched(false);
            ask(address_type(), names_.back(), Step::MxAddress);
            names_.pop_back();
            return;
        case Step::PtrNames:
            // 5.5: a failed PTR lookup is no match, not an error.
            if (temp || none) return matched(false);
            names_.clear();
            for (const auto& n : a.values) {
                if (names_.size() >= kMaxNames) break;
                if (ends_with_domain(n, ptr_target_)) names_.push_back(n);
            }
            if (names_.empty()) return matched(false);
            ask(address_type(), names_.back(), Step::PtrAddress);
            names_.pop_back();
            return;
        case Step::PtrAddress:
            if (!temp && !none) {
                for (const auto& addr : a.values) {
                    if (ip_in(addr, 32, 128)) return matched(true);
                }
            }
            if (names_.empty()) return matched(false);
            ask(address_type(), names_.back(), Step::PtrAddress);
            names_.pop_back();
            return;
    }
}

}  // namespace tern::spf
