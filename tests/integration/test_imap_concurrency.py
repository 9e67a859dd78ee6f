"""IMAP under concurrent change: N messages delivered over SMTP by several senders in parallel
while two IMAP sessions watch INBOX with IDLE, one of them leaving IDLE now and then to STORE
flags. At the end every view must agree: both watchers and a fresh session see the same UIDs
(strictly ascending with the sequence numbers, unique, exactly N) and the same flags, and the
flags the other watcher last heard of in unsolicited FETCH responses match too. Then the
server is killed with SIGKILL and restarted on the same data: UIDVALIDITY, UIDs and flags must
be exactly as before, and the next delivery must get a UID above every earlier one.

The IMAP sessions are raw sockets over implicit TLS, so the test sees every untagged line.
Every wait is bounded: socket reads time out, threads are joined with a timeout."""

import os
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
        self.errors = []  # unexpected untagged lines (EXPUNGE unless expected, BYE, ...)
        self.expunge_expected = False
        self.expunged = 0
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
        m = re.match(rb"^\* (\d+) EXPUNGE\r\n$", line)
        if m and self.expunge_expected:
            seq = int(m.group(1))
            if not 1 <= seq <= self.exists:
                self.errors.append("EXPUNGE %d with only %d messages" % (seq, self.exists))
            self.exists -= 1
            self.expunged += 1
            # Sequence numbers above the expunged one move down by one.
            self.flags = {(k - 1 if k > seq else k): v for k, v in self.flags.items() if k != seq}
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

    def uid_search_all(self):
        untagged, _ = self.command("UID SEARCH ALL")
        lines = [l for l in untagged if l.startswith(b"* SEARCH")]
        if len(lines) != 1:
            raise AssertionError("%s: UID SEARCH answered %r" % (self.name, untagged))
        return [int(x) for x in lines[0].split()[2:]]

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


def stored_count(t):
    """Messages in the user's Maildir, counted without opening them: a session may move a file
    from new/ to cur/ at any time, so a count may be off while that happens; callers wait for
    the count they expect."""
    root = t.maildir(USER)
    try:
        return sum(len(os.listdir(os.path.join(root, sub))) for sub in ("new", "cur"))
    except FileNotFoundError:
        return 0


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
        self.assertTrue(wait_for(lambda: stored_count(self.t) == N, timeout=60), "not every message reached the Maildir")
        self.assertEqual((a.errors, b.errors), ([], []), "unexpected untagged responses")
        self.assertGreaterEqual(len(stores), WAVES, "watcher B stored too few flags: %r" % stores)
        want = [frozenset(expected.get(seq, ())) for seq in range(1, N + 1)]

        # A learns B's flag changes without asking for them: NOOP carries the pending updates.
        a.command("NOOP")
        # A message that joined A's view already flagged comes with EXISTS only (the client
        # FETCHes its flags), so A need not have heard of every message; but what it heard last
        # about each must be the final state (a lost or stale update shows here).
        learnt = {seq: flags for seq, flags in a.flags.items()}
        self.assertTrue(learnt, "watcher A was never told of B's flag changes")
        self.assertEqual(learnt, {seq: want[seq - 1] for seq in learnt},
                         "watcher A's unsolicited FETCH FLAGS disagree with what B stored")
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
        self.assertTrue(wait_for(lambda: stored_count(self.t) == N + 1, timeout=60),
                        "the delivery after the restart never arrived")
        after.command("NOOP")  # the new message joins this session's view (EXISTS)
        self.assertEqual(after.exists, N + 1, "NOOP did not announce the new message")
        view = after.uids_and_flags()
        self.assertEqual(view[:N], reference, "old messages changed after a new delivery")
        self.assertEqual(len(view), N + 1)
        self.assertGreater(view[N][1], uids[-1], "a UID was reused after kill -9")
        self.assertGreaterEqual(view[N][1], uidnext)


    def test_expunge_while_delivering_then_kill9(self):
        """Expunges during delivery, watched in IDLE, then kill -9.

        B expunges every other message it knows of as each wave starts to arrive, while A
        watches in IDLE; A's message count (EXISTS minus EXPUNGEs) and every view must agree,
        and after kill -9 no expunged message comes back."""
        a = self.session("watcher A")
        b = self.session("expunger B")
        a.expunge_expected = b.expunge_expected = True
        failures, expunged, seen = [], set(), set()
        watcher = threading.Thread(target=self.watch_until, args=(a, failures, lambda: done.is_set()))
        done = threading.Event()
        watcher.start()
        per = N // WAVES // SENDERS
        for wave in range(WAVES):
            senders = [threading.Thread(target=send_batch, args=(self.t, wave * SENDERS + i, per, failures))
                       for i in range(SENDERS)]
            for th in senders:
                th.start()
            # Expunge while this wave arrives: every other message of those B knows now.
            b.command("NOOP")
            uids = b.uid_search_all()
            seen.update(uids)
            doomed = [u for u in uids if u not in expunged][::2]
            if doomed:
                b.command("UID STORE %s +FLAGS.SILENT (\\Deleted)" % ",".join(map(str, doomed)))
                before = b.expunged
                b.command("EXPUNGE")
                self.assertEqual(b.expunged - before, len(doomed), "EXPUNGE did not report every message")
                expunged.update(doomed)
            for th in senders:
                th.join(timeout=120)
                self.assertFalse(th.is_alive(), "a sender is stuck in wave %d" % wave)
            # Before the next wave, A's view must hold this one, so that the next expunges
            # remove messages A knows of and A gets EXPUNGE responses in IDLE.
            count = (wave + 1) * per * SENDERS - len(expunged)
            self.assertTrue(wait_for(lambda: a.exists == count or failures, timeout=READ_TIMEOUT),
                            "watcher A never saw wave %d: EXISTS-EXPUNGE %d, expected %d" % (wave, a.exists, count))
        self.assertEqual(failures, [], "a sender failed")
        self.assertTrue(wait_for(lambda: stored_count(self.t) == N - len(expunged), timeout=60),
                        "the Maildir never held the %d messages left" % (N - len(expunged)))
        b.command("NOOP")
        seen.update(b.uid_search_all())
        self.assertEqual(len(seen), N, "B never saw some UIDs (or saw more): %d" % len(seen))
        done.set()
        # Something for A to read, so that it notices it may stop: a flag change it is told about.
        b.command("UID STORE %d +FLAGS (\\Seen)" % min(seen - expunged))
        watcher.join(timeout=READ_TIMEOUT * 2)
        self.assertFalse(watcher.is_alive(), "watcher A is stuck")
        self.assertEqual(failures, [], "watcher A failed")
        a.command("NOOP")
        self.assertEqual((a.errors, b.errors), ([], []), "unexpected untagged responses")
        self.assertGreater(len(expunged), N // 4, "too few expunges to test anything")
        self.assertGreater(a.expunged, 0, "watcher A was never told of an expunge in IDLE")
        left = sorted(seen - expunged)
        self.assertEqual(a.exists, len(left), "A's count from EXISTS and EXPUNGE is wrong")
        fresh = self.session("fresh")
        reference = fresh.uids_and_flags()
        self.assertEqual([uid for _, uid, _ in reference], left, "the UIDs left are not the ones not expunged")
        for s in (a, b):
            self.assertEqual(s.uids_and_flags(), reference, "%s disagrees with a fresh session" % s.name)

        for s in self.sessions:
            s.sock.close()
        self.sessions = []
        self.t.kill9()
        self.t.start()
        after = self.session("after restart")
        self.assertEqual(after.uidvalidity, fresh.uidvalidity, "UIDVALIDITY changed across kill -9")
        self.assertEqual(after.uids_and_flags(), reference, "expunged messages came back, or UIDs changed")
        send_batch(self.t, 99, 1, failures)
        self.assertTrue(wait_for(lambda: stored_count(self.t) == len(left) + 1, timeout=60),
                        "the delivery after the restart never arrived")
        after.command("NOOP")
        newest = after.uids_and_flags()[-1][1]
        self.assertGreater(newest, max(seen), "a UID of an expunged message was reused after kill -9")

    def watch_until(self, s, failures, stop):
        """IDLE, reading whatever comes, until stop() (checked after each line: the test makes
        one more change after setting it)."""
        try:
            s.idle()
            while not stop():
                s.readline()
            s.done()
        except Exception as e:
            failures.append("%s: %s" % (s.name, e))


if __name__ == "__main__":
    unittest.main()
