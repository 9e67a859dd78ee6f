"""A real DNS server (dnsmasq from Debian) on 127.0.0.1 for integration tests, serving test zones.

    records = {
        "mx":   [("b.test", "mx.b.test", 10), ("nullmx.test", ".", 0)],  # domain, host, preference
        "a":    [("mx.b.test", "127.0.0.1")],                            # name, IPv4 or IPv6
    }
    with DnsServer(records) as dns:
        config = '[dns]\\nnameservers = ["%s"]\\n' % dns.nameserver   # "127.0.0.1:PORT"

Every name under .test not listed is NXDOMAIN (--local=/test/); nothing is forwarded anywhere.
"""

import os
import socket
import subprocess
import tempfile
import time

DNSMASQ = "/usr/sbin/dnsmasq"


def _udp_port_taken(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.bind(("127.0.0.1", port))
        return False
    except OSError:
        return True
    finally:
        s.close()


class DnsServer:
    def __init__(self, records):
        self.records = records
        self.proc = None
        self.port = None
        self.log_path = None

    @property
    def nameserver(self):
        return "127.0.0.1:%d" % self.port

    def _args(self):
        args = []
        for domain, host, pref in self.records.get("mx", []):
            args.append("--mx-host=%s,%s,%d" % (domain, host, pref))
        for name, address in self.records.get("a", []):
            args.append("--host-record=%s,%s" % (name, address))
        return args

    def start(self):
        fd, self.log_path = tempfile.mkstemp(prefix="tern-dnsmasq-")
        os.close(fd)
        for _ in range(5):
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.bind(("127.0.0.1", 0))
                self.port = s.getsockname()[1]
            log = open(self.log_path, "ab")
            self.proc = subprocess.Popen(
                [DNSMASQ, "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts",
                 "--listen-address=127.0.0.1", "--bind-interfaces", "--port=%d" % self.port,
                 "--pid-file=", "--user=nobody", "--log-facility=-", "--log-queries",
                 "--local=/test/"] + self._args(),
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
            log.close()
            deadline = time.time() + 10
            while time.time() < deadline:
                if self.proc.poll() is not None:
                    break
                with open(self.log_path, "rb") as f:
                    started = b"started" in f.read()
                if started and _udp_port_taken(self.port):
                    return self
                time.sleep(0.02)
            self.stop()
        raise RuntimeError("dnsmasq did not start: %s" % self.log_text())

    def log_text(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def stop(self):
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        if self.log_path:
            os.unlink(self.log_path)
        return False
