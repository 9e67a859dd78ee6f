// Realistic sample messages for the mime tests, stored as Maildir stores them (LF endings).
#pragma once

#include <string>
#include <string_view>

namespace tern::mime::samples {

// LF -> CRLF, written independently of the library under test.
inline std::string crlf(std::string_view lf) {
    std::string out;
    for (char c : lf) {
        if (c == '\n') out += '\r';
        out += c;
    }
    return out;
}

inline const char* const kPlain = R"(Return-Path: <alice@example.com>
From: Alice Example <alice@example.com>
To: bob@example.org
Subject: Hello
Date: Tue, 15 Nov 1994 08:12:31 +0100
Message-ID: <1@example.com>

Hello Bob,
how are you?
)";

inline const char* const kAlternative = R"(From: a@example.com
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="b1"

preamble
--b1
Content-Type: text/plain; charset=utf-8

plain text
--b1
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: quoted-printable

<p>html</p>
--b1--
epilogue
)";

inline const char* const kMixed = R"(From: Carol <carol@example.com>
To: dave@example.net
Subject: Report
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="----=_Part_0"

------=_Part_0
Content-Type: text/plain

See attached.
------=_Part_0
Content-Type: application/pdf; name="report.pdf"
Content-Transfer-Encoding: base64
Content-Disposition: attachment;
 filename*0*=utf-8''R%C3%A9sum;
 filename*1*=%C3%A9.pdf;
 size=12
Content-ID: <part2@example.com>
Content-Description: The report
Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==
Content-Language: en, fr
Content-Location: http://example.com/report.pdf

JVBERi0xLjQK
JSVFT0YK
------=_Part_0--
)";

inline const char* const kNested = R"(From: outer@example.com
Subject: Fwd: inner
Content-Type: multipart/mixed; boundary=outer

--outer
Content-Type: text/plain

See below.
--outer
Content-Type: message/rfc822

From: "Inner, Sender" <inner@example.net>
To: group: a@x.org, b@y.org;, c@z.org
Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=
Content-Type: multipart/alternative; boundary=inner

--inner
Content-Type: text/plain; charset=iso-8859-1
Content-Transfer-Encoding: quoted-printable

Gr=FC=DFe
--inner
Content-Type: text/html

<b>hi</b>
--inner--

--outer--
)";

}  // namespace tern::mime::samples
