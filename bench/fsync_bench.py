#!/usr/bin/env python3
"""Disk ceiling: how many 1 KiB append + fdatasync cycles per second the file system under a
directory sustains, with 1 writer and with N writer threads (each thread its own file, as
Postfix's one-file-per-message queue does). A server that fsyncs once per message cannot accept
more messages per second than this; group commit (one fdatasync for many messages) can.

Usage: fsync_bench.py DIR [--seconds S] [--threads 1,8,50]
Prints one line per thread count: threads, syncs/s, median and p99 latency in ms."""

import argparse
import os
import statistics
import threading
import time


def writer(path, deadline, lat):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    block = b"x" * 1023 + b"\n"
    try:
        while time.monotonic() < deadline:
            t0 = time.monotonic()
            os.write(fd, block)
            os.fdatasync(fd)  # releases the GIL: threads really sync concurrently
            lat.append(time.monotonic() - t0)
    finally:
        os.close(fd)
        os.unlink(path)


def run(directory, threads, seconds):
    lats = [[] for _ in range(threads)]
    deadline = time.monotonic() + seconds
    start = time.monotonic()
    ts = [threading.Thread(target=writer, args=(os.path.join(directory, "fsync-%d.dat" % i),
                                                 deadline, lats[i])) for i in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    elapsed = time.monotonic() - start
    all_lat = sorted(x for l in lats for x in l)
    n = len(all_lat)
    p99 = all_lat[min(n - 1, int(n * 0.99))] if n else 0.0
    return n / elapsed, (statistics.median(all_lat) if n else 0.0), p99


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--threads", default="1,8,50")
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    for t in [int(x) for x in a.threads.split(",")]:
        rate, med, p99 = run(a.dir, t, a.seconds)
        print("fsync threads=%d syncs_per_s=%.0f median_ms=%.3f p99_ms=%.3f" % (t, rate, med * 1e3, p99 * 1e3),
              flush=True)


if __name__ == "__main__":
    main()
