"""DKIM signing of submitted mail ([dkim]): keys made on first start, two signatures
(rsa-sha256 and ed25519-sha256) on mail whose From: domain is local, verified by an independent
implementation (dkimpy, Debian's python3-dkim) against the records `tern dns records` prints;
`tern dkim keygen` and a selector rotation by SIGHUP."""

import json
import os
import re
import signal
import smtplib
import stat
import subprocess
import tempfile
import time
import unittest

from harness import Tern, wait_for

USERS = {"alice@example.test": "alice-secret", "bob@example.test": "bob-secret"}

# dkimpy runs under Debian's own interpreter (the one python3-dkim installs into), whatever
# python runs this test.
VERIFY = r"""
import json, sys, dkim
records = json.load(open(sys.argv[1]))
msg = open(sys.argv[2], "rb").read()
def dns(name, timeout=5):
    return records.get(name.decode().rstrip(".").lower(), "").encode()
results = []
for i in range(msg.count(b"DKIM-Signature:")):
    try:
        results.append(bool(dkim.DKIM(msg).verify(idx=i, dnsfunc=dns)))
    except dkim.ValidationError:
        results.append(False)
print(json.dumps(results))
"""


def read(path):
    with open(path, "rb") as f:
        return f.read()


def txt_records(text):
    """{name: value} of the TXT lines of `tern dns records` (zone-file syntax)."""
    out = {}
    for line in text.splitlines():
        m = re.match(r'^(\S+)\s+IN TXT\s+(.*)$', line)
        if m:
            out[m.group(1).rstrip(".").lower()] = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(2)))
    return out


class Dkim(unittest.TestCase):
    def setUp(self):
        self.t = Tern(users=USERS, extra='[senders]\n"bob@example.test" = ["@other.test"]\n')
        self.t.start()

    def tearDown(self):
        self.t.__exit__(None, None, None)

    def submit(self, sender, rcpt, body, user="alice@example.test"):
        with smtplib.SMTP("127.0.0.1", self.t.submission_port, timeout=30) as s:
            s.ehlo("client.test")
            s.starttls(context=self.t.tls_context())
            s.ehlo("client.test")
            s.login(user, USERS[user])
            s.sendmail(sender, [rcpt], body)

    def delivered(self, rcpt, count):
        msgs = self.t.wait_messages(rcpt, count, timeout=30)
        self.assertEqual(len(msgs), count, "message not delivered to %s" % rcpt)
        return msgs

    def verify(self, message):
        records = txt_records(self.t.cli("dns", "records", "example.test", "--config", self.t.config_path).stdout)
        with tempfile.TemporaryDirectory() as d:
            rp, mp = os.path.join(d, "records.json"), os.path.join(d, "msg")
            with open(rp, "w") as f:
                json.dump(records, f)
            with open(mp, "wb") as f:
                f.write(message)
            r = subprocess.run(["/usr/bin/python3", "-c", VERIFY, rp, mp], capture_output=True, text=True,
                               timeout=60)
            self.assertEqual(r.returncode, 0, "dkimpy failed: " + r.stderr)
            return json.loads(r.stdout)

    def test_submitted_mail_is_signed_twice_and_verifies_with_dkimpy(self):
        self.submit("alice@example.test", "bob@example.test",
                    "From: Alice <alice@example.test>\r\nTo: bob@example.test\r\nSubject: signed\r\n\r\n"
                    "Hello Bob.\r\n.leading dot\r\n")
        msg = self.delivered("bob@example.test", 1)[0]
        sigs = re.findall(rb"^DKIM-Signature:(.*(?:\r?\n[ \t].*)*)", msg, re.M)
        self.assertEqual(len(sigs), 2, msg[:2000])
        joined = b" ".join(sigs)
        self.assertIn(b"a=rsa-sha256", joined)
        self.assertIn(b"a=ed25519-sha256", joined)
        self.assertIn(b"s=tern-rsa", joined)
        self.assertIn(b"s=tern-ed25519", joined)
        self.assertIn(b"d=example.test", joined)
        self.assertEqual(self.verify(msg), [True, True])
        # Tampering is caught by the same verifier: the test can fail.
        self.assertEqual(self.verify(msg.replace(b"Hello Bob.", b"Hello Eve.")), [False, False])

    def test_keys_are_private_files_made_on_first_start(self):
        for sel in ("tern-rsa", "tern-ed25519"):
            path = os.path.join(self.t.data, "dkim", "example.test", sel + ".pem")
            self.assertTrue(os.path.exists(path), path)
            self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
            with open(path) as f:
                self.assertIn("PRIVATE KEY", f.read())
        before = {s: read(os.path.join(self.t.data, "dkim", "example.test", s + ".pem"))
                  for s in ("tern-rsa", "tern-ed25519")}
        self.t.stop()
        self.t.start()  # a restart reuses the keys
        for s, pem in before.items():
            self.assertEqual(read(os.path.join(self.t.data, "dkim", "example.test", s + ".pem")), pem)

    def test_mail_from_elsewhere_is_not_signed(self):
        # Bob may send as @other.test, which is not local: nothing to sign with.
        self.submit("bob@other.test", "alice@example.test",
                    "From: bob@other.test\r\nTo: alice@example.test\r\nSubject: unsigned\r\n\r\nHi.\r\n",
                    user="bob@example.test")
        # Mail received on the MX from outside is not signed either.
        with smtplib.SMTP("127.0.0.1", self.t.smtp_port, timeout=30) as s:
            s.sendmail("someone@remote.test", ["alice@example.test"],
                       "From: someone@remote.test\r\nTo: alice@example.test\r\nSubject: inbound\r\n\r\nHi.\r\n")
        for m in self.delivered("alice@example.test", 2):
            self.assertNotIn(b"DKIM-Signature:", m)

    def test_dns_records(self):
        out = self.t.cli("dns", "records", "example.test", "--config", self.t.config_path).stdout
        self.assertIn("example.test. IN MX 10 mx.example.test.", out)
        self.assertIn('example.test. IN TXT "v=spf1 mx -all"', out)
        self.assertRegex(out, r'tern-rsa\._domainkey\.example\.test\. IN TXT "v=DKIM1; k=rsa; p=[A-Za-z0-9+/=]+')
        self.assertRegex(out, r'tern-ed25519\._domainkey\.example\.test\. IN TXT "v=DKIM1; k=ed25519; p=')
        self.assertIn('_dmarc.example.test. IN TXT "v=DMARC1; p=quarantine;', out)
        self.assertIn("_submission._tcp.example.test. IN SRV 0 1 %d mx.example.test." % self.t.submission_port, out)
        self.assertIn("_imaps._tcp.example.test. IN SRV 0 1 %d mx.example.test." % self.t.imaps_port, out)
        r = self.t.cli("dns", "records", "nowhere.test", "--config", self.t.config_path, check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("not a local domain", r.stderr)

    def test_rotation_to_a_new_selector_by_sighup(self):
        out = self.t.cli("dkim", "keygen", "example.test", "--selector", "next", "--config", self.t.config_path).stdout
        self.assertIn("next-rsa._domainkey.example.test. IN TXT", out)
        self.assertIn("next-ed25519._domainkey.example.test. IN TXT", out)
        again = self.t.cli("dkim", "keygen", "example.test", "--selector", "next", "--config",
                           self.t.config_path).stdout
        self.assertIn("; exists", again)  # never replaced
        self.assertEqual(re.findall(r"p=\S+", out), re.findall(r"p=\S+", again))
        with open(self.t.config_path, "a") as f:
            f.write('\n[dkim]\nselector = "next"\n')
        self.assertTrue(wait_for(lambda: b"Tern is running" in read(self.t.log_path), timeout=20))
        self.t.proc.send_signal(signal.SIGHUP)
        self.assertTrue(wait_for(lambda: b"configuration reloaded" in read(self.t.log_path),
                                 timeout=20))
        self.submit("alice@example.test", "bob@example.test",
                    "From: alice@example.test\r\nTo: bob@example.test\r\nSubject: rotated\r\n\r\nHi.\r\n")
        msg = self.delivered("bob@example.test", 1)[0]
        self.assertIn(b"s=next-rsa", msg)
        self.assertIn(b"s=next-ed25519", msg)
        self.assertNotIn(b"s=tern-rsa", msg)
        self.assertEqual(self.verify(msg), [True, True])


if __name__ == "__main__":
    unittest.main()
