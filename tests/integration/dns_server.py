"""A real DNS server for integration tests: dnsmasq on 127.0.0.1, at a port picked at run time,
answering only from the records it is given (nothing is forwarded anywhere).

    from dns_server import DnsServer

    with DnsServer([
        "example.test MX 10 mx1.example.test",
        "example.test MX 20 mx2.example.test",
        "mx1.example.test A 127.0.0.1",
        "mx2.example.test AAAA ::1",
        "mx2.example.test A 127.0.0.2",
        "nullmx.test MX 0 .",
    ]) as dns:
        tern = Tern(extra='[dns]\\nnameservers = ["%s"]' % dns.nameserver)
        ...

Record syntax, one string per record, zone-file style: "NAME TYPE DATA", case-insensitive, a
trailing dot on NAME is optional:

    NAME MX PREFERENCE TARGET   an MX record; TARGET "." is a Null MX (RFC 7505)
    NAME A IPV4                 an address record; repeat the line for several addresses
    NAME AAAA IPV6

The same records as a dict of tuples also work:

    {"mx": [("example.test", "mx1.example.test", 10), ("nullmx.test", ".", 0)],
     "a": [("mx1.example.test", "127.0.0.1")], "aaaa": [("mx1.example.test", "::1")]}

Every name without records is NXDOMAIN; a name with records of other types only answers
NODATA for the missing type (so "host A 127.0.0.1" alone gives an implicit MX).

`.port`, `.nameserver` ("127.0.0.1:PORT"), `.log()` (dnsmasq's log, queries included) and
`stop()`. The constructor returns only once dnsmasq is serving; it raises RuntimeError with
dnsmasq's log if it does not start. Needs /usr/sbin/dnsmasq (package dnsmasq-base).
"""

import ctypes
import errno
import ipaddress
import os
import signal
import socket
import subprocess
import tempfile
import time
import weakref

DNSMASQ = "/usr/sbin/dnsmasq"
_PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True)


def _die_with_parent():
    """In the child before exec: dnsmasq gets SIGTERM if the test process dies first, so a
    crashed or killed test leaves nothing running."""
    _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() == 1:
        os._exit(127)


def _free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _udp_port_taken(port):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError as e:
            return e.errno == errno.EADDRINUSE
        return False


def _name(text, record):
    name = text.rstrip(".").lower()
    if not name or any(c.isspace() or c in ",/#" for c in name):
        raise ValueError("bad name in DNS record %r" % record)
    return name


def _as_lines(records):
    """The dict form ({"mx": [(name, target, pref)], "a": [...], "aaaa": [...]}) as lines."""
    lines = []
    for rtype, entries in records.items():
        rtype = rtype.upper()
        for entry in entries:
            if rtype == "MX":
                if len(entry) != 3:
                    raise ValueError("MX entry %r: expected (name, target, preference)" % (entry,))
                name, target, pref = entry
                lines.append("%s MX %s %s" % (name, pref, target))
            else:
                if len(entry) != 2:
                    raise ValueError("%s entry %r: expected (name, address)" % (rtype, entry))
                lines.append("%s %s %s" % (entry[0], rtype, entry[1]))
    return lines


def _options(records):
    """The dnsmasq options serving `records` (see the module docstring)."""
    if isinstance(records, str):
        raise TypeError("records is a list of strings, not one string")
    if isinstance(records, dict):
        records = _as_lines(records)
    out = []
    for record in records:
        parts = record.split()
        if len(parts) < 3:
            raise ValueError("DNS record %r: expected \"NAME TYPE DATA\"" % record)
        name, rtype, data = _name(parts[0], record), parts[1].upper(), parts[2:]
        if rtype == "MX":
            if len(data) != 2 or not data[0].isdigit() or int(data[0]) > 65535:
                raise ValueError("DNS record %r: expected \"NAME MX PREFERENCE TARGET\"" % record)
            target = "." if data[1] == "." else _name(data[1], record)
            out.append("--mx-host=%s,%s,%d" % (name, target, int(data[0])))
        elif rtype in ("A", "AAAA"):
            if len(data) != 1:
                raise ValueError("DNS record %r: expected one address" % record)
            try:
                address = ipaddress.ip_address(data[0])
            except ValueError:
                raise ValueError("DNS record %r: bad address" % record) from None
            if address.version != (4 if rtype == "A" else 6):
                raise ValueError("DNS record %r: not an IPv%d address" %
                                 (record, 4 if rtype == "A" else 6))
            out.append("--host-record=%s,%s" % (name, address.compressed))
        else:
            raise ValueError("DNS record %r: type must be MX, A or AAAA" % record)
    return out


def _terminate(proc, log):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    log.close()


class DnsServer:
    """dnsmasq on 127.0.0.1 serving `records`; see the module docstring."""

    def __init__(self, records, timeout=10.0):
        if not os.access(DNSMASQ, os.X_OK):
            raise RuntimeError("%s not found (package dnsmasq-base)" % DNSMASQ)
        options = _options(records)
        # dnsmasq's output, in an unlinked file: nothing is left behind, even by a killed test.
        self._log = tempfile.TemporaryFile(prefix="tern-dns-")
        self.proc = None
        self._finalizer = None
        try:
            # A free port can be taken by someone else before dnsmasq binds it: retry then.
            for _ in range(5):
                self.port = _free_udp_port()
                if self._start(options, timeout):
                    return
            raise RuntimeError("dnsmasq could not bind a port: " + self.log())
        except BaseException:
            self.stop()
            raise

    @property
    def nameserver(self):
        return "127.0.0.1:%d" % self.port

    def _start(self, options, timeout):
        """Starts dnsmasq on self.port; False if the port turned out to be in use."""
        args = [
            DNSMASQ, "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts",
            "--listen-address=127.0.0.1", "--bind-interfaces", "--port=%d" % self.port,
            "--pid-file=",        # none: /run may not be writable
            # As root dnsmasq would switch to user "dnsmasq" (which may not exist) and group
            # "dip"; any such switch also clears the parent-death signal. Unprivileged, these
            # are ignored.
            "--user=root", "--group=root",
            "--log-facility=-", "--log-queries",
            "--local=/#/",        # names without records: NXDOMAIN, nothing forwarded
        ] + options
        self._log.seek(0)  # a retry starts a fresh log (the file offset is shared with dnsmasq)
        self._log.truncate()
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=self._log,
                                     stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)
        if self._finalizer is not None:
            self._finalizer.detach()
        self._finalizer = weakref.finalize(self, _terminate, self.proc, self._log)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                if "in use" in self.log():
                    return False
                raise RuntimeError("dnsmasq exited with %d: %s" % (self.proc.returncode, self.log()))
            # It logs "started" after binding its sockets; the port check guards against a
            # stranger holding the port we picked.
            if "started" in self.log() and _udp_port_taken(self.port):
                return True
            time.sleep(0.02)
        raise RuntimeError("dnsmasq did not start within %.0fs: %s" % (timeout, self.log()))

    def log(self):
        """dnsmasq's log so far (queries included)."""
        if self._log.closed:
            return ""
        data, offset = b"", 0
        while True:
            chunk = os.pread(self._log.fileno(), 65536, offset)
            if not chunk:
                return data.decode(errors="replace")
            data += chunk
            offset += len(chunk)

    def stop(self):
        """Stops dnsmasq and waits for it. Safe to call twice."""
        if self._finalizer is not None:
            self._finalizer()  # runs _terminate once
        else:
            self._log.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        return False
