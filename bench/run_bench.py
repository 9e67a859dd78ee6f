#!/usr/bin/env python3
"""Tern against Postfix on loopback, in one run; prints one table per workload.

Workloads (BENCH_ONLY=fsync,accept,e2e,idle,queue,relay,retrieval selects some):
  fsync   the disk ceiling: 1 KiB append + fdatasync, 1 / 8 / 50 threads (bench/fsync_bench.py)
  accept  1 KiB, 1 recipient, smtp-source at concurrency 1/10/50, many messages per connection
          (-d) and one per connection; smtp-sink (no queue, no disk) as the protocol ceiling
  e2e     local delivery into Maildirs: first byte sent -> last file in new/
  idle    10,000 idle connections to Tern: RSS and a new client's greeting latency
  queue   Tern start-up with 100,000 deferred messages queued (bench/queue_fill), idle CPU, and
          the accept rate then
  relay   outbound: smtp-source -> server -> smtp-sink through a forwarding alias, first byte
          sent -> last message received by the sink
  retrieval  IMAP and POP3 against Dovecot on the same generated Maildir (bench/imap_bench.py,
          which has its own knobs: BENCH_IMAP_MSGS, BENCH_IMAP_RUNS, BENCH_POP3_MSGS, ...)

Every figure is a median of BENCH_RUNS runs (default 3) with min and max. Nothing here asserts
on timing: the PASS/MISS marks only compare the printed figures with the targets of the issue.
Parameters (env): BENCH_RUNS, BENCH_ACCEPT_MSGS (c=50 rows, 20000), BENCH_ACCEPT_MSGS_SMALL
(other rows, 5000), BENCH_CONCURRENCY (1,10,50), BENCH_E2E_SMALL (20000), BENCH_E2E_LARGE (3000),
BENCH_E2E_CONC (50), BENCH_IDLE_CONNS (10000), BENCH_QUEUE_MSGS (100000), BENCH_RELAY_MSGS
(10000), BENCH_RELAY_CONC (20), BENCH_TIMEOUT
(seconds per load, 600), TERN_BIN, BENCH_TMP (parent of the temp dirs), BENCH_KEEP=1 (keep them)."""

import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as B  # noqa: E402
import fsync_bench  # noqa: E402
import idle_conns  # noqa: E402
import imap_bench  # noqa: E402


def env_int(name, default):
    return int(os.environ.get(name, default))


RUNS = max(1, env_int("BENCH_RUNS", 3))
ACCEPT_MSGS = env_int("BENCH_ACCEPT_MSGS", 20000)
ACCEPT_MSGS_SMALL = env_int("BENCH_ACCEPT_MSGS_SMALL", 5000)
CONCURRENCY = [int(x) for x in os.environ.get("BENCH_CONCURRENCY", "1,10,50").split(",")]
E2E_SMALL = env_int("BENCH_E2E_SMALL", 20000)
E2E_LARGE = env_int("BENCH_E2E_LARGE", 3000)
E2E_CONC = env_int("BENCH_E2E_CONC", 50)
IDLE_CONNS = env_int("BENCH_IDLE_CONNS", 10000)
QUEUE_MSGS = env_int("BENCH_QUEUE_MSGS", 100000)
RELAY_MSGS = env_int("BENCH_RELAY_MSGS", 10000)
RELAY_CONC = env_int("BENCH_RELAY_CONC", 20)
QUEUE_FILL = os.path.join(B.ROOT, "build", "bench", "queue_fill")
TIMEOUT = env_int("BENCH_TIMEOUT", 600)
ONLY = set(os.environ.get("BENCH_ONLY", "fsync,accept,e2e,idle,queue,relay,retrieval").split(","))

MIB = 1024.0
results = {}   # figures later workloads compare against
summary = []   # (target, figure, PASS/MISS)


def out(line=""):
    print(line, flush=True)


def fmt_rate(xs):
    return "%8.0f [%6.0f-%6.0f]" % (B.median(xs), min(xs), max(xs))


def mark(ok):
    return "PASS" if ok else "MISS"


def wait_until(pred, timeout, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(interval)
    return pred()


class Stats:
    def __init__(self, name):
        self.name = name
        self.rates = []
        self.cpu_per_1k = []
        self.peak_hwm_kib = 0
        self.peak_pss_kib = 0
        self.procs = 0
        self.note = ""

    def add_sampler(self, s):
        self.peak_hwm_kib = max(self.peak_hwm_kib, s.peak_hwm_kib)
        self.peak_pss_kib = max(self.peak_pss_kib, s.peak_pss_kib)
        self.procs = max(self.procs, s.max_procs)

    def row(self, label):
        if not self.rates:
            return "%-10s %-22s %s" % (self.name, label, self.note or "no result")
        return "%-10s %-22s %s %9.3f %9.1f %9.1f %5d" % (
            self.name, label, fmt_rate(self.rates), B.median(self.cpu_per_1k),
            self.peak_hwm_kib / MIB, self.peak_pss_kib / MIB, self.procs)


HEADER = "%-10s %-22s %8s %15s %9s %9s %9s %5s" % (
    "server", "load", "msgs/s", "[min-max]", "CPU s/1k", "RSS MiB", "PSS MiB", "procs")


def ratio_line(t, p, target=None):
    if not t.rates or not p.rates:
        return "  tern/postfix: n/a", None
    r = B.median(t.rates) / B.median(p.rates)
    c = B.median(t.cpu_per_1k) / B.median(p.cpu_per_1k) if B.median(p.cpu_per_1k) else float("nan")
    m = t.peak_hwm_kib / p.peak_hwm_kib if p.peak_hwm_kib else float("nan")
    line = "  tern/postfix: msgs/s x%.2f   CPU/msg x%.2f   RSS x%.2f (PSS x%.2f)" % (
        r, c, m, t.peak_pss_kib / p.peak_pss_kib if p.peak_pss_kib else float("nan"))
    ok = None
    if target is not None:
        ok = r >= target
        line += "   target msgs/s >= %gx: %s" % (target, mark(ok))
    return line, ok


# ---------------------------------------------------------------------------------------------


def bench_fsync():
    out("== Disk ceiling: 1 KiB append + fdatasync loop, each thread its own file ==")
    d = B.make_tempdir("bench-fsync-")
    out("directory: %s (same file system as every spool below)" % d)
    out("%-8s %10s %12s %10s" % ("threads", "syncs/s", "median ms", "p99 ms"))
    for t in (1, 8, 50):
        rate, med, p99 = fsync_bench.run(d, t, 3.0)
        results["fsync_%d" % t] = rate
        out("%-8d %10.0f %12.3f %10.3f" % (t, rate, med * 1e3, p99 * 1e3))
    out("A server that fsyncs once per message is bounded by the 50-thread figure; group commit")
    out("(one fdatasync covering every message waiting at that moment) is not.")
    out()


def drain_tern(t, user, expected):
    return wait_until(lambda: B.count_dir(t.maildir_new(user)) >= expected, 120)


def accept_group(kind, base, conc, persistent, messages):
    st = Stats(kind)
    try:
        if kind == "tern":
            srv = B.Tern(os.path.join(base, "tern"), users=["bench@example.test"])
            rcpt = "bench@example.test"
        elif kind == "postfix":
            srv = B.Postfix(os.path.join(base, "postfix"))
            rcpt = "bench@discard.test"
        else:
            srv = B.SmtpSink(base)
            rcpt = "bench@sink.test"
        srv.start()
        with B.TreeSampler(srv.pid) as sampler:
            for run in range(RUNS):
                c0 = B.tree_cpu_seconds(srv.pid)
                secs = B.smtp_source(srv.port, messages, conc, 1024, rcpt, persistent, timeout=TIMEOUT)
                # CPU is counted until the server has disposed of the batch (Tern: Maildir files
                # written; Postfix: discarded, queue empty), so background work is included.
                if kind == "tern":
                    drain_tern(srv, rcpt, messages * (run + 1))
                elif kind == "postfix":
                    wait_until(srv.queue_empty, 120, 0.1)
                st.rates.append(messages / secs)
                st.cpu_per_1k.append((B.tree_cpu_seconds(srv.pid) - c0) / messages * 1000)
        st.add_sampler(sampler)
        srv.stop()
    except Exception as e:  # report and go on with the next row
        st.note = "FAILED: %s" % e
    return st


def bench_accept():
    out("== 1. Accept: 1 KiB messages, 1 recipient, smtp-source; every server fsyncs before 250 ==")
    out("Postfix: default_transport = local_transport = discard (acceptance only).")
    out("Tern: no discard route yet, so mail goes to a local user's Maildir; Tern delivers")
    out("asynchronously after the 250, so the msgs/s column is still acceptance; the CPU column")
    out("counts until the batch is disposed of (Tern: Maildir files written; Postfix: discarded).")
    out("smtp-sink: Postfix's test server, no queue and no disk: the protocol/client ceiling.")
    out("load = c<sessions> many (-d: all messages over <sessions> connections) | one (one message")
    out("per connection); runs=%d; msgs per row: %d at c=50, %d otherwise." % (RUNS, ACCEPT_MSGS, ACCEPT_MSGS_SMALL))
    out(HEADER)
    groups = [(c, True) for c in CONCURRENCY] + [(c, False) for c in CONCURRENCY if c > 1]
    for conc, persistent in groups:
        n = ACCEPT_MSGS if conc >= 50 else ACCEPT_MSGS_SMALL
        label = "c%d %s n=%d" % (conc, "many" if persistent else "one", n)
        rows = {}
        for kind in ("smtp-sink", "postfix", "tern"):
            base = B.make_tempdir("bench-accept-%s-" % kind)
            rows[kind] = accept_group(kind, base, conc, persistent, n)
            out(rows[kind].row(label))
        target = 5 if (conc == 50 and persistent) else None
        line, ok = ratio_line(rows["tern"], rows["postfix"], target)
        out(line)
        if ok is not None:
            summary.append(("accept c50 >= 5x Postfix msgs/s", line.split("msgs/s ")[1].split()[0], mark(ok)))
        if conc == 50 and persistent and rows["tern"].rates:
            results["tern_accept_c50"] = B.median(rows["tern"].rates)
    out()


def e2e_group(kind, base, messages, size):
    st = Stats(kind)
    try:
        users = ["e2e%d" % r for r in range(RUNS)]
        if kind == "tern":
            srv = B.Tern(os.path.join(base, "tern"), users=["%s@example.test" % u for u in users])
            addr = lambda u: "%s@example.test" % u  # noqa: E731
            newdir = lambda u: srv.maildir_new(addr(u))  # noqa: E731
        else:
            srv = B.Postfix(os.path.join(base, "postfix"), vusers=users)
            addr = lambda u: "%s@virt.test" % u  # noqa: E731
            newdir = srv.maildir_new
        srv.start()
        with B.TreeSampler(srv.pid) as sampler:
            for u in users:
                c0 = B.tree_cpu_seconds(srv.pid)
                t0 = time.monotonic()
                src = B.SourceRun(srv.port, messages, E2E_CONC, size, addr(u), True, timeout=TIMEOUT)
                d = newdir(u)
                done = wait_until(lambda: B.count_dir(d) >= messages, TIMEOUT, 0.02)
                secs = time.monotonic() - t0
                src.wait()
                if not done:
                    raise RuntimeError("only %d of %d delivered after %ds" % (B.count_dir(d), messages, TIMEOUT))
                st.rates.append(messages / secs)
                st.cpu_per_1k.append((B.tree_cpu_seconds(srv.pid) - c0) / messages * 1000)
        st.add_sampler(sampler)
        srv.stop()
    except Exception as e:
        st.note = "FAILED: %s" % e
    return st


def bench_e2e():
    out("== 2. End-to-end local delivery into Maildirs: first byte sent -> last file in new/ ==")
    out("smtp-source, %d sessions, many messages per connection; runs=%d." % (E2E_CONC, RUNS))
    out("Postfix: virtual(8) into <tmp>/vmail/<user>/ (Maildir). Tern: a user made with `tern user add`.")
    out(HEADER)
    for messages, size, label in ((E2E_SMALL, 1024, "1 KiB"), (E2E_LARGE, 102400, "100 KiB")):
        rows = {}
        for kind in ("postfix", "tern"):
            rows[kind] = e2e_group(kind, B.make_tempdir("bench-e2e-%s-" % kind), messages, size)
            out(rows[kind].row("%s n=%d" % (label, messages)))
        line, ok = ratio_line(rows["tern"], rows["postfix"], 4)
        out(line)
        summary.append(("e2e %s >= 4x Postfix" % label, line.split("msgs/s ")[1].split()[0] if ok is not None else "n/a",
                        mark(bool(ok))))
    out()


def relay_group(kind, base, messages, size):
    """smtp-source -> server -> smtp-sink: the server forwards every message to a remote
    address (an alias on both), and the run ends when the sink has received them all."""
    st = Stats(kind)
    try:
        sink = B.SmtpSink(B.make_tempdir("bench-relay-sink-"), count=True)
        sink.start()
        if kind == "tern":
            srv = B.Tern(os.path.join(base, "tern"), aliases={"fwd@example.test": ["far@remote.test"]})
            with open(srv.config, "a") as f:
                f.write('\n[outbound]\ntls = "none"\n\n[routes]\n"*" = "127.0.0.1:%d"\n' % sink.port)
            rcpt = "fwd@example.test"
        else:
            srv = B.Postfix(os.path.join(base, "postfix"), extra={
                "virtual_alias_domains": "fwd.test",
                "virtual_alias_maps": "texthash:%s/valias" % os.path.join(base, "postfix", "conf"),
                "default_transport": "smtp",
                "relayhost": "[127.0.0.1]:%d" % sink.port,
                "smtp_tls_security_level": "none",
            })
            with open(os.path.join(srv.conf, "valias"), "w") as f:
                f.write("fwd@fwd.test far@remote.test\n")
            rcpt = "fwd@fwd.test"
        srv.start()
        with B.TreeSampler(srv.pid) as sampler:
            for run in range(RUNS):
                want = messages * (run + 1)
                c0 = B.tree_cpu_seconds(srv.pid)
                t0 = time.monotonic()
                src = B.SourceRun(srv.port, messages, RELAY_CONC, size, rcpt, True, timeout=TIMEOUT)
                done = wait_until(lambda: sink.messages() >= want, TIMEOUT, 0.02)
                secs = time.monotonic() - t0
                src.wait()
                if not done:
                    raise RuntimeError("the sink got %d of %d after %ds" % (sink.messages(), want, TIMEOUT))
                st.rates.append(messages / secs)
                st.cpu_per_1k.append((B.tree_cpu_seconds(srv.pid) - c0) / messages * 1000)
        st.add_sampler(sampler)
        srv.stop()
        sink.stop()
    except Exception as e:
        st.note = "FAILED: %s" % e
    return st


def bench_relay():
    out("== 5. Outbound: smtp-source -> server -> smtp-sink, first byte sent -> last message at the sink ==")
    out("Each message goes to a local alias that forwards to far@remote.test; remote mail goes to an")
    out("smtp-sink on loopback (Tern: [routes] \"*\", Postfix: relayhost), no TLS on that hop. Both run")
    out("their default outbound concurrency and connection reuse. smtp-source: %d sessions, many" % RELAY_CONC)
    out("messages per connection; runs=%d." % RUNS)
    out(HEADER)
    rows = {}
    for kind in ("postfix", "tern"):
        rows[kind] = relay_group(kind, B.make_tempdir("bench-relay-%s-" % kind), RELAY_MSGS, 1024)
        out(rows[kind].row("1 KiB n=%d" % RELAY_MSGS))
    line, _ = ratio_line(rows["tern"], rows["postfix"])
    out(line)
    out()


def bench_idle():
    out("== 3. %d idle SMTP connections to Tern (greeting read, then nothing sent) ==" % IDLE_CONNS)
    base = B.make_tempdir("bench-idle-")
    t = B.Tern(os.path.join(base, "tern"), users=["bench@example.test"])
    t.start()
    time.sleep(0.5)
    rss0 = B.rss_kib(t.pid)
    before = idle_conns.probe_greetings(t.port, 5)
    res = idle_conns.open_idle(t.port, IDLE_CONNS)
    time.sleep(2.0)
    rss1, hwm1 = B.rss_kib(t.pid), B.hwm_kib(t.pid)
    lat = idle_conns.probe_greetings(t.port, 20)
    ok_lat = [x for x in lat if x is not None]
    fails = len(lat) - len(ok_lat)
    # And a message still gets through while they are held.
    try:
        secs = B.smtp_source(t.port, 200, 1, 1024, "bench@example.test", True, timeout=120)
        during = "%.0f msgs/s (200 messages, c=1)" % (200 / secs)
    except Exception as e:
        during = "FAILED: %s" % e
    idle_conns.close_all(res)
    t.stop()
    out("connections greeted: %d of %d (refused/failed: %d) in %.1f s" % (res.greeted, IDLE_CONNS, res.refused, res.open_seconds))
    out("Tern RSS: idle %.1f MiB -> %.1f MiB with the connections (VmHWM %.1f MiB): %.1f KiB per connection"
        % (rss0 / MIB, rss1 / MIB, hwm1 / MIB, (rss1 - rss0) / max(1, res.greeted)))
    out("greeting latency before: median %.1f ms; with the connections held (20 new clients): median %.1f ms, max %.1f ms, failures %d"
        % (B.median([x for x in before if x is not None]) * 1e3, B.median(ok_lat) * 1e3 if ok_lat else float("nan"),
           max(ok_lat) * 1e3 if ok_lat else float("nan"), fails))
    out("a new client sending mail meanwhile: %s" % during)
    ok = res.greeted == IDLE_CONNS and hwm1 / MIB < 320 and ok_lat and fails == 0 and max(ok_lat) < 1.0
    out("target: all %d held, RSS < 320 MiB, greeting < 1 s: %s" % (IDLE_CONNS, mark(ok)))
    summary.append(("%d idle conns < 320 MiB, greeting < 1 s" % IDLE_CONNS,
                    "%.0f MiB, %.0f ms" % (hwm1 / MIB, max(ok_lat) * 1e3 if ok_lat else -1), mark(ok)))
    out()


def bench_queue():
    out("== 4. Tern start-up with %d messages queued (deferred), and accepting meanwhile ==" % QUEUE_MSGS)
    out("bench/queue_fill writes the messages straight into the spool, each with one remote")
    out("recipient deferred for a day (what a server accumulates while a big destination is down);")
    out("remote mail is routed to 127.0.0.1:9, where nothing listens.")
    base = B.make_tempdir("bench-queue-")
    t = B.Tern(os.path.join(base, "tern"), users=["bench@example.test"])
    with open(t.config, "a") as f:
        f.write('\n[routes]\n"*" = "127.0.0.1:9"\n')
    t0 = time.monotonic()
    subprocess.run([QUEUE_FILL, os.path.join(t.data, "queue"), str(QUEUE_MSGS)], check=True, timeout=TIMEOUT)
    out("filled: %d messages in %.1f s" % (QUEUE_MSGS, time.monotonic() - t0))
    starts = []
    rss = []
    idle_cpu = []
    for _ in range(RUNS):
        starts.append(t.start(timeout=120))
        time.sleep(0.3)
        rss.append(B.rss_kib(t.pid))
        # A scheduler that walked the whole queue on every event or tick would show here.
        c0 = B.cpu_ticks(t.pid)
        time.sleep(3.0)
        idle_cpu.append((B.cpu_ticks(t.pid) - c0) / B.CLK_TCK)
        t.stop(timeout=60)
    log = t.log_text()
    opened = [l for l in log.splitlines() if "opened with" in l]
    out("start -> first 220 greeting: %.2f s [%.2f-%.2f] over %d starts; RSS after start %.1f MiB;"
        " idle CPU %.2f s over 3 s" % (B.median(starts), min(starts), max(starts), RUNS, max(rss) / MIB,
                                       max(idle_cpu)))
    if opened:
        out("log: %s" % opened[-1].split(" info ")[-1])
    ok = B.median(starts) < 3.0 and opened and ("opened with %d" % QUEUE_MSGS) in opened[-1]
    out("target: start-up with %d queued < 3 s: %s" % (QUEUE_MSGS, mark(ok)))
    summary.append(("start-up with %d queued < 3 s" % QUEUE_MSGS, "%.2f s" % B.median(starts), mark(ok)))
    t.start(timeout=120)
    rates = []
    n = ACCEPT_MSGS
    for _ in range(RUNS):
        rates.append(n / B.smtp_source(t.port, n, 50, 1024, "bench@example.test", True, timeout=TIMEOUT))
    t.stop(timeout=60)
    base_rate = results.get("tern_accept_c50")
    out("accept with %d queued: c50 many, n=%d: %s msgs/s%s" % (
        QUEUE_MSGS, n, fmt_rate(rates),
        "  (empty queue, workload 1: %.0f; x%.2f)" % (base_rate, B.median(rates) / base_rate) if base_rate else ""))
    out()


def bench_retrieval():
    out("== 6. Retrieval: IMAP and POP3, Tern vs Dovecot on the same Maildir (bench/imap_bench.py) ==")
    imap_bench.run()
    out()


def main():
    B.raise_nofile(IDLE_CONNS + 512)
    out("Tern vs Postfix benchmarks — %s, %d cores, kernel %s" % (time.strftime("%Y-%m-%d %H:%M"), os.cpu_count(),
                                                                 os.uname().release))
    out("tern: %s; postfix: %s; runs per figure: %d" % (B.tern_binary(), postfix_version(), RUNS))
    out("CPU = utime+stime (+ children reaped) from /proc/<pid>/stat, for Postfix summed over the master")
    out("and every daemon (see bench/benchlib.py). RSS = peak VmHWM (Postfix: the largest sum over its")
    out("live processes, sampled every 0.2 s; shared pages counted per process); PSS = same with")
    out("proportional set size, which splits shared pages. procs = most processes alive at once.")
    out()
    t0 = time.monotonic()
    for name, fn in (("fsync", bench_fsync), ("accept", bench_accept), ("e2e", bench_e2e),
                     ("idle", bench_idle), ("queue", bench_queue), ("relay", bench_relay),
                     ("retrieval", bench_retrieval)):
        if name in ONLY:
            w0 = time.monotonic()
            try:
                fn()
            except Exception as e:
                out("%s: FAILED: %r" % (name, e))
                out()
            out("(%s took %.0f s)" % (name, time.monotonic() - w0))
            out()
    out("== Targets ==")
    for target, figure, m in summary:
        out("%-45s %-22s %s" % (target, figure, m))
    out("total time %.0f s" % (time.monotonic() - t0))


def postfix_version():
    try:
        r = subprocess.run(["/usr/sbin/postconf", "-d", "mail_version"], capture_output=True, text=True, timeout=30)
        return r.stdout.strip().split("=")[-1].strip()
    except Exception:
        return "?"


if __name__ == "__main__":
    main()
