"""POP3 (RFC 1939, 2449, 2595, 5034) against the real server, with real clients: Python's
poplib (every command it can issue, STLS and POP3S), curl's pop3:// and pop3s://, and a raw
socket for what poplib cannot say. Mail arrives over SMTP first, so the whole path is covered:
SMTP -> queue -> Maildir -> POP3."""

import os
import poplib
import smtplib
import socket
import ssl
import subprocess
import unittest

from harness import Tern, wait_for

USERS = {"alice@example.test": "alice-secret", "bob@example.test": "bob-secret"}


def deliver(t, to, subject, body="Hello.\r\n.a line that starts with a dot\r\n"):
    with smtplib.SMTP("127.0.0.1", t.smtp_port, timeout=30) as s:
        s.sendmail("sender@example.org", [to], "From: sender@example.org\r\nTo: %s\r\nSubject: %s\r\n\r\n%s"
                   % (to, subject, body))


def pop3_tls(t, user="alice@example.test"):
    p = poplib.POP3("127.0.0.1", t.pop3_port, timeout=30)
    p.stls(context=t.tls_context())
    p.user(user)
    p.pass_(USERS[user])
    return p


class Pop3(unittest.TestCase):
    def setUp(self):
        self.t = Tern(users=USERS)
        self.t.start()
        # One at a time: message numbers follow the order mail reached the Maildir.
        for i in range(3):
            deliver(self.t, "alice@example.test", "message %d" % i)
            self.assertTrue(wait_for(lambda: len(self.t.messages("alice@example.test")) == i + 1, timeout=30))

    def tearDown(self):
        self.t.__exit__(None, None, None)

    def test_capa_and_logins_refused_before_tls(self):
        p = poplib.POP3("127.0.0.1", self.t.pop3_port, timeout=30)
        self.assertTrue(p.getwelcome().startswith(b"+OK"))
        caps = p.capa()
        self.assertIn("STLS", caps)
        self.assertIn("UIDL", caps)
        self.assertIn("TOP", caps)
        self.assertIn("PIPELINING", caps)
        self.assertNotIn("USER", caps)  # no cleartext password before TLS (RFC 2595)
        with self.assertRaises(poplib.error_proto) as e:
            p.user("alice@example.test")
        self.assertIn(b"[AUTH]", e.exception.args[0])
        p.stls(context=self.t.tls_context())
        caps = p.capa()
        self.assertIn("USER", caps)
        self.assertIn("SASL", caps)
        self.assertIn("SCRAM-SHA-256", caps["SASL"])
        self.assertNotIn("STLS", caps)
        p.quit()

    def test_download_then_delete_takes_effect_at_quit(self):
        p = pop3_tls(self.t)
        count, size = p.stat()
        self.assertEqual(count, 3)
        listing = p.list()[1]
        self.assertEqual(len(listing), 3)
        self.assertEqual(sum(int(l.split()[1]) for l in listing), size)
        uidls = [l.split()[1] for l in p.uidl()[1]]
        self.assertEqual(len(set(uidls)), 3)
        resp, lines, octets = p.retr(1)
        self.assertTrue(resp.startswith(b"+OK"))
        text = b"\r\n".join(lines)
        self.assertIn(b"Subject: message 0", text)
        self.assertIn(b"\r\n.a line that starts with a dot", text)  # byte-stuffed on the wire, unstuffed by poplib
        self.assertEqual(resp.split()[1], listing[0].split()[1])  # "+OK <size> octets" as LIST said
        # TOP: the header and 0 body lines.
        top = b"\r\n".join(p.top(2, 0)[1])
        self.assertIn(b"Subject: message 1", top)
        self.assertNotIn(b"Hello.", top)
        p.dele(1)
        with self.assertRaises(poplib.error_proto):
            p.retr(1)  # marked deleted: invisible
        self.assertEqual(p.stat()[0], 2)
        p.rset()
        self.assertEqual(p.stat()[0], 3)
        p.dele(1)
        p.dele(3)
        p.noop()
        p.quit()  # UPDATE: now they go
        self.assertEqual(len(self.t.messages("alice@example.test")), 1)

        p = pop3_tls(self.t)
        self.assertEqual(p.stat()[0], 1)
        self.assertEqual([l.split()[1] for l in p.uidl()[1]], [uidls[1]])  # the UIDL is stable
        p.quit()

    def test_dropped_connection_deletes_nothing(self):
        p = pop3_tls(self.t)
        p.dele(1)
        p.sock.shutdown(socket.SHUT_RDWR)  # no QUIT: no UPDATE state (RFC 1939 6)
        p.close()
        self.assertTrue(wait_for(lambda: self._can_login(), timeout=10))
        p = pop3_tls(self.t)
        self.assertEqual(p.stat()[0], 3)
        p.quit()

    def _can_login(self):
        try:
            p = pop3_tls(self.t)
            p.quit()
            return True
        except poplib.error_proto:
            return False

    def test_second_session_gets_in_use(self):
        p = pop3_tls(self.t)
        q = poplib.POP3("127.0.0.1", self.t.pop3_port, timeout=30)
        q.stls(context=self.t.tls_context())
        q.user("alice@example.test")
        with self.assertRaises(poplib.error_proto) as e:
            q.pass_(USERS["alice@example.test"])
        self.assertIn(b"[IN-USE]", e.exception.args[0])
        q.close()
        p.quit()

    def test_wrong_password_and_unknown_user_look_the_same(self):
        answers = []
        for user, pw in (("alice@example.test", "wrong"), ("nobody@example.test", "wrong")):
            p = poplib.POP3("127.0.0.1", self.t.pop3_port, timeout=30)
            p.stls(context=self.t.tls_context())
            p.user(user)
            with self.assertRaises(poplib.error_proto) as e:
                p.pass_(pw)
            answers.append(e.exception.args[0])
            p.close()
        self.assertEqual(answers[0], answers[1])
        self.assertIn(b"[AUTH]", answers[0])

    def test_pop3s_and_sasl_plain(self):
        p = poplib.POP3_SSL("127.0.0.1", self.t.pop3s_port, context=self.t.tls_context(), timeout=30)
        import base64
        resp = p._shortcmd("AUTH PLAIN " + base64.b64encode(b"\0bob@example.test\0bob-secret").decode())
        self.assertTrue(resp.startswith(b"+OK"))
        self.assertEqual(p.stat()[0], 0)  # bob's maildrop is empty (and was created)
        p.quit()

    def test_pipelined_commands_answer_in_order(self):
        raw = socket.create_connection(("127.0.0.1", self.t.pop3s_port), timeout=30)
        s = self.t.tls_context().wrap_socket(raw, server_hostname="localhost")
        f = s.makefile("rb")
        self.assertTrue(f.readline().startswith(b"+OK"))
        s.sendall(b"USER alice@example.test\r\nPASS alice-secret\r\nSTAT\r\nLIST 2\r\nUIDL 9\r\nQUIT\r\n")
        lines = [f.readline() for _ in range(6)]
        self.assertTrue(lines[0].startswith(b"+OK"))
        self.assertTrue(lines[1].startswith(b"+OK"), lines)
        self.assertTrue(lines[2].startswith(b"+OK 3 "), lines)
        self.assertTrue(lines[3].startswith(b"+OK 2 "), lines)
        self.assertTrue(lines[4].startswith(b"-ERR"), lines)
        self.assertTrue(lines[5].startswith(b"+OK"), lines)
        s.close()

    def test_curl_pop3s_lists_and_retrieves(self):
        base = "pop3s://127.0.0.1:%d/" % self.t.pop3s_port
        auth = ["--user", "alice@example.test:alice-secret", "--insecure", "-s", "--max-time", "30"]
        r = subprocess.run(["curl", *auth, base], capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(r.stdout.strip().splitlines()), 3)  # LIST output
        r = subprocess.run(["curl", *auth, base + "2"], capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Subject: message 1", r.stdout)
        # pop3:// with STARTTLS required (--ssl-reqd).
        r = subprocess.run(["curl", *auth, "--ssl-reqd", "pop3://127.0.0.1:%d/1" % self.t.pop3_port],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Subject: message 0", r.stdout)

    def test_uidls_stay_unique_when_maildir_names_collide(self):
        # Another program dropped two files whose names differ only in Dovecot's size fields:
        # both map to the same UIDL, so the second is made unique instead of failing the login.
        new = os.path.join(self.t.maildir("alice@example.test"), "new")
        for name in ("1700000000.M1P1.other,S=20", "1700000000.M1P1.other,S=20,W=21"):
            with open(os.path.join(new, name), "w") as f:
                f.write("Subject: dropped in\n\nbody\n")
        p = pop3_tls(self.t)
        uidls = [l.split()[1] for l in p.uidl()[1]]
        self.assertEqual(len(uidls), 5)
        self.assertEqual(len(set(uidls)), 5, uidls)
        self.assertTrue(all(1 <= len(u) <= 70 for u in uidls))
        p.quit()

    def test_new_mail_appears_in_the_next_session(self):
        p = pop3_tls(self.t)
        self.assertEqual(p.stat()[0], 3)
        p.quit()
        deliver(self.t, "alice@example.test", "message 3")
        self.assertTrue(wait_for(lambda: len(self.t.messages("alice@example.test")) == 4, timeout=30))
        p = pop3_tls(self.t)
        self.assertEqual(p.stat()[0], 4)
        p.quit()


if __name__ == "__main__":
    unittest.main()


class Quota(unittest.TestCase):
    def test_full_mailbox_gets_452_until_mail_is_removed(self):
        with Tern(users=USERS, extra="[retrieval]\nquota = 1500\n") as t:
            t.start()
            body = ("x" * 99 + "\r\n") * 10
            deliver(t, "alice@example.test", "first", body)
            self.assertTrue(wait_for(lambda: len(t.messages("alice@example.test")) == 1, timeout=30))
            deliver(t, "alice@example.test", "second", body)  # under the quota at RCPT: accepted
            self.assertTrue(wait_for(lambda: len(t.messages("alice@example.test")) == 2, timeout=30))
            with smtplib.SMTP("127.0.0.1", t.smtp_port, timeout=30) as s:
                s.ehlo("client.test")
                s.mail("sender@example.org")
                code, text = s.rcpt("alice@example.test")
                self.assertEqual(code, 452, text)
                self.assertIn(b"4.2.2", text)
                code, _ = s.rcpt("bob@example.test")  # another mailbox is fine
                self.assertEqual(code, 250)
            # The user makes room over POP3; mail is accepted again.
            p = pop3_tls(t)
            p.dele(1)
            p.dele(2)
            p.quit()
            deliver(t, "alice@example.test", "third", body)
            self.assertTrue(wait_for(lambda: len(t.messages("alice@example.test")) == 1, timeout=30))
