// Grammar of the commands about the connection rather than mailboxes: AUTHENTICATE (RFC 9051
// 6.2.2, RFC 4959 SASL-IR), LOGIN (6.2.3), ENABLE (6.3.1, RFC 5161), ID (RFC 2971), COMPRESS
// (RFC 4978), GETQUOTA / GETQUOTAROOT / SETQUOTA (RFC 9208 4).
#include <utility>

#include "imap/command_grammar.hpp"

namespace tern::imap::detail {
namespace {

// RFC 2971 3.3: field names up to 30 octets, values up to 1024, at most 30 pairs.
constexpr std::size_t kIdMaxPairs = 30;
constexpr std::size_t kIdMaxField = 30;
constexpr std::size_t kIdMaxValue = 1024;

bool is_base64_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' ||
           c == '=';
}

}  // namespace

CommandBody parse_authenticate(Cursor& in, bool) {
    Authenticate a;
    in.sp("SASL mechanism");
    a.mechanism = std::string(in.atom("SASL mechanism"));
    if (in.accept_sp()) {
        // initial-resp = base64 / "=" (RFC 4959 7); the session decodes it strictly.
        auto b64 = in.take_while(&is_base64_char);
        if (b64.empty()) fail("expected base64 initial response");
        a.initial_response = b64 == "=" ? std::string() : std::string(b64);
    }
    return a;
}

CommandBody parse_login(Cursor& in, bool) {
    Login l;
    in.sp("user name");
    l.user = in.astring("user name");
    in.sp("password");
    l.password = in.astring("password");
    return l;
}

CommandBody parse_enable(Cursor& in, bool) {
    Enable e;
    in.sp("capability");
    do {
        e.capabilities.emplace_back(in.atom("capability"));
    } while (in.accept_sp());
    return e;
}

CommandBody parse_id(Cursor& in, bool) {
    Id id;
    in.sp("ID parameter list");
    if (in.accept_word("NIL")) return id;
    in.expect('(', "\"(\" or NIL");
    id.fields.emplace();
    if (in.accept(')')) return id;
    while (true) {
        std::string field = in.string("ID field name");
        if (field.size() > kIdMaxField) fail("ID field name longer than 30 octets");
        in.sp("ID field value");
        auto value = in.nstring("ID field value");
        if (value && value->size() > kIdMaxValue) fail("ID field value longer than 1024 octets");
        id.fields->emplace_back(std::move(field), std::move(value));
        if (id.fields->size() > kIdMaxPairs) fail("more than 30 ID fields");
        if (in.accept(')')) return id;
        in.sp("ID field name");
    }
}

CommandBody parse_compress(Cursor& in, bool) {
    Compress c;
    in.sp("compression mechanism");
    c.mechanism = std::string(in.atom("compression mechanism"));
    return c;
}

CommandBody parse_getquota(Cursor& in, bool) {
    GetQuota q;
    in.sp("quota root");
    q.root = in.astring("quota root");
    return q;
}

CommandBody parse_getquotaroot(Cursor& in, bool) {
    GetQuotaRoot q;
    in.sp("mailbox name");
    q.mailbox = in.mailbox("mailbox name");
    return q;
}

CommandBody parse_setquota(Cursor& in, bool) {
    SetQuota q;
    in.sp("quota root");
    q.root = in.astring("quota root");
    in.sp("quota limits");
    in.expect('(', "\"(\" to start the quota limits");
    if (in.accept(')')) return q;
    while (true) {
        QuotaLimit l;
        l.resource = std::string(in.atom("quota resource name"));
        in.sp("quota limit");
        l.limit = in.number64("quota limit");
        q.limits.push_back(std::move(l));
        if (in.accept(')')) return q;
        in.sp("quota resource name");
    }
}

}  // namespace tern::imap::detail
