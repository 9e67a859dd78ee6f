// Tests for DSN composition (RFC 3464, RFC 3461 NOTIFY/RET/ENVID/ORCPT, RFC 6522, RFC 3834,
// RFC 6533): the produced message is parsed back and checked field by field.
#include "dsn/dsn.hpp"

#include <gtest/gtest.h>

#include "mime_parse.hpp"

namespace tern::dsn {
namespace {

using test::Entity;

const std::string kOriginal =
    "From: Alice <alice@example.test>\r\nTo: bob@remote.test\r\nSubject: Hello\r\n"
    "Message-ID: <m1@example.test>\r\n\r\nHi Bob,\r\n.\r\nsee you\r\n";

RecipientReport failed(std::string addr, std::string diag = "550 5.1.1 No such user") {
    RecipientReport r;
    r.final_recipient = std::move(addr);
    r.action = Action::Failed;
    r.status = "5.1.1";
    r.remote_mta = "mx.remote.test";
    r.diagnostic = std::move(diag);
    r.last_attempt = 1700000100;
    return r;
}

DsnInput input(std::vector<RecipientReport> reps) {
    DsnInput in;
    in.reporting_mta = "mail.example.test";
    in.sender = "alice@example.test";
    in.arrival = 1700000000;
    in.now = 1700000200;
    in.unique = "Q42";
    in.original = kOriginal;
    in.recipients = std::move(reps);
    return in;
}

struct Parsed {
    Entity top;
    std::vector<Entity> parts;
    std::vector<std::map<std::string, std::string>> status;
};

Parsed parse(const std::string& m) {
    test::expect_well_formed(m);
    Parsed p;
    p.top = test::parse_entity(m);
    p.parts = test::parse_parts(p.top.body, test::boundary_of(p.top.get("Content-Type")));
    if (p.parts.size() == 3) p.status = test::parse_status(p.parts[1].body);
    return p;
}

TEST(Dsn, FailureReportStructure) {
    auto m = compose_dsn(input({failed("bob@remote.test")}));
    ASSERT_TRUE(m);
    Parsed p = parse(*m);
    EXPECT_EQ(p.top.get("From"), "Mail Delivery System <MAILER-DAEMON@mail.example.test>");
    EXPECT_EQ(p.top.get("To"), "<alice@example.test>");
    EXPECT_EQ(p.top.get("Subject"), "Undelivered Mail Returned to Sender");
    EXPECT_EQ(p.top.get("Date"), "Tue, 14 Nov 2023 22:16:40 +0000");
    EXPECT_EQ(p.top.get("Message-ID"), "<Q42.dsn@mail.example.test>");
    EXPECT_EQ(p.top.get("Auto-Submitted"), "auto-replied");
    EXPECT_EQ(p.top.get("MIME-Version"), "1.0");
    EXPECT_EQ(p.top.get("Content-Type"),
              "multipart/report; report-type=delivery-status;\tboundary=\"=_tern_Q42\"");
    EXPECT_EQ(p.top.get("Content-Transfer-Encoding"), "7bit");
    ASSERT_EQ(p.parts.size(), 3u);
    EXPECT_EQ(p.parts[0].get("Content-Type"), "text/plain; charset=us-ascii");
    EXPECT_NE(p.parts[0].body.find("<bob@remote.test>: failed, host mx.remote.test said: 550 5.1.1 No such user"),
              std::string::npos);
    EXPECT_EQ(p.parts[1].get("Content-Type"), "message/delivery-status");
    EXPECT_EQ(p.parts[2].get("Content-Type"), "message/rfc822");
    EXPECT_EQ(p.parts[2].body, kOriginal);  // RET absent on a failure: the whole message

    ASSERT_EQ(p.status.size(), 2u);
    EXPECT_EQ(p.status[0], (std::map<std::string, std::string>{
                               {"Reporting-MTA", "dns; mail.example.test"},
                               {"Arrival-Date", "Tue, 14 Nov 2023 22:13:20 +0000"}}));
    EXPECT_EQ(p.status[1], (std::map<std::string, std::string>{
                               {"Final-Recipient", "rfc822; bob@remote.test"},
                               {"Action", "failed"},
                               {"Status", "5.1.1"},
                               {"Remote-MTA", "dns; mx.remote.test"},
                               {"Diagnostic-Code", "smtp; 550 5.1.1 No such user"},
                               {"Last-Attempt-Date", "Tue, 14 Nov 2023 22:15:00 +0000"}}));
}

TEST(Dsn, NeverBounceTheNullSender) {
    DsnInput in = input({failed("bob@remote.test")});
    in.sender = "";
    EXPECT_EQ(compose_dsn(in), std::nullopt);
}

TEST(Dsn, NotifySelection) {
    RecipientReport f_default = failed("a@remote.test");
    RecipientReport f_never = failed("b@remote.test");
    f_never.notify = kNotifyNever;
    RecipientReport f_success_only = failed("c@remote.test");
    f_success_only.notify = kNotifySuccess;
    RecipientReport d_default = failed("d@remote.test");
    d_default.action = Action::Delayed;
    d_default.status = "4.4.1";
    RecipientReport ok_success = failed("e@remote.test", "250 2.0.0 Ok");
    ok_success.action = Action::Delivered;
    ok_success.status = "2.0.0";
    ok_success.notify = kNotifySuccess;
    RecipientReport ok_default = ok_success;
    ok_default.final_recipient = "f@remote.test";
    ok_default.notify = 0;

    auto m = compose_dsn(input({f_default, f_never, f_success_only, d_default, ok_success, ok_default}));
    ASSERT_TRUE(m);
    Parsed p = parse(*m);
    ASSERT_EQ(p.status.size(), 3u);  // a (failed) and e (delivered, SUCCESS)
    EXPECT_EQ(p.status[1]["Final-Recipient"], "rfc822; a@remote.test");
    EXPECT_EQ(p.status[2]["Final-Recipient"], "rfc822; e@remote.test");
    EXPECT_EQ(p.status[2]["Action"], "delivered");
    EXPECT_EQ(p.top.get("Subject"), "Undelivered Mail Returned to Sender");

    EXPECT_EQ(compose_dsn(input({f_never, f_success_only, d_default, ok_default})), std::nullopt);

    DsnInput delays = input({d_default});
    delays.delay_by_default = true;
    ASSERT_TRUE(compose_dsn(delays));
}

TEST(Dsn, DelayWarning) {
    RecipientReport d = failed("bob@remote.test", "451 4.3.0 Try later");
    d.action = Action::Delayed;
    d.status = "4.3.0";
    d.notify = kNotifyDelay | kNotifyFailure;
    d.will_retry_until = 1700432000;
    auto m = compose_dsn(input({d}));
    ASSERT_TRUE(m);
    Parsed p = parse(*m);
    EXPECT_EQ(p.top.get("Subject"), "Delivery Status Notification (Delay)");
    EXPECT_EQ(p.status[1]["Action"], "delayed");
    EXPECT_EQ(p.status[1]["Will-Retry-Until"], "Sun, 19 Nov 2023 22:13:20 +0000");
    // RET absent on a delay: the header only.
    EXPECT_EQ(p.parts[2].get("Content-Type"), "text/rfc822-headers");
    EXPECT_EQ(p.parts[2].body,
              "From: Alice <alice@example.test>\r\nTo: bob@remote.test\r\nSubject: Hello\r\n"
              "Message-ID: <m1@example.test>\r\n");
}

TEST(Dsn, SuccessNoticeAndRet) {
    RecipientReport ok = failed("bob@remote.test", "250 2.0.0 Ok");
    ok.action = Action::Relayed;
    ok.status = "2.0.0";
    ok.notify = kNotifySuccess;
    DsnInput in = input({ok});
    Parsed p = parse(*compose_dsn(in));
    EXPECT_EQ(p.top.get("Subject"), "Delivery Status Notification (Success)");
    EXPECT_EQ(p.status[1]["Action"], "relayed");
    EXPECT_EQ(p.parts[2].get("Content-Type"), "text/rfc822-headers");
    in.ret = DsnRet::Full;
    p = parse(*compose_dsn(in));
    EXPECT_EQ(p.parts[2].get("Content-Type"), "message/rfc822");
    EXPECT_EQ(p.parts[2].body, kOriginal);

    DsnInput hdrs = input({failed("bob@remote.test")});
    hdrs.ret = DsnRet::Headers;
    p = parse(*compose_dsn(hdrs));
    EXPECT_EQ(p.parts[2].get("Content-Type"), "text/rfc822-headers");
    EXPECT_EQ(p.parts[2].body.find("Hi Bob"), std::string::npos);
}

TEST(Dsn, LargeOriginalIsReturnedAsHeaderOnly) {
    DsnInput in = input({failed("bob@remote.test")});
    std::string big = kOriginal + std::string(2000, 'x') + "\r\n";
    in.original = big;
    in.max_full_message = 1000;
    Parsed p = parse(*compose_dsn(in));
    EXPECT_EQ(p.parts[2].get("Content-Type"), "text/rfc822-headers");
    EXPECT_NE(p.parts[0].body.find("too large"), std::string::npos);
}

TEST(Dsn, EnvidAndOrcpt) {
    RecipientReport r = failed("bob@remote.test");
    r.original_recipient = "rfc822;Bob+list@remote.test";
    DsnInput in = input({r});
    in.envid = "QID-1234";
    Parsed p = parse(*compose_dsn(in));
    EXPECT_EQ(p.status[0]["Original-Envelope-Id"], "QID-1234");
    EXPECT_EQ(p.status[1]["Original-Recipient"], "rfc822; Bob+list@remote.test");
    in.envid = "a b\r\nc";  // unprintable: written as xtext
    p = parse(*compose_dsn(in));
    EXPECT_EQ(p.status[0]["Original-Envelope-Id"], "a+20b+0D+0Ac");
}

TEST(Dsn, HostileDiagnosticCannotBreakTheStructure) {
    const std::string evil =
        "550 bad\r\n\r\n--=_tern_Q42\r\nContent-Type: text/html\r\n\r\n<b>x</b>\r\nAction: delivered\n\rStatus: 2.0.0";
    RecipientReport r = failed("bob@remote.test", evil);
    r.remote_mta = "mx\r\nBcc: victim@example.test";
    r.status = "2.0.0\r\nX: y";  // invalid: replaced by the action's default
    Parsed p = parse(*compose_dsn(input({r})));
    ASSERT_EQ(p.parts.size(), 3u);
    ASSERT_EQ(p.status.size(), 2u);
    EXPECT_EQ(p.status[1]["Action"], "failed");
    EXPECT_EQ(p.status[1]["Status"], "5.0.0");
    EXPECT_EQ(p.status[1].count("Bcc"), 0u);
    EXPECT_EQ(p.status[1]["Remote-MTA"], "dns; mx Bcc: victim@example.test");
    EXPECT_EQ(p.status[1]["Diagnostic-Code"].find("\r"), std::string::npos);
    EXPECT_EQ(p.top.get("Bcc"), "");
    // The boundary moved away from the one quoted in the diagnostic.
    EXPECT_EQ(test::boundary_of(p.top.get("Content-Type")), "=_tern_Q42_1_");
}

TEST(Dsn, BoundaryAvoidsEveryPlantedCandidate) {
    DsnInput in = input({failed("bob@remote.test")});
    std::string planted = "Subject: x\r\n\r\n";
    for (int n = 1; n <= 5000; ++n) planted += "=_tern_Q42_" + std::to_string(n) + "_\r\n";
    in.original = planted;
    in.sender = "=_tern_Q42@example.test";  // in the To: header as well
    Parsed p = parse(*compose_dsn(in));
    EXPECT_EQ(test::boundary_of(p.top.get("Content-Type")), "=_tern_Q42_5001_");
    EXPECT_EQ(p.parts.size(), 3u);
}

TEST(Dsn, LongDiagnosticIsFolded) {
    std::string diag = "550 5.7.1";
    for (int i = 0; i < 60; ++i) diag += " word" + std::to_string(i);
    diag += " " + std::string(1500, 'z');
    auto m = compose_dsn(input({failed("bob@remote.test", diag)}));
    ASSERT_TRUE(m);
    Parsed p = parse(*m);
    std::string body = p.parts[1].body;
    std::size_t pos = 0;
    while (pos < body.size()) {
        std::size_t end = body.find("\r\n", pos);
        std::string_view line(body.data() + pos, end - pos);
        if (line.find("zzz") == std::string_view::npos) {
            EXPECT_LE(line.size(), 78u) << line;
        }
        pos = end + 2;
    }
    EXPECT_NE(p.status[1]["Diagnostic-Code"].find("word59"), std::string::npos);
}

TEST(Dsn, EightBitAndBrokenOriginals) {
    DsnInput in = input({failed("bob@remote.test")});
    const std::string eight = "Subject: caf\xC3\xA9\nTo: x@y\n\nbody \xE2\x82\xAC\nlast";
    in.original = eight;
    Parsed p = parse(*compose_dsn(in));
    EXPECT_EQ(p.top.get("Content-Transfer-Encoding"), "8bit");
    EXPECT_EQ(p.parts[2].get("Content-Transfer-Encoding"), "8bit");
    EXPECT_EQ(p.parts[2].body, "Subject: caf\xC3\xA9\r\nTo: x@y\r\n\r\nbody \xE2\x82\xAC\r\nlast\r\n");

    const std::string nul("Subject: x\r\n\r\na\0b\r\n", 19);
    in.original = nul;
    p = parse(*compose_dsn(in));
    EXPECT_EQ(p.parts[2].get("Content-Type"), "text/rfc822-headers");
    EXPECT_EQ(p.parts[2].body, "Subject: x\r\n");

    const std::string long_line = "Subject: " + std::string(1200, 'y') + "\r\n\r\nx\r\n";
    in.original = long_line;
    p = parse(*compose_dsn(in));
    EXPECT_EQ(p.parts[2].get("Content-Type"), "text/rfc822-headers");
}

TEST(Dsn, Utf8AddressesUseGlobalTypes) {
    RecipientReport r = failed("j\xC3\xB6rg@remote.test");
    r.original_recipient = "rfc822;j\xC3\xB6rg+x@remote.test";
    DsnInput in = input({r});
    Parsed p = parse(*compose_dsn(in));
    EXPECT_EQ(p.parts[0].get("Content-Type"), "text/plain; charset=utf-8");
    EXPECT_EQ(p.parts[1].get("Content-Type"), "message/global-delivery-status");
    EXPECT_EQ(p.parts[2].get("Content-Type"), "message/global");
    EXPECT_EQ(p.status[1]["Final-Recipient"], "utf-8; j\xC3\xB6rg@remote.test");
    EXPECT_EQ(p.status[1]["Original-Recipient"], "utf-8; j\xC3\xB6rg\\x{2B}x@remote.test");
    EXPECT_EQ(p.top.get("Content-Transfer-Encoding"), "8bit");
}

TEST(Dsn, EmptyOriginalAndOddInputs) {
    DsnInput in = input({failed("bob@remote.test")});
    in.original = "";
    in.unique = "a b/c";
    in.reporting_mta = "";
    auto m = compose_dsn(in);
    ASSERT_TRUE(m);
    Parsed p = parse(*m);
    EXPECT_EQ(p.top.get("Message-ID"), "<a_b_c.dsn@localhost>");
    EXPECT_EQ(p.parts.size(), 3u);
}

TEST(Dsn, WantsReport) {
    RecipientReport r;
    r.action = Action::Expanded;
    r.notify = kNotifySuccess | kNotifyNever;
    EXPECT_FALSE(wants_report(r));
    r.notify = kNotifySuccess;
    EXPECT_TRUE(wants_report(r));
}

}  // namespace
}  // namespace tern::dsn
