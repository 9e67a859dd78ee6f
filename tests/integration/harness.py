"""Test harness: runs the real `tern` binary in a temporary directory on loopback ports picked
at run time, and stops it at the end. Used by every integration test."""

import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import glob

TERN = os.environ.get("TERN_BIN") or os.path.join(
    os.path.dirname(__file__), "..", "..", "build", "tern")


_handed_out = set()
_rng = random.Random(os.getpid() ^ time.time_ns())


def _ephemeral_low():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port():
    """A port nothing listens on, never one this process handed out before, and below the
    kernel's ephemeral range: a server restarted on the same port (after kill -9) must not find
    it taken by some client connection's local port meanwhile."""
    high = min(_ephemeral_low(), 65536)
    low = max(1024, high - 12000)
    for _ in range(10000):
        port = _rng.randrange(low, high)
        if port in _handed_out:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.add(port)
        return port
    raise RuntimeError("no free port in %d-%d" % (low, high))


def wait_port(port, timeout=20.0, proc=None):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError("tern exited with %s" % proc.returncode)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError("port %d never opened" % port)


def wait_for(predicate, timeout=20.0, interval=0.05):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()


class Tern:
    """One tern server: `with Tern(domains=[...], aliases={...}) as t: ...`."""

    def __init__(self, domains=("example.test",), aliases=None, limits=None, hostname="mx.example.test",
                 extra="", users=None):
        self.dir = tempfile.mkdtemp(prefix="tern-it-")
        self.data = os.path.join(self.dir, "data")
        self.smtp_port = free_port()
        self.submission_port = free_port()
        self.submissions_port = free_port()
        self.pop3_port = free_port()
        self.pop3s_port = free_port()
        self.imap_port = free_port()
        self.imaps_port = free_port()
        self.domains = list(domains)
        self.aliases = aliases or {}
        self.limits = limits or {}
        self.hostname = hostname
        self.extra = extra
        self.proc = None
        self.log_path = os.path.join(self.dir, "tern.log")
        self.config_path = os.path.join(self.dir, "tern.toml")
        self.write_config()
        for address, password in (users or {}).items():
            self.user("add", address, "--password-stdin", input=password)

    def write_config(self):
        lines = [
            "[server]",
            'hostname = "%s"' % self.hostname,
            'data_dir = "%s"' % self.data,
            "domains = [%s]" % ", ".join('"%s"' % d for d in self.domains),
            "",
            "[listen]",
            'smtp = ["127.0.0.1:%d"]' % self.smtp_port,
            'submission = ["127.0.0.1:%d"]' % self.submission_port,
            'submissions = ["127.0.0.1:%d"]' % self.submissions_port,
            'pop3 = ["127.0.0.1:%d"]' % self.pop3_port,
            'pop3s = ["127.0.0.1:%d"]' % self.pop3s_port,
            'imap = ["127.0.0.1:%d"]' % self.imap_port,
            'imaps = ["127.0.0.1:%d"]' % self.imaps_port,
            "",
            "[limits]",
        ]
        for k, v in self.limits.items():
            lines.append("%s = %s" % (k, v))
        lines += ["", "[aliases]"]
        for k, v in self.aliases.items():
            lines.append('"%s" = [%s]' % (k, ", ".join('"%s"' % x for x in v)))
        lines.append(self.extra)
        with open(self.config_path, "w") as f:
            f.write("\n".join(lines) + "\n")

    def cli(self, *args, input=None, check=True):
        r = subprocess.run([TERN, *args], input=input, capture_output=True, text=True, timeout=60)
        if check and r.returncode != 0:
            raise AssertionError("tern %s failed (%d): %s%s" % (" ".join(args), r.returncode,
                                                               r.stdout, r.stderr))
        return r

    def user(self, *args, input=None, check=True):
        return self.cli("user", *args, "--config", self.config_path, input=input, check=check)

    def start(self):
        if getattr(self, "log", None) is not None:
            self.log.close()
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([TERN, "serve", "--config", self.config_path],
                                     stdout=self.log, stderr=subprocess.STDOUT, cwd=self.dir)
        wait_port(self.smtp_port, proc=self.proc)
        return self

    def tls_context(self, verify=False):
        """A client TLS context; with verify, it trusts only the server's self-signed cert."""
        import ssl
        if not verify:
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            return ctx
        return ssl.create_default_context(cafile=os.path.join(self.data, "tls", "selfsigned.crt"))

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)
        self.proc = None

    def terminate(self, timeout=15):
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=timeout)
        self.proc = None
        return code

    def stop(self):
        if self.proc is not None:
            try:
                self.proc.send_signal(signal.SIGTERM)
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None
        if getattr(self, "log", None) is not None:
            self.log.close()
            self.log = None

    def log_text(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return "(no log: %s is gone)" % self.log_path

    def maildir(self, address):
        local, domain = address.lower().rsplit("@", 1)
        return os.path.join(self.data, "mailboxes", domain, local)

    def messages(self, address):
        """Contents of every message in the user's Maildir new/ and cur/."""
        # An IMAP or POP3 session may move a file from new/ to cur/ (or expunge it) between the
        # listing and the open: list again then, a bounded number of times.
        for _ in range(20):
            out = []
            try:
                for sub in ("new", "cur"):
                    for path in sorted(glob.glob(os.path.join(self.maildir(address), sub, "*"))):
                        with open(path, "rb") as f:
                            out.append(f.read())
                return out
            except FileNotFoundError:
                time.sleep(0.01)
        raise RuntimeError("Maildir of %s kept changing while being read" % address)

    def wait_messages(self, address, count, timeout=20.0):
        return wait_for(lambda: len(self.messages(address)) >= count and self.messages(address),
                        timeout) or []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        if exc[0] is None and not os.environ.get("TERN_KEEP"):
            shutil.rmtree(self.dir, ignore_errors=True)
        else:
            print("tern test dir kept: %s\n--- log ---\n%s" % (self.dir, self.log_text()[-4000:]))
        return False
