"""IMAP (RFC 9051 / 3501) against the real server with real clients: Python's imaplib (STARTTLS
and IMAPS, every command it can issue), IDLE over a raw TLS socket while mail is delivered over
SMTP, and curl's imaps://. Mail arrives over SMTP first: SMTP -> queue -> Maildir -> IMAP.
The ENVELOPE/BODYSTRUCTURE cache (tern-cache) across restarts and damage."""

import imaplib
import os
import re
import smtplib
import socket
import subprocess
import time
import unittest

from harness import Tern, wait_for, wait_port

USERS = {"alice@example.test": "alice-secret"}
MULTIPART = ("From: Sender <sender@example.org>\r\nTo: alice@example.test\r\nSubject: with attachment\r\n"
             "Message-ID: <m1@example.org>\r\nMIME-Version: 1.0\r\n"
             "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
             "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSee the attachment.\r\n"
             "--b1\r\nContent-Type: application/octet-stream; name=\"a.bin\"\r\n"
             "Content-Transfer-Encoding: base64\r\n\r\nAAECAwQ=\r\n--b1--\r\n")


def deliver(t, subject=None, raw=None):
    text = raw or ("From: sender@example.org\r\nTo: alice@example.test\r\nSubject: %s\r\n\r\nHello %s.\r\n"
                   % (subject, subject))
    with smtplib.SMTP("127.0.0.1", t.smtp_port, timeout=30) as s:
        s.sendmail("sender@example.org", ["alice@example.test"], text)


class Imap(unittest.TestCase):
    def setUp(self):
        self.t = Tern(users=USERS)
        self.t.start()
        deliver(self.t, "first")
        self.assertTrue(wait_for(lambda: len(self.t.messages("alice@example.test")) == 1, timeout=30))
        deliver(self.t, raw=MULTIPART)
        self.assertTrue(wait_for(lambda: len(self.t.messages("alice@example.test")) == 2, timeout=30))

    def tearDown(self):
        self.t.__exit__(None, None, None)

    def login(self):
        m = imaplib.IMAP4("127.0.0.1", self.t.imap_port, timeout=30)
        m.starttls(ssl_context=self.t.tls_context())
        m.login("alice@example.test", USERS["alice@example.test"])
        return m

    def test_logindisabled_before_starttls(self):
        m = imaplib.IMAP4("127.0.0.1", self.t.imap_port, timeout=30)
        self.assertIn("LOGINDISABLED", m.capabilities)
        self.assertIn("STARTTLS", m.capabilities)
        with self.assertRaises(imaplib.IMAP4.error):
            m.login("alice@example.test", USERS["alice@example.test"])
        m.starttls(ssl_context=self.t.tls_context())
        self.assertNotIn("LOGINDISABLED", m.capabilities)
        typ, _ = m.login("alice@example.test", USERS["alice@example.test"])
        self.assertEqual(typ, "OK")
        m.logout()

    def test_wrong_password(self):
        m = imaplib.IMAP4_SSL("127.0.0.1", self.t.imaps_port, ssl_context=self.t.tls_context(), timeout=30)
        with self.assertRaises(imaplib.IMAP4.error) as e:
            m.login("alice@example.test", "wrong")
        self.assertIn("AUTHENTICATIONFAILED", str(e.exception))
        m.logout()

    def fetch_structure(self):
        m = self.login()
        m.select("INBOX", readonly=True)
        typ, data = m.fetch("1:*", "(ENVELOPE BODY BODYSTRUCTURE)")
        m.logout()
        self.assertEqual(typ, "OK")
        return data

    def restart(self):
        self.t.stop()
        self.t.start()
        wait_port(self.t.imap_port, proc=self.t.proc)

    def test_structure_cache_survives_restart_and_damage(self):
        # ENVELOPE/BODY/BODYSTRUCTURE are rendered once per message and kept in the folder's
        # tern-cache; what comes back from it, or from a damaged file, is what a parse gives.
        first = self.fetch_structure()
        self.assertIn(b"with attachment", b"".join(x if isinstance(x, bytes) else b"".join(x) for x in first))
        cache = os.path.join(self.t.maildir("alice@example.test"), "tern-cache")
        with open(cache, "rb") as f:
            image = f.read()
        self.assertIn(b'"with attachment"', image)
        self.assertIn(b'"octet-stream"', image)
        self.assertEqual(self.fetch_structure(), first)
        self.restart()  # the file is read back
        self.assertEqual(self.fetch_structure(), first)
        # Damaged records (CRC mismatch) are cut off; a damaged header discards the file.
        self.t.stop()
        with open(cache, "r+b") as f:
            f.seek(40)
            f.write(b"\xff" * 16)
        self.restart()
        self.assertEqual(self.fetch_structure(), first)
        self.t.stop()
        with open(cache, "wb") as f:
            f.write(b"garbage" * 10)
        self.restart()
        self.assertEqual(self.fetch_structure(), first)

    def test_list_select_fetch_store_search(self):
        m = self.login()
        typ, folders = m.list()
        self.assertEqual(typ, "OK")
        text = b"\n".join(folders).decode()
        for name, attr in (("Sent", "\\Sent"), ("Drafts", "\\Drafts"), ("Trash", "\\Trash"),
                           ("Junk", "\\Junk"), ("Archive", "\\Archive")):
            self.assertRegex(text, r"\(.*%s.*\) \"/\" \"?%s\"?" % (re.escape(attr), name))
        self.assertIn("INBOX", text)
        typ, data = m.select("INBOX")
        self.assertEqual((typ, data[0]), ("OK", b"2"))
        typ, data = m.fetch("1:*", "(FLAGS ENVELOPE BODYSTRUCTURE RFC822.SIZE UID)")
        self.assertEqual(typ, "OK")
        blob = b" ".join(x if isinstance(x, bytes) else b" ".join(x) for x in data)
        self.assertIn(b'"first"', blob)
        self.assertIn(b'"with attachment"', blob)
        self.assertIn(b'("application" "octet-stream" ("name" "a.bin") NIL NIL "base64" 8', blob)
        self.assertIn(b'"mixed"', blob)
        typ, data = m.fetch("2", "(BODY.PEEK[1])")
        self.assertEqual(data[0][1], b"See the attachment.")
        typ, data = m.fetch("1", "(BODY[])")
        self.assertIn(b"Subject: first\r\n", data[0][1])  # CRLF on the wire, LF on disk
        typ, data = m.fetch("1", "(FLAGS)")
        self.assertIn(b"\\Seen", data[0])  # BODY[] set \Seen
        typ, data = m.search(None, "UNSEEN")
        self.assertEqual(data[0], b"2")
        typ, data = m.search(None, "SUBJECT", "attachment")
        self.assertEqual(data[0], b"2")
        typ, data = m.search(None, "BODY", "Hello")
        self.assertEqual(data[0], b"1")
        typ, data = m.store("2", "+FLAGS", "(\\Flagged $Important)")
        self.assertEqual(typ, "OK")
        self.assertIn(b"\\Flagged", data[0])
        typ, data = m.uid("SEARCH", None, "FLAGGED")
        self.assertEqual(len(data[0].split()), 1)
        m.close()
        m.logout()

    def test_folders_append_copy_move_expunge(self):
        m = self.login()
        self.assertEqual(m.create("Projects/2026")[0], "OK")
        self.assertEqual(m.create("Caf\u00e9".encode("utf-7").replace(b"+", b"&").decode())[0], "OK")
        typ, data = m.append("Projects/2026", "(\\Seen)", None,
                             b"From: a@example.org\r\nSubject: appended\r\n\r\nbody\r\n")
        self.assertEqual(typ, "OK")
        self.assertIn(b"APPENDUID", data[0])
        m.select("INBOX")
        typ, data = m.copy("1", "Projects/2026")
        self.assertEqual(typ, "OK")
        typ, data = m.uid("MOVE", "1:*", "Archive")
        self.assertEqual(typ, "OK")
        typ, data = m.select("INBOX")
        self.assertEqual(data[0], b"0")
        typ, data = m.status("Projects/2026", "(MESSAGES UNSEEN UIDNEXT)")
        self.assertEqual(typ, "OK")
        self.assertIn(b"MESSAGES 2", data[0])
        self.assertEqual(m.rename("Projects/2026", "Projects/Done")[0], "OK")
        m.select("Projects/Done")
        m.store("1:*", "+FLAGS", "(\\Deleted)")
        typ, data = m.expunge()
        self.assertEqual(typ, "OK")
        self.assertEqual(len([x for x in data if x]), 2)
        m.close()
        self.assertEqual(m.delete("Projects/Done")[0], "OK")
        typ, folders = m.list()
        self.assertNotIn(b"Projects/Done", b"\n".join(folders))
        m.logout()
        # What IMAP did is on disk as Maildir++ that mutt and Dovecot read.
        import os
        root = self.t.maildir("alice@example.test")
        self.assertTrue(os.path.isdir(os.path.join(root, ".Archive", "cur")))
        self.assertEqual(len(os.listdir(os.path.join(root, ".Archive", "cur"))), 2)

    def test_idle_sees_new_mail_within_seconds(self):
        raw = socket.create_connection(("127.0.0.1", self.t.imaps_port), timeout=30)
        s = self.t.tls_context().wrap_socket(raw, server_hostname="localhost")
        f = s.makefile("rb")
        self.assertTrue(f.readline().startswith(b"* OK"))

        def cmd(tag, text):
            s.sendall(b"%s %s\r\n" % (tag, text))
            lines = []
            while True:
                line = f.readline()
                lines.append(line)
                if line.startswith(tag + b" "):
                    return lines
        self.assertIn(b"OK", cmd(b"a1", b"LOGIN alice@example.test alice-secret")[-1])
        self.assertIn(b"OK", cmd(b"a2", b"SELECT INBOX")[-1])
        s.sendall(b"a3 IDLE\r\n")
        self.assertTrue(f.readline().startswith(b"+"))
        t0 = time.monotonic()
        deliver(self.t, "during idle")
        line = f.readline()
        self.assertEqual(line.strip(), b"* 3 EXISTS")
        self.assertLess(time.monotonic() - t0, 10)
        s.sendall(b"DONE\r\n")
        rest = []
        while True:
            line = f.readline()
            rest.append(line)
            if line.startswith(b"a3 "):
                break
        self.assertIn(b"OK", rest[-1])
        cmd(b"a4", b"LOGOUT")
        s.close()

    def test_curl_imaps_fetches_a_message(self):
        r = subprocess.run(["curl", "-s", "--insecure", "--max-time", "30", "--user", "alice@example.test:alice-secret",
                            "imaps://127.0.0.1:%d/INBOX;UID=1" % self.t.imaps_port],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Subject: first", r.stdout)


if __name__ == "__main__":
    unittest.main()
