"""Limits and hostile input over a real socket: every one gets a clear protocol error and the
server keeps serving."""

import socket
import smtplib
import unittest

from harness import Tern, wait_for


class Conn:
    """A raw SMTP client that reads whole replies (multi-line aware)."""

    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.f = self.s.makefile("rb")

    def reply(self):
        lines = []
        while True:
            line = self.f.readline()
            if not line:
                raise ConnectionError("closed")
            lines.append(line)
            if len(line) < 4 or line[3:4] != b"-":
                return int(line[:3]), b"".join(lines)

    def cmd(self, data):
        self.s.sendall(data)
        return self.reply()

    def close(self):
        # The file object holds the socket open too: close both, or the peer never sees EOF.
        self.f.close()
        self.s.close()


class Limits(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.t = Tern(users={"alice@example.test": "pw"},
                     limits={"message_size": 10000, "recipients": 3, "errors": 5})
        cls.t.start()

    @classmethod
    def tearDownClass(cls):
        cls.t.__exit__(None, None, None)

    def session(self):
        c = Conn(self.t.smtp_port)
        self.assertEqual(c.reply()[0], 220)
        self.assertEqual(c.cmd(b"EHLO client.test\r\n")[0], 250)
        return c

    def test_size_declared_too_big(self):
        c = self.session()
        code, text = c.cmd(b"MAIL FROM:<a@remote.test> SIZE=20000\r\n")
        self.assertEqual(code, 552)
        self.assertIn(b"5.3.4", text)
        c.close()

    def test_size_exceeded_while_reading(self):
        c = self.session()
        self.assertEqual(c.cmd(b"MAIL FROM:<a@remote.test>\r\n")[0], 250)
        self.assertEqual(c.cmd(b"RCPT TO:<alice@example.test>\r\n")[0], 250)
        self.assertEqual(c.cmd(b"DATA\r\n")[0], 354)
        code, text = c.cmd(b"Subject: big\r\n\r\n" + (b"x" * 70 + b"\r\n") * 200 + b".\r\n")
        self.assertEqual(code, 552)
        # The session is still usable afterwards.
        self.assertEqual(c.cmd(b"NOOP\r\n")[0], 250)
        c.close()

    def test_too_many_recipients(self):
        c = self.session()
        c.cmd(b"MAIL FROM:<a@remote.test>\r\n")
        for _ in range(3):
            self.assertEqual(c.cmd(b"RCPT TO:<alice@example.test>\r\n")[0], 250)
        code, text = c.cmd(b"RCPT TO:<alice@example.test>\r\n")
        self.assertEqual(code, 452)
        self.assertIn(b"4.5.3", text)
        c.close()

    def test_long_command_line_is_not_split(self):
        c = self.session()
        # 600 bytes of junk ending in what would be a valid command if the line were split.
        line = b"NOOP " + b"A" * 590 + b"QUIT\r\n"
        code, text = c.cmd(line)
        self.assertEqual(code, 500)
        self.assertIn(b"5.5.2", text)
        self.assertEqual(c.cmd(b"NOOP\r\n")[0], 250)  # not closed: QUIT was not executed
        c.close()

    def test_bare_lf_does_not_end_data_and_is_rejected(self):
        c = self.session()
        c.cmd(b"MAIL FROM:<a@remote.test>\r\n")
        c.cmd(b"RCPT TO:<alice@example.test>\r\n")
        self.assertEqual(c.cmd(b"DATA\r\n")[0], 354)
        # A smuggling attempt: "\n.\n" followed by a second transaction.
        c.s.sendall(b"Subject: smuggle\r\n\r\nhello\n.\nMAIL FROM:<evil@remote.test>\r\n"
                    b"RCPT TO:<alice@example.test>\r\nDATA\r\nSubject: smuggled\r\n\r\nx\r\n.\r\n")
        code, text = c.reply()
        self.assertEqual(code, 550)
        self.assertIn(b"5.6.0", text)
        self.assertEqual(c.cmd(b"QUIT\r\n")[0], 221)
        c.close()
        self.assertFalse(any(b"smuggled" in m for m in self.t.messages("alice@example.test")))

    def test_long_text_line(self):
        c = self.session()
        c.cmd(b"MAIL FROM:<a@remote.test>\r\n")
        c.cmd(b"RCPT TO:<alice@example.test>\r\n")
        c.cmd(b"DATA\r\n")
        code, _ = c.cmd(b"Subject: long\r\n\r\n" + b"y" * 1200 + b"\r\n.\r\n")
        self.assertGreaterEqual(code, 500)
        c.close()

    def test_too_many_errors_disconnects(self):
        c = self.session()
        codes = [c.cmd(b"BOGUS\r\n")[0] for _ in range(4)]
        self.assertTrue(all(x == 500 for x in codes))
        code, text = c.cmd(b"BOGUS\r\n")
        # The fifth error is answered, then 421 and the connection closes.
        if code == 500:
            code, text = c.reply()
        self.assertEqual(code, 421)
        self.assertEqual(c.f.read(), b"")
        c.close()

    def test_data_without_recipients(self):
        c = self.session()
        c.cmd(b"MAIL FROM:<a@remote.test>\r\n")
        code, _ = c.cmd(b"DATA\r\n")
        self.assertIn(code, (503, 554))
        c.close()

    def test_vrfy_does_not_reveal(self):
        c = self.session()
        self.assertEqual(c.cmd(b"VRFY alice\r\n")[0], 252)
        self.assertEqual(c.cmd(b"VRFY nobody\r\n")[0], 252)
        c.close()

    def test_binary_garbage_and_nul(self):
        c = self.session()
        code, _ = c.cmd(b"\x00\xff\xfe garbage\r\n")
        self.assertEqual(code // 100, 5)
        self.assertEqual(c.cmd(b"NOOP\r\n")[0], 250)
        c.close()

    def test_pipelined_transaction(self):
        c = self.session()
        c.s.sendall(b"MAIL FROM:<a@remote.test>\r\nRCPT TO:<alice@example.test>\r\n"
                    b"RCPT TO:<nobody@example.test>\r\nDATA\r\n")
        self.assertEqual(c.reply()[0], 250)
        self.assertEqual(c.reply()[0], 250)
        self.assertEqual(c.reply()[0], 550)
        self.assertEqual(c.reply()[0], 354)
        code, text = c.cmd(b"Subject: pipelined\r\n\r\nbody\r\n.\r\n")
        self.assertEqual(code, 250)
        self.assertIn(b"2.0.0", text)
        c.close()
        self.assertTrue(wait_for(lambda: [m for m in self.t.messages("alice@example.test")
                                          if b"Subject: pipelined" in m]))

    def test_connection_survives_abrupt_close(self):
        c = self.session()
        c.cmd(b"MAIL FROM:<a@remote.test>\r\n")
        c.cmd(b"RCPT TO:<alice@example.test>\r\n")
        c.cmd(b"DATA\r\n")
        c.s.sendall(b"Subject: half\r\n\r\nhalf a mess")
        c.close()
        # The server carries on.
        with smtplib.SMTP("127.0.0.1", self.t.smtp_port, timeout=30) as s:
            self.assertEqual(s.noop()[0], 250)


class Timeouts(unittest.TestCase):
    def test_idle_client_is_timed_out(self):
        with Tern(limits={"timeout_command": 1}) as t:
            t.start()
            c = Conn(t.smtp_port)
            self.assertEqual(c.reply()[0], 220)
            code, text = c.reply()  # nothing sent: the server gives up
            self.assertEqual(code, 421)
            self.assertIn(b"4.4.2", text)
            c.close()


class ConnectionLimits(unittest.TestCase):
    def test_per_ip_limit(self):
        with Tern(limits={"connections_per_ip": 2}) as t:
            t.start()
            # The harness's own probe connection must be gone before we count.
            self.assertTrue(wait_for(lambda: "disconnect" in t.log_text()))
            a, b = Conn(t.smtp_port), Conn(t.smtp_port)
            self.assertEqual(a.reply()[0], 220)
            self.assertEqual(b.reply()[0], 220)
            c = Conn(t.smtp_port)
            code, text = c.reply()
            self.assertEqual(code, 421)
            for x in (a, b, c):
                x.close()
            # Slots are released: a new connection is served again.
            d = wait_for(lambda: self._greets(t.smtp_port))
            self.assertTrue(d)

    @staticmethod
    def _greets(port):
        c = Conn(port)
        try:
            return c.reply()[0] == 220
        finally:
            c.close()


if __name__ == "__main__":
    unittest.main()
