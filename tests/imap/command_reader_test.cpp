// The command reader: framing of lines and literals, continuation order, LITERAL+/LITERAL-,
// limits checked before reading, over-long lines, IDLE and AUTHENTICATE lines; every input is
// also read at every chunk size from 1 to 64 and must give the same events.
#include <gtest/gtest.h>

#include "imap_test_util.hpp"

using namespace tern::imap;
using namespace tern::imap::test;

namespace {

using Events = std::vector<std::string>;

// The events, after checking that every chunking gives the same.
Events events(std::string_view input, const ReaderOptions& opts = {}) {
    auto whole = read_all(input, opts);
    for (std::size_t chunk = 1; chunk <= 64; ++chunk) {
        auto t = read_all(input, opts, chunk);
        EXPECT_EQ(t.events, whole.events) << "chunk size " << chunk;
        if (t.events != whole.events) break;
    }
    return whole.events;
}

ReaderOptions small(std::size_t line, std::uint64_t literal, std::size_t command) {
    ReaderOptions o;
    o.max_line = line;
    o.max_literal = literal;
    o.max_command = command;
    return o;
}

}  // namespace

TEST(CommandReader, SplitsLines) {
    EXPECT_EQ(events("a NOOP\r\nb CAPABILITY\nc LOGOUT\r\n"),
              (Events{"CMD a NOOP", "CMD b CAPABILITY", "CMD c LOGOUT"}));
    // A line is not complete before its LF.
    EXPECT_EQ(events("a NOOP\r\nb NOO"), (Events{"CMD a NOOP"}));
    // A bare CR stays in the line (the parser refuses it); empty lines are commands too.
    EXPECT_EQ(events("a\rb\r\n\r\n"), (Events{"CMD a\rb", "CMD "}));
}

TEST(CommandReader, SynchronisingLiteralsAskForContinuationFirst) {
    auto t = read_all("a LOGIN {3}\r\nbob {6}\r\nsecret\r\nb NOOP\r\n");
    EXPECT_EQ(t.events, (Events{"CONT 3", "CONT 6", "CMD a LOGIN {3}<3:bob> {6}<6:secret>", "CMD b NOOP"}));
    ASSERT_EQ(t.commands.size(), 2u);
    const auto& c = t.commands[0];
    ASSERT_EQ(c.literals.size(), 2u);
    EXPECT_EQ(c.literals[0], (LiteralSpan{11, 3, false, true}));
    EXPECT_EQ(c.text.substr(c.literals[1].offset, c.literals[1].size), "secret");
    EXPECT_EQ(c.tag(), "a");

    // The continuation comes as soon as the marker line is complete, before any octet of the
    // literal is available.
    CommandReader r;
    r.feed("a LOGIN {3}\r\n");
    auto e = r.next();
    ASSERT_TRUE(e);
    EXPECT_TRUE(std::holds_alternative<SendContinuation>(*e));
    EXPECT_FALSE(r.next());
    r.feed("bo");
    EXPECT_FALSE(r.next());
    r.feed("b x\r\n");
    e = r.next();
    ASSERT_TRUE(e && std::holds_alternative<CommandReady>(*e));
}

TEST(CommandReader, LiteralsHoldAnyOctets) {
    // CRLF, a literal marker and a command inside literal data are just data.
    std::string data = "x {5}\r\nb LOGOUT\r\n";
    std::string in = "a APPEND INBOX {" + std::to_string(data.size()) + "}\r\n" + data + "\r\nc NOOP\r\n";
    EXPECT_EQ(events(in), (Events{"CONT 17", "CMD a APPEND INBOX {17}<17:" + data + ">", "CMD c NOOP"}));
    // Zero-length literal, non-synchronising literals, literal8.
    EXPECT_EQ(events("a LOGIN {0}\r\n {0+}\r\n\r\n"), (Events{"CONT 0", "CMD a LOGIN {0}<0:> {0+}<0:>"}));
    EXPECT_EQ(events("a LOGIN {3+}\r\nbob {2+}\r\npw\r\n"), (Events{"CMD a LOGIN {3+}<3:bob> {2+}<2:pw>"}));
    auto t = read_all(std::string("a APPEND x ~{3}\r\n\0\1\2\r\n", 22));
    ASSERT_EQ(t.commands.size(), 1u);
    EXPECT_TRUE(t.commands[0].literals[0].binary);
    EXPECT_TRUE(t.commands[0].literals[0].synchronizing);
    EXPECT_EQ(t.commands[0].text.substr(t.commands[0].literals[0].offset), std::string("\0\1\2", 3));
    // A marker that does not end its line is text.
    EXPECT_EQ(events("a LOGIN {3} x\r\n"), (Events{"CMD a LOGIN {3} x"}));
}

TEST(CommandReader, OversizedSynchronisingLiteralIsRefusedUnread) {
    auto opts = small(100, 10, 1000);
    // The client gets the rejection instead of "+" and does not send the octets: the next line
    // is a new command.
    EXPECT_EQ(events("a1 LOGIN {11}\r\na2 NOOP\r\n", opts), (Events{"REJ a1 literal-too-large 11", "CMD a2 NOOP"}));
    EXPECT_EQ(events("a1 LOGIN {10}\r\n0123456789\r\n", opts), (Events{"CONT 10", "CMD a1 LOGIN {10}<10:0123456789>"}));
    // Nothing was allocated for it.
    CommandReader r(opts);
    r.feed("a1 LOGIN {9223372036854775807}\r\n");
    auto e = r.next();
    ASSERT_TRUE(e);
    auto* rej = std::get_if<CommandRejected>(&*e);
    ASSERT_TRUE(rej);
    EXPECT_EQ(rej->literal_size, 9223372036854775807ull);
    EXPECT_FALSE(rej->fatal);
    EXPECT_EQ(r.pending_command_size(), 0u);
}

TEST(CommandReader, OversizedNonSyncLiteralIsSkippedThenRejected) {
    auto opts = small(100, 10, 1000);
    std::string big(5000, 'x');
    std::string in = "a1 LOGIN {5000+}\r\n" + big + " {3+}\r\nabc rest of line\r\na2 NOOP\r\n";
    EXPECT_EQ(events(in, opts), (Events{"REJ a1 literal-too-large 5000", "CMD a2 NOOP"}));
    // Skipping stores nothing.
    CommandReader r(opts);
    r.feed("a1 LOGIN {5000+}\r\n");
    EXPECT_FALSE(r.next());
    for (int i = 0; i < 50; ++i) {
        r.feed(std::string(100, 'y'));
        EXPECT_FALSE(r.next());
        EXPECT_EQ(r.pending_command_size(), 0u);
        EXPECT_EQ(r.buffered(), 0u);
    }
    r.feed("\r\n");
    auto e = r.next();
    ASSERT_TRUE(e && std::holds_alternative<CommandRejected>(*e));
    // A synchronising literal later in a rejected command ends it: the client waits for "+".
    EXPECT_EQ(events("a1 X {20+}\r\n01234567890123456789 {4}\r\na2 NOOP\r\n", opts),
              (Events{"REJ a1 literal-too-large 20", "CMD a2 NOOP"}));
}

TEST(CommandReader, LiteralMinusRefusesBigNonSyncLiterals) {
    ReaderOptions opts;
    opts.non_sync = NonSyncLiterals::Minus;
    opts.max_literal = 100000;
    std::string ok(4096, 'a'), big(4097, 'b');
    EXPECT_EQ(events("a APPEND x {4096+}\r\n" + ok + "\r\n", opts).at(0).substr(0, 20), "CMD a APPEND x {4096");
    EXPECT_EQ(events("a APPEND x {4097+}\r\n" + big + "\r\nb NOOP\r\n", opts),
              (Events{"REJ a nonsync-too-large 4097", "CMD b NOOP"}));
    // Synchronising literals of that size are fine.
    EXPECT_EQ(events("a APPEND x {4097}\r\n" + big + "\r\n", opts).at(0), "CONT 4097");
    // LITERAL+ takes it.
    opts.non_sync = NonSyncLiterals::Plus;
    EXPECT_EQ(events("a APPEND x {4097+}\r\n" + big + "\r\n", opts).size(), 1u);
}

TEST(CommandReader, PolicyDecidesEachLiteral) {
    std::vector<LiteralRequest> seen;
    std::vector<std::string> tags, names;
    ReaderOptions opts = small(100, 10, 200);
    opts.literal_limit = [&](const LiteralRequest& r) -> std::uint64_t {
        seen.push_back(r);
        tags.emplace_back(r.tag);
        names.emplace_back(r.command);
        return r.command == "APPEND" ? 1000 : 10;
    };
    std::string msg(500, 'm');
    auto t = read_all("t1 APPEND INBOX (\\Seen) {500+}\r\n" + msg + " {3}\r\nabc\r\n", opts);
    EXPECT_EQ(t.events.size(), 2u);  // CONT 3, CMD
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(tags[0], "t1");
    EXPECT_EQ(names[0], "APPEND");
    EXPECT_EQ(seen[0].size, 500u);
    EXPECT_FALSE(seen[0].synchronizing);
    EXPECT_EQ(seen[0].index, 0u);
    EXPECT_EQ(seen[1].index, 1u);
    EXPECT_TRUE(seen[1].synchronizing);
    EXPECT_GT(seen[1].command_size, 500u);
    // A literal the policy raised is not counted against max_command (200).
    ASSERT_EQ(t.commands.size(), 1u);
    EXPECT_GT(t.commands[0].text.size(), 500u);
    // Other commands keep the small limit; the word after UID is the command.
    seen.clear();
    names.clear();
    EXPECT_EQ(read_all("t2 UID SEARCH TEXT {11}\r\n", opts).events, (Events{"REJ t2 literal-too-large 11"}));
    EXPECT_EQ(names, (std::vector<std::string>{"SEARCH"}));
}

TEST(CommandReader, CommandSizeIsBounded) {
    auto opts = small(100, 50, 120);
    // 4 literals of 40 octets: the third passes the total.
    std::string in = "a X {40}\r\n" + std::string(40, '1') + " {40}\r\n" + std::string(40, '2') + " {40}\r\nb NOOP\r\n";
    EXPECT_EQ(events(in, opts), (Events{"CONT 40", "CONT 40", "REJ a command-too-large 40", "CMD b NOOP"}));
    // Lines count too.
    std::string lines = "a X {1}\r\n1" + std::string(90, 'z') + " {1}\r\n2" + std::string(60, 'z') + "\r\nb NOOP\r\n";
    EXPECT_EQ(events(lines, opts), (Events{"CONT 1", "CONT 1", "REJ a command-too-large 0", "CMD b NOOP"}));
}

TEST(CommandReader, OverlongLineIsDiscardedToItsEnd) {
    auto opts = small(20, 100, 1000);
    std::string longline = "a1 SEARCH " + std::string(500, 'x');
    EXPECT_EQ(events(longline + "\r\na2 NOOP\r\n", opts), (Events{"REJ a1 line-too-long 0", "CMD a2 NOOP"}));
    // Exactly at the limit is fine, one more is not.
    EXPECT_EQ(events("a1 NOOP 123456789012\r\n", opts), (Events{"CMD a1 NOOP 123456789012"}));
    EXPECT_EQ(events("a1 NOOP 1234567890123\r\n", opts), (Events{"REJ a1 line-too-long 0"}));
    // No usable tag: "" (the session answers "* BAD").
    EXPECT_EQ(events(std::string(100, 'q') + "\r\n", opts), (Events{"REJ  line-too-long 0"}));
    // An over-long line that announces a synchronising literal: rejected, no continuation, and
    // the client will not send it.
    EXPECT_EQ(events(longline + " {5}\r\na2 NOOP\r\n", opts), (Events{"REJ a1 line-too-long 0", "CMD a2 NOOP"}));
    // ...a non-synchronising one: its octets are skipped, never read as commands.
    EXPECT_EQ(events(longline + " {9+}\r\na3 LOGOUT tail\r\na2 NOOP\r\n", opts),
              (Events{"REJ a1 line-too-long 0", "CMD a2 NOOP"}));
    // A second line of a command (after a literal) that is too long.
    EXPECT_EQ(events("a4 LOGIN {2}\r\nab " + std::string(50, 'p') + "\r\na2 NOOP\r\n", opts),
              (Events{"CONT 2", "REJ a4 line-too-long 0", "CMD a2 NOOP"}));
}

TEST(CommandReader, BufferStaysBoundedOnEndlessLine) {
    auto opts = small(64, 100, 1000);
    CommandReader r(opts);
    r.feed("a1 ");
    for (int i = 0; i < 1000; ++i) {
        r.feed(std::string(37, 'z'));
        EXPECT_FALSE(r.next());
        EXPECT_LE(r.buffered(), opts.max_line + 1);
        EXPECT_LE(r.pending_command_size(), opts.max_line);
    }
    r.feed("\r\n");
    auto e = r.next();
    ASSERT_TRUE(e);
    ASSERT_TRUE(std::holds_alternative<CommandRejected>(*e));
    EXPECT_EQ(std::get<CommandRejected>(*e).tag, "a1");
}

TEST(CommandReader, BufferStaysBoundedOnEndlessIdleOrAuthLine) {
    for (bool idle : {true, false}) {
        auto opts = small(64, 100, 1000);
        opts.max_auth_line = 80;
        CommandReader r(opts);
        r.feed(idle ? "a IDLE\r\n" : "a AUTHENTICATE PLAIN\r\n");
        ASSERT_TRUE(r.next());
        if (idle) r.expect_idle_done();
        else r.expect_auth_response();
        for (int i = 0; i < 100; ++i) {
            r.feed(std::string(37, 'z'));
            EXPECT_FALSE(r.next());
            EXPECT_LE(r.buffered(), 81u);
        }
        r.feed("\r\nb NOOP\r\n");
        auto e = r.next();
        ASSERT_TRUE(e);
        if (idle) EXPECT_FALSE(std::get<IdleEnded>(*e).done);
        else EXPECT_EQ(std::get<AuthResponse>(*e).kind, AuthResponseKind::TooLong);
        e = r.next();
        ASSERT_TRUE(e && std::holds_alternative<CommandReady>(*e));
    }
}

TEST(CommandReader, UnreadableCountsAndHugeSkipsAreFatalOnlyWhenNonSync) {
    EXPECT_EQ(events("a X {99999999999999999999}\r\nb NOOP\r\n"),
              (Events{"REJ a bad-literal-count 0", "CMD b NOOP"}));
    EXPECT_EQ(events("a X {9223372036854775808}\r\nb NOOP\r\n"),
              (Events{"REJ a bad-literal-count 0", "CMD b NOOP"}));
    EXPECT_EQ(events("a X {99999999999999999999+}\r\nb NOOP\r\n"), (Events{"REJ a bad-literal-count 0 fatal"}));
    auto opts = small(100, 10, 1000);
    opts.max_skip = 1000;
    EXPECT_EQ(events("a X {1001+}\r\nb NOOP\r\n", opts), (Events{"REJ a literal-too-large 1001 fatal"}));
    // After a fatal rejection nothing more is read.
    CommandReader r(opts);
    r.feed("a X {1001+}\r\n");
    ASSERT_TRUE(r.next());
    EXPECT_TRUE(r.fatal());
    r.feed("b NOOP\r\n");
    EXPECT_FALSE(r.next());
    EXPECT_EQ(r.buffered(), 0u);
    // In an over-long line, a run of digits too long to read before "+}" is fatal as well,
    // however the line was chunked.
    auto tight = small(20, 100, 1000);
    EXPECT_EQ(events("a " + std::string(60, 'x') + " {" + std::string(40, '9') + "+}\r\nb NOOP\r\n", tight),
              (Events{"REJ a line-too-long 0 fatal"}));
    EXPECT_EQ(events("a " + std::string(60, 'x') + " " + std::string(40, '9') + "+}\r\nb NOOP\r\n", tight),
              (Events{"REJ a line-too-long 0 fatal"}));
}

TEST(CommandReader, IdleReadsOneLine) {
    EXPECT_EQ(events("a IDLE\r\nDONE\r\nb NOOP\r\n"), (Events{"CMD a IDLE", "IDLE done", "CMD b NOOP"}));
    EXPECT_EQ(events("a IDLE\r\ndone\nb NOOP\r\n"), (Events{"CMD a IDLE", "IDLE done", "CMD b NOOP"}));
    EXPECT_EQ(events("a IDLE\r\nb NOOP\r\nc NOOP\r\n"), (Events{"CMD a IDLE", "IDLE bad", "CMD c NOOP"}));
    // A literal marker means nothing in IDLE.
    EXPECT_EQ(events("a IDLE\r\nDONE {5}\r\nb NOOP\r\n"), (Events{"CMD a IDLE", "IDLE bad", "CMD b NOOP"}));
    auto opts = small(16, 100, 1000);
    EXPECT_EQ(events("a IDLE\r\n" + std::string(100, 'D') + "\r\nb NOOP\r\n", opts),
              (Events{"CMD a IDLE", "IDLE bad", "CMD b NOOP"}));
}

TEST(CommandReader, AuthenticateLines) {
    EXPECT_EQ(events("a AUTHENTICATE PLAIN\r\nAGJvYgBwdw==\r\n\r\n*\r\nb NOOP\r\n"),
              (Events{"CMD a AUTHENTICATE PLAIN", "AUTH AGJvYgBwdw==", "AUTH ", "AUTH cancel", "CMD b NOOP"}));
    ReaderOptions opts;
    opts.max_line = 16;
    opts.max_auth_line = 40;
    // Auth lines have their own limit, longer than a command line here.
    std::string b64(40, 'Q');
    EXPECT_EQ(events("a AUTHENTICATE X\r\n" + b64 + "\r\n*\r\n", opts),
              (Events{"CMD a AUTHENTICATE X", "AUTH " + b64, "AUTH cancel"}));
    EXPECT_EQ(events("a AUTHENTICATE X\r\n" + b64 + "Q\r\nb NOOP\r\n", opts),
              (Events{"CMD a AUTHENTICATE X", "AUTH too-long", "CMD b NOOP"}));
    EXPECT_EQ(events("a AUTHENTICATE X\r\n" + std::string(300, 'Q') + "\r\nb NOOP\r\n", opts),
              (Events{"CMD a AUTHENTICATE X", "AUTH too-long", "CMD b NOOP"}));
}

TEST(CommandReader, TakeBufferedReturnsPipelinedInput) {
    CommandReader r;
    r.feed("a STARTTLS\r\nb LOGIN x y\r\n");
    auto e = r.next();
    ASSERT_TRUE(e && std::holds_alternative<CommandReady>(*e));
    EXPECT_EQ(r.buffered(), 13u);
    EXPECT_EQ(r.take_buffered(), "b LOGIN x y\r\n");
    EXPECT_EQ(r.buffered(), 0u);
    EXPECT_FALSE(r.next());
}

TEST(CommandReader, TagsOfRejections) {
    auto opts = small(100, 10, 1000);
    EXPECT_EQ(events("a+b X {20}\r\n", opts), (Events{"REJ  literal-too-large 20"}));
    EXPECT_EQ(events("{20}\r\n", opts), (Events{"REJ  literal-too-large 20"}));
    EXPECT_EQ(events("x] X {20}\r\n", opts), (Events{"REJ x] literal-too-large 20"}));
}

TEST(CommandReader, MixedStreamAtEveryChunkSize) {
    ReaderOptions opts = small(40, 30, 200);
    opts.max_auth_line = 50;
    std::string in = "a1 NOOP\r\n"
                     "a2 LOGIN {3}\r\nbob {4+}\r\npass\r\n"
                     "a3 SELECT " + std::string(60, 'm') + "\r\n"
                     "a4 APPEND x {31+}\r\n" + std::string(31, 'k') + " {2}\r\n"
                     "a5 IDLE\r\nDONE\r\n"
                     "a6 AUTHENTICATE PLAIN\r\nAAAA\r\n*\r\n"
                     "a7 X ~{2}\r\n" + std::string(2, '\0') + "\r\n"
                     "a8 X {25}\r\n0123456789012345678901234\r\n"
                     "a9 LOGOUT\n";
    auto e = events(in, opts);
    EXPECT_EQ(e.size(), 15u);
    EXPECT_EQ(e.front(), "CMD a1 NOOP");
    EXPECT_EQ(e.back(), "CMD a9 LOGOUT");
}
