// Rough cost of what IMAP does on the first open of a folder: BODYSTRUCTURE and ENVELOPE of
// every message. Prints microseconds per message; asserts only a very generous bound, so a
// slow (sanitizer) build or a busy machine does not fail it.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "mime/envelope.hpp"
#include "mime/message.hpp"

namespace tern::mime {
namespace {

std::string typical_plain() {
    std::string m =
        "Return-Path: <alice@example.com>\n"
        "Delivered-To: bob@example.org\n"
        "Received: from mail.example.com (mail.example.com [192.0.2.10])\n"
        "\tby mx.example.org (Tern) with ESMTPS id 4F2A1B3C\n"
        "\tfor <bob@example.org>; Tue, 15 Nov 2022 08:12:31 +0100\n"
        "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=s1;\n"
        "\th=from:to:subject:date:message-id; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;\n"
        "\tb=dzdVyOfAKCdLXdJOc9G2q8LoXSlEniSbav+yuU4zGeeruD00lszZVoG4ZHRNiYzR\n"
        "From: Alice Example <alice@example.com>\n"
        "To: Bob <bob@example.org>, \"Carol C.\" <carol@example.net>\n"
        "Cc: team@example.com\n"
        "Subject: Re: [team] Quarterly planning meeting\n"
        "Date: Tue, 15 Nov 2022 08:12:31 +0100\n"
        "Message-ID: <20221115081231.GA1234@example.com>\n"
        "In-Reply-To: <20221114170000.GA999@example.org>\n"
        "References: <20221114170000.GA999@example.org>\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=utf-8; format=flowed\n"
        "Content-Transfer-Encoding: 8bit\n\n";
    while (m.size() < 3000) m += "This is a line of a fairly typical plain text message body.\n";
    return m;
}

std::string multipart_100k() {
    std::string m =
        "From: Carol <carol@example.com>\nTo: dave@example.net\nSubject: Report\n"
        "Date: Tue, 15 Nov 2022 08:12:31 +0100\nMessage-ID: <r@example.com>\nMIME-Version: 1.0\n"
        "Content-Type: multipart/mixed; boundary=\"----=_Part_0_1\"\n\n"
        "------=_Part_0_1\nContent-Type: multipart/alternative; boundary=alt\n\n"
        "--alt\nContent-Type: text/plain; charset=utf-8\n\n";
    for (int i = 0; i < 30; ++i) m += "Please find the report attached, with the figures.\n";
    m += "--alt\nContent-Type: text/html; charset=utf-8\n\n<html><body>";
    for (int i = 0; i < 30; ++i) m += "<p>Please find the report attached.</p>\n";
    m += "</body></html>\n--alt--\n\n------=_Part_0_1\n"
         "Content-Type: application/pdf; name=\"report.pdf\"\n"
         "Content-Transfer-Encoding: base64\n"
         "Content-Disposition: attachment; filename=\"report.pdf\"\n\n";
    while (m.size() < 100000) m += "JVBERi0xLjQKJcOkw7zDtsOfCjIgMCBvYmoKPDwvTGVuZ3RoIDMgMCBSL0ZpbHRlci9GbGF0\n";
    m += "------=_Part_0_1--\n";
    return m;
}

double micros_per_message(const std::string& m, int rounds) {
    auto start = std::chrono::steady_clock::now();
    std::size_t sink = 0;
    for (int i = 0; i < rounds; ++i) {
        BodyPart s = ParsedMessage(m).structure();
        Envelope e = parse_envelope(m);
        sink += s.children.size() + e.to.size();
    }
    auto us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start);
    EXPECT_GT(sink, 0u);
    return us.count() / rounds;
}

TEST(Perf, StructureAndEnvelope) {
    std::string plain = typical_plain(), big = multipart_100k();
    double a = micros_per_message(plain, 2000);
    double b = micros_per_message(big, 300);
    std::printf("[perf] structure+envelope: %zu-byte text/plain %.1f us/msg; "
                "%zu-byte multipart %.1f us/msg\n", plain.size(), a, big.size(), b);
    EXPECT_LT(a, 5000.0);
    EXPECT_LT(b, 50000.0);
}

}  // namespace
}  // namespace tern::mime
