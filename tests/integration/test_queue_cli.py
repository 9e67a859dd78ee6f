"""`tern queue`: the offline path (no server: the spool files are opened directly), the online
path through <data_dir>/control.sock (against a stand-in control server, and against the real
server when it listens there), usage errors and exit codes (0 ok, 1 error, 2 usage).

Messages are kept queued without any remote delivery: the recipient is a local user whose
Maildir path is blocked by a regular file, so every local delivery attempt fails temporarily."""

import json
import os
import shutil
import smtplib
import socket
import threading
import time
import unittest

from harness import Tern, wait_for


def queue(t, *args, check=False):
    return t.cli("queue", *args, "--config", t.config_path, check=check)


class FakeControlServer:
    """A stand-in for the server's control socket: answers each request line with
    handler(request) and records the requests. Stopped (and its socket removed) by stop()."""

    def __init__(self, path, handler):
        self.path = path
        self.handler = handler
        self.requests = []
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.running = True
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(10)
                data = b""
                while b"\n" not in data:
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    data += chunk
                request = json.loads(data.split(b"\n", 1)[0])
                self.requests.append(request)
                conn.sendall((json.dumps(self.handler(request)) + "\n").encode())

    def stop(self):
        self.running = False
        self.thread.join(timeout=10)
        self.sock.close()
        if os.path.exists(self.path):
            os.unlink(self.path)


class QueueWithoutServer(unittest.TestCase):
    def test_empty_queue_text_and_json(self):
        with Tern() as t:
            r = queue(t, "list")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(r.stdout, "queue is empty\n")
            r = queue(t, "list", "--json")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(json.loads(r.stdout), [])
            r = queue(t, "flush")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("rescheduled 0 messages", r.stdout)
            # Looking at a queue that was never created creates nothing.
            self.assertFalse(os.path.exists(os.path.join(t.data, "queue")))

    def test_unknown_id_is_exit_1_naming_it(self):
        with Tern() as t:
            os.makedirs(os.path.join(t.data, "queue"))  # an existing, empty spool this time
            for verb in ("show", "delete", "hold", "release", "flush"):
                r = queue(t, verb, "0000beef-00000040")
                self.assertEqual(r.returncode, 1, verb)
                self.assertIn("no such message: 0000beef-00000040", r.stderr, verb)
                self.assertEqual(r.stdout, "", verb)
            r = queue(t, "show", "0000beef-00000040", "--json")
            self.assertEqual(r.returncode, 1)

    def test_usage_errors_are_exit_2(self):
        with Tern() as t:
            for args in (["show"], ["delete"], ["hold"], ["release"], [], ["purge"],
                         ["list", "extra"], ["list", "--bogus"], ["show", "a", "b"]):
                r = queue(t, *args)
                self.assertEqual(r.returncode, 2, "%s: %s" % (args, r.stderr))
                self.assertIn("error:", r.stderr, args)

    def test_queued_message_hold_release_flush_delete(self):
        with Tern(users={"alice@example.test": "pw"}) as t:
            block_maildir(t, "alice@example.test")
            t.start()
            with smtplib.SMTP("127.0.0.1", t.smtp_port, timeout=30) as s:
                s.sendmail("sender@example.org", ["alice@example.test"],
                           "Subject: stays queued\r\n\r\nhello\r\n")
            t.stop()  # the 250 above means the message is in the spool

            r = queue(t, "list", "--json")
            self.assertEqual(r.returncode, 0, r.stderr)
            messages = json.loads(r.stdout)
            self.assertEqual(len(messages), 1)
            m = messages[0]
            mid = m["id"]
            self.assertEqual(m["sender"], "sender@example.org")
            self.assertFalse(m["held"])
            self.assertGreater(m["size"], 0)
            self.assertGreater(m["arrival"], 1600000000)
            self.assertEqual(len(m["recipients"]), 1)
            rcpt = m["recipients"][0]
            self.assertEqual(rcpt["address"], "alice@example.test")
            self.assertIn(rcpt["state"], ("pending", "deferred"))

            r = queue(t, "list")
            self.assertEqual(r.returncode, 0, r.stderr)
            lines = r.stdout.splitlines()
            self.assertTrue(lines[0].startswith("ID"), r.stdout)
            self.assertIn("SENDER", lines[0])
            self.assertTrue(lines[1].startswith(mid), r.stdout)
            self.assertIn("sender@example.org", lines[1])
            self.assertTrue(lines[2].startswith("    alice@example.test"), r.stdout)
            self.assertIn("1 message", r.stdout)

            self.assertEqual(queue(t, "hold", mid).returncode, 0)
            r = queue(t, "show", mid, "--json")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertTrue(json.loads(r.stdout)["held"])
            self.assertIn("held", queue(t, "list").stdout)
            r = queue(t, "flush", mid)  # held: nothing rescheduled, but not an error
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("on hold", r.stdout)
            self.assertIn("rescheduled 0 messages", queue(t, "flush").stdout)

            self.assertEqual(queue(t, "release", mid).returncode, 0)
            r = queue(t, "show", mid)
            self.assertEqual(r.returncode, 0, r.stderr)
            for field in ("id:", "arrival:", "sender:", "size:", "held:", "recipients:",
                          "attempts:", "next:", "last error:"):
                self.assertIn(field, r.stdout)
            self.assertIn("held:       no", r.stdout)

            r = queue(t, "flush", mid)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("rescheduled " + mid, r.stdout)
            shown = json.loads(queue(t, "show", mid, "--json").stdout)
            self.assertEqual(shown["recipients"][0]["next_attempt"], 0)
            self.assertEqual(shown["recipients"][0]["attempts"], rcpt["attempts"])

            r = queue(t, "delete", mid)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(queue(t, "list").stdout, "queue is empty\n")
            self.assertEqual(queue(t, "show", mid).returncode, 1)
            # Deleting sends no bounce: nothing new was queued either.
            self.assertEqual(json.loads(queue(t, "list", "--json").stdout), [])


class DeleteWhileRunning(unittest.TestCase):
    def test_deleted_message_is_never_delivered_later(self):
        with Tern(users={"alice@example.test": "pw"}) as t:
            block_maildir(t, "alice@example.test")
            t.start()
            with smtplib.SMTP("127.0.0.1", t.smtp_port, timeout=30) as s:
                s.sendmail("sender@example.org", ["alice@example.test"],
                           "Subject: to be deleted\r\n\r\nhello\r\n")

            def deferred():
                r = queue(t, "list", "--json")
                msgs = json.loads(r.stdout) if r.returncode == 0 else []
                return msgs and msgs[0]["recipients"][0]["state"] == "deferred" and msgs
            msgs = wait_for(deferred, timeout=30)
            self.assertTrue(msgs, t.log_text())
            self.assertEqual(queue(t, "delete", msgs[0]["id"]).returncode, 0)
            # The mailbox works again and everything is retried: the deleted message stays gone.
            os.remove(t.maildir("alice@example.test"))
            self.assertEqual(queue(t, "flush").returncode, 0)
            time.sleep(1.0)
            self.assertEqual(t.messages("alice@example.test"), [])
            self.assertNotIn("cannot read message", t.log_text())


def block_maildir(t, address):
    """Makes every delivery to `address` fail temporarily: its Maildir path is a plain file."""
    path = t.maildir(address)
    if os.path.isdir(path):
        shutil.rmtree(path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("not a maildir\n")


class QueueThroughControlSocket(unittest.TestCase):
    def test_cli_talks_to_the_socket_first(self):
        message = {"id": "0000002a-00013f40", "arrival": 1700000000, "sender": "", "size": 321,
                   "held": True, "recipients": [
                       {"address": "bob@example.org", "state": "deferred", "attempts": 2,
                        "next_attempt": 0, "last_error": "451 4.4.1 mx.example.org: refused"}]}

        def handler(req):
            if req.get("cmd") == "list":
                return {"ok": True, "messages": [message]}
            if req.get("cmd") == "show" and req.get("id") == message["id"]:
                return {"ok": True, "message": message}
            if req.get("cmd") in ("flush", "hold", "release", "delete") and \
                    req.get("id", message["id"]) == message["id"]:
                return {"ok": True, "count": 1}
            return {"ok": False, "error": "no such message: %s" % req.get("id")}

        with Tern() as t:
            os.makedirs(t.data, exist_ok=True)
            fake = FakeControlServer(os.path.join(t.data, "control.sock"), handler)
            try:
                r = queue(t, "list")
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertIn("0000002a-00013f40", r.stdout)
                self.assertIn("<>", r.stdout)
                self.assertIn("held; 1 deferred", r.stdout)
                self.assertIn("bob@example.org  deferred  2 attempts  next now  "
                              "last error: 451 4.4.1 mx.example.org: refused", r.stdout)
                self.assertEqual(json.loads(queue(t, "list", "--json").stdout), [message])
                self.assertEqual(json.loads(queue(t, "show", message["id"], "--json").stdout), message)
                for verb in ("flush", "hold", "release", "delete"):
                    self.assertEqual(queue(t, verb, message["id"]).returncode, 0, verb)
                self.assertEqual(queue(t, "flush").returncode, 0)
                r = queue(t, "show", "0000beef-00000040")
                self.assertEqual(r.returncode, 1)
                self.assertIn("no such message: 0000beef-00000040", r.stderr)
                self.assertEqual(fake.requests, [
                    {"cmd": "list"}, {"cmd": "list"}, {"cmd": "show", "id": message["id"]},
                    {"cmd": "flush", "id": message["id"]}, {"cmd": "hold", "id": message["id"]},
                    {"cmd": "release", "id": message["id"]}, {"cmd": "delete", "id": message["id"]},
                    {"cmd": "flush"}, {"cmd": "show", "id": "0000beef-00000040"}])
                # The spool was never opened: the socket answered.
                self.assertFalse(os.path.exists(os.path.join(t.data, "queue")))
            finally:
                fake.stop()

    def test_running_server(self):
        with Tern() as t:
            t.start()
            sock = os.path.join(t.data, "control.sock")
            r = queue(t, "list")
            if not os.path.exists(sock):
                # The server holds the spool's lock but offers no control socket: said clearly.
                self.assertEqual(r.returncode, 1)
                self.assertIn("in use by a running server", r.stderr)
                self.assertIn("control socket", r.stderr)
                t.stop()
                self.skipTest("the server does not listen on control.sock yet")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(r.stdout, "queue is empty\n")
            self.assertEqual(json.loads(queue(t, "list", "--json").stdout), [])
            r = queue(t, "show", "0000beef-00000040")
            self.assertEqual(r.returncode, 1)
            self.assertIn("no such message: 0000beef-00000040", r.stderr)
            self.assertEqual(stat_mode(sock) & 0o777, 0o600)
            t.stop()
            self.assertFalse(os.path.exists(sock))  # removed at shutdown


def stat_mode(path):
    return os.stat(path).st_mode


if __name__ == "__main__":
    unittest.main()
