// libFuzzer harness for the IMAP command reader and parser (src/imap/command_reader,
// command_parser and the per-family grammars). The first bytes pick the reader's limits and
// options; the rest is fed twice, in one write and in chunks of sizes derived from the input,
// with IDLE and AUTHENTICATE switching the reader's mode as a session would. Invariants
// beyond "no crash / no UB / no leak":
//  - both feedings give the same transcript (framing and parsing never depend on chunking);
//  - while waiting for input the reader holds at most max(max_line, max_auth_line) + 1 octets;
//  - every command respects the limits: each line <= max_line, each literal <= the limit the
//    policy gave, the counted size <= max_command, LITERAL- non-sync literals <= 4096; the
//    literal table is ordered and inside the text;
//  - nothing comes after a fatal rejection;
//  - a parsed command carries the reader's tag; error messages are printable ASCII;
//  - a parsed sequence set prints to text that parses back to the same numbers.
// The input is also parsed directly as one RawCommand without literals (NUL, CR, LF and all).
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "imap/command_parser.hpp"
#include "imap/command_reader.hpp"
#include "imap/response_syntax.hpp"

using namespace tern::imap;

namespace {

void check(bool ok) {
    if (!ok) std::abort();
}

void check_message(const std::string& m) {
    check(!m.empty());
    for (char c : m) check(c >= 0x20 && c < 0x7F);
}

void check_set(const SequenceSet& s) {
    if (s.is_saved_result()) return;
    auto again = SequenceSet::parse(s.to_string());
    check(again.has_value());
    for (std::uint32_t max : {0u, 1u, 7u, 100u}) check(again->resolve(max) == s.resolve(max));
}

void check_command(const Command& c) {
    if (auto* f = std::get_if<Fetch>(&c.body)) {
        check_set(f->set);
        check(!f->attributes.empty());
        check(!f->vanished || (c.uid && f->changed_since));
    } else if (auto* s = std::get_if<Store>(&c.body)) {
        check_set(s->set);
    } else if (auto* cp = std::get_if<Copy>(&c.body)) {
        check_set(cp->set);
    } else if (auto* a = std::get_if<Append>(&c.body)) {
        check(!a->messages.empty());
        for (const auto& m : a->messages) check(m.binary || m.data.find('\0') == std::string::npos);
    } else if (auto* l = std::get_if<List>(&c.body)) {
        check(!l->patterns.empty());
    }
}

// Verifies one framed command against the options and returns its description.
std::string describe(const RawCommand& c, const ReaderOptions& o, const std::vector<std::uint64_t>& limits) {
    std::size_t pos = 0;
    std::uint64_t counted = 0;
    check(limits.size() >= c.literals.size());
    std::string d = "CMD ";
    for (std::size_t i = 0; i < c.literals.size(); ++i) {
        const auto& l = c.literals[i];
        check(l.offset >= pos && l.offset <= c.text.size() && l.size <= c.text.size() - l.offset);
        check(l.offset - pos <= o.max_line);
        counted += l.offset - pos;
        check(l.size <= limits[i]);
        if (l.size <= o.max_literal) counted += l.size;
        if (!l.synchronizing && o.non_sync == NonSyncLiterals::Minus) check(l.size <= kLiteralMinusMax);
        d += c.text.substr(pos, l.offset - pos) + "<" + std::to_string(l.size) + ">";
        pos = l.offset + l.size;
    }
    check(c.text.size() - pos <= o.max_line);
    counted += c.text.size() - pos;
    check(counted <= o.max_command);
    return d + c.text.substr(pos);
}

std::string run(std::string_view input, const ReaderOptions& base, std::uint32_t seed, bool split, bool policy) {
    ReaderOptions o = base;
    std::vector<std::uint64_t> limits;  // what the policy answered for the current command
    if (policy) {
        o.literal_limit = [&limits, max = base.max_literal](const LiteralRequest& r) -> std::uint64_t {
            std::uint64_t limit = (r.command == "APPEND" || r.command == "append") ? max * 4 + 100 : max;
            if (r.index == 0) limits.clear();
            limits.push_back(limit);
            return limit;
        };
    }
    CommandReader reader(o);
    std::string transcript;
    bool dead = false;
    auto drain = [&] {
        while (auto e = reader.next()) {
            check(!dead);
            if (auto* c = std::get_if<CommandReady>(&*e)) {
                std::vector<std::uint64_t> fixed(c->command.literals.size(), base.max_literal);
                transcript += describe(c->command, o, policy ? limits : fixed) + "\n";
                limits.clear();
                auto r = parse_command(c->command);
                if (auto* cmd = std::get_if<Command>(&r)) {
                    check(cmd->tag == c->command.tag());
                    check_command(*cmd);
                    transcript += "OK " + std::string(command_name(*cmd)) + "\n";
                    if (std::holds_alternative<Idle>(cmd->body)) reader.expect_idle_done();
                    if (std::holds_alternative<Authenticate>(cmd->body)) reader.expect_auth_response();
                } else {
                    const auto& err = std::get<ParseError>(r);
                    check_message(err.message);
                    transcript += "BAD " + err.tag + " " + err.message + "\n";
                }
            } else if (auto* k = std::get_if<SendContinuation>(&*e)) {
                transcript += "+ " + std::to_string(k->size) + "\n";
            } else if (auto* j = std::get_if<CommandRejected>(&*e)) {
                limits.clear();
                transcript += "REJ " + j->tag + " " + std::to_string(static_cast<int>(j->reason)) + " " +
                              std::to_string(j->literal_size) + (j->fatal ? " fatal" : "") + "\n";
                if (j->fatal) {
                    dead = true;
                    check(reader.fatal() && reader.buffered() == 0);
                }
            } else if (auto* i = std::get_if<IdleEnded>(&*e)) {
                transcript += i->done ? "DONE\n" : "IDLE-BAD\n";
            } else if (auto* a = std::get_if<AuthResponse>(&*e)) {
                check(a->text.size() <= o.max_auth_line);
                transcript += "AUTH " + std::to_string(static_cast<int>(a->kind)) + " " + a->text + "\n";
                // Keep the exchange going for even-length responses.
                if (a->kind == AuthResponseKind::Data && a->text.size() % 2 == 0) reader.expect_auth_response();
            }
        }
        if (!reader.fatal()) check(reader.buffered() <= std::max(o.max_line, o.max_auth_line) + 1);
    };
    std::size_t off = 0;
    std::uint32_t x = seed | 1;
    while (off < input.size()) {
        std::size_t n = input.size() - off;
        if (split) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            std::size_t max = (x & 0x100) ? 300 : 9;
            n = std::min<std::size_t>(n, 1 + (x >> 9) % max);
        }
        reader.feed(input.substr(off, n));
        off += n;
        drain();
    }
    return transcript;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view all(reinterpret_cast<const char*>(data), size);

    // The whole input as one command without literals: NUL, CR, LF, anything.
    RawCommand direct;
    direct.text = std::string(all.substr(0, 4096));
    auto r = parse_command(direct);
    if (auto* e = std::get_if<ParseError>(&r)) check_message(e->message);
    else check_command(std::get<Command>(r));

    if (size < 6) return 0;
    ReaderOptions o;
    o.max_line = 8 + data[0] * 2u;
    o.max_literal = data[1] * 4u;
    o.max_command = 16 + data[2] * 8u;
    o.max_auth_line = 4 + (data[3] & 0x3F) * 4u;
    o.max_skip = 16 + (data[4] & 0x7F) * 16u;
    o.non_sync = (data[3] & 0x80) ? NonSyncLiterals::Minus : NonSyncLiterals::Plus;
    bool policy = data[4] & 0x80;
    std::uint32_t seed = data[5] * 2654435761u;
    std::string_view input = all.substr(6);

    std::string whole = run(input, o, seed, false, policy);
    std::string split = run(input, o, seed, true, policy);
    check(whole == split);
    return 0;
}
