// Helpers for the imap tests: drive a CommandReader over a whole input at a given chunk size
// and record its events as text, and parse one command line (with literals) into a Command.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "imap/command_parser.hpp"
#include "imap/command_reader.hpp"

namespace tern::imap::test {

inline std::string reason_name(RejectReason r) {
    switch (r) {
        case RejectReason::LineTooLong: return "line-too-long";
        case RejectReason::CommandTooLarge: return "command-too-large";
        case RejectReason::LiteralTooLarge: return "literal-too-large";
        case RejectReason::NonSyncTooLarge: return "nonsync-too-large";
        case RejectReason::BadLiteralCount: return "bad-literal-count";
    }
    return "?";
}

// A command as text: literal octets shown as <n:octets> right after their marker.
inline std::string describe(const RawCommand& c) {
    std::string s;
    std::size_t pos = 0;
    for (const auto& l : c.literals) {
        s += c.text.substr(pos, l.offset - pos);
        s += "<" + std::to_string(l.size) + ":" + c.text.substr(l.offset, l.size) + ">";
        pos = l.offset + l.size;
    }
    s += c.text.substr(pos);
    return s;
}

struct Transcript {
    std::vector<std::string> events;
    std::vector<RawCommand> commands;
};

// Called for each command; may switch the reader's mode (IDLE, AUTHENTICATE).
using CommandHook = std::function<void(CommandReader&, const RawCommand&)>;

// The default hook: IDLE and AUTHENTICATE put the reader in their line mode, and an
// AuthResponse that is not a cancel asks for another one.
inline void mode_hook(CommandReader& r, const RawCommand& c) {
    auto pos = c.text.find(' ');
    std::string_view rest = pos == std::string::npos ? std::string_view() : std::string_view(c.text).substr(pos + 1);
    if (rest == "IDLE") r.expect_idle_done();
    if (rest.substr(0, 12) == "AUTHENTICATE") r.expect_auth_response();
}

inline void drain(CommandReader& r, Transcript& t, const CommandHook& hook) {
    while (auto e = r.next()) {
        if (auto* c = std::get_if<CommandReady>(&*e)) {
            t.events.push_back("CMD " + describe(c->command));
            t.commands.push_back(c->command);
            if (hook) hook(r, c->command);
        } else if (auto* k = std::get_if<SendContinuation>(&*e)) {
            t.events.push_back("CONT " + std::to_string(k->size));
        } else if (auto* j = std::get_if<CommandRejected>(&*e)) {
            t.events.push_back("REJ " + j->tag + " " + reason_name(j->reason) + " " + std::to_string(j->literal_size) +
                               (j->fatal ? " fatal" : ""));
        } else if (auto* i = std::get_if<IdleEnded>(&*e)) {
            t.events.push_back(i->done ? "IDLE done" : "IDLE bad");
        } else if (auto* a = std::get_if<AuthResponse>(&*e)) {
            switch (a->kind) {
                case AuthResponseKind::Data:
                    t.events.push_back("AUTH " + a->text);
                    r.expect_auth_response();
                    break;
                case AuthResponseKind::Cancel: t.events.push_back("AUTH cancel"); break;
                case AuthResponseKind::TooLong: t.events.push_back("AUTH too-long"); break;
            }
        }
    }
}

// chunk == 0: the whole input in one feed.
inline Transcript read_all(std::string_view input, const ReaderOptions& opts = {}, std::size_t chunk = 0,
                           const CommandHook& hook = mode_hook) {
    CommandReader r(opts);
    Transcript t;
    if (chunk == 0) chunk = input.size() + 1;
    for (std::size_t off = 0; off < input.size(); off += chunk) {
        r.feed(input.substr(off, chunk));
        drain(r, t, hook);
    }
    drain(r, t, hook);
    return t;
}

// Reads one command line (CRLF added) and parses it.
inline ParseResult parse(std::string input, const ParserOptions& popts = {}) {
    input += "\r\n";
    ReaderOptions ropts;
    ropts.max_line = 1 << 20;
    ropts.max_literal = 1 << 20;
    ropts.max_command = 1 << 22;
    auto t = read_all(input, ropts, 0, {});
    if (t.commands.size() != 1) {
        ADD_FAILURE() << "expected one command from the reader, got " << t.commands.size();
        return ParseError{};
    }
    return parse_command(t.commands[0], popts);
}

// The parsed command, or a test failure naming the parse error.
inline Command ok(std::string input, const ParserOptions& popts = {}) {
    auto r = parse(std::move(input), popts);
    if (auto* e = std::get_if<ParseError>(&r)) {
        ADD_FAILURE() << "parse error: " << e->message;
        return Command{};
    }
    return std::get<Command>(std::move(r));
}

template <class T>
T body(std::string input, const ParserOptions& popts = {}) {
    Command c = ok(std::move(input), popts);
    if (auto* b = std::get_if<T>(&c.body)) return *b;
    ADD_FAILURE() << "unexpected command type " << command_name(c);
    return T{};
}

inline ParseError error(std::string input, const ParserOptions& popts = {}) {
    auto r = parse(std::move(input), popts);
    if (auto* e = std::get_if<ParseError>(&r)) return *e;
    ADD_FAILURE() << "expected a parse error";
    return ParseError{};
}

}  // namespace tern::imap::test
