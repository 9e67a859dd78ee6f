"""Interoperability with a real peer: a throw-away Postfix (Debian package `postfix`) on a
loopback port, configured by the test (see postfix_peer.py). Tern delivers to Postfix through a
[routes] entry, and Postfix relays to Tern's MX listener through its transport map; both ways
use STARTTLS with self-signed certificates, and both Received headers must be there.

Postfix is required: when it is missing or cannot run, the test fails, it is not skipped."""

import re
import smtplib
import ssl
import unittest

from harness import Tern, wait_for
from postfix_peer import Postfix

PASSWORD = "correct horse battery staple"
WAIT = 60  # seconds, the longest any single wait may take


def unfolded_received(text):
    text = text.replace("\r\n", "\n")
    header = text.split("\n\n", 1)[0]
    header = header.replace("\n ", " ").replace("\n\t", " ")
    return [l for l in header.split("\n") if l.lower().startswith("received:")]


def header_value(text, name):
    header = text.replace("\r\n", "\n").split("\n\n", 1)[0]
    for line in header.split("\n"):
        if line.lower().startswith(name.lower() + ":"):
            return line.split(":", 1)[1].strip()
    return None


def body_lines(n):
    """A body with a dot-leading line, long-ish lines and 8-bit-free text, about n lines."""
    lines = [".leading dot", "..two dots", "."+"x" * 20]
    lines += ["line %05d %s" % (i, "abcdefghij" * 7) for i in range(n)]
    return "\r\n".join(lines) + "\r\n"


class PeerCase(unittest.TestCase):
    """Every process started here is stopped in cleanups, which run even when setUp fails."""

    def new_tern(self, **kw):
        t = Tern(**kw)
        self.addCleanup(self._stop_tern, t)
        return t

    @staticmethod
    def _stop_tern(t):
        t.__exit__(None, None, None)  # stops it; keeps its directory only with TERN_KEEP=1

    def new_postfix(self, **kw):
        pf = Postfix(**kw)
        self.addCleanup(pf.cleanup)  # `postfix -c DIR stop`, then the master by pid if need be
        return pf

    def diag(self, *servers):
        parts = []
        for s in servers:
            if isinstance(s, Postfix):
                parts.append("--- postfix log (%s) ---\n%s\nqueue files: %s"
                             % (s.dir, s.log_text()[-6000:], s.queue_files()))
            else:
                parts.append("--- tern log (%s) ---\n%s" % (s.dir, s.log_text()[-6000:]))
        return "\n".join(parts)


class TernToPostfix(PeerCase):
    def setUp(self):
        self.pf = self.new_postfix(users=["someone", "other"])
        self.pf.start()
        self.a = self.new_tern(domains=["a.test"], hostname="mx.a.test",
                               users={"alice@a.test": PASSWORD},
                               extra='[routes]\n"pf.test" = "127.0.0.1:%d"\n' % self.pf.port)
        self.a.start()

    def submit(self, recipients, subject, body="Hello from Tern.\r\n"):
        msg = ("From: alice@a.test\r\nTo: %s\r\nSubject: %s\r\n\r\n%s"
               % (", ".join(recipients), subject, body))
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        with smtplib.SMTP("127.0.0.1", self.a.submission_port, timeout=30) as s:
            s.starttls(context=ctx)
            s.login("alice@a.test", PASSWORD)
            refused = s.sendmail("alice@a.test", recipients, msg)
        self.assertEqual(refused, {})
        return msg

    def test_delivered_into_postfix_mailbox_over_starttls(self):
        self.submit(["someone@pf.test"], "to postfix")
        got = wait_for(lambda: self.pf.messages("someone"), timeout=WAIT)
        self.assertEqual(len(got), 1, self.diag(self.a, self.pf))
        text = got[0].decode("utf-8", "replace")
        self.assertIn("Subject: to postfix", text)
        self.assertIn("Hello from Tern.", text)
        # virtual(8) adds the envelope it got from Tern.
        self.assertEqual(header_value(text, "Return-Path"), "<alice@a.test>", text)
        self.assertEqual(header_value(text, "Delivered-To"), "someone@pf.test", text)
        received = unfolded_received(text)
        self.assertEqual(len(received), 2, text)
        pf_rcvd, tern_rcvd = received
        # Postfix's, on top: from Tern's EHLO name over TLS (smtpd_tls_received_header).
        self.assertIn("from mx.a.test", pf_rcvd)
        self.assertIn("127.0.0.1", pf_rcvd)
        self.assertIn("by mx.pf.test (Postfix) with ESMTPS", pf_rcvd)
        self.assertRegex(pf_rcvd, r"\(using TLSv1\.[23] with cipher ")
        self.assertIn("for <someone@pf.test>", pf_rcvd)
        # Tern's, from the authenticated submission.
        self.assertIn("by mx.a.test", tern_rcvd)
        # Postfix is done with it, and Tern logged the delivery.
        self.assertTrue(wait_for(lambda: self.pf.queue_files() == [], timeout=WAIT),
                        self.diag(self.pf))
        self.assertIn("status=sent", self.pf.log_text())
        self.assertTrue(wait_for(lambda: "someone@pf.test" in self.a.log_text(), timeout=WAIT),
                        self.diag(self.a))

    def test_two_recipients_one_copy_each_and_dot_stuffing(self):
        body = body_lines(3000)  # ~250 KB: many TCP segments, and lines starting with "."
        self.submit(["someone@pf.test", "other@pf.test"], "two rcpts", body)
        queue_ids = set()
        for user in ("someone", "other"):
            got = wait_for(lambda: self.pf.messages(user), timeout=WAIT)
            self.assertEqual(len(got), 1, self.diag(self.a, self.pf))
            text = got[0].decode("utf-8", "replace").replace("\r\n", "\n")
            self.assertIn("Subject: two rcpts", text)
            self.assertEqual(text.split("\n\n", 1)[1], body.replace("\r\n", "\n"),
                             "body changed in transit")
            self.assertEqual(header_value(text, "Delivered-To"), "%s@pf.test" % user)
            m = re.search(r"by mx\.pf\.test \(Postfix\) with ESMTPS id (\w+)",
                          unfolded_received(text)[0])
            self.assertTrue(m, text[:2000])
            queue_ids.add(m.group(1))
        # Both recipients went in one SMTP transaction (one Postfix queue id); nothing is left.
        self.assertEqual(len(queue_ids), 1, queue_ids)
        self.assertTrue(wait_for(lambda: self.pf.queue_files() == [], timeout=WAIT),
                        self.diag(self.pf))

    def test_unknown_postfix_user_bounces_to_sender(self):
        self.submit(["nobody@pf.test"], "no such user")
        bounces = self.a.wait_messages("alice@a.test", 1, timeout=WAIT)
        self.assertEqual(len(bounces), 1, self.diag(self.a, self.pf))
        dsn = bounces[0].decode("utf-8", "replace")
        self.assertIn("Final-Recipient: rfc822; nobody@pf.test", dsn)
        self.assertIn("Action: failed", dsn)
        self.assertRegex(dsn, r"Status: 5\.1\.1")
        self.assertIn("Diagnostic-Code: smtp; 550", dsn)
        self.assertIn("Subject: no such user", dsn)
        self.assertIn("User unknown in virtual mailbox table", dsn)


class PostfixToTern(PeerCase):
    def setUp(self):
        self.b = self.new_tern(domains=["b.test"], hostname="mx.b.test",
                               users={"bob@b.test": PASSWORD})
        self.b.start()
        self.pf = self.new_postfix(users=["someone"], routes={"b.test": self.b.smtp_port})
        self.pf.start()

    def check_arrived(self, subject, postfix_received_pattern):
        got = self.b.wait_messages("bob@b.test", 1, timeout=WAIT)
        self.assertEqual(len(got), 1, self.diag(self.b, self.pf))
        text = got[0].decode("utf-8", "replace")
        self.assertIn("Subject: %s" % subject, text)
        self.assertIn("Hello from Postfix.", text)
        self.assertIn("\n.leading dot", text)
        received = unfolded_received(text)
        self.assertEqual(len(received), 2, text)
        tern_rcvd, pf_rcvd = received
        # Tern's, on top: Postfix's smtp client said EHLO mx.pf.test and used STARTTLS.
        self.assertIn("from mx.pf.test", tern_rcvd)
        self.assertIn("by mx.b.test", tern_rcvd)
        self.assertIn("with ESMTPS", tern_rcvd)
        self.assertRegex(pf_rcvd, postfix_received_pattern)
        # Postfix reports the delivery as sent to Tern, and its queue is empty again.
        self.assertTrue(wait_for(lambda: "status=sent" in self.pf.log_text()
                                 and self.pf.queue_files() == [], timeout=WAIT),
                        self.diag(self.pf))
        log = self.pf.log_text()
        self.assertIn("relay=127.0.0.1[127.0.0.1]:%d" % self.b.smtp_port, log)
        self.assertRegex(log, r"Trusted TLS connection established|"
                              r"Untrusted TLS connection established|"
                              r"Anonymous TLS connection established")
        return text

    def test_sendmail_injection_relayed_to_tern(self):
        msg = ("From: someone@pf.test\r\nTo: bob@b.test\r\nSubject: from postfix sendmail\r\n"
               "\r\nHello from Postfix.\r\n.leading dot\r\n").encode()
        self.pf.sendmail("someone@pf.test", ["bob@b.test"], msg)
        text = self.check_arrived("from postfix sendmail",
                                  r"by mx\.pf\.test \(Postfix, from userid 0\)")
        self.assertEqual(header_value(text, "Return-Path"), "<someone@pf.test>", text)

    def test_smtp_relay_from_mynetworks_to_tern(self):
        msg = ("From: someone@pf.test\r\nTo: bob@b.test\r\nSubject: relayed by postfix\r\n"
               "\r\nHello from Postfix.\r\n.leading dot\r\n")
        with smtplib.SMTP("127.0.0.1", self.pf.port, timeout=30) as s:
            s.ehlo("client.test")
            refused = s.sendmail("someone@pf.test", ["bob@b.test"], msg)
        self.assertEqual(refused, {})
        text = self.check_arrived("relayed by postfix",
                                  r"from client\.test .*by mx\.pf\.test \(Postfix\) with ESMTP ")
        self.assertEqual(header_value(text, "Return-Path"), "<someone@pf.test>", text)

    def test_unknown_tern_user_bounces_inside_postfix(self):
        msg = ("From: someone@pf.test\r\nTo: nobody@b.test\r\nSubject: to nobody\r\n"
               "\r\nHello.\r\n").encode()
        self.pf.sendmail("someone@pf.test", ["nobody@b.test"], msg)
        # Tern refuses the recipient with 550 5.1.1; Postfix bounces to someone@pf.test.
        got = wait_for(lambda: self.pf.messages("someone"), timeout=WAIT)
        self.assertEqual(len(got), 1, self.diag(self.b, self.pf))
        dsn = got[0].decode("utf-8", "replace")
        self.assertIn("<nobody@b.test>", dsn)
        self.assertRegex(dsn, r"Status: 5\.1\.1")
        self.assertIn("said: 550", dsn)
        self.assertEqual(self.b.messages("nobody@b.test"), [])


if __name__ == "__main__":
    unittest.main()
