"""IMAP COMPRESS=DEFLATE (RFC 4978) against the real server: a raw TLS socket (Python's ssl)
speaking raw DEFLATE with Python's zlib (wbits -15), as a client would. The server's tagged OK
comes uncompressed and everything after it compressed; the client compresses from the first
command after COMPRESS (here pipelined in the same write, so the server must inflate what it
had buffered). Then LIST, SELECT and FETCH of delivered messages, COMPRESSIONACTIVE, corrupt
compressed input, and a large FETCH that compresses well. A real client too: isync's mbsync
(when installed) asks for COMPRESS DEFLATE on its own and syncs INBOX over it."""

import glob
import os
import re
import shutil
import smtplib
import socket
import subprocess
import tempfile
import unittest
import zlib

from harness import Tern, wait_for

USER, PASSWORD = "alice@example.test", "alice-secret"
SMALL = ("From: sender@example.org\r\nTo: alice@example.test\r\nSubject: small one\r\n\r\n"
         "Hello over deflate.\r\n")
# Compressible: the same line many times (about 300 kB).
BIG = ("From: sender@example.org\r\nTo: alice@example.test\r\nSubject: big one\r\n\r\n"
       + "".join("line %05d of a long and very repetitive message body\r\n" % i for i in range(5000)))


def deliver(t, text):
    with smtplib.SMTP("127.0.0.1", t.smtp_port, timeout=30) as s:
        s.sendmail("sender@example.org", [USER], text)


class Client:
    """IMAP over TLS with optional DEFLATE on each direction. Reads whole responses, literals
    included; counts the octets received on the wire after compression started."""

    def __init__(self, tern):
        raw = socket.create_connection(("127.0.0.1", tern.imaps_port), timeout=30)
        self.sock = tern.tls_context().wrap_socket(raw, server_hostname="localhost")
        self.raw = b""        # received, not yet used (compressed once inflating)
        self.plain = b""      # received and inflated, not yet used
        self.inflate = None
        self.deflate = None
        self.wire_in = 0

    def close(self):
        self.sock.close()

    def start_compression(self):
        """Called after the tagged OK of COMPRESS: what follows it is compressed."""
        self.deflate = zlib.compressobj(6, zlib.DEFLATED, -15)
        self.inflate = zlib.decompressobj(-15)
        self.wire_in = len(self.raw)
        self.plain += self.inflate.decompress(self.raw)
        self.raw = b""

    def compress(self, data):
        return self.deflate.compress(data) + self.deflate.flush(zlib.Z_SYNC_FLUSH)

    def send(self, data):
        self.sock.sendall(self.compress(data) if self.deflate else data)

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError("connection closed")
        if self.inflate:
            self.wire_in += len(data)
            self.plain += self.inflate.decompress(data)
        else:
            self.plain += data

    def _take(self, n):
        while len(self.plain) < n:
            self._fill()
        out, self.plain = self.plain[:n], self.plain[n:]
        return out

    def line(self):
        while b"\r\n" not in self.plain:
            self._fill()
        i = self.plain.index(b"\r\n")
        out, self.plain = self.plain[:i], self.plain[i + 2:]
        return out

    def response(self):
        """One response: a line plus its literals, as (text with {n} markers, [literals])."""
        text, literals = b"", []
        while True:
            line = self.line()
            text += line
            m = re.search(rb"\{(\d+)\}$", line)
            if not m:
                return text, literals
            literals.append(self._take(int(m.group(1))))

    def command_result(self, tag):
        """The responses up to the tagged one: (untagged [(text, literals)], tagged text)."""
        untagged = []
        while True:
            text, literals = self.response()
            if text.startswith(tag + b" "):
                # A plaintext OK of COMPRESS must not carry anything compressed with it.
                return untagged, text
            untagged.append((text, literals))

    def run(self, tag, command):
        self.send(tag + b" " + command + b"\r\n")
        return self.command_result(tag)


class ImapCompress(unittest.TestCase):
    def setUp(self):
        self.t = Tern(users={USER: PASSWORD})
        self.t.start()
        deliver(self.t, SMALL)
        deliver(self.t, BIG)
        self.assertTrue(wait_for(lambda: len(self.t.messages(USER)) == 2, timeout=30))

    def tearDown(self):
        self.t.__exit__(None, None, None)

    def logged_in(self):
        c = Client(self.t)
        self.addCleanup(c.close)
        greeting = c.line()
        self.assertTrue(greeting.startswith(b"* OK"), greeting)
        self.assertNotIn(b"COMPRESS=", greeting)
        _, ok = c.run(b"l", b'LOGIN "%s" "%s"' % (USER.encode(), PASSWORD.encode()))
        self.assertTrue(ok.startswith(b"l OK"), ok)
        self.assertIn(b"COMPRESS=DEFLATE", ok)
        return c

    def compressed(self):
        c = self.logged_in()
        c.send(b"z COMPRESS DEFLATE\r\n")
        _, ok = c.command_result(b"z")
        self.assertEqual(ok, b"z OK DEFLATE active")
        c.start_compression()
        return c

    def test_list_select_fetch_compressed(self):
        c = self.logged_in()
        # RFC 4978 3: the client compresses from the first command after COMPRESS. Sent in the
        # same write as the COMPRESS line, it arrives in the server's buffer with it.
        c.sock.sendall(b"z COMPRESS DEFLATE\r\n")
        c.deflate = zlib.compressobj(6, zlib.DEFLATED, -15)
        c.sock.sendall(c.compress(b'a LIST "" "*"\r\n'))
        _, ok = c.command_result(b"z")
        self.assertEqual(ok, b"z OK DEFLATE active")
        c.start_compression()
        untagged, ok = c.command_result(b"a")
        self.assertTrue(ok.startswith(b"a OK"), ok)
        names = b"\n".join(t for t, _ in untagged)
        self.assertIn(b"INBOX", names)
        self.assertIn(b"Sent", names)

        untagged, ok = c.run(b"b", b"SELECT INBOX")
        self.assertTrue(ok.startswith(b"b OK [READ-WRITE]"), ok)
        self.assertIn(b"* 2 EXISTS", [t for t, _ in untagged])

        untagged, ok = c.run(b"c", b"FETCH 1:2 (FLAGS BODY[])")
        self.assertEqual(ok, b"c OK FETCH completed")
        bodies = [lits[0] for t, lits in untagged if b" FETCH " in t]
        self.assertEqual(len(bodies), 2)
        # The two messages are delivered concurrently, so their order in INBOX is not fixed.
        bodies.sort(key=len)
        self.assertIn(b"Hello over deflate.\r\n", bodies[0])
        self.assertTrue(bodies[0].endswith(SMALL.split("\r\n\r\n", 1)[1].encode()))
        self.assertTrue(bodies[1].endswith(BIG.split("\r\n\r\n", 1)[1].encode()))
        self.assertIn(b"\\Seen", untagged[0][0])
        # The big message went over the wire in a fraction of its size.
        self.assertLess(c.wire_in, len(BIG) // 5)

        _, ok = c.run(b"d", b"COMPRESS DEFLATE")
        self.assertEqual(ok, b"d NO [COMPRESSIONACTIVE] DEFLATE is already active")
        untagged, ok = c.run(b"e", b"LOGOUT")
        self.assertEqual(ok, b"e OK LOGOUT completed")
        self.assertTrue(untagged[0][0].startswith(b"* BYE"))

    def test_unknown_mechanism_keeps_the_connection_plain(self):
        c = self.logged_in()
        _, bad = c.run(b"a", b"COMPRESS LZW")
        self.assertEqual(bad, b"a BAD Unknown compression mechanism")
        _, ok = c.run(b"b", b"NOOP")  # still plaintext
        self.assertEqual(ok, b"b OK NOOP completed")

    def test_corrupt_compressed_input_ends_the_connection(self):
        c = self.compressed()
        _, ok = c.run(b"a", b"NOOP")
        self.assertEqual(ok, b"a OK NOOP completed")
        c.sock.sendall(b"\xff\xff\xff\xff not deflate at all\r\n")
        with self.assertRaises((EOFError, ConnectionError)):
            while True:
                c._fill()
        self.assertTrue(wait_for(lambda: "corrupt compressed input" in self.t.log_text(), timeout=10))
        # The server carries on.
        other = self.compressed()
        _, ok = other.run(b"a", b"NOOP")
        self.assertEqual(ok, b"a OK NOOP completed")

    def test_many_pipelined_commands_in_one_compressed_burst(self):
        # A small compressed input that inflates to many commands: all are answered, in order.
        c = self.compressed()
        c.send(b"".join(b"n%d NOOP\r\n" % i for i in range(3000)))
        for i in range(3000):
            text, _ = c.response()
            self.assertEqual(text, b"n%d OK NOOP completed" % i)

    @unittest.skipUnless(shutil.which("mbsync"), "isync (mbsync) is not installed")
    def test_mbsync_syncs_over_deflate(self):
        d = tempfile.mkdtemp(prefix="tern-mbsync-")
        self.addCleanup(shutil.rmtree, d, True)
        os.makedirs(os.path.join(d, "mail"))
        cfg = os.path.join(d, "mbsyncrc")
        with open(cfg, "w") as f:
            f.write("IMAPAccount t\nHost 127.0.0.1\nPort %d\nUser %s\nPass %s\nSSLType IMAPS\n"
                    "SystemCertificates no\nCertificateFile %s\n\n"
                    "IMAPStore remote\nAccount t\n\n"
                    "MaildirStore local\nPath %s/mail/\nInbox %s/mail/INBOX\n\n"
                    "Channel c\nFar :remote:\nNear :local:\nPatterns INBOX\nCreate Near\nSyncState *\n"
                    % (self.t.imaps_port, USER, PASSWORD, os.path.join(self.t.data, "tls", "selfsigned.crt"),
                       d, d))
        r = subprocess.run(["mbsync", "-D", "-c", cfg, "c"], capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stdout[-3000:] + r.stderr[-3000:])
        self.assertIn("COMPRESS DEFLATE", r.stdout + r.stderr)
        self.assertIn("COMPRESS=DEFLATE", self.t.log_text())
        files = sorted(glob.glob(os.path.join(d, "mail", "INBOX", "*", "*")))
        self.assertEqual(len(files), 2)
        bodies = set()
        for path in files:
            with open(path, "rb") as f:
                bodies.add(f.read().replace(b"\r\n", b"\n").split(b"\n\n", 1)[1])
        self.assertEqual(bodies, {m.split("\r\n\r\n", 1)[1].replace("\r\n", "\n").encode() for m in (SMALL, BIG)})


if __name__ == "__main__":
    unittest.main()
