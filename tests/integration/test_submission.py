"""Submission for users' mail clients: STARTTLS and implicit TLS, SMTP AUTH (PLAIN, LOGIN,
SCRAM-SHA-256), sender rules, sending limits and failed-login throttling — with real clients:
smtplib, swaks, openssl s_client and curl."""

import base64
import hashlib
import hmac
import os
import smtplib
import socket
import ssl
import subprocess
import tempfile
import time
import unittest

from harness import Tern, wait_for

USERS = {"alice@example.test": "alice-secret", "bob@example.test": "bob-secret"}


def msg(subject, sender="alice@example.test", extra=""):
    return ("From: %s\r\nTo: someone@remote.test\r\nSubject: %s\r\n%s\r\nHello.\r\n"
            % (sender, subject, extra))


class Submission(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.t = Tern(users=USERS,
                     aliases={"sales@example.test": ["alice@example.test"]},
                     extra='[submission]\nmessages_per_hour = 1000\nrecipients_per_day = 10000\n'
                           '[senders]\n"bob@example.test" = ["@other.test"]\n')
        cls.t.start()

    @classmethod
    def tearDownClass(cls):
        cls.t.__exit__(None, None, None)

    def submit(self, user="alice@example.test", password=None):
        s = smtplib.SMTP("127.0.0.1", self.t.submission_port, timeout=30)
        s.ehlo("client.test")
        s.starttls(context=self.t.tls_context())
        s.ehlo("client.test")
        s.login(user, password or USERS[user])
        return s

    # --- TLS -------------------------------------------------------------------------------

    def test_starttls_on_mx_and_no_starttls_after(self):
        with smtplib.SMTP("127.0.0.1", self.t.smtp_port, timeout=30) as s:
            s.ehlo("client.test")
            self.assertTrue(s.has_extn("starttls"))
            s.starttls(context=self.t.tls_context())
            code, text = s.ehlo("client.test")
            self.assertEqual(code, 250)
            self.assertFalse(s.has_extn("starttls"))
            v = s.sock.version()
            self.assertIn(v, ("TLSv1.2", "TLSv1.3"))

    def test_self_signed_certificate_names_the_host(self):
        with smtplib.SMTP("127.0.0.1", self.t.submission_port, timeout=30) as s:
            ctx = self.t.tls_context(verify=True)
            s._host = "mx.example.test"  # the name smtplib checks the certificate against
            s.starttls(context=ctx)
            self.assertEqual(s.ehlo("client.test")[0], 250)

    def test_tls12_minimum(self):
        ctx = self.t.tls_context()
        ctx.maximum_version = ssl.TLSVersion.TLSv1_1
        ctx.minimum_version = ssl.TLSVersion.TLSv1
        ctx.set_ciphers("ALL:@SECLEVEL=0")
        with smtplib.SMTP("127.0.0.1", self.t.submission_port, timeout=30) as s:
            s.ehlo("client.test")
            with self.assertRaises((ssl.SSLError, OSError, smtplib.SMTPException)):
                s.starttls(context=ctx)

    def test_implicit_tls_submissions(self):
        with smtplib.SMTP_SSL("127.0.0.1", self.t.submissions_port, timeout=30,
                              context=self.t.tls_context()) as s:
            s.ehlo("client.test")
            self.assertFalse(s.has_extn("starttls"))
            self.assertIn("PLAIN", s.esmtp_features.get("auth", "").upper())
            s.login("alice@example.test", USERS["alice@example.test"])
            s.sendmail("alice@example.test", ["bob@example.test"], msg("over 465"))
        got = wait_for(lambda: [m for m in self.t.messages("bob@example.test") if b"over 465" in m])
        self.assertEqual(len(got), 1)
        self.assertIn(b"ESMTPSA", got[0])
        self.assertRegex(got[0], rb"TLSv1\.[23]")

    def test_stalled_handshake_does_not_block_server(self):
        idle = socket.create_connection(("127.0.0.1", self.t.submissions_port), timeout=30)
        try:
            # Nothing sent on `idle`: the server must keep serving others meanwhile.
            with smtplib.SMTP_SSL("127.0.0.1", self.t.submissions_port, timeout=30,
                                  context=self.t.tls_context()) as s:
                self.assertEqual(s.noop()[0], 250)
        finally:
            idle.close()

    def test_starttls_pipelined_command_is_discarded(self):
        raw = socket.create_connection(("127.0.0.1", self.t.smtp_port), timeout=30)
        f = raw.makefile("rb")
        self.assertTrue(f.readline().startswith(b"220"))
        raw.sendall(b"EHLO client.test\r\n")
        while f.readline()[3:4] != b" ":
            pass
        # STARTTLS and a second command in one write (CVE-2011-0411).
        raw.sendall(b"STARTTLS\r\nMAIL FROM:<injected@evil.test>\r\n")
        self.assertTrue(f.readline().startswith(b"220"))
        f.close()
        tls = self.t.tls_context().wrap_socket(raw, server_hostname="mx.example.test")
        tls.settimeout(1.0)
        # Nothing may be answered inside TLS until we speak.
        with self.assertRaises((socket.timeout, TimeoutError)):
            tls.recv(100)
        tls.settimeout(30)
        tls.sendall(b"EHLO client.test\r\n")
        reply = b""
        while not reply.endswith(b"\r\n") or b"\r\n250 " not in b"\r\n" + reply:
            reply += tls.recv(4096)
        self.assertTrue(reply.startswith(b"250"), reply)
        # The injected MAIL was never executed: a MAIL now is the first of the session.
        tls.sendall(b"MAIL FROM:<x@remote.test>\r\n")
        self.assertTrue(tls.recv(4096).startswith(b"250"))
        tls.close()

    # --- AUTH ------------------------------------------------------------------------------

    def test_mail_requires_auth_on_submission(self):
        with smtplib.SMTP("127.0.0.1", self.t.submission_port, timeout=30) as s:
            s.ehlo("client.test")
            s.starttls(context=self.t.tls_context())
            s.ehlo("client.test")
            code, text = s.mail("alice@example.test")
            self.assertEqual(code, 530)
            self.assertIn(b"5.7.0", text)

    def test_auth_not_offered_before_tls(self):
        with smtplib.SMTP("127.0.0.1", self.t.submission_port, timeout=30) as s:
            s.ehlo("client.test")
            self.assertFalse(s.has_extn("auth"))
            code, text = s.docmd("AUTH", "PLAIN " + base64.b64encode(
                b"\0alice@example.test\0alice-secret").decode())
            self.assertEqual(code, 538)
            self.assertIn(b"5.7.11", text)

    def test_login_mechanisms(self):
        for mech in ("PLAIN", "LOGIN"):
            with smtplib.SMTP("127.0.0.1", self.t.submission_port, timeout=30) as s:
                s.ehlo("client.test")
                s.starttls(context=self.t.tls_context())
                s.ehlo("client.test")
                s.user, s.password = "alice@example.test", USERS["alice@example.test"]
                auth = getattr(s, "auth_" + mech.lower())
                code, text = s.auth(mech, auth, initial_response_ok=(mech == "PLAIN"))
                self.assertEqual(code, 235, mech)
                self.assertIn(b"2.7.0", text)

    def test_scram_sha_256(self):
        with smtplib.SMTP("127.0.0.1", self.t.submission_port, timeout=30) as s:
            s.ehlo("client.test")
            s.starttls(context=self.t.tls_context())
            s.ehlo("client.test")
            self.assertIn("SCRAM-SHA-256", s.esmtp_features["auth"].upper())
            user, password = "alice@example.test", USERS["alice@example.test"]
            cnonce = base64.b64encode(os.urandom(18)).decode()
            first_bare = "n=%s,r=%s" % (user, cnonce)
            code, text = s.docmd("AUTH", "SCRAM-SHA-256 " +
                                 base64.b64encode(("n,," + first_bare).encode()).decode())
            self.assertEqual(code, 334)
            server_first = base64.b64decode(text).decode()
            attrs = dict(kv.split("=", 1) for kv in server_first.split(","))
            self.assertTrue(attrs["r"].startswith(cnonce))
            salted = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(attrs["s"]),
                                         int(attrs["i"]))
            client_key = hmac.new(salted, b"Client Key", "sha256").digest()
            stored_key = hashlib.sha256(client_key).digest()
            final_wo_proof = "c=biws,r=" + attrs["r"]
            auth_message = ",".join([first_bare, server_first, final_wo_proof]).encode()
            sig = hmac.new(stored_key, auth_message, "sha256").digest()
            proof = bytes(a ^ b for a, b in zip(client_key, sig))
            code, text = s.docmd(base64.b64encode(
                (final_wo_proof + ",p=" + base64.b64encode(proof).decode()).encode()).decode())
            # RFC 4954: the server-final message comes as a 334 challenge (or with 235).
            if code == 334:
                server_final = base64.b64decode(text).decode()
                code, text = s.docmd("")
            else:
                server_final = base64.b64decode(text.split()[-1]).decode() if b"v=" in text else None
            self.assertEqual(code, 235, text)
            server_key = hmac.new(salted, b"Server Key", "sha256").digest()
            expect = base64.b64encode(hmac.new(server_key, auth_message, "sha256").digest()).decode()
            if server_final is not None:
                self.assertEqual(server_final, "v=" + expect)

    def test_bad_password_and_unknown_user_look_the_same(self):
        replies = []
        for user, pw in (("alice@example.test", "wrong"), ("nobody@example.test", "wrong")):
            with smtplib.SMTP("127.0.0.1", self.t.submission_port, timeout=30) as s:
                s.ehlo("client.test")
                s.starttls(context=self.t.tls_context())
                s.ehlo("client.test")
                with self.assertRaises(smtplib.SMTPAuthenticationError) as cm:
                    s.login(user, pw)
                replies.append((cm.exception.smtp_code, cm.exception.smtp_error))
        self.assertEqual(replies[0], replies[1])
        self.assertEqual(replies[0][0], 535)
        self.assertIn(b"5.7.8", replies[0][1])
        self.assertNotIn("alice-secret", self.t.log_text())
        self.assertNotIn("wrong", self.t.log_text().replace("wrong password", ""))

    def test_auth_cancel_and_bad_base64(self):
        with smtplib.SMTP("127.0.0.1", self.t.submission_port, timeout=30) as s:
            s.ehlo("client.test")
            s.starttls(context=self.t.tls_context())
            s.ehlo("client.test")
            self.assertEqual(s.docmd("AUTH", "LOGIN")[0], 334)
            code, _ = s.docmd("*")
            self.assertEqual(code, 501)
            code, _ = s.docmd("AUTH", "PLAIN !!!notbase64")
            self.assertEqual(code, 501)
            code, _ = s.docmd("AUTH", "CRAM-MD5")
            self.assertEqual(code, 504)

    # --- Submission rules -------------------------------------------------------------------

    def test_relay_for_authenticated_user_queues_remote_mail(self):
        with self.submit() as s:
            s.sendmail("alice@example.test", ["someone@remote.test"], msg("to remote"))
        self.assertTrue(wait_for(lambda: "nrcpt=1" in self.t.log_text()))

    def test_sender_rules(self):
        with self.submit() as s:
            for ok in ("alice@example.test", "alice+tag@example.test", "sales@example.test"):
                code, _ = s.mail(ok)
                self.assertEqual(code, 250, ok)
                s.rset()
            code, text = s.mail("bob@example.test")
            self.assertEqual(code, 553)
            self.assertIn(b"5.7.1", text)
        with self.submit("bob@example.test") as s:
            self.assertEqual(s.mail("anything@other.test")[0], 250)  # [senders] "@other.test"

    def test_from_header_must_be_owned(self):
        with self.submit() as s:
            with self.assertRaises(smtplib.SMTPDataError) as cm:
                s.sendmail("alice@example.test", ["bob@example.test"],
                           msg("forged", sender="ceo@example.test"))
            self.assertEqual(cm.exception.smtp_code, 553)

    def test_date_and_message_id_added(self):
        with self.submit() as s:
            s.sendmail("alice@example.test", ["bob@example.test"],
                       "From: alice@example.test\r\nSubject: bare headers\r\n\r\nhi\r\n")
        got = wait_for(lambda: [m for m in self.t.messages("bob@example.test") if b"bare headers" in m])
        self.assertEqual(len(got), 1)
        self.assertRegex(got[0], rb"\nDate: ")
        self.assertRegex(got[0], rb"\nMessage-ID: <[^@>]+@mx\.example\.test>")

    # --- Other clients ----------------------------------------------------------------------

    def test_swaks_tls_auth(self):
        for extra in (["--tls", "--port", str(self.t.submission_port), "--auth", "PLAIN"],
                      ["--tls", "--port", str(self.t.submission_port), "--auth", "LOGIN"],
                      ["--tls-on-connect", "--port", str(self.t.submissions_port), "--auth", "PLAIN"]):
            r = subprocess.run(["swaks", "--server", "127.0.0.1", *extra,
                                "--auth-user", "alice@example.test",
                                "--auth-password", USERS["alice@example.test"],
                                "--from", "alice@example.test", "--to", "bob@example.test",
                                "--header", "Subject: swaks %s" % extra[-1]],
                               capture_output=True, text=True, timeout=60)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn("235 2.7.0", r.stdout)

    def test_curl_smtp_ssl_reqd(self):
        with tempfile.NamedTemporaryFile("w", suffix=".eml", delete=False) as f:
            f.write(msg("via curl").replace("someone@remote.test", "bob@example.test"))
        try:
            r = subprocess.run(["curl", "-sS", "--ssl-reqd", "-k",
                                "smtp://127.0.0.1:%d" % self.t.submission_port,
                                "--user", "alice@example.test:" + USERS["alice@example.test"],
                                "--mail-from", "alice@example.test", "--mail-rcpt", "bob@example.test",
                                "-T", f.name], capture_output=True, text=True, timeout=60)
            self.assertEqual(r.returncode, 0, r.stderr)
        finally:
            os.unlink(f.name)
        got = wait_for(lambda: [m for m in self.t.messages("bob@example.test") if b"via curl" in m])
        self.assertEqual(len(got), 1)

    def test_openssl_s_client_starttls(self):
        r = subprocess.run(["openssl", "s_client", "-starttls", "smtp", "-connect",
                            "127.0.0.1:%d" % self.t.smtp_port, "-servername", "mx.example.test",
                            "-brief"], input="EHLO client.test\r\nQUIT\r\n", capture_output=True,
                           text=True, timeout=60)
        out = r.stdout + r.stderr
        self.assertIn("Protocol version: TLSv1.", out)
        self.assertIn("250", out)


class Limits(unittest.TestCase):
    def test_send_quota(self):
        with Tern(users=USERS, extra='[submission]\nmessages_per_hour = 2\nrecipients_per_day = 3\n') as t:
            t.start()
            def session():
                s = smtplib.SMTP("127.0.0.1", t.submission_port, timeout=30)
                s.ehlo("c.test")
                s.starttls(context=t.tls_context())
                s.ehlo("c.test")
                s.login("alice@example.test", USERS["alice@example.test"])
                return s
            with session() as s:
                s.sendmail("alice@example.test", ["bob@example.test"], msg("one"))
                s.mail("alice@example.test")
                self.assertEqual(s.rcpt("bob@example.test")[0], 250)
                self.assertEqual(s.rcpt("x@remote.test")[0], 250)
                code, text = s.rcpt("y@remote.test")  # 4th recipient today
                self.assertEqual(code, 450)
                self.assertIn(b"4.7.1", text)
                s.data(msg("two"))
                code, text = s.mail("alice@example.test")  # 3rd message this hour
                self.assertEqual(code, 450)
                self.assertIn(b"4.7.1", text)

    def test_failed_logins_are_throttled(self):
        with Tern(users=USERS, extra='[auth]\nmax_failures_per_ip = 3\n') as t:
            t.start()

            def attempt(password):
                """One AUTH PLAIN on a fresh TLS session: the reply code, or "closed"."""
                try:
                    with smtplib.SMTP("127.0.0.1", t.submission_port, timeout=30) as s:
                        s.ehlo("c.test")
                        s.starttls(context=t.tls_context())
                        s.ehlo("c.test")
                        token = base64.b64encode(b"\0alice@example.test\0" + password.encode())
                        return s.docmd("AUTH", "PLAIN " + token.decode())[0]
                except smtplib.SMTPServerDisconnected:
                    return "closed"

            codes = [attempt("wrong%d" % i) for i in range(5)]
            self.assertEqual(codes[:3], [535, 535, 535])
            self.assertTrue(all(c in (421, 454, "closed") for c in codes[3:]), codes)
            # Even the right password is refused while throttled.
            self.assertIn(attempt(USERS["alice@example.test"]), (421, 454, "closed"))


if __name__ == "__main__":
    unittest.main()
