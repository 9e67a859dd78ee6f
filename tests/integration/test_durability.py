"""A 250 is a promise: messages acknowledged before a `kill -9` are delivered after restart,
and a graceful SIGTERM answers 421 to sessions in progress and exits cleanly."""

import random
import smtplib
import socket
import threading
import time
import unittest

from harness import Tern, wait_for


def sender(port, prefix, acked, stop, errors):
    n = 0
    while not stop.is_set() and n < 2000:
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=10) as s:
                s.ehlo("client.test")
                for _ in range(5):
                    if stop.is_set():
                        break
                    n += 1
                    mid = "%s-%d@load.test" % (prefix, n)
                    data = "From: a@remote.test\r\nSubject: load\r\nMessage-ID: <%s>\r\n\r\nbody %d\r\n" % (mid, n)
                    s.sendmail("a@remote.test", ["alice@example.test"], data)
                    acked.append(mid)  # only after the 250
        except (OSError, smtplib.SMTPException) as e:
            errors.append(repr(e))
            time.sleep(0.05)


def message_ids(t):
    ids = []
    for m in t.messages("alice@example.test"):
        for line in m.split(b"\n"):
            if line.startswith(b"Message-ID: <"):
                ids.append(line[13:-1].decode())
                break
    return ids


class KillNine(unittest.TestCase):
    def test_acknowledged_messages_survive_kill9(self):
        rng = random.Random(1234)
        with Tern(users={"alice@example.test": "pw"}) as t:
            acked = []
            for round_no in range(3):
                t.start()
                stop = threading.Event()
                errors = []
                threads = [threading.Thread(target=sender, args=(t.smtp_port, "r%dc%d" % (round_no, i),
                                                                 acked, stop, errors))
                           for i in range(4)]
                for th in threads:
                    th.start()
                # Kill once some mail got through, at a random instant.
                wait_for(lambda: len(acked) >= 20 * (round_no + 1), timeout=30)
                time.sleep(rng.uniform(0.0, 0.3))
                t.kill9()
                stop.set()
                for th in threads:
                    th.join()
            t.start()
            want = set(acked)
            self.assertGreater(len(want), 0)
            got = wait_for(lambda: set(message_ids(t)) >= want and message_ids(t), timeout=60)
            ids = message_ids(t)
            missing = want - set(ids)
            dupes = len(ids) - len(set(ids))
            print("\nkill-9 test: acked=%d delivered=%d missing=%d duplicates=%d"
                  % (len(want), len(set(ids)), len(missing), dupes))
            self.assertTrue(got is not None)
            self.assertEqual(missing, set())


class GracefulStop(unittest.TestCase):
    def test_sigterm_answers_421_and_exits(self):
        with Tern(users={"alice@example.test": "pw"}) as t:
            t.start()
            s = socket.create_connection(("127.0.0.1", t.smtp_port), timeout=30)
            f = s.makefile("rb")
            self.assertTrue(f.readline().startswith(b"220"))
            s.sendall(b"EHLO client.test\r\n")
            while True:
                line = f.readline()
                if line[3:4] == b" ":
                    break
            s.sendall(b"MAIL FROM:<a@remote.test>\r\n")
            self.assertTrue(f.readline().startswith(b"250"))
            start = time.time()
            proc = t.proc
            proc.send_signal(15)
            line = f.readline()
            self.assertTrue(line.startswith(b"421"), line)
            code = proc.wait(timeout=10)
            t.proc = None
            self.assertEqual(code, 0)
            self.assertLess(time.time() - start, 10)
            s.close()

    def test_sighup_reloads_aliases_and_users_seen_without_restart(self):
        with Tern(users={"alice@example.test": "pw"}) as t:
            t.start()
            # A user added while the server runs is accepted without a restart.
            t.user("add", "carol@example.test", "--password-stdin", input="pw\n")

            def rcpt_code(address):
                with smtplib.SMTP("127.0.0.1", t.smtp_port, timeout=10) as s:
                    s.ehlo("client.test")
                    s.mail("a@remote.test")
                    return s.rcpt(address)[0]

            self.assertTrue(wait_for(lambda: rcpt_code("carol@example.test") == 250, timeout=10))
            self.assertEqual(rcpt_code("sales@example.test"), 550)
            t.aliases = {"sales@example.test": ["alice@example.test"]}
            t.write_config()
            t.proc.send_signal(1)
            self.assertTrue(wait_for(lambda: rcpt_code("sales@example.test") == 250, timeout=10))


if __name__ == "__main__":
    unittest.main()
