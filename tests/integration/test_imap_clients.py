"""IMAP (and POP3) against the real server with the clients people actually run: curl's imap://
(STARTTLS) and imaps:// (LIST, a message by UID, a search, custom commands, APPEND by upload),
mbsync (isync) keeping a local Maildir in sync with Tern both ways, fetchmail downloading over
POP3 and IMAP into a local command, and imaplib for the commands test_imap.py leaves out.
Mail arrives over SMTP first: SMTP -> queue -> Maildir -> IMAP/POP3 -> client.

Certificates are checked for real where the client allows it: Tern's generated self-signed
certificate (<data>/tls/selfsigned.crt, for the hostname mx.example.test) is the only trust
anchor given to curl (with --resolve), mbsync (CertificateFile) and fetchmail (sslcertfile +
sslcommonname)."""

import getpass
import glob
import imaplib
import os
import re
import shutil
import smtplib
import subprocess
import tempfile
import time
import unittest

from harness import Tern, wait_for

USER = "alice@example.test"
PASSWORD = "alice-secret"
USERS = {USER: PASSWORD}
HOST = "mx.example.test"  # the name in the self-signed certificate


def message(subject, body=None):
    body = body or "Hello from %s.\r\n.a line that starts with a dot\r\nThe end.\r\n" % subject
    return ("From: sender@example.org\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s@example.org>\r\n\r\n%s"
            % (USER, subject, subject.replace(" ", "-"), body))


def deliver(t, subject, expect):
    """Sends one message over SMTP and waits until the user's Maildir holds `expect` messages,
    so that message numbers follow the order of delivery."""
    with smtplib.SMTP("127.0.0.1", t.smtp_port, timeout=30) as s:
        s.sendmail("sender@example.org", [USER], message(subject))
    if not wait_for(lambda: len(t.messages(USER)) >= expect, timeout=30):
        raise AssertionError("message %r never reached the Maildir" % subject)


def lf(data):
    return data.replace(b"\r\n", b"\n")


def cert(t):
    return os.path.join(t.data, "tls", "selfsigned.crt")


def imap_login(t):
    ctx = t.tls_context(verify=True)
    ctx.check_hostname = False  # the chain is checked; the name is mx.example.test, not 127.0.0.1
    m = imaplib.IMAP4_SSL("127.0.0.1", t.imaps_port, ssl_context=ctx, timeout=30)
    m.login(USER, PASSWORD)
    return m


def uids_and_flags(t, mailbox="INBOX"):
    """{uid: (sorted flags, subject)} of a mailbox, read with a fresh imaplib session."""
    m = imap_login(t)
    try:
        typ, data = m.select(mailbox, readonly=True)
        if typ != "OK":
            raise AssertionError("cannot EXAMINE %s" % mailbox)
        if data[0] == b"0":
            return {}  # "1:*" names no message in an empty mailbox: BAD
        typ, data = m.fetch("1:*", "(UID FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        out = {}
        for item in data:
            if not isinstance(item, tuple):
                continue
            meta, header = item
            uid = int(re.search(rb"UID (\d+)", meta).group(1))
            flags = sorted(re.search(rb"FLAGS \(([^)]*)\)", meta).group(1).decode().split())
            subject = header.decode().strip()[len("Subject: "):]
            out[uid] = (flags, subject)
        return out
    finally:
        m.logout()


class Curl(unittest.TestCase):
    def setUp(self):
        self.t = Tern(users=USERS)
        self.t.start()
        deliver(self.t, "first", 1)
        deliver(self.t, "second", 2)

    def tearDown(self):
        self.t.__exit__(None, None, None)

    def curl(self, url, *extra, check=True):
        port = int(re.search(r":(\d+)/", url).group(1))
        r = subprocess.run(["curl", "-sS", "--max-time", "30", "--cacert", cert(self.t),
                            "--resolve", "%s:%d:127.0.0.1" % (HOST, port),
                            "--user", "%s:%s" % (USER, PASSWORD), *extra, url],
                           capture_output=True, timeout=60)
        if check:
            self.assertEqual(r.returncode, 0, "curl %s %s failed: %s" % (" ".join(extra), url, r.stderr))
        return r

    def imap_url(self, path=""):
        return "imap://%s:%d/%s" % (HOST, self.t.imap_port, path)

    def imaps_url(self, path=""):
        return "imaps://%s:%d/%s" % (HOST, self.t.imaps_port, path)

    def test_imap_without_tls_never_logs_in(self):
        # LOGINDISABLED and no AUTH= before STARTTLS: curl has no way to send the password.
        r = self.curl(self.imap_url(), "-v", check=False)
        self.assertEqual(r.returncode, 67, "curl should give up with 'login denied': %s" % r.stderr)
        self.assertIn(b"LOGINDISABLED", r.stderr)
        self.assertNotIn(PASSWORD.encode(), r.stderr, "the password went over cleartext IMAP")

    def test_imap_starttls_list_and_fetch(self):
        r = self.curl(self.imap_url(), "--ssl-reqd")
        listing = r.stdout.decode()
        for name in ("INBOX", "Sent", "Drafts", "Trash"):
            self.assertRegex(listing, r'\* LIST \([^)]*\) "/" "?%s"?\r?\n' % name,
                             "curl's LIST over STARTTLS misses %s:\n%s" % (name, listing))
        r = self.curl(self.imap_url("INBOX;UID=2"), "--ssl-reqd")
        self.assertIn(b"Subject: second", r.stdout)
        self.assertIn(b"\r\n.a line that starts with a dot\r\n", r.stdout)

    def test_imaps_examine_fetch_search_and_custom_commands(self):
        stored = sorted(self.t.messages(USER), key=lambda m: b"second" in m)
        r = self.curl(self.imaps_url("INBOX;UID=1"))
        self.assertEqual(lf(r.stdout), lf(stored[0]), "UID 1 over imaps:// is not what Tern stored")
        r = self.curl(self.imaps_url("INBOX;UID=2;SECTION=HEADER.FIELDS%20(SUBJECT)"))
        self.assertEqual(r.stdout.strip(), b"Subject: second")
        r = self.curl(self.imaps_url("INBOX;UID=1;SECTION=TEXT;PARTIAL=0.10"))
        self.assertEqual(r.stdout, b"Hello from")
        r = self.curl(self.imaps_url("INBOX?SUBJECT%20second"))
        self.assertEqual(r.stdout.strip(), b"* SEARCH 2")
        r = self.curl(self.imaps_url(), "-X", "EXAMINE INBOX")
        text = r.stdout.decode()
        self.assertIn("* 2 EXISTS", text)
        self.assertRegex(text, r"\* OK \[UIDVALIDITY \d+\]")
        self.assertRegex(text, r"\* OK \[UIDNEXT 3\]")
        # With a mailbox in the URL, curl SELECTs it before the custom command.
        r = self.curl(self.imaps_url("INBOX"), "-X", "UID FETCH 1:* (FLAGS)")
        self.assertRegex(r.stdout.decode(), r"\* 1 FETCH \((UID 1 FLAGS \(\\Seen\)|FLAGS \(\\Seen\) UID 1)\)")
        r = self.curl(self.imaps_url(), "-X", 'STATUS INBOX (MESSAGES UIDNEXT UNSEEN)')
        self.assertRegex(r.stdout.decode(), r'\* STATUS "?INBOX"? \(MESSAGES 2 UIDNEXT 3 UNSEEN 0\)')  # curl's FETCHes set \Seen
        r = self.curl(self.imaps_url(), "-X", "CREATE Curl")
        r = self.curl(self.imaps_url(), "-X", 'LIST "" Curl')
        self.assertIn(b'"/" Curl', r.stdout)
        r = self.curl(self.imaps_url(), "-X", "CREATE Curl", check=False)
        self.assertNotEqual(r.returncode, 0, "CREATE of an existing mailbox succeeded")

    def test_imaps_append_by_upload(self):
        body = message("uploaded").encode()
        with tempfile.NamedTemporaryFile(suffix=".eml") as f:
            f.write(body)
            f.flush()
            self.curl(self.imaps_url("Drafts"), "-T", f.name)
        m = imap_login(self.t)
        m.select("Drafts")
        typ, data = m.fetch("1", "(BODY.PEEK[])")
        self.assertEqual(typ, "OK")
        self.assertEqual(data[0][1], body, "the message curl uploaded came back different")
        m.logout()


MBSYNC_CONFIG = """\
IMAPAccount tern-imaps
Host 127.0.0.1
Port {imaps}
User {user}
Pass {password}
SSLType IMAPS
SystemCertificates no
CertificateFile {cert}

IMAPAccount tern-starttls
Host 127.0.0.1
Port {imap}
User {user}
Pass {password}
SSLType STARTTLS
SystemCertificates no
CertificateFile {cert}

IMAPStore tern-inbox
Account tern-imaps

IMAPStore tern-folders
Account tern-starttls

MaildirStore local
Path {local}/
Inbox {local}/INBOX
SubFolders Verbatim

Channel inbox
Far :tern-inbox:INBOX
Near :local:INBOX
Create Both
Expunge Both
SyncState *

Channel projects
Far :tern-folders:
Near :local:
Patterns Projects*
Create Both
Expunge Both
SyncState *
"""


class Mbsync(unittest.TestCase):
    def setUp(self):
        self.t = Tern(users=USERS)
        self.t.start()
        self.work = tempfile.mkdtemp(prefix="tern-mbsync-")
        self.local = os.path.join(self.work, "mail")
        os.makedirs(self.local)
        self.config = os.path.join(self.work, "mbsyncrc")
        # The certificate exists once the server has started.
        self.assertTrue(wait_for(lambda: os.path.exists(cert(self.t))), "no self-signed certificate")
        with open(self.config, "w") as f:
            f.write(MBSYNC_CONFIG.format(imaps=self.t.imaps_port, imap=self.t.imap_port, user=USER,
                                         password=PASSWORD, cert=cert(self.t), local=self.local))

    def tearDown(self):
        shutil.rmtree(self.work, ignore_errors=True)
        self.t.__exit__(None, None, None)

    def mbsync(self):
        r = subprocess.run(["mbsync", "-c", self.config, "-a"], capture_output=True, text=True,
                           timeout=120, env=dict(os.environ, HOME=self.work))
        self.assertEqual(r.returncode, 0, "mbsync failed:\n%s%s" % (r.stdout, r.stderr))
        return r

    def local_files(self, folder="INBOX"):
        """{path: content} of the local Maildir folder (new/ and cur/)."""
        out = {}
        for sub in ("new", "cur"):
            for path in glob.glob(os.path.join(self.local, folder, sub, "*")):
                with open(path, "rb") as f:
                    out[path] = f.read()
        return out

    def local_by_subject(self, folder="INBOX"):
        out = {}
        for path, data in self.local_files(folder).items():
            subject = re.search(rb"^Subject: (.*)$", data, re.M).group(1).strip().decode()
            out[subject] = path
        return out

    def test_sync_both_ways_and_idempotent(self):
        deliver(self.t, "one", 1)
        deliver(self.t, "two", 2)
        deliver(self.t, "three", 3)
        stored = {re.search(rb"Subject: (\w+)", m).group(1).decode(): m for m in self.t.messages(USER)}
        self.mbsync()

        # Tern -> local: every message, byte for byte (Maildir on both sides: LF line ends).
        local = self.local_by_subject()
        self.assertEqual(sorted(local), ["one", "three", "two"], "mbsync did not bring every message down")
        for subject, path in local.items():
            with open(path, "rb") as f:
                # mbsync adds an X-TUID: header to the messages it copies.
                mine = re.sub(rb"X-TUID: [^\n]*\n", b"", f.read(), count=1)
                self.assertEqual(lf(mine), lf(stored[subject]), "%s differs after the sync" % subject)

        # local -> Tern: a new message, a flag, a deletion, a new folder.
        new_path = os.path.join(self.local, "INBOX", "new", "%d.local.mbsynctest" % int(time.time()))
        with open(new_path, "wb") as f:
            f.write(lf(message("written locally").encode()))
        flag_path = local["two"]
        base = flag_path.rsplit(":2,", 1)[0]
        flags = flag_path.rsplit(":2,", 1)[1] if ":2," in flag_path else ""
        os.rename(flag_path, os.path.join(self.local, "INBOX", "cur",
                                          os.path.basename(base) + ":2," + "".join(sorted(set(flags + "FS")))))
        os.remove(local["one"])
        os.makedirs(os.path.join(self.local, "Projects", "cur"))
        os.makedirs(os.path.join(self.local, "Projects", "new"))
        os.makedirs(os.path.join(self.local, "Projects", "tmp"))
        with open(os.path.join(self.local, "Projects", "new", "1.local.project"), "wb") as f:
            f.write(lf(message("project plan").encode()))
        self.mbsync()

        remote = uids_and_flags(self.t)
        by_subject = {subject: (uid, flags) for uid, (flags, subject) in remote.items()}
        self.assertEqual(sorted(by_subject), ["three", "two", "written locally"],
                         "Tern's INBOX after pushing local changes: %r" % remote)
        self.assertIn("\\Flagged", by_subject["two"][1], "the local F flag did not reach Tern")
        self.assertIn("\\Seen", by_subject["two"][1])
        self.assertNotIn("\\Flagged", by_subject["three"][1])
        projects = uids_and_flags(self.t, "Projects")
        self.assertEqual([s for _, s in projects.values()], ["project plan"],
                         "the locally created folder did not reach Tern")

        # Tern -> local again: a flag set and a message expunged over IMAP.
        m = imap_login(self.t)
        m.select("INBOX")
        m.uid("STORE", str(by_subject["three"][0]), "+FLAGS", "(\\Answered)")
        m.uid("STORE", str(by_subject["written locally"][0]), "+FLAGS", "(\\Deleted)")
        m.expunge()
        m.logout()
        self.mbsync()
        local = self.local_by_subject()
        self.assertEqual(sorted(local), ["three", "two"], "the expunge on Tern did not reach the Maildir")
        self.assertRegex(local["three"], r":2,[A-Z]*R", "\\Answered did not become the Maildir R flag")

        # A second run with nothing changed changes nothing on either side.
        before_local = sorted(self.local_files())
        before_remote = uids_and_flags(self.t)
        self.mbsync()
        self.assertEqual(sorted(self.local_files()), before_local, "an idle mbsync run changed the Maildir")
        self.assertEqual(uids_and_flags(self.t), before_remote, "an idle mbsync run changed Tern's INBOX")


FETCHMAILRC = """\
set no syslog
poll 127.0.0.1 protocol {protocol} service {port} auth password
  user "{user}" there with password "{password}" is "{local}" here
  {tls} sslcertck sslcertfile "{cert}" sslcommonname "{host}"
  mda "cat > $(mktemp {out}/msg.XXXXXX)"
  {keep}
"""


class Fetchmail(unittest.TestCase):
    def setUp(self):
        self.t = Tern(users=USERS)
        self.t.start()
        self.work = tempfile.mkdtemp(prefix="tern-fetchmail-")
        self.out = os.path.join(self.work, "out")
        os.makedirs(self.out)
        for i, subject in enumerate(("alpha", "beta", "gamma")):
            deliver(self.t, subject, i + 1)
        self.stored = {re.search(rb"Subject: (\w+)", m).group(1).decode(): m for m in self.t.messages(USER)}

    def tearDown(self):
        shutil.rmtree(self.work, ignore_errors=True)
        self.t.__exit__(None, None, None)

    def fetchmail(self, protocol, port, tls, keep):
        rc = os.path.join(self.work, "fetchmailrc")
        with open(rc, "w") as f:
            f.write(FETCHMAILRC.format(protocol=protocol, port=port, user=USER, password=PASSWORD,
                                       local=getpass.getuser(), tls=tls, cert=cert(self.t), host=HOST,
                                       out=self.out, keep="keep" if keep else "nokeep"))
        os.chmod(rc, 0o600)
        env = dict(os.environ, HOME=self.work, FETCHMAILHOME=self.work, FETCHMAILUSER=getpass.getuser())
        r = subprocess.run(["fetchmail", "-f", rc, "--nodetach", "-v"], capture_output=True, text=True,
                           timeout=120, env=env)
        # 0: mail was fetched; 1: there was none.
        self.assertIn(r.returncode, (0, 1), "fetchmail failed (%d):\n%s%s" % (r.returncode, r.stdout, r.stderr))
        return r

    def fetched(self):
        out = {}
        for path in glob.glob(os.path.join(self.out, "msg.*")):
            with open(path, "rb") as f:
                data = f.read()
            subject = re.search(rb"^Subject: (\w+)", data, re.M).group(1).decode()
            self.assertNotIn(subject, out, "fetchmail delivered %s twice" % subject)
            out[subject] = data
        return out

    def check_bodies(self):
        fetched = self.fetched()
        self.assertEqual(sorted(fetched), ["alpha", "beta", "gamma"], "fetchmail did not deliver every message")
        for subject, data in fetched.items():
            # fetchmail adds its own Received: below the Return-Path and hands the MDA LF line
            # ends; the rest must be what Tern stored.
            mine = re.sub(rb"Received: from 127\.0\.0\.1 [^\n]*\n\tby [^\n]*fetchmail[^\n]*\n(\t[^\n]*\n)*",
                          b"", lf(data), count=1)
            self.assertEqual(mine, lf(self.stored[subject]),
                             "%s reached the MDA different from what Tern stored:\n%r" % (subject, data))
            self.assertIn(b"\n.a line that starts with a dot\n", data)

    def test_pop3_stls_keep(self):
        r = self.fetchmail("POP3", self.t.pop3_port, "sslproto 'auto'", keep=True)
        self.assertIn("STLS", r.stdout + r.stderr, "fetchmail did not upgrade with STLS")
        self.check_bodies()
        self.assertEqual(len(self.t.messages(USER)), 3, "with keep, the messages must stay on the server")

    def test_pop3s_delete(self):
        self.fetchmail("POP3", self.t.pop3s_port, "ssl", keep=False)
        self.check_bodies()
        self.assertEqual(self.t.messages(USER), [], "without keep, fetchmail must delete what it fetched")
        r = self.fetchmail("POP3", self.t.pop3s_port, "ssl", keep=False)
        self.assertEqual(len(self.fetched()), 3, "a second run fetched something again")

    def test_imap_starttls_keep_then_delete(self):
        r = self.fetchmail("IMAP", self.t.imap_port, "sslproto 'auto'", keep=True)
        self.assertIn("STARTTLS", r.stdout + r.stderr, "fetchmail did not upgrade with STARTTLS")
        self.check_bodies()
        remote = uids_and_flags(self.t)
        self.assertEqual(len(remote), 3, "with keep, the messages must stay on the server")
        for flags, subject in remote.values():
            self.assertIn("\\Seen", flags, "%s fetched but not \\Seen" % subject)
        for path in glob.glob(os.path.join(self.out, "msg.*")):
            os.remove(path)
        # fetchmail fetches only unseen IMAP mail unless told `fetchall`.
        with smtplib.SMTP("127.0.0.1", self.t.smtp_port, timeout=30) as s:
            s.sendmail("sender@example.org", [USER], message("delta"))
        self.assertTrue(wait_for(lambda: len(self.t.messages(USER)) == 4, timeout=30))
        self.fetchmail("IMAP", self.t.imaps_port, "ssl", keep=False)
        self.assertEqual(sorted(self.fetched()), ["delta"], "fetchmail over IMAPS fetched seen mail again")
        self.assertEqual(len(uids_and_flags(self.t)), 3, "the fetched message was not expunged")


class ImaplibMore(unittest.TestCase):
    """The imaplib commands test_imap.py does not issue."""

    def setUp(self):
        self.t = Tern(users=USERS)
        self.t.start()
        for i, subject in enumerate(("first", "second", "third")):
            deliver(self.t, subject, i + 1)
        self.m = imap_login(self.t)

    def tearDown(self):
        try:
            self.m.logout()
        except Exception:
            pass
        self.t.__exit__(None, None, None)

    def ok(self, result, what):
        typ, data = result
        self.assertEqual(typ, "OK", "%s: %s %r" % (what, typ, data))
        return data

    def test_session_commands(self):
        m = self.m
        self.ok(m.noop(), "NOOP unselected")
        data = self.ok(m.namespace(), "NAMESPACE")
        self.assertEqual(data[0], b'(("" "/")) NIL NIL')
        typ, data = m.xatom("ID", '("name" "imaplib-test")')
        self.assertEqual(typ, "OK")
        self.assertEqual(m.untagged_responses.pop("ID")[0], b'("name" "Tern")')
        typ, data = m.enable("CONDSTORE")
        self.assertEqual(typ, "OK")
        self.assertEqual(m.untagged_responses.pop("ENABLED")[0], b"CONDSTORE")
        data = self.ok(m.status("INBOX", "(MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN SIZE)"), "STATUS")
        self.assertRegex(data[0].decode(), r"MESSAGES 3 .*UIDNEXT 4 .*UNSEEN 3")
        self.ok(m.create("Lists"), "CREATE")
        self.ok(m.subscribe("Lists"), "SUBSCRIBE")
        data = self.ok(m.lsub('""', "*"), "LSUB")
        self.assertIn(b'"/" Lists', b"\n".join(data))
        self.ok(m.unsubscribe("Lists"), "UNSUBSCRIBE")
        data = self.ok(m.lsub('""', "Lists"), "LSUB")
        self.assertEqual([d for d in data if d], [], "Lists still subscribed: %r" % data)
        self.ok(m.select("INBOX"), "SELECT")
        self.ok(m.check(), "CHECK")
        self.ok(m.noop(), "NOOP selected")
        self.ok(m.unselect(), "UNSELECT")
        self.assertEqual(m.state, "AUTH")

    def test_examine_is_read_only(self):
        m = self.m
        typ, data = m.select("INBOX", readonly=True)
        self.assertEqual((typ, data[0]), ("OK", b"3"))
        self.assertIn("READ-ONLY", m.untagged_responses)
        typ, data = m.store("1", "+FLAGS", "(\\Flagged)")
        self.assertEqual(typ, "NO", "STORE in a mailbox opened with EXAMINE: %r" % data)
        # BODY[] in EXAMINE does not set \Seen.
        typ, data = m.fetch("1", "(BODY[] FLAGS)")
        self.assertEqual(typ, "OK")
        typ, data = m.fetch("1", "(FLAGS)")
        self.assertNotIn(b"\\Seen", data[0])
        typ, data = m.expunge()
        self.assertEqual(typ, "NO", "EXPUNGE in a mailbox opened with EXAMINE: %r" % data)
        m.close()
        self.assertEqual(uids_and_flags(self.t)[1][0], [], "EXAMINE changed flags")

    def test_uid_commands(self):
        m = self.m
        m.select("INBOX")
        data = self.ok(m.uid("SEARCH", None, "ALL"), "UID SEARCH")
        self.assertEqual(data[0], b"1 2 3")
        data = self.ok(m.uid("FETCH", "2:3", "(UID RFC822.SIZE BODY.PEEK[]<0.10>)"), "UID FETCH")
        self.assertIn(b"BODY[]<0>", data[0][0])
        self.assertEqual(data[0][1], b"Return-Pat")  # Tern adds Return-Path: on delivery
        data = self.ok(m.uid("STORE", "1:2", "+FLAGS.SILENT", "(\\Seen custom)"), "UID STORE silent")
        self.assertEqual([d for d in data if d], [], "+FLAGS.SILENT answered FETCH: %r" % data)
        data = self.ok(m.uid("STORE", "2", "-FLAGS", "(custom)"), "UID STORE")
        self.assertIn(b"UID 2", data[0])
        self.assertNotIn(b"custom", data[0])
        m.create("Keep")
        # imaplib's uid() returns untagged FETCH data only; the COPYUID code is in the tagged OK.
        data = self.ok(m._simple_command("UID", "COPY", "1:3", "Keep"), "UID COPY")
        self.assertRegex(data[0], rb"^\[COPYUID \d+ (1:3|1,2,3) (1:3|1,2,3)\]")
        data = self.ok(m.uid("MOVE", "3", "Trash"), "UID MOVE")
        m.uid("STORE", "1", "+FLAGS", "(\\Deleted)")
        m.uid("STORE", "2", "+FLAGS", "(\\Deleted)")
        # UID EXPUNGE removes only the UIDs named, not every \Deleted message.
        data = self.ok(m.uid("EXPUNGE", "2"), "UID EXPUNGE")
        data = self.ok(m.uid("SEARCH", None, "ALL"), "UID SEARCH after UID EXPUNGE")
        self.assertEqual(data[0], b"1")
        self.assertEqual({u: f for u, (f, _) in uids_and_flags(self.t, "Keep").items()},
                         {1: ["\\Seen", "custom"], 2: ["\\Seen"], 3: []})
        self.assertEqual([s for _, s in uids_and_flags(self.t, "Trash").values()], ["third"])
        m.close()  # CLOSE expunges UID 1 silently
        self.assertEqual(uids_and_flags(self.t), {}, "CLOSE did not expunge the \\Deleted message")

    def test_append_with_flags_and_date(self):
        m = self.m
        body = b"From: a@example.org\r\nSubject: dated\r\n\r\n0123456789abcdef\r\n"
        when = imaplib.Time2Internaldate(time.mktime((2024, 2, 29, 12, 30, 0, 0, 0, -1)))
        data = self.ok(m.append("INBOX", "(\\Flagged \\Seen $Label1)", when, body), "APPEND")
        uid = int(re.search(rb"APPENDUID \d+ (\d+)", data[0]).group(1))
        self.assertEqual(uid, 4)
        m.select("INBOX")
        data = self.ok(m.uid("FETCH", str(uid), "(FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[TEXT]<4.6>)"),
                       "UID FETCH appended")
        meta = data[0][0]
        self.assertIn(b"$Label1", meta)
        self.assertIn(b"\\Flagged", meta)
        self.assertIn(b"RFC822.SIZE %d" % len(body), meta)
        self.assertIn(b"29-Feb-2024", meta)
        self.assertEqual(data[0][1], b"456789")
        typ, data = m.uid("SEARCH", None, "KEYWORD", "$Label1")
        self.assertEqual(data[0], str(uid).encode())


if __name__ == "__main__":
    unittest.main()
