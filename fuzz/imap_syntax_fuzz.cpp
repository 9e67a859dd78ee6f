// libFuzzer harness for what the IMAP core writes and the small value parsers
// (src/imap/response_syntax, body_structure, sequence_set, date_time). Invariants:
//  - append_string / append_astring / append_binary of any bytes read back through our own
//    reader and parser as the same bytes (so nothing we write can be misread, or inject CRLF);
//  - render_envelope / render_body of a structure built from the input is one well-formed IMAP
//    value (balanced lists, valid quoted strings, exact literals, no bare CR/LF outside
//    literals), extended or not, however deep the structure;
//  - a sequence set prints to text that parses back to the same numbers; contains() agrees
//    with for_each();
//  - a parsed date or date-time formats to text that parses back to the same value.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "imap/body_structure.hpp"
#include "imap/command_parser.hpp"
#include "imap/command_reader.hpp"
#include "imap/date_time.hpp"
#include "imap/response_syntax.hpp"
#include "imap/sequence_set.hpp"

using namespace tern;
using namespace tern::imap;

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

// ---- a strict reader for one IMAP value (nil, number, quoted, literal, literal8, list) ----
bool value(std::string_view s, std::size_t& i, int depth);

bool list(std::string_view s, std::size_t& i, int depth) {
    ++i;  // "("
    bool first = true;
    while (true) {
        if (i >= s.size()) return false;
        if (s[i] == ')') {
            ++i;
            return true;
        }
        if (!first) {
            // Values are separated by SP, except that lists may follow lists directly
            // (body-type-mpart, address lists).
            if (s[i] == ' ') ++i;
            else if (!(s[i] == '(' && s[i - 1] == ')')) return false;
        }
        if (!value(s, i, depth + 1)) return false;
        first = false;
    }
}

bool value(std::string_view s, std::size_t& i, int depth) {
    if (depth > 300 || i >= s.size()) return false;
    char c = s[i];
    if (c == '(') return list(s, i, depth);
    if (c == '"') {
        for (++i; i < s.size(); ++i) {
            if (s[i] == '"') {
                ++i;
                return true;
            }
            if (s[i] == '\r' || s[i] == '\n' || s[i] == '\0') return false;
            if (s[i] == '\\') {
                if (i + 1 >= s.size() || (s[i + 1] != '"' && s[i + 1] != '\\')) return false;
                ++i;
            }
        }
        return false;
    }
    if (c == '{' || c == '~') {
        if (c == '~') ++i;
        if (i >= s.size() || s[i] != '{') return false;
        std::size_t start = ++i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
        if (i == start || i - start > 9 || s.substr(i, 3) != "}\r\n") return false;
        std::size_t n = std::stoul(std::string(s.substr(start, i - start)));
        i += 3;
        if (s.size() - i < n) return false;
        i += n;
        return true;
    }
    if (s.substr(i, 3) == "NIL") {
        i += 3;
        return true;
    }
    std::size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i > start;
}

bool one_value(std::string_view s) {
    std::size_t i = 0;
    return value(s, i, 0) && i == s.size();
}

// ---- structures built from the input ----------------------------------------------------
struct Bytes {
    std::string_view in;
    unsigned byte() {
        if (in.empty()) return 0;
        auto b = static_cast<unsigned char>(in[0]);
        in.remove_prefix(1);
        return b;
    }
    std::string text() {
        std::size_t n = byte() % 12;
        n = std::min(n, in.size());
        std::string s(in.substr(0, n));
        in.remove_prefix(n);
        return s;
    }
    mime::NString nstring() {
        if (byte() % 3 == 0) return std::nullopt;
        return text();
    }
};

std::vector<mime::EnvelopeAddress> addresses(Bytes& b) {
    std::vector<mime::EnvelopeAddress> v(b.byte() % 3);
    for (auto& a : v) a = {b.nstring(), b.nstring(), b.nstring(), b.nstring()};
    return v;
}

std::shared_ptr<mime::Envelope> envelope(Bytes& b) {
    auto e = std::make_shared<mime::Envelope>();
    e->date = b.nstring();
    e->subject = b.nstring();
    e->from = addresses(b);
    e->sender = addresses(b);
    e->reply_to = addresses(b);
    e->to = addresses(b);
    e->cc = addresses(b);
    e->bcc = addresses(b);
    e->in_reply_to = b.nstring();
    e->message_id = b.nstring();
    return e;
}

mime::BodyPart part(Bytes& b, int depth) {
    mime::BodyPart p;
    unsigned kind = b.byte();
    if (depth > 90) kind = 3;  // the generator's own bound; rendering stops at kMaxBodyDepth
    switch (kind % 5) {
        case 0: p.type = "text"; break;
        case 1: p.type = "multipart"; break;
        case 2: p.type = "message"; p.subtype = (kind & 8) ? "rfc822" : "global"; break;
        case 3: p.type = b.text(); break;
        default: p.type = "Multipart"; break;
    }
    if (kind % 5 != 2) p.subtype = b.text();
    for (unsigned i = 0, n = b.byte() % 3; i < n; ++i) p.parameters.emplace_back(b.text(), b.text());
    p.id = b.nstring();
    p.description = b.nstring();
    p.encoding = b.text();
    p.size = b.byte() * 1000003ull;
    p.lines = b.byte();
    p.md5 = b.nstring();
    if (b.byte() & 1) p.disposition = mime::Disposition{b.text(), {{b.text(), b.text()}}};
    for (unsigned i = 0, n = b.byte() % 3; i < n; ++i) p.language.push_back(b.text());
    p.location = b.nstring();
    if (kind % 5 == 2 && (kind & 16)) p.message = envelope(b);
    if (kind % 5 == 1 || kind % 5 == 4 || kind % 5 == 2) {
        for (unsigned i = 0, n = (kind >> 5) % 4; i < n && !b.in.empty(); ++i) p.children.push_back(part(b, depth + 1));
    }
    return p;
}

// ---- read back what we wrote ------------------------------------------------------------
Command read_back(const std::string& line) {
    ReaderOptions o;
    o.max_line = 1 << 20;
    o.max_literal = 1 << 20;
    o.max_command = 1 << 22;
    CommandReader r(o);
    r.feed(line);
    while (auto e = r.next()) {
        if (auto* c = std::get_if<CommandReady>(&*e)) {
            auto p = parse_command(c->command);
            check(std::holds_alternative<Command>(p));
            check(r.buffered() == 0);
            return std::get<Command>(std::move(p));
        }
        check(std::holds_alternative<SendContinuation>(*e));
    }
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    bool utf8 = size > 0 && (data[0] & 1);

    // Strings.
    if (in.find('\0') == std::string_view::npos) {
        std::string line = "a LOGIN ";
        append_astring(line, in, utf8);
        line += ' ';
        append_string(line, in, utf8);
        line += "\r\n";
        auto login = std::get<Login>(read_back(line).body);
        check(login.user == in && login.password == in);
        std::string mbox = "a SELECT ";
        append_mailbox(mbox, in, utf8);
        mbox += "\r\n";
        auto sel = std::get<Select>(read_back(mbox).body);
        check(sel.mailbox == in || (is_inbox(in) && sel.mailbox == "INBOX"));
    }
    std::string append = "a APPEND x ";
    append_binary(append, in);
    append += "\r\n";
    auto app = std::get<Append>(read_back(append).body);
    check(app.messages.size() == 1 && app.messages[0].data == in);

    // Flags never break the list.
    std::vector<std::string> flags;
    for (std::size_t i = 0; i < size; i += 7) flags.emplace_back(in.substr(i, 7));
    std::string fl;
    append_flag_list(fl, flags);
    check(fl.size() >= 2 && fl.front() == '(' && fl.back() == ')');
    std::string_view inner = std::string_view(fl).substr(1, fl.size() - 2);
    while (!inner.empty()) {
        auto sp = inner.find(' ');
        std::string_view flag = inner.substr(0, sp);
        if (flag != "\\*") {
            if (flag.front() == '\\') flag.remove_prefix(1);
            check(!flag.empty());
            for (char c : flag) {
                auto u = static_cast<unsigned char>(c);
                check(u > 0x20 && u < 0x7F && c != '(' && c != ')' && c != '{' && c != '%' && c != '*' &&
                      c != '"' && c != '\\' && c != ']');
            }
        }
        if (sp == std::string_view::npos) break;
        inner.remove_prefix(sp + 1);
        check(!inner.empty());
    }

    // Structures.
    Bytes b{in};
    mime::BodyPart root = part(b, 0);
    for (bool extended : {false, true}) {
        std::string s;
        render_body(s, root, extended, utf8);
        check(one_value(s));
    }
    Bytes be{in};
    std::string env;
    render_envelope(env, *envelope(be), utf8);
    check(one_value(env));

    // Sequence sets.
    std::string_view first = in.substr(0, in.find(' '));
    if (auto set = SequenceSet::parse(first)) {
        auto again = SequenceSet::parse(set->to_string());
        check(again.has_value());
        std::uint32_t max = size > 1 ? data[size - 1] % 70 : 5;
        check(again->resolve(max) == set->resolve(max));
        std::vector<std::uint32_t> seen;
        set->for_each(max, [&](std::uint32_t n) { seen.push_back(n); });
        check(seen.size() == set->count(max));
        std::size_t k = 0;
        for (std::uint32_t n = 0; n <= max + 1; ++n) {
            bool member = k < seen.size() && seen[k] == n;
            if (member) ++k;
            check(set->contains(n, max) == member);
        }
        check(k == seen.size());
    }

    // Dates.
    if (auto d = parse_date(in)) check(parse_date(format_date(*d)) == d);
    if (auto dt = parse_date_time(in)) {
        auto back = parse_date_time(format_date_time(dt->unix_seconds, dt->offset_minutes));
        check(back == dt);
    }
    return 0;
}
