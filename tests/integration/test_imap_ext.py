"""IMAP extensions against the real server with Python's imaplib: BINARY (RFC 3516), SEARCHRES
(RFC 5182, "$"), SORT / SORT=DISPLAY / ESORT (RFC 5256, 5957, 5267) and THREAD (RFC 5256).
Messages are put in place with APPEND, so their order and headers are exactly what the tests
expect."""

import imaplib
import unittest

from harness import Tern

USERS = {"alice@example.test": "alice-secret"}

BINARY = (b"From: a@example.org\r\nSubject: binary\r\nMIME-Version: 1.0\r\n"
          b"Content-Type: multipart/mixed; boundary=b1\r\n\r\n"
          b"--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
          b"caf=C3=A9\r\n"
          b"--b1\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
          b"AAECAwQ=\r\n"
          b"--b1\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\n"
          b"begin 644 x\r\n--b1--\r\n")

# 1 starts a thread, 2 replies to it, 3 is on its own; Date order 1, 3, 2.
THREADED = [
    b"From: Zed <zed@example.org>\r\nSubject: beta\r\nDate: Mon, 13 Nov 2023 10:00:00 +0000\r\n"
    b"Message-ID: <a@example.org>\r\n\r\nA\r\n",
    b"From: amy@example.org\r\nSubject: Re: beta\r\nDate: Wed, 15 Nov 2023 10:00:00 +0000\r\n"
    b"Message-ID: <b@example.org>\r\nIn-Reply-To: <a@example.org>\r\n\r\nB\r\n",
    b"From: Bob <bob@example.org>\r\nSubject: alpha\r\nDate: Tue, 14 Nov 2023 10:00:00 +0000\r\n"
    b"Message-ID: <c@example.org>\r\n\r\nC\r\n",
]


class ImapExtensions(unittest.TestCase):
    def setUp(self):
        self.t = Tern(users=USERS)
        self.t.start()
        self.m = None

    def tearDown(self):
        if self.m is not None:
            try:
                self.m.logout()
            except (imaplib.IMAP4.error, OSError):
                pass
        self.t.__exit__(None, None, None)

    def login(self, messages):
        m = imaplib.IMAP4_SSL("127.0.0.1", self.t.imaps_port, ssl_context=self.t.tls_context(), timeout=30)
        self.m = m
        m.login("alice@example.test", USERS["alice@example.test"])
        for raw in messages:
            typ, _ = m.append("INBOX", None, None, raw)
            self.assertEqual(typ, "OK")
        typ, data = m.select("INBOX")
        self.assertEqual((typ, data[0]), ("OK", str(len(messages)).encode()))
        return m

    def test_capabilities(self):
        m = self.login([])
        typ, data = m.capability()
        self.assertEqual(typ, "OK")
        caps = data[0].decode().split()
        for cap in ("BINARY", "SEARCHRES", "SORT", "SORT=DISPLAY", "ESORT", "THREAD=REFERENCES",
                    "THREAD=ORDEREDSUBJECT", "IMAP4rev2"):
            self.assertIn(cap, caps)

    def test_binary_fetch(self):
        m = self.login([BINARY])
        typ, data = m.fetch("1", "(BINARY.PEEK[2] BINARY.SIZE[2])")
        self.assertEqual(typ, "OK")
        # Decoded base64 with NUL: sent as literal8 ("~{5}"), which imaplib reads as a literal.
        self.assertEqual(data[0][0], b"1 (BINARY[2] ~{5}")
        self.assertEqual(data[0][1], b"\x00\x01\x02\x03\x04")
        self.assertEqual(data[1], b" BINARY.SIZE[2] 5)")
        typ, data = m.fetch("1", "(BINARY.PEEK[1] FLAGS)")
        self.assertEqual(data[0][1], "café".encode())
        self.assertNotIn(b"\\Seen", data[1])
        typ, data = m.fetch("1", "(BINARY[1]<1.2>)")
        self.assertEqual(data[0][0], b"1 (BINARY[1]<1> {2}")
        self.assertEqual(data[0][1], b"af")
        self.assertIn(b"\\Seen", data[1])  # BINARY, not PEEK, sets \Seen
        typ, data = m.fetch("1", "(BINARY[3])")
        self.assertEqual(typ, "NO")
        self.assertIn(b"[UNKNOWN-CTE]", data[0])

    def test_searchres_dollar(self):
        m = self.login(THREADED)
        typ, data = m.search(None, "RETURN", "(SAVE)", "SUBJECT", "beta")
        self.assertEqual((typ, data), ("OK", [None]))  # SAVE alone: no search response
        typ, data = m.fetch("$", "(UID)")
        self.assertEqual(typ, "OK")
        self.assertEqual(sorted(data), [b"1 (UID 1)", b"2 (UID 2)"])
        typ, _ = m.store("$", "+FLAGS.SILENT", "(\\Flagged)")
        self.assertEqual(typ, "OK")
        typ, data = m.uid("SEARCH", "FLAGGED")
        self.assertEqual(data, [b"1 2"])
        typ, data = m.copy("$", "Archive")
        self.assertEqual(typ, "OK")
        # "$" follows expunges: after message 1 goes, it names only the former message 2.
        m.store("1", "+FLAGS.SILENT", "(\\Deleted)")
        m.expunge()
        typ, data = m.fetch("$", "(UID)")
        self.assertEqual(data, [b"1 (UID 2)"])
        # SELECT empties it.
        m.select("INBOX")
        typ, data = m.search(None, "$")
        self.assertEqual(data, [b""])
        typ, data = m.status("Archive", "(MESSAGES)")
        self.assertIn(b"MESSAGES 2", data[0])

    def test_sort_esort_thread(self):
        m = self.login(THREADED)
        self.assertEqual(m.sort("(DATE)", "UTF-8", "ALL"), ("OK", [b"1 3 2"]))
        self.assertEqual(m.sort("(REVERSE DATE)", "UTF-8", "ALL"), ("OK", [b"2 3 1"]))
        self.assertEqual(m.sort("(SUBJECT)", "UTF-8", "ALL"), ("OK", [b"3 1 2"]))
        self.assertEqual(m.sort("(DISPLAYFROM)", "US-ASCII", "ALL"), ("OK", [b"2 3 1"]))
        self.assertEqual(m.uid("SORT", "(FROM)", "UTF-8", "SUBJECT", "beta"), ("OK", [b"2 1"]))
        typ, data = m.sort("(DATE)", "KOI8-R", "ALL")
        self.assertEqual(typ, "NO")
        self.assertIn(b"BADCHARSET", data[0])

        typ, _ = m.xatom("SORT", "RETURN", "(MIN MAX COUNT ALL)", "(DATE)", "UTF-8", "ALL")
        self.assertEqual(typ, "OK")
        typ, data = m.response("ESEARCH")
        self.assertEqual(len(data), 1)
        self.assertRegex(data[0], rb'^\(TAG "[^"]+"\) MIN 1 MAX 2 COUNT 3 ALL 1,3,2$')

        self.assertEqual(m.thread("REFERENCES", "UTF-8", "ALL"), ("OK", [b"(1 2)(3)"]))
        self.assertEqual(m.thread("ORDEREDSUBJECT", "UTF-8", "ALL"), ("OK", [b"(1 2)(3)"]))
        self.assertEqual(m.uid("THREAD", "REFERENCES", "UTF-8", "NOT", "SUBJECT", "alpha"), ("OK", [b"(1 2)"]))


if __name__ == "__main__":
    unittest.main()
