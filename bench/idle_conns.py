#!/usr/bin/env python3
"""Opens N idle SMTP connections to 127.0.0.1:PORT (non-blocking sockets, epoll), reads the
greeting on each and holds them; then measures how long a new client waits for its greeting.
Source addresses are spread over 127.0.0.2-127.0.0.9 (loopback only) so that the ephemeral
ports of one address never run short.

Usable on its own:  idle_conns.py PORT N [--hold SECONDS] [--probes K]
or from run_bench.py through open_idle()/probe_greetings()/close_all()."""

import argparse
import errno
import json
import select
import socket
import sys
import time

import benchlib


class IdleSet:
    def __init__(self):
        self.socks = []
        self.greeted = 0
        self.refused = 0   # a 421/other reply instead of 220, or a connect error
        self.open_seconds = 0.0


def open_idle(port, n, batch=500, timeout=180.0):
    """Opens n connections; returns an IdleSet once every one has answered (or timeout)."""
    benchlib.raise_nofile(n + 256)
    ep = select.epoll()
    res = IdleSet()
    pending = {}  # fd -> [sock, bytes so far]
    t0 = time.monotonic()
    deadline = t0 + timeout
    started = 0
    while (started < n or pending) and time.monotonic() < deadline:
        while started < n and len(pending) < batch:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            s.bind(("127.0.0.%d" % (2 + started % 8), 0))
            rc = s.connect_ex(("127.0.0.1", port))
            if rc not in (0, errno.EINPROGRESS):
                res.refused += 1
                s.close()
            else:
                ep.register(s.fileno(), select.EPOLLIN)
                pending[s.fileno()] = [s, b""]
            started += 1
        for fd, _ev in ep.poll(0.5):
            s, buf = pending[fd]
            try:
                chunk = s.recv(512)
            except BlockingIOError:
                continue
            except OSError:
                chunk = b""
            if not chunk:
                res.refused += 1
                ep.unregister(fd)
                del pending[fd]
                s.close()
                continue
            buf += chunk
            if b"\n" in buf:
                ep.unregister(fd)
                del pending[fd]
                if buf.startswith(b"220"):
                    res.greeted += 1
                    res.socks.append(s)
                else:
                    res.refused += 1
                    s.close()
            else:
                pending[fd][1] = buf
    for fd, (s, _b) in pending.items():
        ep.unregister(fd)
        s.close()
        res.refused += 1
    ep.close()
    res.open_seconds = time.monotonic() - t0
    return res


def probe_greetings(port, k=20, timeout=10.0):
    """Connect-to-220 latency of k fresh clients, one after another; None for a failure."""
    out = []
    for i in range(k):
        t0 = time.monotonic()
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=timeout,
                                          source_address=("127.0.0.10", 0)) as s:
                line = s.makefile("rb").readline()
                out.append(time.monotonic() - t0 if line.startswith(b"220") else None)
        except OSError:
            out.append(None)
        time.sleep(0.05)
    return out


def close_all(res):
    for s in res.socks:
        try:
            s.close()
        except OSError:
            pass
    res.socks = []


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int)
    ap.add_argument("n", type=int)
    ap.add_argument("--hold", type=float, default=0.0)
    ap.add_argument("--probes", type=int, default=20)
    a = ap.parse_args()
    res = open_idle(a.port, a.n)
    lat = probe_greetings(a.port, a.probes)
    time.sleep(min(a.hold, 600))
    close_all(res)
    json.dump({"greeted": res.greeted, "refused": res.refused, "open_seconds": res.open_seconds,
               "probe_seconds": lat}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
