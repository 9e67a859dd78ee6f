#!/usr/bin/env python3
"""Does a large queue slow Tern down? Fills the spool with N messages whose one remote recipient
is deferred for a day (bench/queue_fill, built with the release tree), starts the server and
measures, against the same run with an empty queue:
  * start-up: seconds from exec to the first SMTP greeting;
  * memory: RSS after start-up;
  * idle CPU: seconds of CPU over 5 s with nothing to do (a scheduler that scans the queue
    would show here);
  * reception + local delivery: M messages from smtp-source, wall time until all are in the Maildir.
Remote mail goes to a [routes] entry on 127.0.0.1 where nothing listens; no traffic leaves
loopback. Usage: bench/large_queue.py [--messages N] [--receive M]"""

import argparse
import os
import subprocess
import sys
import time

import benchlib

QUEUE_FILL = os.path.join(benchlib.ROOT, "build", "bench", "queue_fill")


def run(n, receive):
    base = benchlib.make_tempdir("tern-largeq-")
    t = benchlib.Tern(base, users=["user@example.test"])
    with open(t.config, "a") as f:
        f.write('\n[routes]\n"*" = "127.0.0.1:9"\n')
    fill = 0.0
    if n:
        t0 = time.monotonic()
        subprocess.run([QUEUE_FILL, os.path.join(t.data, "queue"), str(n)], check=True, timeout=1800)
        fill = time.monotonic() - t0
    startup = t.start()
    time.sleep(1.0)  # recovery finished (it runs before the listeners open; this lets the log settle)
    rss = benchlib.rss_kib(t.pid)
    cpu0 = benchlib.cpu_ticks(t.pid)
    time.sleep(5.0)
    idle_cpu = (benchlib.cpu_ticks(t.pid) - cpu0) / benchlib.CLK_TCK
    t0 = time.monotonic()
    benchlib.smtp_source(t.port, receive, 20, 1000, "user@example.test", True)
    new = t.maildir_new("user@example.test")
    deadline = time.monotonic() + 600
    while benchlib.count_dir(new) < receive and time.monotonic() < deadline:
        time.sleep(0.02)
    got = benchlib.count_dir(new)
    wall = time.monotonic() - t0
    t.stop()
    if got < receive:
        raise RuntimeError("only %d of %d messages delivered" % (got, receive))
    return {"fill": fill, "startup": startup, "rss_mib": rss / 1024.0, "idle_cpu": idle_cpu,
            "rate": receive / wall}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=100000)
    ap.add_argument("--receive", type=int, default=2000)
    a = ap.parse_args()
    if not os.access(QUEUE_FILL, os.X_OK):
        sys.exit("build bench/queue_fill first: make build-all")
    empty = run(0, a.receive)
    full = run(a.messages, a.receive)
    print("large queue: %d deferred messages (filled in %.1f s), %d received" %
          (a.messages, full["fill"], a.receive))
    print("%-28s %12s %12s %8s" % ("", "empty queue", "large queue", "ratio"))
    for key, label, fmt in (("startup", "start-up to greeting (s)", "%.2f"),
                            ("rss_mib", "RSS after start (MiB)", "%.1f"),
                            ("idle_cpu", "idle CPU over 5 s (s)", "%.2f"),
                            ("rate", "receive+deliver (msg/s)", "%.0f")):
        ratio = full[key] / empty[key] if empty[key] else float("nan")
        print("%-28s %12s %12s %8.2f" % (label, fmt % empty[key], fmt % full[key], ratio))


if __name__ == "__main__":
    main()
