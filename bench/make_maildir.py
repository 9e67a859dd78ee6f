#!/usr/bin/env python3
"""Writes a Maildir of N realistic messages for the retrieval benchmark (bench/imap_bench.py),
deterministically from a seed: the same (N, seed) gives byte-identical files and names.

  bench/make_maildir.py --out /tmp/md --messages 50000 [--seed 1]

The mix (by message):
  ~60 %  text/plain, 1-8 KiB of body
  ~30 %  multipart/alternative: text/plain + text/html of the same text
  ~10 %  multipart/mixed: a text/plain part + a base64 application/octet-stream (pdf, zip,
         ...) of 20-200 KiB before encoding
Headers vary as a mail client's would: Return-Path, two Received, Date, From, To, sometimes
Cc, Subject (some RFC 2047 encoded), Message-ID, and In-Reply-To/References for about 40 %
(replies in threads), MIME headers. Dates run forward over 2019-2026.

Files go straight into cur/ (tmp/ and new/ are created empty) with Dovecot-style names,
"<unix time>.M<usec>P<pid>Q<n>.bench,S=<size>,W=<CRLF size>:2,<flags>", whose time prefix and
mtime both follow the Date header, so every server numbers the messages in the same order
(Tern by (mtime, name), Dovecot by the name's time). Flags: about 70 % S, some RS, FS, none.
Line ends are LF, as in any Maildir.

Search targets, so that SEARCH has a known answer: the word SUBJECT_WORD appears in about 1 %
of the subjects (never inside an encoded word) and BODY_WORD in about 1 % of the text bodies
(never in headers, never in attachments). The counts are written to <out>/bench-manifest.json
together with N, the seed and the total size; a later run with the same N and seed reuses the
directory (see imap_bench.py)."""

import argparse
import base64
import json
import os
import random
import sys
import time

SUBJECT_WORD = "quarterly"
BODY_WORD = "zanzibar"
MANIFEST = "bench-manifest.json"

FIRST = ["Alice", "Bob", "Carol", "David", "Erin", "Frank", "Grace", "Heidi", "Ivan", "Judy",
         "Mallory", "Niaj", "Olivia", "Peggy", "Rupert", "Sybil", "Trent", "Victor", "Walter",
         "Yasmin", "Zoe", "Marta", "Jonas", "Pierre", "Lena", "Tomasz", "Aiko", "Ravi", "Chen"]
LAST = ["Smith", "Jones", "Garcia", "Miller", "Davis", "Martin", "Bernard", "Dubois", "Muller",
        "Schmidt", "Rossi", "Kowalski", "Tanaka", "Patel", "Nguyen", "Kim", "Olsen", "Silva"]
DOMAINS = ["example.com", "example.org", "mail.example.net", "corp.example", "lists.example.org",
           "uni.example.edu", "shop.example", "news.example.com"]
SUBJ_WORDS = ("meeting report budget review draft invoice schedule update project release "
              "notes minutes agenda travel plan proposal contract feedback question lunch "
              "team status weekly monthly annual summary roadmap design security patch server "
              "backup migration deadline offer order shipping delivery payment").split()
WORDS = ("the of and to in is that for it as was with be by on not he this are or his from at "
         "which but have an they you were her she there been one all we their has would when "
         "if so what up out about who get them me said do some could more my than first into "
         "time people may only other new over also after two how our work well way even just "
         "because any these day most us system program question during number set group "
         "however government company between world school area problem service hand part place "
         "case week point report result change level office team idea figure account budget "
         "customer market order table value price meeting server network message delivery "
         "please thanks regards attached document review draft comment version release").split()
ENCODED_SUBJECTS = ["=?UTF-8?B?UmU6IFLDqXVuaW9uIGRlIGzDqXF1aXBl?=",
                    "=?UTF-8?Q?Caf=C3=A9_et_croissants?=",
                    "=?ISO-8859-1?Q?Gr=FC=DFe_aus_M=FCnchen?=",
                    "=?UTF-8?B?5pel5pys6Kqe44Gu5Lu25ZCN?="]
ATTACH_TYPES = [("application/pdf", "pdf"), ("application/zip", "zip"),
                ("image/jpeg", "jpg"), ("application/vnd.oasis.opendocument.text", "odt")]

START = 1546300800   # 2019-01-01
END = 1798761600     # 2027-01-01


def address(rng):
    f, l = rng.choice(FIRST), rng.choice(LAST)
    return f, l, "%s.%s@%s" % (f.lower(), l.lower(), rng.choice(DOMAINS))


def paragraph_pool(rng, count=4000):
    """Paragraphs of 200-900 bytes of plain words; bodies are stitched from these (fast)."""
    pool = []
    for _ in range(count):
        words = rng.choices(WORDS, k=rng.randint(35, 150))
        words[0] = words[0].capitalize()
        text = " ".join(words) + "."
        # wrap at ~72 columns
        lines, line = [], ""
        for w in text.split(" "):
            if len(line) + len(w) + 1 > 72:
                lines.append(line)
                line = w
            else:
                line = w if not line else line + " " + w
        lines.append(line)
        pool.append("\n".join(lines))
    return pool


def text_body(rng, pool, size, with_word):
    parts, n = [], 0
    while n < size:
        p = rng.choice(pool)
        parts.append(p)
        n += len(p) + 2
    if with_word:
        i = rng.randrange(len(parts))
        parts[i] = parts[i] + "\nSee the %s notes." % BODY_WORD
    return "\n\n".join(parts) + "\n"


def html_of(text):
    paras = text.strip().split("\n\n")
    return ("<html><head><meta charset=\"utf-8\"></head><body>\n" +
            "\n".join("<p>%s</p>" % p.replace("&", "&amp;").replace("<", "&lt;") for p in paras) +
            "\n</body></html>\n")


def make_message(rng, pool, blob, i, ts, msgids):
    """Returns (bytes, subject_hit, body_hit)."""
    ff, fl, faddr = address(rng)
    tf, tl, taddr = address(rng)
    date = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(ts))
    subject_hit = rng.random() < 0.01
    words = rng.choices(SUBJ_WORDS, k=rng.randint(2, 7))
    if subject_hit:
        words.insert(rng.randrange(len(words) + 1), SUBJECT_WORD)
    subject = " ".join(words).capitalize()
    reply = msgids and rng.random() < 0.4
    if not subject_hit and rng.random() < 0.05:
        subject = rng.choice(ENCODED_SUBJECTS)
    elif reply:
        subject = "Re: " + subject
    msgid = "<%d.%x.%d@%s>" % (ts, rng.getrandbits(40), i, rng.choice(DOMAINS))
    h = ["Return-Path: <%s>" % faddr,
         "Received: from mx%d.%s (mx%d.%s [192.0.2.%d])\n\tby mail.bench.test with ESMTPS id %X\n"
         "\tfor <%s>; %s" % (i % 7, faddr.split("@")[1], i % 7, faddr.split("@")[1], i % 250 + 1,
                            rng.getrandbits(48), taddr, date),
         "Received: from [10.0.%d.%d] by mx.%s with ESMTPSA; %s" % (i % 200, i % 250,
                                                                   faddr.split("@")[1], date),
         "Date: " + date,
         'From: "%s %s" <%s>' % (ff, fl, faddr),
         "To: %s %s <%s>" % (tf, tl, taddr)]
    if rng.random() < 0.25:
        cf, cl, caddr = address(rng)
        h.append("Cc: %s %s <%s>, %s" % (cf, cl, caddr, address(rng)[2]))
    h.append("Subject: " + subject)
    h.append("Message-ID: " + msgid)
    if reply:
        recent = msgids[-500:]
        parents = rng.sample(recent, min(len(recent), rng.randint(1, 4)))
        h.append("In-Reply-To: " + parents[-1])
        h.append("References: " + "\n ".join(parents))
    h.append("MIME-Version: 1.0")
    msgids.append(msgid)

    kind = rng.random()
    body_hit = rng.random() < 0.01
    text = text_body(rng, pool, rng.randint(1024, 8192), body_hit)
    if kind < 0.6:
        h.append("Content-Type: text/plain; charset=utf-8; format=flowed")
        h.append("Content-Transfer-Encoding: 7bit")
        body = text
    elif kind < 0.9:
        b = "----=_alt_%d_%x" % (i, rng.getrandbits(32))
        h.append('Content-Type: multipart/alternative; boundary="%s"' % b)
        body = ("This is a multi-part message in MIME format.\n\n"
                "--%s\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 7bit\n\n"
                "%s\n--%s\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: 7bit\n\n"
                "%s\n--%s--\n" % (b, text, b, html_of(text), b))
    else:
        b = "----=_mix_%d_%x" % (i, rng.getrandbits(32))
        ctype, ext = rng.choice(ATTACH_TYPES)
        n = rng.randint(20 * 1024, 200 * 1024)
        off = rng.randrange(len(blob) - n)
        data = base64.encodebytes(blob[off:off + n]).decode("ascii")
        name = "%s-%d.%s" % (rng.choice(SUBJ_WORDS), i, ext)
        h.append('Content-Type: multipart/mixed; boundary="%s"' % b)
        body = ("This is a multi-part message in MIME format.\n\n"
                "--%s\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 7bit\n\n"
                "%s\n--%s\nContent-Type: %s; name=\"%s\"\nContent-Disposition: attachment; "
                "filename=\"%s\"\nContent-Transfer-Encoding: base64\n\n%s\n--%s--\n"
                % (b, text, b, ctype, name, name, data, b))
    msg = ("\n".join(h) + "\n\n" + body).encode("utf-8")
    return msg, subject_hit, body_hit


def flags_for(rng):
    r = rng.random()
    if r < 0.62:
        return "S"
    if r < 0.70:
        return "RS"
    if r < 0.74:
        return "FS"
    return ""


def generate(out, messages, seed=1, quiet=False):
    """Writes the Maildir and its manifest; returns the manifest (a dict)."""
    rng = random.Random(seed)
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(out, sub), exist_ok=True)
    pool = paragraph_pool(rng)
    blob = rng.randbytes(4 * 1024 * 1024)
    step = (END - START) / max(1, messages)
    msgids = []
    subject_hits = body_hits = total = 0
    t0 = time.monotonic()
    cur = os.path.join(out, "cur")
    for i in range(messages):
        ts = int(START + i * step + rng.random() * step * 0.5)
        msg, sh, bh = make_message(rng, pool, blob, i, ts, msgids)
        if len(msgids) > 1000:
            del msgids[:500]
        subject_hits += sh
        body_hits += bh
        size = len(msg)
        total += size
        name = "%d.M%dP%dQ%d.bench,S=%d,W=%d:2,%s" % (ts, rng.randrange(1000000), 1000 + i % 30000,
                                                      i + 1, size, size + msg.count(b"\n"),
                                                      flags_for(rng))
        path = os.path.join(cur, name)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.write(fd, msg)
        finally:
            os.close(fd)
        os.utime(path, (ts, ts))
        if not quiet and (i + 1) % 10000 == 0:
            print("  %d messages, %.0f MiB, %.0f s" % (i + 1, total / 2**20, time.monotonic() - t0),
                  file=sys.stderr, flush=True)
    manifest = {"messages": messages, "seed": seed, "bytes": total,
                "subject_word": SUBJECT_WORD, "subject_hits": subject_hits,
                "body_word": BODY_WORD, "body_hits": body_hits}
    with open(os.path.join(out, MANIFEST), "w") as f:
        json.dump(manifest, f)
    return manifest


def load_manifest(out):
    try:
        with open(os.path.join(out, MANIFEST)) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--messages", type=int, default=50000)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    if os.path.exists(os.path.join(a.out, "cur")) and os.listdir(os.path.join(a.out, "cur")):
        raise SystemExit("%s/cur is not empty" % a.out)
    t0 = time.monotonic()
    m = generate(a.out, a.messages, a.seed)
    print("%s: %d messages, %.1f MiB in %.1f s; '%s' in %d subjects, '%s' in %d bodies"
          % (a.out, m["messages"], m["bytes"] / 2**20, time.monotonic() - t0, m["subject_word"],
             m["subject_hits"], m["body_word"], m["body_hits"]))


if __name__ == "__main__":
    main()
