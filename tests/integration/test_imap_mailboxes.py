"""IMAP mailbox listing and quota against the real server: RFC 5258 LIST-EXTENDED (SUBSCRIBED,
RECURSIVEMATCH, SPECIAL-USE, \\NonExistent, CHILDINFO), RFC 5819 LIST-STATUS, and RFC 9208 QUOTA
with `[retrieval] quota` configured: GETQUOTAROOT/GETQUOTA report the usage of the Maildir, and
APPEND or COPY that would go over the limit is refused with [OVERQUOTA] and stores nothing."""

import imaplib
import os
import re
import smtplib
import socket
import ssl
import unittest

from harness import Tern, wait_for

USER = "alice@example.test"
PASSWORD = "alice-secret"
QUOTA = 20000  # bytes: 20 KiB as IMAP reports it (rounded up)


def deliver(t, subject):
    text = ("From: sender@example.org\r\nTo: %s\r\nSubject: %s\r\n\r\nHello %s.\r\n" % (USER, subject, subject))
    with smtplib.SMTP("127.0.0.1", t.smtp_port, timeout=30) as s:
        s.sendmail("sender@example.org", [USER], text)


def maildir_bytes(t):
    """What the quota counts: every message file of every folder, as stored."""
    total = 0
    for dirpath, _, files in os.walk(t.maildir(USER)):
        if os.path.basename(dirpath) in ("new", "cur"):
            total += sum(os.path.getsize(os.path.join(dirpath, f)) for f in files)
    return total


class Raw:
    """A line-level IMAPS client: the response lines in the order the server sent them."""

    def __init__(self, t):
        sock = socket.create_connection(("127.0.0.1", t.imaps_port), timeout=30)
        self.s = t.tls_context().wrap_socket(sock)
        self.buf = b""
        self.n = 0
        self.line()  # greeting
        self.cmd('LOGIN "%s" "%s"' % (USER, PASSWORD))

    def line(self):
        while b"\r\n" not in self.buf:
            data = self.s.recv(65536)
            if not data:
                raise EOFError("connection closed")
            self.buf += data
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode()

    def cmd(self, text):
        self.n += 1
        tag = "t%d" % self.n
        self.s.sendall(("%s %s\r\n" % (tag, text)).encode())
        lines = []
        while True:
            line = self.line()
            if line.startswith(tag + " "):
                return lines, line[len(tag) + 1:]
            lines.append(line)

    def close(self):
        try:
            self.cmd("LOGOUT")
        except (OSError, EOFError):
            pass
        self.s.close()


class ImapMailboxes(unittest.TestCase):
    def setUp(self):
        self.t = Tern(users={USER: PASSWORD}, extra="[retrieval]\nquota = %d\n" % QUOTA)
        self.t.start()
        deliver(self.t, "first")
        self.assertTrue(wait_for(lambda: len(self.t.messages(USER)) == 1, timeout=30))

    def tearDown(self):
        self.t.__exit__(None, None, None)

    def login(self):
        m = imaplib.IMAP4_SSL("127.0.0.1", self.t.imaps_port, ssl_context=self.t.tls_context(), timeout=30)
        m.login(USER, PASSWORD)
        return m

    def test_capabilities(self):
        m = self.login()
        typ, data = m.capability()
        caps = data[0].decode().split()
        for cap in ("LIST-EXTENDED", "LIST-STATUS", "QUOTA", "QUOTA=RES-STORAGE", "SPECIAL-USE", "CHILDREN"):
            self.assertIn(cap, caps)
        self.assertNotIn("QUOTASET", caps)
        m.logout()

    def test_list_extended(self):
        r = Raw(self.t)
        try:
            for command in ("CREATE Projects/tern", "SUBSCRIBE Projects/tern", "CREATE Gone", "SUBSCRIBE Gone",
                            "DELETE Gone"):
                _, status = r.cmd(command)
                self.assertTrue(status.startswith("OK"), (command, status))

            # A subscription outlives its folder: \NonExistent. "Projects" is not subscribed but
            # has a subscribed child that "%" does not reach: CHILDINFO.
            lines, status = r.cmd('LIST (SUBSCRIBED RECURSIVEMATCH) "" "%"')
            self.assertTrue(status.startswith("OK"), status)
            self.assertIn('* LIST (\\HasNoChildren \\NonExistent \\Subscribed) "/" Gone', lines)
            self.assertIn('* LIST (\\HasChildren) "/" Projects ("CHILDINFO" ("SUBSCRIBED"))', lines)
            self.assertIn('* LIST (\\HasNoChildren \\Subscribed) "/" INBOX', lines)
            self.assertFalse(any(" Projects/tern" in l for l in lines), lines)

            # With "*" the child is listed itself, and nothing carries CHILDINFO.
            lines, _ = r.cmd('LIST (SUBSCRIBED RECURSIVEMATCH) "" "*"')
            self.assertIn('* LIST (\\HasNoChildren \\Subscribed) "/" Projects/tern', lines)
            self.assertFalse(any("CHILDINFO" in l for l in lines), lines)
            self.assertFalse(any(l.endswith('"/" Projects') for l in lines), lines)

            # Without SUBSCRIBED, the deleted folder is gone.
            lines, _ = r.cmd('LIST "" "*" RETURN (SUBSCRIBED CHILDREN)')
            self.assertFalse(any(" Gone" in l for l in lines), lines)
            self.assertIn('* LIST (\\HasChildren) "/" Projects', lines)

            # SPECIAL-USE selects the folders created at first login, and only those.
            lines, _ = r.cmd('LIST (SPECIAL-USE) "" "*" RETURN (SPECIAL-USE)')
            uses = sorted(re.search(r"\\(Sent|Drafts|Trash|Junk|Archive)\b", l).group(1) for l in lines)
            self.assertEqual(uses, ["Archive", "Drafts", "Junk", "Sent", "Trash"])

            # Several patterns in one command.
            lines, _ = r.cmd('LIST "" (INBOX "Proj%") RETURN (CHILDREN)')
            self.assertEqual(lines, ['* LIST (\\HasNoChildren) "/" INBOX', '* LIST (\\HasChildren) "/" Projects'])
        finally:
            r.close()

    def test_list_status(self):
        r = Raw(self.t)
        try:
            r.cmd("CREATE Half/Way")
            r.cmd("DELETE Half")  # keeps its child: "Half" is now only a level of the hierarchy
            lines, status = r.cmd('LIST "" "*" RETURN (STATUS (MESSAGES UNSEEN UIDNEXT))')
            self.assertTrue(status.startswith("OK"), status)
            i = lines.index('* LIST (\\HasNoChildren) "/" INBOX')
            self.assertEqual(lines[i + 1], "* STATUS INBOX (MESSAGES 1 UNSEEN 1 UIDNEXT 2)")
            # Every selectable mailbox gets its STATUS right after its LIST line; the level
            # without a folder gets none.
            half = [l for l in lines if l.endswith('"/" Half')]
            self.assertEqual(half, ['* LIST (\\HasChildren \\NonExistent) "/" Half'])
            for k, l in enumerate(lines):
                if l.startswith("* LIST") and not l.endswith('"/" Half'):
                    name = l.rsplit('"/" ', 1)[1]
                    self.assertEqual(lines[k + 1], "* STATUS %s (MESSAGES 0 UNSEEN 0 UIDNEXT 1)" % name
                                     if name != "INBOX" else "* STATUS INBOX (MESSAGES 1 UNSEEN 1 UIDNEXT 2)")
                if l.startswith("* STATUS"):
                    self.assertTrue(lines[k - 1].startswith("* LIST"), lines)
            self.assertIn('* STATUS Half/Way (MESSAGES 0 UNSEEN 0 UIDNEXT 1)', lines)
        finally:
            r.close()

    def quota_line(self, m):
        typ, data = m.getquotaroot("INBOX")
        self.assertEqual(typ, "OK")
        roots, quotas = data
        self.assertEqual(roots, [b'INBOX ""'])
        match = re.fullmatch(rb'"" \(STORAGE (\d+) (\d+)\)', quotas[0])
        self.assertIsNotNone(match, quotas)
        return int(match.group(1)), int(match.group(2))

    def test_quota_and_overquota(self):
        m = self.login()
        used, limit = self.quota_line(m)
        self.assertEqual(limit, (QUOTA + 1023) // 1024)
        self.assertEqual(used, (maildir_bytes(self.t) + 1023) // 1024)
        typ, data = m.getquota('""')
        self.assertEqual((typ, data), ("OK", [b'"" (STORAGE %d %d)' % (used, limit)]))
        typ, data = m.setquota('""', "(STORAGE 100)")
        self.assertEqual(typ, "NO")

        body = "x" * 70 + "\r\n"
        message = ("Subject: big\r\n\r\n" + body * 160).encode()  # ~11.5 KB
        typ, data = m.append("Sent", None, None, message)
        self.assertEqual(typ, "OK", data)
        before = maildir_bytes(self.t)
        self.assertEqual(self.quota_line(m)[0], (before + 1023) // 1024)

        # A second one would pass the limit: refused, nothing stored.
        typ, data = m.append("Sent", None, None, message)
        self.assertEqual(typ, "NO")
        self.assertIn(b"[OVERQUOTA]", data[0])
        self.assertEqual(maildir_bytes(self.t), before)
        typ, data = m.status("Sent", "(MESSAGES)")
        self.assertEqual(data, [b"Sent (MESSAGES 1)"])

        # COPY adds the copies' size: refused too. MOVE changes nothing in the one quota root,
        # so a full mailbox can still be cleaned up.
        m.select("Sent")
        typ, data = m.copy("1", "Archive")
        self.assertEqual(typ, "NO")
        self.assertIn(b"[OVERQUOTA]", data[0])
        typ, data = m._simple_command("MOVE", "1", "Trash")
        self.assertEqual(typ, "OK", data)
        typ, data = m.status("Trash", "(MESSAGES)")
        self.assertEqual(data, [b"Trash (MESSAGES 1)"])
        self.assertEqual(maildir_bytes(self.t), before)

        # Small enough to fit: accepted.
        typ, data = m.append("Drafts", None, None, b"Subject: small\r\n\r\nok\r\n")
        self.assertEqual(typ, "OK", data)
        m.logout()


class ImapWithoutQuota(unittest.TestCase):
    def test_no_quota_root(self):
        with Tern(users={USER: PASSWORD}) as t:
            t.start()
            m = imaplib.IMAP4_SSL("127.0.0.1", t.imaps_port, ssl_context=t.tls_context(), timeout=30)
            m.login(USER, PASSWORD)
            # No limit configured: the mailbox has no quota root (RFC 9208 4.1.2).
            typ, data = m.getquotaroot("INBOX")
            self.assertEqual(typ, "OK")
            self.assertEqual(data, [[b"INBOX"], [None]])
            typ, _ = m.getquota('""')
            self.assertEqual(typ, "NO")
            message = ("Subject: big\r\n\r\n" + "y" * 50000 + "\r\n").encode()
            typ, data = m.append("INBOX", None, None, message)
            self.assertEqual(typ, "OK", data)
            m.logout()


if __name__ == "__main__":
    unittest.main()
