// check_host() of RFC 7208 (4, 5) as a pure exchange: the caller answers DNS queries one at a
// time, through whatever resolver it has (the server's asynchronous one).
//
//   spf::Check c({ip, sender, helo, domain});
//   while (auto q = c.query()) c.answer(lookup(*q));
//   c.result(), c.reason()
//
// Limits (4.6.4): at most 10 terms that cause DNS queries (include, a, mx, ptr, exists,
// redirect), at most 2 void lookups (no data or NXDOMAIN), at most 10 MX names and 10 PTR
// names looked at; beyond them the result is permerror. %{p} expands to "unknown" (7.3).
// Left out: the exp= explanation (the reason says which mechanism matched instead).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "spf/macro.hpp"
#include "spf/record.hpp"

namespace tern::spf {

struct Query {
    enum class Type { Txt, A, Aaaa, Mx, Ptr } type = Type::Txt;
    std::string name;
};

struct Answer {
    enum class Status { Found, NotFound, TempError } status = Status::NotFound;
    // TXT: each record's strings joined; A/AAAA: addresses as text; MX and PTR: host names.
    std::vector<std::string> values;
};

struct CheckInput {
    std::string ip;      // the client's address, v4 dotted or v6
    std::string sender;  // MAIL FROM address; "postmaster@<helo>" when it was <>
    std::string helo;
    std::string domain;  // the domain checked: the sender's, or the HELO name
};

class Check {
public:
    explicit Check(CheckInput in);

    const std::optional<Query>& query() const { return query_; }
    void answer(const Answer& a);

    bool done() const { return result_.has_value(); }
    Result result() const { return result_.value_or(Result::TempError); }
    const std::string& reason() const { return reason_; }
    std::size_t dns_terms() const { return terms_; }

private:
    enum class Step { Record, Address, MxNames, MxAddress, PtrNames, PtrAddress, Exists };
    struct Frame {
        std::string domain;
        Record record;
        std::size_t next = 0;
        bool include = false;   // an include's frame: its result goes back to the mechanism
        bool redirect = false;  // reached by redirect=: "none" becomes permerror
    };

    void fetch_record(std::string domain, bool include, bool redirect);
    void run();                                  // evaluate terms until a query or a result
    void matched(bool match);                    // the current mechanism matched or not
    void frame_result(Result r, std::string why);
    void finish(Result r, std::string why);
    bool count_term();
    bool count_void();
    bool ip_in(const std::string& address, int cidr4, int cidr6) const;
    void ask(Query::Type t, std::string name, Step s);
    Query::Type address_type() const { return v6_ ? Query::Type::Aaaa : Query::Type::A; }
    const Mechanism& current() const { return stack_.back().record.mechanisms[stack_.back().next]; }
    std::optional<std::string> target(const Mechanism& m);  // expanded domain-spec or current domain

    CheckInput in_;
    MacroContext ctx_;
    bool v6_ = false;
    std::uint8_t ip_[16] = {};
    std::vector<Frame> stack_;
    std::optional<Query> query_;
    Step step_ = Step::Record;
    std::vector<std::string> names_;  // MX or PTR names still to resolve
    std::string ptr_target_;
    std::size_t terms_ = 0, voids_ = 0;
    std::optional<Result> result_;
    std::string reason_;
};

}  // namespace tern::spf
