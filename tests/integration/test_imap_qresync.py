"""IMAP QRESYNC (RFC 7162 3.2) against the real server: a raw TLS session that enabled QRESYNC
sees another session's expunge as VANISHED; a reconnect with SELECT (QRESYNC (...)) gets
VANISHED (EARLIER) and the flags changed meanwhile, also after a server restart (the expunge
history lives in the mailbox index); UID FETCH (CHANGEDSINCE m VANISHED). The other session is
Python's imaplib. Messages arrive by APPEND."""

import imaplib
import re
import socket
import unittest

from harness import Tern

USER = "alice@example.test"
PASSWORD = "alice-secret"


class RawImap:
    """One IMAPS connection speaking raw protocol lines."""

    def __init__(self, t):
        raw = socket.create_connection(("127.0.0.1", t.imaps_port), timeout=30)
        self.sock = t.tls_context().wrap_socket(raw, server_hostname="localhost")
        self.file = self.sock.makefile("rb")
        self.tags = 0
        greeting = self.file.readline()
        if not greeting.startswith(b"* OK"):
            raise AssertionError("greeting: %r" % greeting)

    def cmd(self, text):
        """Sends a command; returns its untagged lines and the tagged line (CRLF stripped)."""
        self.tags += 1
        tag = "q%d" % self.tags
        self.sock.sendall(("%s %s\r\n" % (tag, text)).encode())
        lines = []
        while True:
            line = self.file.readline()
            if not line:
                raise AssertionError("connection closed after %r: %r" % (text, lines))
            line = line.decode().rstrip("\r\n")
            if line.startswith(tag + " "):
                return lines, line[len(tag) + 1:]
            lines.append(line)

    def ok(self, text):
        lines, status = self.cmd(text)
        if not status.startswith("OK"):
            raise AssertionError("%s -> %s (%r)" % (text, status, lines))
        return lines

    def close(self):
        try:
            self.cmd("LOGOUT")
        finally:
            self.sock.close()


def code_value(lines, code):
    for line in lines:
        m = re.match(r"\* OK \[%s (\d+)\]" % code, line)
        if m:
            return int(m.group(1))
    raise AssertionError("no %s in %r" % (code, lines))


class ImapQresync(unittest.TestCase):
    def setUp(self):
        self.t = Tern(users={USER: PASSWORD})
        self.t.start()
        other = self.other()
        for n in (1, 2, 3):
            typ, _ = other.append("INBOX", None, None,
                                  ("From: a@example.org\r\nSubject: m%d\r\n\r\nbody %d\r\n" % (n, n)).encode())
            self.assertEqual(typ, "OK")
        other.logout()

    def tearDown(self):
        self.t.__exit__(None, None, None)

    def other(self):
        m = imaplib.IMAP4_SSL("127.0.0.1", self.t.imaps_port, ssl_context=self.t.tls_context(), timeout=30)
        m.login(USER, PASSWORD)
        return m

    def qresync_session(self):
        s = RawImap(self.t)
        s.ok("LOGIN %s %s" % (USER, PASSWORD))
        self.assertIn("* ENABLED QRESYNC", s.ok("ENABLE QRESYNC"))
        return s

    def expunge_2_flag_3(self):
        """Another session expunges UID 2 and flags UID 3."""
        o = self.other()
        o.select("INBOX")
        self.assertEqual(o.uid("STORE", "2", "+FLAGS", "(\\Deleted)")[0], "OK")
        self.assertEqual(o.expunge()[0], "OK")
        self.assertEqual(o.uid("STORE", "3", "+FLAGS", "(\\Flagged)")[0], "OK")
        o.logout()

    def test_capability_and_vanished_instead_of_expunge(self):
        s = self.qresync_session()
        caps = s.ok("CAPABILITY")
        self.assertIn("QRESYNC", caps[0].split())
        self.assertIn("* 3 EXISTS", s.ok("SELECT INBOX"))
        self.expunge_2_flag_3()
        lines = s.ok("NOOP")
        self.assertIn("* VANISHED 2", lines)
        self.assertFalse([l for l in lines if l.endswith("EXPUNGE")], lines)
        # UID and MODSEQ ride on the flag change (RFC 7162 3.2.4), at its new sequence number.
        self.assertTrue([l for l in lines if re.fullmatch(r"\* 2 FETCH \(UID 3 FLAGS \(\\Flagged\) MODSEQ \(\d+\)\)", l)],
                        lines)
        # Our own expunge is a VANISHED too.
        s.ok("UID STORE 1 +FLAGS.SILENT (\\Deleted)")
        self.assertEqual(s.ok("EXPUNGE"), ["* VANISHED 1"])
        s.close()

    def test_reconnect_resyncs_with_vanished_earlier(self):
        s = self.qresync_session()
        lines = s.ok("SELECT INBOX")
        uidvalidity, modseq = code_value(lines, "UIDVALIDITY"), code_value(lines, "HIGHESTMODSEQ")
        s.close()
        self.expunge_2_flag_3()
        # Also after a restart: the expunge history is read back from the index.
        for restart in (False, True):
            if restart:
                self.t.stop()
                self.t.start()
            s = self.qresync_session()
            lines = s.ok("SELECT INBOX (QRESYNC (%d %d 1:3))" % (uidvalidity, modseq))
            self.assertIn("* 2 EXISTS", lines)
            self.assertIn("* VANISHED (EARLIER) 2", lines)
            fetches = [l for l in lines if " FETCH " in l]
            self.assertEqual(len(fetches), 1, lines)
            m = re.fullmatch(r"\* 2 FETCH \(UID 3 FLAGS \(\\Flagged\) MODSEQ \((\d+)\)\)", fetches[0])
            self.assertTrue(m, fetches)
            self.assertGreater(int(m.group(1)), modseq)
            # VANISHED (EARLIER) and the FETCH come after the usual SELECT responses.
            self.assertLess(lines.index("* OK [HIGHESTMODSEQ %d] Highest" % code_value(lines, "HIGHESTMODSEQ")),
                            lines.index("* VANISHED (EARLIER) 2"))
            # Up to date: nothing to resync; another UIDVALIDITY: a plain SELECT.
            now = code_value(lines, "HIGHESTMODSEQ")
            lines = s.ok("SELECT INBOX (QRESYNC (%d %d 1:3))" % (uidvalidity, now))
            self.assertEqual(lines[0], "* OK [CLOSED] Previous mailbox closed")
            self.assertFalse([l for l in lines if "VANISHED" in l or " FETCH " in l], lines)
            lines = s.ok("EXAMINE INBOX (QRESYNC (%d %d 1:3))" % (uidvalidity + 1, modseq))
            self.assertFalse([l for l in lines if "VANISHED" in l or " FETCH " in l], lines)
            s.close()

    def test_uid_fetch_vanished(self):
        s = self.qresync_session()
        modseq = code_value(s.ok("SELECT INBOX"), "HIGHESTMODSEQ")
        self.expunge_2_flag_3()
        s.ok("NOOP")  # hear about it first: UIDs still listed are never VANISHED (EARLIER)
        lines = s.ok("UID FETCH 1:* (FLAGS) (CHANGEDSINCE %d VANISHED)" % modseq)
        self.assertEqual(lines[0], "* VANISHED (EARLIER) 2")
        self.assertEqual(len(lines), 2, lines)
        self.assertRegex(lines[1], r"^\* 2 FETCH \(UID 3 FLAGS \(\\Flagged\) MODSEQ \(\d+\)\)$")
        lines = s.ok("UID FETCH 3 (FLAGS) (CHANGEDSINCE %d VANISHED)" % modseq)
        self.assertEqual(len(lines), 1, lines)
        self.assertTrue(lines[0].startswith("* 2 FETCH (UID 3 "), lines)
        _, status = s.cmd("FETCH 1 (FLAGS) (CHANGEDSINCE 1 VANISHED)")
        self.assertTrue(status.startswith("BAD"), status)
        s.close()


if __name__ == "__main__":
    unittest.main()
