"""End to end: mail sent with real clients (smtplib, swaks) lands in the right Maildir."""

import os
import smtplib
import subprocess
import unittest

from harness import Tern, wait_for


def msg(subject, body="Hello.\r\n", extra=""):
    return ("From: sender@remote.test\r\nTo: someone@example.test\r\nSubject: %s\r\n"
            "Message-ID: <%s@remote.test>\r\n%s\r\n%s" % (subject, subject.replace(" ", "."), extra, body))


class Delivery(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.t = Tern(aliases={"info@example.test": ["alice@example.test", "bob@example.test"],
                              "loop1@example.test": ["loop2@example.test"],
                              "loop2@example.test": ["loop1@example.test"],
                              "@catchall.test": ["bob@example.test"],
                              "fwd@example.test": ["alice@example.test", "carol@remote.test"]},
                     domains=["example.test", "catchall.test"],
                     users={"alice@example.test": "alice-pw", "bob@example.test": "bob-pw"})
        cls.t.start()

    @classmethod
    def tearDownClass(cls):
        cls.t.__exit__(None, None, None)

    def send(self, to, data, sender="sender@remote.test"):
        with smtplib.SMTP("127.0.0.1", self.t.smtp_port, local_hostname="client.test", timeout=30) as s:
            return s.sendmail(sender, to, data)

    def test_delivers_to_maildir_with_headers(self):
        self.send(["alice@example.test"], msg("first mail"))
        m = wait_for(lambda: [x for x in self.t.messages("alice@example.test")
                              if b"Subject: first mail" in x])
        self.assertEqual(len(m), 1)
        text = m[0]
        self.assertTrue(text.startswith(b"Return-Path: <sender@remote.test>\n"), text[:200])
        self.assertIn(b"Received: from client.test", text)
        self.assertIn(b"by mx.example.test", text)
        self.assertNotIn(b"\r\n", text)  # Maildir files use LF line endings
        # Maildir layout: tmp/new/cur
        for sub in ("tmp", "new", "cur"):
            self.assertTrue(os.path.isdir(os.path.join(self.t.maildir("alice@example.test"), sub)))

    def test_subaddress_and_case(self):
        self.send(["Alice+Lists@EXAMPLE.test"], msg("subaddress"))
        got = wait_for(lambda: [x for x in self.t.messages("alice@example.test") if b"subaddress" in x])
        self.assertEqual(len(got), 1)

    def test_alias_expands_to_two_users(self):
        self.send(["info@example.test"], msg("to info"))
        for u in ("alice@example.test", "bob@example.test"):
            got = wait_for(lambda: [x for x in self.t.messages(u) if b"Subject: to info" in x])
            self.assertEqual(len(got), 1, u)

    def test_catch_all(self):
        self.send(["anything@catchall.test"], msg("catch all"))
        got = wait_for(lambda: [x for x in self.t.messages("bob@example.test") if b"catch all" in x])
        self.assertEqual(len(got), 1)

    def test_postmaster_always_accepted(self):
        with smtplib.SMTP("127.0.0.1", self.t.smtp_port, timeout=30) as s:
            s.ehlo("client.test")
            s.mail("sender@remote.test")
            code, _ = s.rcpt("<postmaster>")
            self.assertEqual(code, 250)
            code, _ = s.rcpt("postmaster@example.test")
            self.assertEqual(code, 250)

    def test_unknown_user_and_relay(self):
        with smtplib.SMTP("127.0.0.1", self.t.smtp_port, timeout=30) as s:
            s.ehlo("client.test")
            s.mail("sender@remote.test")
            code, text = s.rcpt("nobody@example.test")
            self.assertEqual(code, 550)
            self.assertIn(b"5.1.1", text)
            code, text = s.rcpt("someone@elsewhere.test")
            self.assertEqual(code, 550)
            self.assertIn(b"5.7.1", text)

    def test_alias_loop_is_not_accepted_silently(self):
        # A loop accepted at RCPT must not vanish: it ends as a permanent failure in the log.
        with smtplib.SMTP("127.0.0.1", self.t.smtp_port, timeout=30) as s:
            s.ehlo("client.test")
            s.mail("sender@remote.test")
            code, _ = s.rcpt("loop1@example.test")
            if code == 250:
                s.data(msg("loop"))
                self.assertTrue(wait_for(lambda: "loop" in self.t.log_text().lower()))

    def test_alias_with_remote_target_keeps_remote_copy_queued(self):
        self.send(["fwd@example.test"], msg("forward me"))
        got = wait_for(lambda: [x for x in self.t.messages("alice@example.test") if b"forward me" in x])
        self.assertEqual(len(got), 1)
        # The copy for the remote target is a new queue entry waiting for outbound delivery,
        # never silently dropped.
        self.assertTrue(wait_for(lambda: "forwarded to 1 remote addresses" in self.t.log_text()))
        ids = [l for l in self.t.log_text().splitlines() if "forwarded to 1 remote" in l]
        self.assertIn("queued as", ids[0])

    def test_swaks(self):
        r = subprocess.run(["swaks", "--server", "127.0.0.1", "--port", str(self.t.smtp_port),
                            "--to", "bob@example.test", "--from", "x@remote.test",
                            "--helo", "swaks.test", "--header", "Subject: via swaks",
                            "--pipeline"], capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("250 2.0.0", r.stdout)
        got = wait_for(lambda: [x for x in self.t.messages("bob@example.test") if b"via swaks" in x])
        self.assertEqual(len(got), 1)

    def test_ehlo_advertises_extensions(self):
        with smtplib.SMTP("127.0.0.1", self.t.smtp_port, timeout=30) as s:
            code, text = s.ehlo("client.test")
            self.assertEqual(code, 250)
            for ext in (b"PIPELINING", b"SIZE", b"8BITMIME", b"ENHANCEDSTATUSCODES", b"SMTPUTF8",
                        b"CHUNKING", b"DSN"):
                self.assertIn(ext, text)

    def test_bdat(self):
        body = msg("by bdat").encode()
        with smtplib.SMTP("127.0.0.1", self.t.smtp_port, timeout=30) as s:
            s.ehlo("client.test")
            s.mail("sender@remote.test")
            s.rcpt("alice@example.test")
            half = len(body) // 2
            s.send(b"BDAT %d\r\n" % half + body[:half])
            self.assertEqual(s.getreply()[0], 250)
            s.send(b"BDAT %d LAST\r\n" % (len(body) - half) + body[half:])
            code, text = s.getreply()
            self.assertEqual(code, 250, text)
        got = wait_for(lambda: [x for x in self.t.messages("alice@example.test") if b"by bdat" in x])
        self.assertEqual(len(got), 1)

    def test_dot_stuffing(self):
        self.send(["bob@example.test"], msg("dots", body=".x\r\n..\r\nend\r\n"))
        got = wait_for(lambda: [x for x in self.t.messages("bob@example.test") if b"Subject: dots" in x])
        self.assertEqual(len(got), 1)
        self.assertIn(b"\n.x\n..\nend\n", got[0])

    def test_smtputf8(self):
        data = msg("utf8").encode()
        with smtplib.SMTP("127.0.0.1", self.t.smtp_port, timeout=30) as s:
            s.ehlo("client.test")
            s.sendmail("j\u00f6rg@remote.test", ["alice@example.test"], data,
                       mail_options=["SMTPUTF8", "BODY=8BITMIME"])
        got = wait_for(lambda: [x for x in self.t.messages("alice@example.test") if b"Subject: utf8" in x])
        self.assertEqual(len(got), 1)
        self.assertIn("Return-Path: <j\u00f6rg@remote.test>".encode(), got[0])


if __name__ == "__main__":
    unittest.main()
