"""Outbound delivery between two real tern servers on loopback: A (a.test) relays its user's
mail to B (b.test), found by a [routes] entry or by MX records from a local DNS server; B down
means deferral and `tern queue flush`; B refusing a recipient means a DSN bounce to the sender."""

import json
import signal
import smtplib
import ssl
import time
import unittest

from harness import Tern, free_port, wait_for

PASSWORD = "correct horse battery staple"


def message(subject, sender="alice@a.test", to="bob@b.test"):
    return ("From: %s\r\nTo: %s\r\nSubject: %s\r\n\r\nHello from A.\r\n.leading dot\r\n" %
            (sender, to, subject))


def submit(a, to, subject, sender="alice@a.test"):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with smtplib.SMTP("127.0.0.1", a.submission_port, timeout=30) as s:
        s.starttls(context=ctx)
        s.login(sender, PASSWORD)
        s.sendmail(sender, [to], message(subject, sender, to))


def queue(a, *args):
    r = a.cli("queue", *args, "--config", a.config_path, check=False)
    return r


def queue_json(a):
    r = queue(a, "list", "--json")
    if r.returncode != 0:
        raise AssertionError("tern queue list failed: %s %s" % (r.stdout, r.stderr))
    doc = json.loads(r.stdout)
    return doc["messages"] if isinstance(doc, dict) else doc


def make_b(**kw):
    return Tern(domains=["b.test"], hostname="mx.b.test", users={"bob@b.test": PASSWORD}, **kw)


def make_a(extra="", route_to=None):
    """A (a.test); with route_to, a [routes] entry sends b.test to that server's MX port."""
    if route_to is not None:
        extra = '[routes]\n"b.test" = "127.0.0.1:%d"\n' % route_to.smtp_port + extra
    return Tern(domains=["a.test"], hostname="mx.a.test", users={"alice@a.test": PASSWORD},
                extra=extra)


class RouteToB(unittest.TestCase):
    def test_delivered_to_b_with_both_received_headers(self):
        with make_b() as b, make_a(route_to=b) as a:
            b.start()
            a.start()
            submit(a, "bob@b.test", "via route")
            msgs = b.wait_messages("bob@b.test", 1, timeout=30)
            self.assertEqual(len(msgs), 1, a.log_text())
            text = msgs[0].decode()
            self.assertIn("Subject: via route", text)
            self.assertIn("\n.leading dot", text)  # dot-stuffed on the wire, unstuffed by B
            unfolded = text.replace("\r\n", "\n").replace("\n ", " ").replace("\n\t", " ")
            received = [l for l in unfolded.split("\n") if l.startswith("Received:")]
            self.assertEqual(len(received), 2, text)
            self.assertIn("from mx.a.test", received[0])  # B's, on top
            self.assertIn("by mx.b.test", received[0])
            self.assertIn("with ESMTPS", received[0])      # A -> B used STARTTLS
            self.assertIn("by mx.a.test", received[1])     # A's, from the submission
            # Delivered: A's queue is empty again.
            self.assertTrue(wait_for(lambda: queue_json(a) == [], timeout=10), queue_json(a))

    def test_b_down_defers_then_flush_delivers(self):
        with make_b() as b, make_a("[queue]\nfirst_retry = 3600\nmax_retry = 3600\n", route_to=b) as a:
            a.start()
            submit(a, "bob@b.test", "deferred first")

            def deferred():
                msgs = queue_json(a)
                return msgs and msgs[0]["recipients"][0]["state"] == "deferred" and msgs
            msgs = wait_for(deferred, timeout=30)
            self.assertTrue(msgs, a.log_text())
            r = msgs[0]["recipients"][0]
            self.assertEqual(r["address"], "bob@b.test")
            self.assertGreaterEqual(r["attempts"], 1)
            self.assertIn("4.4.1", r["last_error"])
            self.assertGreater(r["next_attempt"], time.time() + 600)
            human = queue(a, "list")
            self.assertEqual(human.returncode, 0, human.stderr)
            self.assertIn("bob@b.test", human.stdout)
            self.assertIn(msgs[0]["id"], human.stdout)

            b.start()
            r = queue(a, "flush")
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            got = b.wait_messages("bob@b.test", 1, timeout=30)
            self.assertEqual(len(got), 1, a.log_text())
            self.assertTrue(wait_for(lambda: queue_json(a) == [], timeout=10))

    def test_delay_warning_once_even_across_a_restart(self):
        # delay_warning leaves the first attempt (made at once) ample time to come before the
        # warning is due, even under ASan on a loaded machine.
        cfg = "[queue]\nfirst_retry = 3600\nmax_retry = 3600\ndelay_warning = 6\n"
        with make_b() as b, make_a(cfg, route_to=b) as a:
            a.start()
            submit(a, "bob@b.test", "slow road")

            def attempts(n):
                msgs = queue_json(a)
                return msgs and msgs[0]["recipients"][0]["attempts"] >= n and msgs
            self.assertTrue(wait_for(lambda: attempts(1), timeout=30), a.log_text())
            # The first attempt came at once, before delay_warning: no warning yet.
            self.assertEqual(a.messages("alice@a.test"), [])
            time.sleep(7.1)  # past delay_warning; received_at has second resolution
            # A restart after delay_warning has passed must not lose the warning either.
            a.kill9()
            a.start()
            self.assertEqual(queue(a, "flush").returncode, 0)
            self.assertTrue(wait_for(lambda: attempts(2), timeout=30), a.log_text())
            warnings = a.wait_messages("alice@a.test", 1, timeout=30)
            self.assertEqual(len(warnings), 1, a.log_text())
            dsn = warnings[0].decode()
            self.assertIn("report-type=delivery-status", dsn)
            self.assertIn("Final-Recipient: rfc822; bob@b.test", dsn)
            self.assertIn("Action: delayed", dsn)
            self.assertRegex(dsn, r"Status: 4\.4\.\d")
            self.assertIn("Will-Retry-Until:", dsn)
            self.assertIn("Return-Path: <>", dsn)

            # Once sent, the spool remembers it: no second warning after another restart.
            a.kill9()
            a.start()
            self.assertEqual(queue(a, "flush").returncode, 0)
            self.assertTrue(wait_for(lambda: attempts(3), timeout=30), a.log_text())
            b.start()
            self.assertEqual(queue(a, "flush").returncode, 0)
            self.assertEqual(len(b.wait_messages("bob@b.test", 1, timeout=30)), 1, a.log_text())
            self.assertTrue(wait_for(lambda: queue_json(a) == [], timeout=10))
            self.assertEqual(len(a.messages("alice@a.test")), 1, a.log_text())

    def test_refused_recipient_bounces_to_sender(self):
        with make_b() as b, make_a(route_to=b) as a:
            b.start()
            a.start()
            submit(a, "nobody@b.test", "will bounce")
            bounces = a.wait_messages("alice@a.test", 1, timeout=30)
            self.assertEqual(len(bounces), 1, a.log_text())
            dsn = bounces[0].decode()
            self.assertIn("Content-Type: multipart/report", dsn)
            self.assertIn("report-type=delivery-status", dsn)
            self.assertIn("Final-Recipient: rfc822; nobody@b.test", dsn)
            self.assertIn("Action: failed", dsn)
            self.assertRegex(dsn, r"Status: 5\.\d\.\d")
            self.assertIn("Diagnostic-Code: smtp; 550", dsn)
            self.assertIn("Remote-MTA: dns; 127.0.0.1", dsn)
            self.assertIn("Subject: will bounce", dsn)  # the original comes back
            self.assertIn("Return-Path: <>", dsn)
            self.assertEqual(b.messages("nobody@b.test"), [])


    def test_hostname_change_on_sighup_reaches_outbound_and_bounces(self):
        with make_b() as b, make_a(route_to=b) as a:
            b.start()
            a.start()
            # The listeners open before the signal handlers are installed: wait for the line
            # printed after them, or an early SIGHUP would end the process.
            self.assertTrue(wait_for(lambda: "Tern is running" in a.log_text(), timeout=10))
            a.hostname = "renamed.a.test"
            a.write_config()
            a.proc.send_signal(signal.SIGHUP)
            self.assertTrue(wait_for(lambda: "configuration reloaded" in a.log_text(), timeout=10))
            submit(a, "bob@b.test", "after rename")
            got = b.wait_messages("bob@b.test", 1, timeout=30)
            self.assertEqual(len(got), 1, a.log_text())
            self.assertIn("from renamed.a.test", got[0].decode())  # A's EHLO name
            submit(a, "nobody@b.test", "bounce after rename")
            bounces = a.wait_messages("alice@a.test", 1, timeout=30)
            self.assertEqual(len(bounces), 1, a.log_text())
            self.assertIn("Reporting-MTA: dns; renamed.a.test", bounces[0].decode())


class MxToB(unittest.TestCase):
    def test_found_by_mx_records_from_local_dns(self):
        from dns_server import DnsServer
        with make_b() as b:
            b.start()
            records = {"mx": [("b.test", "mx.b.test", 10)], "a": [("mx.b.test", "127.0.0.1")]}
            with DnsServer(records) as dns:
                extra = ('[dns]\nnameservers = ["%s"]\ntimeout = 5\n[outbound]\nmx_port = %d\n'
                         % (dns.nameserver, b.smtp_port))
                with make_a(extra) as a:
                    a.start()
                    submit(a, "bob@b.test", "via mx")
                    msgs = b.wait_messages("bob@b.test", 1, timeout=30)
                    self.assertEqual(len(msgs), 1, a.log_text())
                    self.assertIn("Subject: via mx", msgs[0].decode())
                    self.assertIn("relay=mx.b.test", a.log_text())

    def test_null_mx_bounces_at_once(self):
        from dns_server import DnsServer
        records = {"mx": [("nullmx.test", ".", 0)]}
        with DnsServer(records) as dns:
            extra = '[dns]\nnameservers = ["%s"]\ntimeout = 5\n' % dns.nameserver
            with make_a(extra) as a:
                a.start()
                submit(a, "x@nullmx.test", "null mx")
                bounces = a.wait_messages("alice@a.test", 1, timeout=30)
                self.assertEqual(len(bounces), 1, a.log_text())
                self.assertIn("Status: 5.1.10", bounces[0].decode())


if __name__ == "__main__":
    unittest.main()
