#!/usr/bin/env python3
"""Retrieval benchmark: Tern against Dovecot (Debian's dovecot-imapd/-pop3d) on the same Maildir,
in one run, on 127.0.0.1. Run as root (Dovecot's mail processes switch to the `mail` user).

  bench/imap_bench.py                      # 50,000 messages; or `BENCH_ONLY=retrieval scripts/bench`
  BENCH_IMAP_MSGS=2000 bench/imap_bench.py # quick

The mailbox: bench/make_maildir.py writes N messages (60 % plain text 1-8 KiB, 30 %
multipart/alternative, 10 % with a 20-200 KiB base64 attachment) into cur/, deterministically
from BENCH_IMAP_SEED. Each server gets its own directory of hard links to those files (so a flag
rename by one is not seen by the other, and both read the very same inodes); Dovecot's copy is
chowned to `mail`. Every message file is read once before the first server starts, so the page
cache is warm for both: "cold" below means "no index", not "cold disk".

Operations, each timed on the client (wall seconds, first byte sent -> last byte of the reply):
  select   connect + greeting + LOGIN + SELECT INBOX (+ LOGOUT not timed)
  fetch    FETCH 1:* (FLAGS ENVELOPE BODYSTRUCTURE RFC822.SIZE)
  subject  UID SEARCH HEADER SUBJECT "<word in ~1 % of subjects>"
  body     UID SEARCH BODY "<word in ~1 % of bodies>"
  pop3     connect + USER/PASS + RETR 1..K (K = BENCH_POP3_MSGS, 1,000) one after the other + QUIT
For each operation and server: stop the server, delete its index (Tern: tern-index and
tern-cache; Dovecot: its INDEX and CONTROL directories, dovecot-uidlist included), start it, and
run the operation once: "cold". For fetch/subject/body the LOGIN + SELECT before it (which
rebuilds the index) is not timed, so cold = the first time that request meets a fresh index
with nothing cached. Then BENCH_IMAP_RUNS (3) more sessions with the same server: "warm", the
median (min-max). Every session is a new connection. Ratio = Tern seconds / Dovecot seconds
(< 1: Tern faster).

Server CPU: /proc/<pid>/stat of the server's process tree before and after each session (for
Dovecot the imap/pop3 process has exited and been reaped by then: its time is in the master's
cutime). Peak RSS: Tern: VmHWM of its one process, the largest over the restarts. Dovecot: VmHWM
of every process of the instance's tree (dovecot master, log, config, anvil, auth, stats,
imap-login, imap, pop3-login, pop3), sampled after each greeting and before each LOGOUT/QUIT; per
process name the largest value seen, and their sum = the footprint of the instance serving one
session (imap-login has exited once imap runs, so that sum is more than any one moment's).

The client reads in 1 MiB chunks and only scans the new bytes for the tagged reply, so it is
not the bottleneck (its CPU is printed). Bounded: every socket read/write has the deadline of
its operation (BENCH_TIMEOUT, 600 s) and of the whole run (BENCH_IMAP_TOTAL, 3600 s); every
server started is stopped on exit, error or signal (benchlib's clean-up).

Knobs (env): BENCH_IMAP_MSGS (50000), BENCH_IMAP_SEED (1), BENCH_IMAP_RUNS (3), BENCH_POP3_MSGS
(1000), BENCH_TIMEOUT, BENCH_IMAP_TOTAL, BENCH_IMAP_MAILDIR (generate the Maildir there and keep
it; reused when its manifest matches N and seed), BENCH_TMP, BENCH_KEEP=1, TERN_BIN."""

import os
import re
import resource
import shutil
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as B  # noqa: E402
import make_maildir  # noqa: E402


def env_int(name, default):
    return int(os.environ.get(name, default))


MSGS = env_int("BENCH_IMAP_MSGS", 50000)
SEED = env_int("BENCH_IMAP_SEED", 1)
RUNS = max(1, env_int("BENCH_IMAP_RUNS", 3))
POP3_MSGS = env_int("BENCH_POP3_MSGS", 1000)
OP_TIMEOUT = env_int("BENCH_TIMEOUT", 600)
TOTAL = env_int("BENCH_IMAP_TOTAL", 3600)
USER = "bench@example.test"
PASSWORD = "bench-pw"  # what benchlib.Tern.add_user sets
FETCH_ITEMS = b"(FLAGS ENVELOPE BODYSTRUCTURE RFC822.SIZE)"
OPS = ("select", "fetch", "subject", "body", "pop3")


def out(line=""):
    print(line, flush=True)


class Deadline:
    def __init__(self, seconds, what):
        self.at, self.what = time.monotonic() + seconds, what

    def within(self, seconds, what):
        d = Deadline(seconds, what)
        if self.at < d.at:
            d.at, d.what = self.at, self.what
        return d

    def left(self):
        left = self.at - time.monotonic()
        if left <= 0:
            raise TimeoutError("%s: time is up" % self.what)
        return left


# ---------------------------------------------------------------------------------------------
# Clients: raw sockets, big reads, every read and write bounded by the deadline.


class Conn:
    def __init__(self, port, deadline):
        self.deadline = deadline
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=min(30, deadline.left()))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()
        self.received = 0

    def send(self, data):
        self.sock.settimeout(self.deadline.left())
        self.sock.sendall(data)

    def fill(self):
        self.sock.settimeout(self.deadline.left())
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        self.buf += chunk
        self.received += len(chunk)

    def line(self):
        while True:
            i = self.buf.find(b"\r\n")
            if i >= 0:
                line = bytes(self.buf[:i])
                del self.buf[:i + 2]
                return line
            if len(self.buf) > 1 << 16:
                raise ValueError("line too long")
            self.fill()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class Imap(Conn):
    def __init__(self, port, deadline):
        super().__init__(port, deadline)
        greeting = self.line()
        if not greeting.startswith(b"* OK"):
            raise RuntimeError("IMAP greeting: %r" % greeting[:200])
        self.n = 0

    def command(self, line):
        """Sends one command; returns the untagged bytes before the tagged OK (raises on NO/BAD).
        Only the bytes received since the last look are scanned for "\\r\\n<tag> "."""
        self.n += 1
        tag = b"b%d" % self.n
        self.send(tag + b" " + line + b"\r\n")
        needle = b"\r\n" + tag + b" "
        scan = 0
        while True:
            if self.buf.startswith(tag + b" "):
                start = 0
            else:
                i = self.buf.find(needle, scan)
                start = i + 2 if i >= 0 else -1
            if start >= 0:
                end = self.buf.find(b"\r\n", start)
                if end >= 0:
                    tagged = bytes(self.buf[start:end])
                    data = bytes(self.buf[:start])
                    del self.buf[:end + 2]
                    if not tagged.startswith(tag + b" OK"):
                        raise RuntimeError("%s -> %r" % (line[:60], tagged[:300]))
                    return data
                scan = max(0, start - 2)
            else:
                scan = max(0, len(self.buf) - len(needle))
            self.fill()

    def logout(self):
        try:
            self.command(b"LOGOUT")
        except (OSError, RuntimeError, ConnectionError):
            pass
        self.close()


def imap_login_select(port, deadline):
    c = Imap(port, deadline)
    c.command(b'LOGIN "%s" "%s"' % (USER.encode(), PASSWORD.encode()))
    data = c.command(b"SELECT INBOX")
    m = re.search(rb"\* (\d+) EXISTS", data)
    exists = int(m.group(1)) if m else -1
    return c, exists


def search_hits(data):
    m = re.search(rb"\* SEARCH([ 0-9]*)\r\n", data)
    return len(m.group(1).split()) if m else -1


class Pop3(Conn):
    def __init__(self, port, deadline):
        super().__init__(port, deadline)
        g = self.line()
        if not g.startswith(b"+OK"):
            raise RuntimeError("POP3 greeting: %r" % g[:200])

    def simple(self, line):
        self.send(line + b"\r\n")
        r = self.line()
        if not r.startswith(b"+OK"):
            raise RuntimeError("%s -> %r" % (line.split()[0], r[:200]))
        return r

    def retr(self, n):
        """RETR n; returns the bytes of the reply (status line, dot-stuffed message, ".")."""
        self.send(b"RETR %d\r\n" % n)
        while not (self.buf.endswith(b"\r\n.\r\n") and self.buf.startswith(b"+OK")):
            if self.buf.startswith(b"-ERR") and self.buf.endswith(b"\r\n"):
                raise RuntimeError("RETR %d -> %r" % (n, bytes(self.buf[:200])))
            self.fill()
        size = len(self.buf)
        self.buf.clear()
        return size


# ---------------------------------------------------------------------------------------------
# The two servers, behind one interface: start/stop/wipe_index, imap_port/pop3_port, pid.


def link_maildir(src, dst, uid=None, gid=None):
    """dst gets cur/ new/ tmp/ and a hard link to every file of src/cur (a copy if src is on
    another file system)."""
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(dst, sub), exist_ok=True)
    src_cur, dst_cur = os.path.join(src, "cur"), os.path.join(dst, "cur")
    for name in os.listdir(src_cur):
        s, d = os.path.join(src_cur, name), os.path.join(dst_cur, name)
        try:
            os.link(s, d)
        except OSError:
            shutil.copy2(s, d)
        if uid is not None:
            os.chown(d, uid, gid)
    if uid is not None:
        for p in (dst, *(os.path.join(dst, x) for x in ("cur", "new", "tmp"))):
            os.chown(p, uid, gid)


class TernSide:
    name = "tern"

    def __init__(self, base, source):
        self.imap_port, self.pop3_port = B.free_port(), B.free_port()
        self.t = B.Tern(base, listen={"imap": self.imap_port, "pop3": self.pop3_port},
                        extra="[retrieval]\nplaintext_auth = true\n", users=[USER])
        self.maildir = self.t.maildir(USER)
        link_maildir(source, self.maildir)
        self.log_text = self.t.log_text

    def password_hash(self):
        """The user's Argon2id hash from Tern's users file ("address<TAB>hash<TAB>scram")."""
        with open(os.path.join(self.t.data, "users")) as f:
            for line in f:
                fields = line.rstrip("\n").split("\t")
                if fields[0] == USER:
                    return fields[1]
        raise RuntimeError("no %s in Tern's users file" % USER)

    def wipe_index(self):
        """Tern's per-folder index and cache, in INBOX (the Maildir root) and every folder."""
        dirs = [self.maildir] + [os.path.join(self.maildir, d) for d in os.listdir(self.maildir)
                                 if d.startswith(".") and os.path.isdir(os.path.join(self.maildir, d))]
        for d in dirs:
            for f in ("tern-index", "tern-cache"):
                try:
                    os.unlink(os.path.join(d, f))
                except FileNotFoundError:
                    pass

    def start(self):
        self.t.start()
        wait_banner(self.imap_port, b"* OK", self.t.proc)
        wait_banner(self.pop3_port, b"+OK", self.t.proc)

    def stop(self):
        self.t.stop()

    @property
    def pid(self):
        return self.t.pid

    def version(self):
        return B.tern_binary()


class DovecotSide:
    name = "dovecot"

    def __init__(self, base, source, password_field):
        maildir = os.path.join(base, "Maildir")
        self.d = B.Dovecot(base, maildir, USER, password_field)
        link_maildir(source, maildir, self.d.uid, self.d.gid)
        self.imap_port, self.pop3_port = self.d.imap_port, self.d.pop3_port
        self.log_text = self.d.log_text

    def wipe_index(self):
        self.d.wipe_index()

    def start(self):
        self.d.start()

    def stop(self):
        self.d.stop()

    @property
    def pid(self):
        return self.d.pid

    def version(self):
        return "dovecot " + self.d.version()


def wait_banner(port, prefix, proc, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("server exited with %s" % proc.returncode)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                s.settimeout(5)
                if s.recv(512).startswith(prefix):
                    return
        except OSError:
            pass
        time.sleep(0.02)
    raise TimeoutError("no greeting on port %d" % port)


# ---------------------------------------------------------------------------------------------
# Measurement


class Result:
    def __init__(self):
        self.cold = None       # seconds
        self.warm = []         # seconds
        self.cold_cpu = None   # server CPU seconds
        self.warm_cpu = []
        self.check = ""        # what the replies said (counts), to compare across servers
        self.bytes = 0
        self.hwm_kib = 0       # the server's VmHWM after this operation's sessions (Tern)


def settle(srv, timeout=5.0):
    """Waits until the session's imap/pop3 process (Dovecot) has exited, so its CPU time is in
    the master's cutime; a no-op for Tern's one process."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        names = [B.comm(p) for p in B.tree_pids(srv.pid)[1:]]
        if not any(n in ("imap", "pop3", "imap-login", "pop3-login") for n in names):
            return
        time.sleep(0.005)


def run_op(op, srv, sampler, deadline, manifest):
    """One session doing `op`; returns (seconds, server CPU seconds, check string, bytes)."""
    d = deadline.within(OP_TIMEOUT, "%s %s" % (srv.name, op))
    settle(srv)
    cpu0 = B.tree_cpu_seconds(srv.pid)
    if op == "pop3":
        t0 = time.monotonic()
        c = Pop3(srv.pop3_port, d)
        try:
            c.simple(b"USER " + USER.encode())
            c.simple(b"PASS " + PASSWORD.encode())
            k = min(POP3_MSGS, manifest["messages"])
            total = 0
            for i in range(1, k + 1):
                total += c.retr(i)
            secs_before_quit = time.monotonic() - t0
            sampler.sample()  # pop3 process alive (not timed: after the last RETR)
            t1 = time.monotonic()
            c.simple(b"QUIT")
            secs = secs_before_quit + (time.monotonic() - t1)
        finally:
            c.close()
        check, nbytes = "%d msgs" % k, total
    elif op == "select":
        t0 = time.monotonic()
        c, exists = imap_login_select(srv.imap_port, d)
        secs = time.monotonic() - t0
        sampler.sample()
        c.logout()
        check, nbytes = "%d exists" % exists, 0
    else:
        c = Imap(srv.imap_port, d)
        sampler.sample()  # imap-login alive (Dovecot)
        c.command(b'LOGIN "%s" "%s"' % (USER.encode(), PASSWORD.encode()))
        c.command(b"SELECT INBOX")
        r0 = c.received
        if op == "fetch":
            cmd = b"FETCH 1:* " + FETCH_ITEMS
        elif op == "subject":
            cmd = b'UID SEARCH HEADER SUBJECT "%s"' % manifest["subject_word"].encode()
        else:
            cmd = b'UID SEARCH BODY "%s"' % manifest["body_word"].encode()
        t0 = time.monotonic()
        data = c.command(cmd)
        secs = time.monotonic() - t0
        nbytes = c.received - r0
        sampler.sample()
        c.logout()
        if op == "fetch":
            check = "%d FETCH" % data.count(b" FETCH (")
        else:
            check = "%d hits" % search_hits(data)
    settle(srv)
    return secs, B.tree_cpu_seconds(srv.pid) - cpu0, check, nbytes


def measure(srv, manifest, deadline):
    """Every operation cold then warm on one server; returns ({op: Result}, sampler, tern HWM)."""
    results = {}
    sampler = None
    hwm = 0
    for op in OPS:
        srv.stop()
        srv.wipe_index()
        srv.start()
        if sampler is None or sampler.root != srv.pid:
            new = B.TreeSampler(srv.pid)
            if sampler is not None:  # carry the maxima over restarts
                new.hwm_by_name = sampler.hwm_by_name
                new.peak_hwm_kib = sampler.peak_hwm_kib
            sampler = new
        r = Result()
        try:
            r.cold, r.cold_cpu, r.check, r.bytes = run_op(op, srv, sampler, deadline, manifest)
            for _ in range(RUNS):
                secs, cpu, check, _n = run_op(op, srv, sampler, deadline, manifest)
                r.warm.append(secs)
                r.warm_cpu.append(cpu)
                if check != r.check:
                    r.check += " (warm: %s)" % check
        except Exception as e:
            r.check = "FAILED: %s" % e
            out("%s %s failed: %s\n--- log tail ---\n%s" % (srv.name, op, e, srv.log_text()[-1500:]))
        sampler.sample()
        r.hwm_kib = B.hwm_kib(srv.pid)
        hwm = max(hwm, r.hwm_kib)
        results[op] = r
    srv.stop()
    return results, sampler, hwm


def warm_up_page_cache(maildir):
    n = 0
    cur = os.path.join(maildir, "cur")
    for name in os.listdir(cur):
        with open(os.path.join(cur, name), "rb") as f:
            while f.read(1 << 20):
                pass
        n += 1
    return n


def source_maildir(deadline):
    """The generated Maildir: BENCH_IMAP_MAILDIR (reused when its manifest matches) or a temp dir."""
    path = os.environ.get("BENCH_IMAP_MAILDIR")
    if path:
        m = make_maildir.load_manifest(path)
        if m and m["messages"] == MSGS and m["seed"] == SEED:
            return path, m, 0.0
        if os.path.exists(path) and os.listdir(path):
            raise SystemExit("BENCH_IMAP_MAILDIR=%s holds something else; remove it" % path)
    else:
        path = os.path.join(B.make_tempdir("bench-retrieval-src-"), "Maildir")
    t0 = time.monotonic()
    m = make_maildir.generate(path, MSGS, SEED)
    deadline.left()
    return path, m, time.monotonic() - t0


LABELS = {
    "select": "LOGIN+SELECT INBOX",
    "fetch": "FETCH 1:* (4 items)",
    "subject": "SEARCH HEADER SUBJECT",
    "body": "SEARCH BODY",
    "pop3": "POP3 RETR 1..%d" % POP3_MSGS,
}


def fmt_warm(xs):
    if not xs:
        return "%24s" % "-"
    return "%8.3f [%6.3f-%6.3f]" % (B.median(xs), min(xs), max(xs))


def ratio(a, b):
    return "x%.2f" % (a / b) if a and b else "n/a"


def run():
    """The whole benchmark; prints the tables, returns {server: {op: Result}}."""
    deadline = Deadline(TOTAL, "retrieval benchmark (BENCH_IMAP_TOTAL=%d)" % TOTAL)
    B.raise_nofile(4096)
    src, manifest, gen_secs = source_maildir(deadline)
    base = B.make_tempdir("bench-retrieval-")
    t0 = time.monotonic()
    files = warm_up_page_cache(src)
    out("Maildir %s: %d messages, %.1f MiB (seed %d%s); page cache warmed (%d files, %.1f s)"
        % (src, manifest["messages"], manifest["bytes"] / 2**20, SEED,
           ", generated in %.0f s" % gen_secs if gen_secs else ", reused", files,
           time.monotonic() - t0))
    out('search words: subject "%s" (%d messages), body "%s" (%d messages)'
        % (manifest["subject_word"], manifest["subject_hits"], manifest["body_word"],
           manifest["body_hits"]))
    sides = []
    t0 = time.monotonic()
    tern = TernSide(os.path.join(base, "tern"), src)
    sides.append(tern)
    # Dovecot checks the same Argon2id hash (m=19 MiB, t=2) as Tern: LOGIN costs the same.
    sides.append(DovecotSide(os.path.join(base, "dovecot"), src, "{ARGON2ID}" + tern.password_hash()))
    out("hard-linked into each server's Maildir in %.1f s" % (time.monotonic() - t0))
    out("servers: %s; %s" % tuple(s.version() for s in sides))
    out()
    all_results, mem = {}, {}
    client0 = resource.getrusage(resource.RUSAGE_SELF)
    for s in sides:
        w0 = time.monotonic()
        try:
            res, sampler, tern_hwm = measure(s, manifest, deadline)
        finally:
            s.stop()
        all_results[s.name] = res
        mem[s.name] = (sampler, tern_hwm)
        out("(%s: %.0f s)" % (s.name, time.monotonic() - w0))
    client1 = resource.getrusage(resource.RUSAGE_SELF)
    out()
    print_tables(all_results, mem, manifest)
    out("client (this script) CPU over all sessions: %.1f s"
        % (client1.ru_utime + client1.ru_stime - client0.ru_utime - client0.ru_stime))
    return all_results


def print_tables(res, mem, manifest):
    n = manifest["messages"]
    out("== Retrieval: %d messages, seconds (client wall); cold = index deleted + restart; "
        "warm = median [min-max] of %d ==" % (n, RUNS))
    out("select = connect, greeting, LOGIN, SELECT INBOX; fetch = FETCH 1:* %s;" % FETCH_ITEMS.decode())
    out("subject/body = UID SEARCH HEADER SUBJECT / UID SEARCH BODY; POP3 = connect, USER, PASS,")
    out("RETR 1..%d one at a time, QUIT. CPU = the server's, seconds." % POP3_MSGS)
    out("%-34s %-8s %8s %24s %9s %9s  %s" % ("operation", "server", "cold s", "warm s", "cold CPU",
                                              "warm CPU", "replies"))
    for op in OPS:
        label = LABELS[op]
        if op == "subject":
            label += ' "%s"' % manifest["subject_word"]
        elif op == "body":
            label += ' "%s"' % manifest["body_word"]
        for name in ("tern", "dovecot"):
            r = res.get(name, {}).get(op)
            if r is None:
                continue
            extra = " %.1f MiB" % (r.bytes / 2**20) if r.bytes else ""
            out("%-34s %-8s %8s %s %9s %9s  %s%s" % (
                label[:34], name, "%.3f" % r.cold if r.cold is not None else "-", fmt_warm(r.warm),
                "%.2f" % r.cold_cpu if r.cold_cpu is not None else "-",
                "%.2f" % B.median(r.warm_cpu) if r.warm_cpu else "-", r.check, extra))
            label = ""
        t, d = res.get("tern", {}).get(op), res.get("dovecot", {}).get(op)
        if t and d:
            out("%-34s tern/dovecot: cold %s, warm %s" % (
                "", ratio(t.cold, d.cold),
                ratio(B.median(t.warm), B.median(d.warm)) if t.warm and d.warm else "n/a"))
    want = {"select": "%d exists" % n, "fetch": "%d FETCH" % n,
            "subject": "%d hits" % manifest["subject_hits"], "body": "%d hits" % manifest["body_hits"]}
    for op, w in want.items():
        for name in ("tern", "dovecot"):
            r = res.get(name, {}).get(op)
            if r and r.check != w:
                out("CHECK %s %s: replies say %r, the generator wrote %r" % (name, op, r.check, w))
    out()
    if "tern" in mem:
        out("peak RSS tern: %.1f MiB (VmHWM of its one process, largest over %d starts; per "
            "operation, each on a fresh process: %s)"
            % (mem["tern"][1] / 1024, len(OPS),
               ", ".join("%s %.1f" % (op, res["tern"][op].hwm_kib / 1024) for op in OPS
                         if op in res.get("tern", {}))))
    if "dovecot" in mem:
        by = mem["dovecot"][0].hwm_by_name
        total = sum(by.values())
        out("peak RSS dovecot: %.1f MiB = sum over process names of the largest VmHWM seen: %s"
            % (total / 1024, ", ".join("%s %.1f" % (k, v / 1024)
                                       for k, v in sorted(by.items(), key=lambda kv: -kv[1]))))
        if "tern" in mem and total:
            out("  tern/dovecot RSS x%.2f" % (mem["tern"][1] / total))


def main():
    if os.geteuid() != 0:
        raise SystemExit("imap_bench: run as root (Dovecot's mail processes switch to `mail`)")
    t0 = time.monotonic()
    out("Retrieval benchmark, Tern vs Dovecot — %s, %d cores, kernel %s"
        % (time.strftime("%Y-%m-%d %H:%M"), os.cpu_count(), os.uname().release))
    run()
    out("total time %.0f s" % (time.monotonic() - t0))


if __name__ == "__main__":
    main()
