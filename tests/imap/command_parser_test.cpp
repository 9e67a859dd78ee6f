// The command parser: tags, names, the commands of the any / not-authenticated /
// authenticated states, and the classes of error. SEARCH/SORT/THREAD and FETCH/STORE/COPY/MOVE
// have their own files.
#include <gtest/gtest.h>

#include "imap/command_parser.hpp"
#include "imap_test_util.hpp"

using namespace tern::imap;
using namespace tern::imap::test;

TEST(CommandParser, CommandsWithoutArguments) {
    struct Case {
        const char* line;
        std::string_view name;
    };
    for (const Case& c : {Case{"a CAPABILITY", "CAPABILITY"}, Case{"a noop", "NOOP"}, Case{"a Logout", "LOGOUT"},
                          Case{"a STARTTLS", "STARTTLS"}, Case{"a NAMESPACE", "NAMESPACE"}, Case{"a IDLE", "IDLE"},
                          Case{"a CHECK", "CHECK"}, Case{"a CLOSE", "CLOSE"}, Case{"a UNSELECT", "UNSELECT"},
                          Case{"a EXPUNGE", "EXPUNGE"}}) {
        Command cmd = ok(c.line);
        EXPECT_EQ(cmd.tag, "a");
        EXPECT_FALSE(cmd.uid);
        EXPECT_EQ(command_name(cmd), c.name);
        auto e = error(std::string(c.line) + " extra");
        EXPECT_EQ(e.kind, ParseErrorKind::Syntax) << c.line;
        EXPECT_EQ(e.command, c.name);
        EXPECT_EQ(e.tag, "a");
    }
}

TEST(CommandParser, Tags) {
    EXPECT_EQ(ok("A001 NOOP").tag, "A001");
    EXPECT_EQ(ok("x]y.z-1 NOOP").tag, "x]y.z-1");
}

TEST(CommandParser, ErrorClasses) {
    auto e = error("");
    EXPECT_EQ(e.kind, ParseErrorKind::Empty);
    e = error("* NOOP");
    EXPECT_EQ(e.kind, ParseErrorKind::BadTag);
    EXPECT_EQ(e.tag, "");
    e = error("+ NOOP");
    EXPECT_EQ(e.kind, ParseErrorKind::BadTag);
    e = error("a(b NOOP");
    EXPECT_EQ(e.kind, ParseErrorKind::BadTag);
    e = error("\xC3\xA9 NOOP");
    EXPECT_EQ(e.kind, ParseErrorKind::BadTag);
    e = error("a");
    EXPECT_EQ(e.kind, ParseErrorKind::UnknownCommand);
    EXPECT_EQ(e.tag, "a");
    e = error("a  NOOP");
    EXPECT_EQ(e.kind, ParseErrorKind::UnknownCommand);
    e = error("a FROBNICATE x");
    EXPECT_EQ(e.kind, ParseErrorKind::UnknownCommand);
    EXPECT_EQ(e.message, "Unknown command");
    EXPECT_EQ(e.command, "");
    e = error("a UID LOGIN a b");
    EXPECT_EQ(e.kind, ParseErrorKind::UnknownCommand);
    EXPECT_EQ(e.message, "UID LOGIN is not a command");
    e = error("a UID");
    EXPECT_EQ(e.kind, ParseErrorKind::UnknownCommand);
    e = error("a UID UID FETCH 1 FLAGS");
    EXPECT_EQ(e.kind, ParseErrorKind::UnknownCommand);
    // NUL, CR and 8-bit.
    e = error(std::string("a LOGIN a\0b c", 13));
    EXPECT_EQ(e.kind, ParseErrorKind::Syntax);
    EXPECT_EQ(e.message, "NUL octet in command");
    EXPECT_EQ(e.tag, "a");
    e = error("a LOGIN a\rb c");
    EXPECT_EQ(e.message, "CR or LF inside a command line");
    e = error("a SELECT caf\xC3\xA9");
    EXPECT_EQ(e.message, "SELECT: 8-bit character in mailbox name");
    e = error("a N\xC3\x96OP");
    EXPECT_EQ(e.kind, ParseErrorKind::UnknownCommand);
    EXPECT_EQ(e.message, "8-bit character in command name");
    // Unterminated quoted string, bad escapes, bad UTF-8.
    e = error("a LOGIN \"bob pw");
    EXPECT_EQ(e.message, "LOGIN: unterminated quoted string in user name");
    e = error("a LOGIN \"b\\ob\" pw");
    EXPECT_EQ(e.message, "LOGIN: invalid escape in quoted string in user name");
    e = error("a SELECT \"caf\xC3\"");
    EXPECT_EQ(e.message, "SELECT: invalid UTF-8 in quoted string in mailbox name");
    e = error("a SELECT \"\xC0\xAF\"");  // overlong
    EXPECT_EQ(e.message, "SELECT: invalid UTF-8 in quoted string in mailbox name");
    // Missing arguments name what is missing.
    e = error("a LOGIN bob");
    EXPECT_EQ(e.message, "LOGIN: missing password");
    e = error("a SELECT");
    EXPECT_EQ(e.message, "SELECT: missing mailbox name");
    // Every message is printable ASCII.
    for (const char* bad : {"a LOGIN", "a FETCH x FLAGS", "a SEARCH \xFF", "a STORE 1 FLAGS (\\*)", "a X"}) {
        for (char c : error(bad).message) EXPECT_TRUE(c >= 0x20 && c < 0x7F) << bad;
    }
}

TEST(CommandParser, QuotedStringsAndLiterals) {
    auto l = body<Login>(R"(a LOGIN "bob \"the\" \\builder" "p w")");
    EXPECT_EQ(l.user, "bob \"the\" \\builder");
    EXPECT_EQ(l.password, "p w");
    l = body<Login>("a LOGIN {3}\r\nbob {8+}\r\npa ss\"{}");
    EXPECT_EQ(l.user, "bob");
    EXPECT_EQ(l.password, "pa ss\"{}");
    // 8-bit in literals is fine, NUL is not; literal8 only where the grammar allows it.
    l = body<Login>("a LOGIN {2}\r\n\xC3\xA9 x");
    EXPECT_EQ(l.user, "\xC3\xA9");
    auto e = error(std::string("a LOGIN {3}\r\na\0b x", 18));
    EXPECT_EQ(e.message, "LOGIN: NUL octet in literal in user name");
    e = error("a LOGIN ~{3}\r\nabc x");
    EXPECT_EQ(e.message, "LOGIN: literal8 not allowed in user name");
    // A quoted string cannot run into a literal.
    e = error("a LOGIN \"ab{3}\r\nc\"d x");
    EXPECT_EQ(e.message, "LOGIN: unterminated quoted string in user name");
    // UTF-8 in quoted strings (IMAP4rev2).
    EXPECT_EQ(body<Select>("a SELECT \"caf\xC3\xA9\"").mailbox, "caf\xC3\xA9");
    EXPECT_EQ(body<Login>("a LOGIN \"\" \"\"").user, "");
}

TEST(CommandParser, Authenticate) {
    auto a = body<Authenticate>("a AUTHENTICATE PLAIN");
    EXPECT_EQ(a.mechanism, "PLAIN");
    EXPECT_FALSE(a.initial_response);
    a = body<Authenticate>("a authenticate plain AGJvYgBwdw==");
    EXPECT_EQ(a.mechanism, "plain");
    EXPECT_EQ(a.initial_response, "AGJvYgBwdw==");
    a = body<Authenticate>("a AUTHENTICATE EXTERNAL =");
    EXPECT_EQ(a.initial_response, "");
    EXPECT_EQ(error("a AUTHENTICATE").message, "AUTHENTICATE: missing SASL mechanism");
    EXPECT_EQ(error("a AUTHENTICATE PLAIN !!").message, "AUTHENTICATE: expected base64 initial response");
    EXPECT_EQ(error("a AUTHENTICATE PLAIN abc def").kind, ParseErrorKind::Syntax);
}

TEST(CommandParser, EnableIdCompressQuota) {
    EXPECT_EQ(body<Enable>("a ENABLE CONDSTORE UTF8=ACCEPT").capabilities,
              (std::vector<std::string>{"CONDSTORE", "UTF8=ACCEPT"}));
    EXPECT_EQ(error("a ENABLE").message, "ENABLE: missing capability");

    auto id = body<Id>("a ID NIL");
    EXPECT_FALSE(id.fields);
    id = body<Id>(R"(a ID ("name" "sodr" "version" NIL))");
    ASSERT_TRUE(id.fields);
    ASSERT_EQ(id.fields->size(), 2u);
    EXPECT_EQ((*id.fields)[0].first, "name");
    EXPECT_EQ((*id.fields)[0].second, "sodr");
    EXPECT_FALSE((*id.fields)[1].second);
    EXPECT_TRUE(body<Id>("a ID ()").fields->empty());
    EXPECT_EQ(error(R"(a ID ("name"))").kind, ParseErrorKind::Syntax);
    std::string many = "a ID (";
    for (int i = 0; i < 31; ++i) many += (i ? " " : "") + std::string("\"k\" \"v\"");
    EXPECT_EQ(error(many + ")").message, "ID: more than 30 ID fields");
    EXPECT_EQ(error("a ID (\"" + std::string(31, 'k') + "\" NIL)").message, "ID: ID field name longer than 30 octets");

    EXPECT_EQ(body<Compress>("a COMPRESS DEFLATE").mechanism, "DEFLATE");
    EXPECT_EQ(body<GetQuota>("a GETQUOTA \"\"").root, "");
    EXPECT_EQ(body<GetQuotaRoot>("a GETQUOTAROOT INBOX").mailbox, "INBOX");
    auto sq = body<SetQuota>("a SETQUOTA \"\" (STORAGE 512 MESSAGE 1000)");
    EXPECT_EQ(sq.limits, (std::vector<QuotaLimit>{{"STORAGE", 512}, {"MESSAGE", 1000}}));
    EXPECT_TRUE(body<SetQuota>("a SETQUOTA x ()").limits.empty());
    EXPECT_EQ(error("a SETQUOTA x (STORAGE)").kind, ParseErrorKind::Syntax);
    EXPECT_EQ(error("a SETQUOTA x (STORAGE -1)").kind, ParseErrorKind::Syntax);
}

TEST(CommandParser, SelectAndExamine) {
    auto s = body<Select>("a SELECT INBOX");
    EXPECT_EQ(s.mailbox, "INBOX");
    EXPECT_FALSE(s.read_only);
    EXPECT_FALSE(s.condstore);
    auto cmd = ok("a EXAMINE \"Sent Items\" (CONDSTORE)");
    EXPECT_EQ(command_name(cmd), "EXAMINE");
    s = std::get<Select>(cmd.body);
    EXPECT_TRUE(s.read_only);
    EXPECT_TRUE(s.condstore);
    EXPECT_EQ(s.mailbox, "Sent Items");

    s = body<Select>("a SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))");
    ASSERT_TRUE(s.qresync);
    EXPECT_EQ(s.qresync->uidvalidity, 67890007u);
    EXPECT_EQ(s.qresync->modseq, 20050715194045000ull);
    EXPECT_EQ(s.qresync->known_uids->to_string(), "41,43:211,214:541");
    EXPECT_FALSE(s.qresync->known_sequence_set);
    // RFC 7162 3.2.5.2 example.
    s = body<Select>("B04 SELECT INBOX (QRESYNC (67890007 90060115194045000 1:29997 (5000,7500,9000,9990:9999 "
                     "15000,22500,27000,29970,29973,29976,29979,29982,29985,29988,29991,29994,29997)))");
    ASSERT_TRUE(s.qresync && s.qresync->known_sequence_set && s.qresync->known_uid_set);
    EXPECT_EQ(s.qresync->known_uids->to_string(), "1:29997");
    EXPECT_EQ(s.qresync->known_sequence_set->to_string(), "5000,7500,9000,9990:9999");
    s = body<Select>("a SELECT x (QRESYNC (1 2 (1:2 3:4)) CONDSTORE)");
    EXPECT_TRUE(s.condstore);
    EXPECT_FALSE(s.qresync->known_uids);
    EXPECT_TRUE(s.qresync->known_uid_set);

    EXPECT_EQ(error("a SELECT x (QRESYNC (0 1))").kind, ParseErrorKind::Syntax);       // uidvalidity 0
    EXPECT_EQ(error("a SELECT x (QRESYNC (1 0))").kind, ParseErrorKind::Syntax);       // modseq 0
    EXPECT_EQ(error("a SELECT x (QRESYNC (1 2 1:*))").message,
              "SELECT: \"*\" not allowed in known UIDs");
    EXPECT_EQ(error("a SELECT x (QRESYNC (1 2 3 (1:2)))").kind, ParseErrorKind::Syntax);
    EXPECT_EQ(error("a SELECT x (QRESYNC (1 2 (1:3 4:5)))").message,
              "SELECT: known sequence set and known UID set differ in size");
    EXPECT_EQ(error("a SELECT x (QRESYNC (1 2 (1,2 5,5,6)))").message,
              "SELECT: known sequence set and known UID set differ in size");
    EXPECT_EQ(error("a SELECT x (QRESYNC (1 2 (1:* 3:4)))").message,
              "SELECT: \"*\" not allowed in known sequence set");
    EXPECT_EQ(error("a SELECT x (QRESYNC (1 2 (1:2 3:*)))").message,
              "SELECT: \"*\" not allowed in known UID set");
    EXPECT_EQ(error("a SELECT x (FOO)").message, "SELECT: unknown parameter");
    EXPECT_EQ(error("a SELECT x ()").message, "SELECT: unknown parameter");
    EXPECT_EQ(error("a SELECT x (CONDSTORE CONDSTORE)").message, "SELECT: CONDSTORE given twice");
}

TEST(CommandParser, MailboxManagement) {
    auto c = body<Create>("a CREATE Archive/2024");
    EXPECT_EQ(c.mailbox, "Archive/2024");
    EXPECT_TRUE(c.special_use.empty());
    c = body<Create>("a CREATE MySpecial (USE (\\Drafts \\Sent))");
    EXPECT_EQ(c.special_use, (std::vector<std::string>{"\\Drafts", "\\Sent"}));
    EXPECT_TRUE(body<Create>("a CREATE x (USE ())").special_use.empty());
    EXPECT_EQ(error("a CREATE x (USE (Drafts))").kind, ParseErrorKind::Syntax);
    EXPECT_EQ(error("a CREATE x (FOO (bar))").message, "CREATE: unknown parameter");

    EXPECT_EQ(body<Delete>("a DELETE {5}\r\nfo\"o)").mailbox, "fo\"o)");
    auto r = body<Rename>("a RENAME \"old name\" new]name");
    EXPECT_EQ(r.from, "old name");
    EXPECT_EQ(r.to, "new]name");
    EXPECT_EQ(body<Subscribe>("a SUBSCRIBE inbox").mailbox, "inbox");
    EXPECT_EQ(body<Unsubscribe>("a UNSUBSCRIBE &AOk-t&AOk-").mailbox, "&AOk-t&AOk-");
    EXPECT_EQ(error("a RENAME a").message, "RENAME: missing new mailbox name");
    EXPECT_EQ(error("a DELETE a%").kind, ParseErrorKind::Syntax);  // wildcard in a mailbox name
    EXPECT_TRUE(is_inbox("InBoX"));
    EXPECT_FALSE(is_inbox("INBOX/x"));
}

TEST(CommandParser, ListBasicAndExtended) {
    auto l = body<List>("a LIST \"\" *");
    EXPECT_EQ(l.reference, "");
    EXPECT_EQ(l.patterns, (std::vector<std::string>{"*"}));
    EXPECT_FALSE(l.extended);
    l = body<List>("a LIST \"\" \"\"");
    EXPECT_EQ(l.patterns, (std::vector<std::string>{""}));
    l = body<List>("a LIST ~/Mail/ %/x]*");
    EXPECT_EQ(l.reference, "~/Mail/");
    EXPECT_EQ(l.patterns[0], "%/x]*");

    // RFC 5258 examples.
    l = body<List>("A02 LIST (SUBSCRIBED) \"\" \"*\"");
    EXPECT_TRUE(l.extended);
    EXPECT_TRUE(l.selection.subscribed);
    l = body<List>("A03 LIST () \"\" \"%\" RETURN (CHILDREN)");
    EXPECT_TRUE(l.extended);
    EXPECT_TRUE(l.return_options.children);
    l = body<List>("A05 LIST (REMOTE SUBSCRIBED RECURSIVEMATCH) \"\" \"%\" RETURN (SUBSCRIBED)");
    EXPECT_TRUE(l.selection.remote && l.selection.subscribed && l.selection.recursive_match);
    EXPECT_TRUE(l.return_options.subscribed);
    l = body<List>("BBB LIST \"\" (\"INBOX\" \"Drafts\" \"Sent/%\")");
    EXPECT_TRUE(l.extended);
    EXPECT_EQ(l.patterns, (std::vector<std::string>{"INBOX", "Drafts", "Sent/%"}));
    // RFC 6154, RFC 5819.
    l = body<List>("t1 LIST (SPECIAL-USE) \"\" \"*\" RETURN (SPECIAL-USE STATUS (MESSAGES UNSEEN))");
    EXPECT_TRUE(l.selection.special_use);
    EXPECT_TRUE(l.return_options.special_use);
    EXPECT_TRUE(l.return_options.status);
    EXPECT_EQ(l.return_options.status_items, (std::vector<StatusItem>{StatusItem::Messages, StatusItem::Unseen}));
    l = body<List>("a LIST \"\" % RETURN ()");
    EXPECT_TRUE(l.extended);

    EXPECT_EQ(error("a LIST (RECURSIVEMATCH) \"\" *").message, "LIST: RECURSIVEMATCH needs SUBSCRIBED or SPECIAL-USE");
    EXPECT_EQ(error("a LIST (FOO) \"\" *").message, "LIST: unknown selection option");
    EXPECT_EQ(error("a LIST \"\" * RETURN (FOO)").message, "LIST: unknown return option");
    EXPECT_EQ(error("a LIST \"\" * FOO").message, "LIST: expected RETURN");
    EXPECT_EQ(error("a LIST \"\" ()").kind, ParseErrorKind::Syntax);
    EXPECT_EQ(error("a LIST \"\"").message, "LIST: missing mailbox pattern");

    auto s = body<Lsub>("a LSUB \"#news.\" \"comp.mail.*\"");
    EXPECT_EQ(s.reference, "#news.");
    EXPECT_EQ(s.pattern, "comp.mail.*");
}

TEST(CommandParser, Status) {
    auto s = body<Status>("a STATUS blurdybloop (UIDNEXT MESSAGES unseen DELETED SIZE RECENT HIGHESTMODSEQ "
                          "APPENDLIMIT UIDVALIDITY)");
    EXPECT_EQ(s.mailbox, "blurdybloop");
    EXPECT_EQ(s.items, (std::vector<StatusItem>{StatusItem::UidNext, StatusItem::Messages, StatusItem::Unseen,
                                                StatusItem::Deleted, StatusItem::Size, StatusItem::Recent,
                                                StatusItem::HighestModseq, StatusItem::AppendLimit,
                                                StatusItem::UidValidity}));
    EXPECT_EQ(error("a STATUS x ()").kind, ParseErrorKind::Syntax);
    EXPECT_EQ(error("a STATUS x (FOO)").message, "STATUS: unknown status item");
    EXPECT_EQ(error("a STATUS x MESSAGES").kind, ParseErrorKind::Syntax);
}

TEST(CommandParser, Append) {
    std::string msg = "Date: Mon, 7 Feb 1994 21:52:25 -0800\r\nSubject: afternoon meeting\r\n\r\nHello Joe\r\n";
    auto a = body<Append>("A003 APPEND saved-messages (\\Seen) {" + std::to_string(msg.size()) + "}\r\n" + msg);
    EXPECT_EQ(a.mailbox, "saved-messages");
    ASSERT_EQ(a.messages.size(), 1u);
    EXPECT_EQ(a.messages[0].flags, (std::vector<std::string>{"\\Seen"}));
    EXPECT_EQ(a.messages[0].data, msg);
    EXPECT_FALSE(a.messages[0].internal_date);
    EXPECT_FALSE(a.messages[0].binary);

    a = body<Append>("a APPEND INBOX \"17-Jul-1996 02:44:25 -0700\" {3+}\r\nabc");
    ASSERT_TRUE(a.messages[0].internal_date);
    EXPECT_EQ(a.messages[0].internal_date->unix_seconds, 837596665);
    EXPECT_TRUE(a.messages[0].flags.empty());

    a = body<Append>("a APPEND INBOX () \" 7-Feb-1994 21:52:25 -0800\" ~{4}\r\n" + std::string("a\0\xFF" "b", 4));
    EXPECT_TRUE(a.messages[0].binary);
    EXPECT_EQ(a.messages[0].data, std::string("a\0\xFF" "b", 4));

    a = body<Append>("a APPEND INBOX (\\Draft $Forwarded) UTF8 (~{2}\r\n\xC3\xA9)");
    EXPECT_TRUE(a.messages[0].utf8);
    EXPECT_TRUE(a.messages[0].binary);
    EXPECT_EQ(a.messages[0].data, "\xC3\xA9");
    EXPECT_EQ(a.messages[0].flags, (std::vector<std::string>{"\\Draft", "$Forwarded"}));

    // MULTIAPPEND (RFC 3502 example shape).
    a = body<Append>("A003 APPEND saved-messages (\\Seen) {3}\r\none (\\Seen) \"7-Feb-1994 22:43:04 -0800\" {3}\r\ntwo");
    ASSERT_EQ(a.messages.size(), 2u);
    EXPECT_EQ(a.messages[1].data, "two");
    EXPECT_TRUE(a.messages[1].internal_date);

    EXPECT_EQ(error("a APPEND INBOX").message, "APPEND: missing message literal");
    EXPECT_EQ(error("a APPEND INBOX \"hello\"").message, "APPEND: invalid date-time");
    EXPECT_EQ(error("a APPEND INBOX \"17-Jul-1996 02:44:25 -0700\"").kind, ParseErrorKind::Syntax);
    EXPECT_EQ(error("a APPEND INBOX (\\Seen").kind, ParseErrorKind::Syntax);
    EXPECT_EQ(error("a APPEND INBOX abc").message, "APPEND: expected message literal");
    EXPECT_EQ(error("a APPEND INBOX UTF8 ({2}\r\nab)").message, "APPEND: UTF8 data must be a literal8");
    EXPECT_EQ(error("a APPEND INBOX {3}\r\nabc ").kind, ParseErrorKind::Syntax);
    EXPECT_EQ(error(std::string("a APPEND INBOX {3}\r\na\0c", 23)).message,
              "APPEND: NUL octet in literal in message literal");
}

TEST(CommandParser, LiteralMustBeWhereTheReaderFramedIt) {
    // Build a RawCommand by hand whose literal table disagrees with its markers.
    RawCommand raw;
    raw.text = "a LOGIN {3}bob x";
    auto r = parse_command(raw);
    ASSERT_TRUE(std::holds_alternative<ParseError>(r));
    EXPECT_EQ(std::get<ParseError>(r).message, "LOGIN: literal announcement not at the end of a line in user name");
    raw.literals.push_back({11, 3, false, true});
    EXPECT_TRUE(std::holds_alternative<Command>(parse_command(raw)));
    raw.literals[0].size = 2;  // "{3}" but two octets framed
    EXPECT_TRUE(std::holds_alternative<ParseError>(parse_command(raw)));
    raw.literals[0] = {11, 3, false, false};  // "{3}" framed as "{3+}"
    EXPECT_TRUE(std::holds_alternative<ParseError>(parse_command(raw)));
    // A literal nobody parsed is an error, not ignored.
    raw.text = "a NOOP";
    raw.literals = {{6, 0, false, true}};
    EXPECT_TRUE(std::holds_alternative<ParseError>(parse_command(raw)));
}
