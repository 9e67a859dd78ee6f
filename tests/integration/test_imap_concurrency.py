"""IMAP under concurrent change: N messages delivered over SMTP by several senders in parallel
while two IMAP sessions watch INBOX with IDLE, one of them leaving IDLE now and then to STORE
flags. At the end every view must agree: both watchers and a fresh session see the same UIDs
(strictly ascending with the sequence numbers, unique, exactly N) and the same flags, and the
flags the other watcher learnt only from unsolicited FETCH responses match too. Then the
server is killed with SIGKILL and restarted on the same data: UIDVALIDITY, UIDs and flags must
be exactly as before, and the next delivery must get a UID above every earlier one.

The IMAP sessions are raw sockets over implicit TLS, so the test sees every untagged line.
Every wait is bounded: socket reads time out, threads are joined with a timeout."""

import re
import smtplib
import socket
import threading
import unittest

from harness import Tern, wait_for

USER = "alice@example.test"
PASSWORD = "alice-secret"
N = 200
SENDERS = 4  # SMTP connections in parallel per wave
WAVES = 5
READ_TIMEOUT = 60  # seconds without a single line from the server is a failure

FETCH_RE = re.compile(rb"^\* (\d+) FETCH \((.*)\)\r\n$")


def parse_fetch(line):
    """(seq, uid or None, flags or None) of an untagged FETCH line, else None."""
    m = FETCH_RE.match(line)
    if not m:
        return None
    items = m.group(2)
    uid = re.search(rb"\bUID (\d+)", items)
    flags = re.search(rb"\bFLAGS \(([^)]*)\)", items)
    return (int(m.group(1)), int(uid.group(1)) if uid else None,
            frozenset(flags.group(1).decode().split()) if flags is not None else None)


class Session:
    """One raw IMAP session. Tracks what the server told it without being asked: the EXISTS
    count and the flags of each message (from any FETCH carrying FLAGS)."""

    def __init__(self, t, name):
        self.name = name
        raw = socket.create_connection(("127.0.0.1", t.imaps_port), timeout=READ_TIMEOUT)
        self.sock = t.tls_context().wrap_socket(raw, server_hostname="mx.example.test")
        self.f = self.sock.makefile("rb")
        self.tag = 0
        self.exists = 0
        self.flags = {}   # seq -> frozenset, from every FETCH seen
        self.errors = []  # unexpected untagged lines (EXPUNGE, BYE, ...)
        greeting = self.readline()
        if not greeting.startswith(b"* OK"):
            raise AssertionError("%s: bad greeting %r" % (name, greeting))

    def readline(self):
        try:
            line = self.f.readline(64 * 1024)
        except socket.timeout:
            raise AssertionError("%s: no line from the server within %ds (exists=%d)"
                                 % (self.name, READ_TIMEOUT, self.exists))
        if not line.endswith(b"\r\n"):
            raise AssertionError("%s: connection closed or line cut: %r" % (self.name, line))
        self.observe(line)
        return line

    def observe(self, line):
        m = re.match(rb"^\* (\d+) EXISTS\r\n$", line)
        if m:
            n = int(m.group(1))
            if n < self.exists:
                self.errors.append("EXISTS went down from %d to %d" % (self.exists, n))
            self.exists = n
            return
        fetch = parse_fetch(line)
        if fetch is not None and fetch[2] is not None:
            self.flags[fetch[0]] = fetch[2] - {"\\Recent"}
            return
        if re.match(rb"^\* (\d+ EXPUNGE|BYE|BAD|NO)\b", line) or line.startswith(b"* VANISHED"):
            self.errors.append(line.decode("utf-8", "replace").strip())

    def send(self, text):
        self.sock.sendall(text.encode() + b"\r\n")

    def command(self, text):
        """Sends `text`, returns (untagged lines, tagged line); fails unless the answer is OK."""
        self.tag += 1
        tag = b"c%d" % self.tag
        self.send("%s %s" % (tag.decode(), text))
        untagged = []
        for _ in range(100000):
            line = self.readline()
            if line.startswith(tag + b" "):
                if not line.startswith(tag + b" OK"):
                    raise AssertionError("%s: %s -> %r" % (self.name, text, line))
                return untagged, line
            untagged.append(line)
        raise AssertionError("%s: %s never completed" % (self.name, text))

    def idle(self):
        self.tag += 1
        self.idle_tag = b"c%d" % self.tag
        self.send("%s IDLE" % self.idle_tag.decode())
        for _ in range(1000):
            line = self.readline()
            if line.startswith(b"+"):
                return
        raise AssertionError("%s: no continuation for IDLE" % self.name)

    def done(self):
        self.send("DONE")
        for _ in range(100000):
            line = self.readline()
            if line.startswith(self.idle_tag + b" "):
                if not line.startswith(self.idle_tag + b" OK"):
                    raise AssertionError("%s: IDLE ended with %r" % (self.name, line))
                return
        raise AssertionError("%s: IDLE never ended" % self.name)

    def uids_and_flags(self):
        """[(seq, uid, flags)] from FETCH 1:* (UID FLAGS), in order."""
        untagged, _ = self.command("FETCH 1:* (UID FLAGS)")
        out = []
        for line in untagged:
            fetch = parse_fetch(line)
            if fetch is not None and fetch[1] is not None:
                out.append((fetch[0], fetch[1], fetch[2] - {"\\Recent"}))
        return sorted(out)

    def close(self):
        try:
            self.command("LOGOUT")
        except Exception:
            pass
        self.sock.close()


def login_select(t, name):
    s = Session(t, name)
    s.command("LOGIN %s %s" % (USER, PASSWORD))
    untagged, _ = s.command("SELECT INBOX")
    s.uidvalidity = int(re.search(rb"UIDVALIDITY (\d+)", b"".join(untagged)).group(1))
    return s


def send_batch(t, sender, count, failures):
    try:
        with smtplib.SMTP("127.0.0.1", t.smtp_port, timeout=60) as s:
            for i in range(count):
                s.sendmail("sender%d@example.org" % sender, [USER],
                           "From: sender%d@example.org\r\nTo: %s\r\nSubject: s%d-%d\r\n\r\nbody %d %d\r\n"
                           % (sender, USER, sender, i, sender, i))
    except Exception as e:  # reported by the main thread
        failures.append("sender %d: %r" % (sender, e))


class Concurrency(unittest.TestCase):
    def setUp(self):
        self.t = Tern(users={USER: PASSWORD})
        self.t.start()
        self.sessions = []

    def tearDown(self):
        for s in self.sessions:
            s.close()
        self.t.__exit__(None, None, None)

    def session(self, name):
        s = login_select(self.t, name)
        self.sessions.append(s)
        return s

    def watch(self, s, failures):
        """Watcher A: IDLE until EXISTS reaches N."""
        try:
            s.idle()
            while s.exists < N:
                s.readline()
            s.done()
        except Exception as e:
            failures.append("%s: %s" % (s.name, e))

    def watch_and_store(self, s, failures, expected, stores):
        """Watcher B: IDLE; whenever EXISTS has grown, leave IDLE, flag the newest message with
        \\Flagged and its own keyword, take \\Flagged off the one flagged before, and IDLE
        again, until EXISTS is N. `expected` gets seq -> flags, `stores` the seqs flagged."""
        try:
            s.idle()
            previous = 0
            while True:
                while s.exists <= previous:
                    s.readline()
                s.done()
                k = s.exists
                stores.append(k)  # lets the next wave start: it arrives while B stores
                s.command("STORE %d +FLAGS (\\Flagged $b%d)" % (k, k))
                expected[k] = {"\\Flagged", "$b%d" % k}
                if previous:
                    s.command("STORE %d -FLAGS.SILENT (\\Flagged)" % previous)
                    expected[previous].discard("\\Flagged")
                previous = k
                if k >= N:
                    return
                s.idle()
        except Exception as e:
            failures.append("%s: %s" % (s.name, e))

    def test_delivery_while_two_sessions_idle_then_kill9(self):
        a = self.session("watcher A")
        b = self.session("watcher B")
        self.assertEqual((a.exists, b.exists), (0, 0))
        failures, expected, stores = [], {}, []
        watchers = [threading.Thread(target=self.watch, args=(a, failures)),
                    threading.Thread(target=self.watch_and_store, args=(b, failures, expected, stores))]
        for w in watchers:
            w.start()
        # In waves, so that B's STOREs overlap deliveries however fast the server is: each
        # wave's senders run in parallel, and the next wave starts once B has left IDLE to flag
        # the last message of this one (B may flag others while a wave is still arriving).
        per = N // WAVES // SENDERS
        for wave in range(WAVES):
            senders = [threading.Thread(target=send_batch, args=(self.t, wave * SENDERS + i, per, failures))
                       for i in range(SENDERS)]
            for th in senders:
                th.start()
            for th in senders:
                th.join(timeout=120)
                self.assertFalse(th.is_alive(), "a sender is stuck in wave %d" % wave)
            self.assertEqual(failures, [], "a sender or watcher failed in wave %d" % wave)
            self.assertTrue(wait_for(lambda: stores and stores[-1] >= (wave + 1) * per * SENDERS
                                     or failures, timeout=READ_TIMEOUT),
                            "watcher B never saw wave %d (exists A=%d B=%d)" % (wave, a.exists, b.exists))
        for th in watchers:
            th.join(timeout=READ_TIMEOUT * 2)
            self.assertFalse(th.is_alive(), "a watcher is stuck (exists A=%d B=%d)" % (a.exists, b.exists))
        self.assertEqual(failures, [], "senders or watchers failed")
        self.assertEqual(len(self.t.messages(USER)), N, "not every message reached the Maildir")
        self.assertEqual((a.errors, b.errors), ([], []), "unexpected untagged responses")
        self.assertGreaterEqual(len(stores), WAVES, "watcher B stored too few flags: %r" % stores)
        want = [frozenset(expected.get(seq, ())) for seq in range(1, N + 1)]

        # A learns B's flag changes without asking for them: NOOP carries the pending updates.
        a.command("NOOP")
        learnt = [a.flags.get(seq, frozenset()) for seq in range(1, N + 1)]
        self.assertEqual(learnt, want, "watcher A's unsolicited FETCH FLAGS disagree with what B stored")
        views = {"A": a.uids_and_flags(), "B": b.uids_and_flags()}
        fresh = self.session("fresh")
        views["fresh"] = fresh.uids_and_flags()
        reference = views["fresh"]
        self.assertEqual([seq for seq, _, _ in reference], list(range(1, N + 1)), "sequence numbers not 1..N")
        uids = [uid for _, uid, _ in reference]
        self.assertTrue(all(x < y for x, y in zip(uids, uids[1:])), "UIDs not strictly ascending: %r" % uids)
        self.assertEqual(len(set(uids)), N)
        for name, view in views.items():
            self.assertEqual(view, reference, "session %s sees other UIDs or flags than a fresh session" % name)
        self.assertEqual([flags for _, _, flags in reference], want, "flags differ from what watcher B stored")
        self.assertEqual(len({a.uidvalidity, b.uidvalidity, fresh.uidvalidity}), 1)
        uidvalidity = fresh.uidvalidity

        # kill -9 and restart on the same data: nothing may change.
        for s in self.sessions:
            s.sock.close()
        self.sessions = []
        self.t.kill9()
        self.t.start()
        after = self.session("after restart")
        self.assertEqual(after.uidvalidity, uidvalidity, "UIDVALIDITY changed across kill -9")
        self.assertEqual(after.uids_and_flags(), reference, "UIDs or flags changed across kill -9")
        untagged, _ = after.command("STATUS INBOX (UIDNEXT MESSAGES)")
        uidnext = int(re.search(rb"UIDNEXT (\d+)", b"".join(untagged)).group(1))
        self.assertGreater(uidnext, uids[-1], "UIDNEXT after restart does not lie above every UID")

        failures = []
        send_batch(self.t, 99, 1, failures)
        self.assertEqual(failures, [])
        self.assertTrue(wait_for(lambda: len(self.t.messages(USER)) == N + 1, timeout=60),
                        "the delivery after the restart never arrived")
        after.command("NOOP")  # the new message joins this session's view (EXISTS)
        self.assertEqual(after.exists, N + 1, "NOOP did not announce the new message")
        view = after.uids_and_flags()
        self.assertEqual(view[:N], reference, "old messages changed after a new delivery")
        self.assertEqual(len(view), N + 1)
        self.assertGreater(view[N][1], uids[-1], "a UID was reused after kill -9")
        self.assertGreaterEqual(view[N][1], uidnext)


if __name__ == "__main__":
    unittest.main()
