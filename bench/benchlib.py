"""Shared pieces of the benchmarks and the crash-safety test: starting Tern, Postfix and Dovecot
(each its own throw-away instance) and smtp-sink on loopback ports, measuring a process tree's
CPU time and peak RSS from /proc, running smtp-source, and stopping everything at exit.

How the figures are measured (also printed by run_bench.py):
  * CPU: clock ticks from /proc/<pid>/stat. For a process tree (Postfix: master and all the
    daemons it forks) the figure is  master's utime+stime+cutime+cstime  plus, for every live
    descendant, its utime+stime+cutime+cstime. The master reaps its children, so a daemon that
    exits moves its time into the master's cutime/cstime; the difference of two such snapshots is
    the CPU the tree used in between, whether its processes lived through the interval or not.
  * Peak RSS: Tern is one process: VmHWM. Postfix: the sum of VmHWM over the processes alive at
    each sample (every 0.2 s during the load), the largest such sum. Shared pages (libc, the
    Postfix libraries) are counted once per process, so this overstates what Postfix really
    occupies; the PSS sum (each shared page split among the processes that map it) is printed
    beside it.
Only 127.0.0.x addresses are ever used."""

import atexit
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
SMTP_SOURCE = "/usr/sbin/smtp-source"
SMTP_SINK = "/usr/sbin/smtp-sink"
POSTFIX = "/usr/sbin/postfix"

# ---------------------------------------------------------------------------------------------
# Clean-up: everything started here is stopped at exit, on SIGTERM/SIGINT/SIGHUP too.

_cleanups = []
_cleanup_lock = threading.Lock()


def on_exit(fn):
    with _cleanup_lock:
        _cleanups.append(fn)
    return fn


def _run_cleanups():
    # A second Ctrl-C or SIGTERM must not cut the clean-up short (servers left running).
    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, signal.SIG_IGN)
    with _cleanup_lock:
        fns = list(reversed(_cleanups))
        _cleanups.clear()
    for fn in fns:
        try:
            fn()
        except BaseException as e:  # keep cleaning up the rest
            print("cleanup: %r" % e, file=sys.stderr)


def _signalled(signum, frame):
    raise SystemExit(128 + signum)


atexit.register(_run_cleanups)
for _s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    signal.signal(_s, _signalled)


def raise_nofile(n):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = max(soft, n)
    if hard != resource.RLIM_INFINITY and want > hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, want))
            return want
        except (ValueError, OSError):
            want = hard
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return want


def free_port(host="127.0.0.1"):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def wait_greeting(port, timeout=30.0, proc=None, host="127.0.0.1"):
    """Seconds until a connection to port gets a 220 line; raises on timeout or process exit."""
    start = time.monotonic()
    deadline = start + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError("server exited with code %s" % proc.returncode)
        try:
            with socket.create_connection((host, port), timeout=5) as s:
                if s.makefile("rb").readline().startswith(b"220"):
                    return time.monotonic() - start
        except OSError:
            pass
        time.sleep(0.01)
    raise TimeoutError("no greeting on port %d within %.0fs" % (port, timeout))


def make_tempdir(prefix):
    d = tempfile.mkdtemp(prefix=prefix, dir=os.environ.get("BENCH_TMP") or None)
    os.chmod(d, 0o755)  # Postfix's daemons run as the postfix user and must reach their dirs
    if not os.environ.get("BENCH_KEEP"):
        on_exit(lambda: shutil.rmtree(d, ignore_errors=True))
    return d


# ---------------------------------------------------------------------------------------------
# /proc accounting


def _stat_fields(pid):
    with open("/proc/%d/stat" % pid) as f:
        s = f.read()
    # comm may contain spaces and parentheses: split after the last ')'.
    rest = s[s.rindex(")") + 2:].split()
    return rest  # rest[0] = state (field 3); field n is rest[n - 3]


def _children_map():
    kids = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            ppid = int(_stat_fields(int(name))[1])
        except (OSError, ValueError, IndexError):
            continue
        kids.setdefault(ppid, []).append(int(name))
    return kids


def tree_pids(root):
    kids = _children_map()
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def cpu_ticks(pid):
    """utime + stime + cutime + cstime of one process, in clock ticks (0 if it is gone)."""
    try:
        f = _stat_fields(pid)
        return sum(int(f[i - 3]) for i in (14, 15, 16, 17))
    except (OSError, IndexError, ValueError):
        return 0


def tree_cpu_seconds(root):
    return sum(cpu_ticks(p) for p in tree_pids(root)) / CLK_TCK


def _status_kib(pid, key):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _pss_kib(pid):
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def comm(pid):
    try:
        with open("/proc/%d/comm" % pid) as f:
            return f.read().strip()
    except OSError:
        return ""


def rss_kib(pid):
    return _status_kib(pid, "VmRSS")


def hwm_kib(pid):
    return _status_kib(pid, "VmHWM")


class TreeSampler:
    """Samples, every `interval` s, the sum of VmHWM and of PSS over a process tree; keeps the
    largest sums. Use as a context manager around a load."""

    def __init__(self, root, interval=0.2):
        self.root, self.interval = root, interval
        self.peak_hwm_kib = 0
        self.peak_pss_kib = 0
        self.max_procs = 0
        self.hwm_by_name = {}  # comm -> largest VmHWM of one process of that name
        self._stop = threading.Event()
        self._t = None

    def sample(self):
        pids = tree_pids(self.root)
        self.max_procs = max(self.max_procs, len(pids))
        hwms = [(p, hwm_kib(p)) for p in pids]
        self.peak_hwm_kib = max(self.peak_hwm_kib, sum(h for _, h in hwms))
        for p, h in hwms:
            name = comm(p)
            if name and h > self.hwm_by_name.get(name, 0):
                self.hwm_by_name[name] = h
        self.peak_pss_kib = max(self.peak_pss_kib, sum(_pss_kib(p) for p in pids))

    def _loop(self):
        while not self._stop.wait(self.interval):
            self.sample()

    def __enter__(self):
        self.sample()
        self._t = threading.Thread(target=self._loop, daemon=True)
        self._t.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._t.join()
        self.sample()


# ---------------------------------------------------------------------------------------------
# Servers


def tern_binary():
    b = os.environ.get("TERN_BIN") or os.path.join(ROOT, "build", "tern")
    if not os.access(b, os.X_OK):
        raise SystemExit("tern binary not found at %s (set TERN_BIN or run `make build`)" % b)
    return os.path.abspath(b)


class Tern:
    """A tern server in its own directory on a free loopback port."""

    name = "tern"

    def __init__(self, base, domains=("example.test",), limits=None, aliases=None, users=(),
                 data_dir=None, port=None, listen=None, extra=""):
        self.bin = tern_binary()
        self.dir = base
        os.makedirs(base, exist_ok=True)
        self.data = data_dir or os.path.join(base, "data")
        self.port = port or free_port()
        self.domains = list(domains)
        self.limits = {"connections": 20000, "connections_per_ip": 20000}
        self.limits.update(limits or {})
        self.aliases = aliases or {}
        self.listen = dict(listen or {})  # more listeners: {"imap": port, "pop3": port}
        self.extra = extra                # TOML appended to the config, e.g. a [retrieval] table
        self.config = os.path.join(base, "tern.toml")
        self.log_path = os.path.join(base, "tern.log")
        self.proc = None
        self.write_config()
        for u in users:
            self.add_user(u)
        on_exit(self.stop)

    def write_config(self):
        lines = ["[server]", 'hostname = "mx.example.test"', 'data_dir = "%s"' % self.data,
                 "domains = [%s]" % ", ".join('"%s"' % d for d in self.domains), "",
                 "[listen]", 'smtp = ["127.0.0.1:%d"]' % self.port]
        lines += ['%s = ["127.0.0.1:%d"]' % kv for kv in self.listen.items()]
        lines += ["", "[limits]"]
        lines += ["%s = %s" % kv for kv in self.limits.items()]
        lines += ["", "[aliases]"]
        lines += ['"%s" = [%s]' % (k, ", ".join('"%s"' % x for x in v)) for k, v in self.aliases.items()]
        lines += ["", self.extra]
        with open(self.config, "w") as f:
            f.write("\n".join(lines) + "\n")

    def add_user(self, address):
        subprocess.run([self.bin, "user", "add", address, "--password-stdin", "--config", self.config],
                       input="bench-pw\n", text=True, check=True, capture_output=True, timeout=60)

    def maildir(self, address):
        local, domain = address.split("@")
        return os.path.join(self.data, "mailboxes", domain, local)

    def maildir_new(self, address):
        return os.path.join(self.maildir(address), "new")

    def start(self, nofile=65536, timeout=60):
        """Starts the server and returns the seconds until it answered with a greeting."""
        log = open(self.log_path, "ab")

        hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
        if hard != resource.RLIM_INFINITY:
            nofile = min(nofile, hard)  # raising the hard limit may not be allowed here

        def limits():
            resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, hard))

        t0 = time.monotonic()
        self.proc = subprocess.Popen([self.bin, "serve", "--config", self.config], stdout=log,
                                     stderr=subprocess.STDOUT, cwd=self.dir, preexec_fn=limits)
        log.close()
        wait_greeting(self.port, timeout=timeout, proc=self.proc)
        return time.monotonic() - t0

    @property
    def pid(self):
        return self.proc.pid

    def kill9(self):
        if self.proc is not None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=30)
            self.proc = None

    def stop(self, timeout=30):
        if self.proc is None:
            return None
        code = None
        try:
            self.proc.send_signal(signal.SIGTERM)
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.proc = None
        return code

    def log_text(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""


MASTER_CF = """\
# Generated by bench/benchlib.py for a throw-away instance; nothing is chrooted.
127.0.0.1:{port} inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""


class Postfix:
    """A private Postfix instance: its own configuration, queue and data directories and one
    smtpd on a loopback port; the system instance (/etc/postfix, /var/spool/postfix) is never
    touched. Mail for discard.test is accepted and discarded (acceptance only); mail for
    virt.test goes through the virtual(8) agent into Maildirs under <base>/vmail/<user>/."""

    name = "postfix"

    def __init__(self, base, vusers=(), extra=None):
        import pwd
        self.dir = base
        self.conf = os.path.join(base, "conf")
        self.queue = os.path.join(base, "queue")
        self.datadir = os.path.join(base, "data")
        self.vmail = os.path.join(base, "vmail")
        for d in (self.conf, self.queue, self.datadir, self.vmail):
            os.makedirs(d, exist_ok=True)
        pw = pwd.getpwnam("postfix")
        self.uid, self.gid = pw.pw_uid, pw.pw_gid
        os.chown(self.datadir, self.uid, self.gid)
        os.chown(self.vmail, self.uid, self.gid)
        os.chmod(base, 0o755)
        self.port = free_port()
        self.log_path = os.path.join(base, "postfix.log")
        self.vusers = list(vusers)
        main = {
            "compatibility_level": "3.6",
            "queue_directory": self.queue,
            "data_directory": self.datadir,
            "command_directory": "/usr/sbin",
            "daemon_directory": "/usr/lib/postfix/sbin",
            "shlib_directory": "/usr/lib/postfix",
            "meta_directory": "/etc/postfix",
            "mail_owner": "postfix",
            "setgid_group": "postdrop",
            "myhostname": "postfix.bench.test",
            "mydomain": "bench.test",
            "myorigin": "bench.test",
            "inet_interfaces": "127.0.0.1",
            "inet_protocols": "ipv4",
            "mynetworks": "127.0.0.0/8",
            "smtpd_peername_lookup": "no",  # no DNS here; loopback needs none
            "maillog_file": self.log_path,
            "maillog_file_prefixes": base,
            "alias_maps": "",
            "alias_database": "",
            "mydestination": "discard.test",
            "local_recipient_maps": "",
            "local_transport": "discard:",
            "default_transport": "discard:",
            "relay_domains": "",
            "virtual_mailbox_domains": "virt.test",
            "virtual_mailbox_base": self.vmail,
            "virtual_mailbox_maps": "texthash:%s/vmailbox" % self.conf,
            "virtual_uid_maps": "static:%d" % self.uid,
            "virtual_gid_maps": "static:%d" % self.gid,
            "virtual_transport": "virtual",
            "biff": "no",
            "smtputf8_enable": "no",
        }
        main.update(extra or {})
        with open(os.path.join(self.conf, "main.cf"), "w") as f:
            f.write("# Generated by bench/benchlib.py\n")
            f.write("".join("%s = %s\n" % kv for kv in main.items()))
        with open(os.path.join(self.conf, "master.cf"), "w") as f:
            f.write(MASTER_CF.format(port=self.port))
        with open(os.path.join(self.conf, "vmailbox"), "w") as f:
            f.write("".join("%s@virt.test %s/\n" % (u, u) for u in self.vusers))
        self.master_pid = None
        on_exit(self.stop)

    def maildir_new(self, user):
        return os.path.join(self.vmail, user, "new")

    def _postfix(self, *args, check=True):
        return subprocess.run([POSTFIX, "-c", self.conf, *args], capture_output=True, text=True,
                              timeout=120, check=check)

    def start(self, timeout=60):
        t0 = time.monotonic()
        r = self._postfix("start", check=False)
        if r.returncode != 0:
            raise RuntimeError("postfix start failed: %s%s" % (r.stdout, r.stderr))
        pidfile = os.path.join(self.queue, "pid", "master.pid")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with open(pidfile) as f:
                    self.master_pid = int(f.read().split()[0])
                break
            except (OSError, ValueError, IndexError):
                time.sleep(0.05)
        wait_greeting(self.port, timeout=timeout)
        return time.monotonic() - t0

    @property
    def pid(self):
        return self.master_pid

    def stop(self):
        if self.master_pid is None:
            return
        self._postfix("stop", check=False)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and os.path.exists("/proc/%d" % self.master_pid):
            time.sleep(0.1)
        if os.path.exists("/proc/%d" % self.master_pid):
            self._postfix("abort", check=False)
        self.master_pid = None

    def queue_empty(self):
        for sub in ("maildrop", "incoming", "active", "deferred", "hold"):
            d = os.path.join(self.queue, sub)
            for _root, _dirs, files in os.walk(d):
                if files:
                    return False
        return True


DOVECOT = "/usr/sbin/dovecot"

DOVECOT_CONF = """\
# Generated by bench/benchlib.py for a throw-away instance; /etc/dovecot is not read.
protocols = imap pop3
listen = 127.0.0.1
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
# mail processes run as the "mail" user (uid {uid}); Dovecot refuses uid 0 and below 500 by default
first_valid_uid = {uid}
last_valid_uid = {uid}
first_valid_gid = {gid}
last_valid_gid = {gid}
mail_uid = {uid}
mail_gid = {gid}
mail_location = maildir:{maildir}:INDEX={base}/index:CONTROL={base}/control
mail_max_userip_connections = 100
namespace inbox {{
  inbox = yes
  separator = /
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {base}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={base}/home
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {imap_port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    address = 127.0.0.1
    port = {pop3_port}
  }}
  inet_listener pop3s {{
    port = 0
  }}
}}
"""


class Dovecot:
    """A private Dovecot (IMAP + POP3) instance, `dovecot -F -c <base>/dovecot.conf`: its own
    base_dir, state, log, index and control directories under `base`, plaintext LOGIN/USER on
    loopback ports, one user in a passwd-file, serving the Maildir `maildir`; the system
    instance (/etc/dovecot, /run/dovecot) is never touched. Everything else is Dovecot's default
    (one imap process per session, a fresh imap-login per connection). Mail processes run as
    the `mail` user, so `maildir` (and its files) must be readable and writable by it."""

    name = "dovecot"

    def __init__(self, base, maildir, user, password):
        """`password`: the passwd-file field, plain text or "{SCHEME}hash" (e.g. "{ARGON2ID}$argon2id$...",
        Tern's own hash, so that both servers pay for the same password check)."""
        import pwd
        self.dir = base
        self.maildir = maildir
        pw = pwd.getpwnam("mail")
        self.uid, self.gid = pw.pw_uid, pw.pw_gid
        self.index = os.path.join(base, "index")
        self.control = os.path.join(base, "control")
        for d in ("run", "state", "home", "index", "control"):
            os.makedirs(os.path.join(base, d), exist_ok=True)
        for d in ("home", "index", "control"):
            os.chown(os.path.join(base, d), self.uid, self.gid)
        os.chmod(base, 0o755)
        self.imap_port, self.pop3_port = free_port(), free_port()
        self.log_path = os.path.join(base, "dovecot.log")
        self.conf = os.path.join(base, "dovecot.conf")
        with open(self.conf, "w") as f:
            f.write(DOVECOT_CONF.format(base=base, uid=self.uid, gid=self.gid, maildir=maildir,
                                        imap_port=self.imap_port, pop3_port=self.pop3_port))
        with open(os.path.join(base, "passwd"), "w") as f:
            f.write("%s:%s\n" % (user, password))
        self.proc = None
        on_exit(self.stop)

    def wipe_index(self):
        """Removes the index and control files (dovecot-uidlist): the next open starts cold.
        Only while stopped."""
        for d in (self.index, self.control):
            shutil.rmtree(d, ignore_errors=True)
            os.makedirs(d)
            os.chown(d, self.uid, self.gid)

    def start(self, timeout=60):
        t0 = time.monotonic()
        log = open(os.path.join(self.dir, "dovecot.stderr"), "ab")
        # Its own session, so that a master that ignores SIGTERM can be killed with its group.
        self.proc = subprocess.Popen([DOVECOT, "-F", "-c", self.conf], stdout=log,
                                     stderr=subprocess.STDOUT, cwd=self.dir, start_new_session=True)
        log.close()
        for port, ok in ((self.imap_port, b"* OK"), (self.pop3_port, b"+OK")):
            deadline = time.monotonic() + timeout
            while True:
                if self.proc.poll() is not None:
                    raise RuntimeError("dovecot exited with %s: %s" % (self.proc.returncode,
                                                                      self.log_text()[-2000:]))
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
                        s.settimeout(5)
                        if s.recv(512).startswith(ok):
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise TimeoutError("dovecot: no greeting on port %d" % port)
                time.sleep(0.02)
        return time.monotonic() - t0

    @property
    def pid(self):
        return self.proc.pid

    def stop(self, timeout=30):
        if self.proc is None:
            return
        try:
            self.proc.send_signal(signal.SIGTERM)  # the master stops its children
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)  # the group of the master we started
            self.proc.wait(timeout=10)
        # Children the master left behind (it normally waits for them) would keep the group.
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc = None

    def version(self):
        r = subprocess.run([DOVECOT, "--version"], capture_output=True, text=True, timeout=30)
        return r.stdout.strip()

    def log_text(self):
        text = ""
        for name in ("dovecot.stderr", "dovecot.log"):
            try:
                with open(os.path.join(self.dir, name), errors="replace") as f:
                    text += f.read()
            except OSError:
                pass
        return text


class SmtpSink:
    """Postfix's smtp-sink: answers SMTP and throws the mail away — no queue, no disk."""

    name = "smtp-sink"

    def __init__(self, base, count=False):
        self.port = free_port()
        self.dir = base
        self.proc = None
        # With count, smtp-sink -c writes "... mesg=<n>\r" to this file after every message.
        self.count_path = os.path.join(base, "sink-count") if count else None
        on_exit(self.stop)

    def start(self):
        t0 = time.monotonic()
        # -u: the user to run as (required as root); 1024: listen backlog.
        args = [SMTP_SINK, "-u", "postfix"] + (["-c"] if self.count_path else [])
        out = open(self.count_path, "wb") if self.count_path else subprocess.DEVNULL
        self.proc = subprocess.Popen(args + ["127.0.0.1:%d" % self.port, "1024"],
                                     stdout=out, stderr=subprocess.DEVNULL, cwd=self.dir)
        if self.count_path:
            out.close()
        wait_greeting(self.port, proc=self.proc)
        return time.monotonic() - t0

    def messages(self):
        """Messages received so far (count mode): the last "mesg=<n>" smtp-sink printed."""
        try:
            with open(self.count_path, "rb") as f:
                f.seek(max(0, os.fstat(f.fileno()).st_size - 256))
                tail = f.read()
        except OSError:
            return 0
        i = tail.rfind(b"mesg=")
        if i < 0:
            return 0
        digits = tail[i + 5:].split(b"\r")[0].split()[0] if tail[i + 5:].strip() else b"0"
        return int(digits) if digits.isdigit() else 0

    @property
    def pid(self):
        return self.proc.pid

    def stop(self):
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None


# ---------------------------------------------------------------------------------------------
# Load


def smtp_source_cmd(port, messages, sessions, size, to, persistent, sender="bench@source.test"):
    cmd = [SMTP_SOURCE, "-s", str(sessions), "-m", str(messages), "-l", str(size), "-f", sender,
           "-t", to, "-M", "client.test"]
    if persistent:
        cmd.append("-d")  # keep the connection: the next message goes over the same session
    cmd.append("127.0.0.1:%d" % port)
    return cmd


class SourceRun:
    """smtp-source running in the background; wait() returns its wall time or raises."""

    def __init__(self, port, messages, sessions, size, to, persistent, timeout=900):
        self.timeout = timeout
        self.t0 = time.monotonic()
        self.p = subprocess.Popen(smtp_source_cmd(port, messages, sessions, size, to, persistent),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        on_exit(self.kill)

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()

    def wait(self):
        left = max(1.0, self.timeout - (time.monotonic() - self.t0))
        try:
            out, err = self.p.communicate(timeout=left)
        except subprocess.TimeoutExpired:
            self.kill()
            raise RuntimeError("smtp-source ran past %ds" % self.timeout)
        elapsed = time.monotonic() - self.t0
        if self.p.returncode != 0:
            raise RuntimeError("smtp-source failed (%d): %s %s" % (self.p.returncode, out[-500:], err[-500:]))
        return elapsed


def smtp_source(port, messages, sessions, size, to, persistent, timeout=900):
    """Runs smtp-source to completion; returns wall seconds. Raises if it fails or runs past
    `timeout` (smtp-source itself exits non-zero on any reply other than the expected 2xx/3xx)."""
    return SourceRun(port, messages, sessions, size, to, persistent, timeout).wait()


def count_dir(path):
    try:
        with os.scandir(path) as it:
            return sum(1 for _ in it)
    except FileNotFoundError:
        return 0


def median(xs):
    s = sorted(xs)
    n = len(s)
    if n == 0:
        return float("nan")
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2
