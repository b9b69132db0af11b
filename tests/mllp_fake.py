#!/usr/bin/env python3
"""tests/mllp_fake.py: a stand-in MLLP listener for testing scripts/mllp_load.c
(tests/mllp_load_it.sh) and the per-commit baseline of scripts/bench_mllp.sh.
Not cara: one thread, the standard library only.

It answers each HL7 v2 message (framed 0x0B msg 0x1C 0x0D) with an ACK whose MSA-2 is
the message's MSH-10. Faults on demand, counted by arrival order over all connections
(1-based): --ae-every K answers AE to every K-th message, --ar-every K AR, --drop LIST
answers nothing to those, --dup LIST answers twice, --foreign LIST answers with a
control id that was never sent, --stall-after K answers nothing after the K-th.
--chunks split writes each ACK in pieces of 1 to 7
bytes, with a pause between them (the client must join them); --hold N keeps N ACKs
and writes them in one send (several ACKs in one read). --sqlite DB inserts and commits
each message (WAL, synchronous=NORMAL, as cara's store) before its ACK; --append FILE
appends and fsyncs it. It prints "port N" on stdout once listening and, at SIGTERM or
SIGINT, "received N acked N" on stderr.
"""
import argparse
import os
import random
import selectors
import signal
import socket
import sqlite3
import sys
import time

SB, EB, CR = b"\x0b", b"\x1c", b"\x0d"


def parse_list(s):
    return {int(x) for x in s.split(",") if x} if s else set()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--ae-every", type=int, default=0)
    ap.add_argument("--ar-every", type=int, default=0)
    ap.add_argument("--drop", default="")
    ap.add_argument("--dup", default="")
    ap.add_argument("--foreign", default="")
    ap.add_argument("--stall-after", type=int, default=0)
    ap.add_argument("--chunks", choices=["whole", "split"], default="whole")
    ap.add_argument("--hold", type=int, default=1)
    ap.add_argument("--sqlite")
    ap.add_argument("--append")
    a = ap.parse_args()
    drop, dup, foreign = parse_list(a.drop), parse_list(a.dup), parse_list(a.foreign)

    db = None
    if a.sqlite:
        db = sqlite3.connect(a.sqlite, isolation_level=None)
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("CREATE TABLE IF NOT EXISTS mllp_messages (id INTEGER PRIMARY KEY, "
                   "facility TEXT, control_id TEXT, received TEXT, body BLOB, "
                   "UNIQUE (facility, control_id))")
    app = open(a.append, "ab") if a.append else None

    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((a.host, a.port))
    ls.listen(128)
    ls.setblocking(False)
    print("port %d" % ls.getsockname()[1], flush=True)
    sel = selectors.DefaultSelector()
    sel.register(ls, selectors.EVENT_READ, None)
    stats = {"received": 0, "acked": 0}
    rng = random.Random(7)

    def stop(*_):
        sys.stderr.write("received %d acked %d\n" % (stats["received"], stats["acked"]))
        sys.stderr.flush()
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    def ack(msg, code):
        segs = msg.replace(b"\n", b"\r").split(b"\r")
        f = segs[0].split(b"|")
        f += [b""] * (12 - len(f))
        ev = f[8].split(b"^")[1] if b"^" in f[8] else b""
        now = time.strftime("%Y%m%d%H%M%S").encode()
        out = b"MSH|^~\\&|" + b"|".join([f[4], f[5], f[2], f[3], now, b"",
                                         b"ACK^" + ev + b"^ACK", b"K" + f[9], f[10] or b"P",
                                         f[11] or b"2.5.1"]) + b"\r"
        out += b"MSA|" + code + b"|" + f[9] + b"\r"
        if code != b"AA":
            out += b"ERR||PID^1^3|101^Required field missing^HL70357|E\r"
        return SB + out + EB + CR, f[9], f[3]

    class Conn:
        def __init__(self, s):
            self.s, self.buf, self.out = s, b"", []

    def send(c, data):
        if a.chunks == "split":
            i = 0
            while i < len(data):
                n = rng.randint(1, 7)
                c.s.sendall(data[i:i + n])
                i += n
                time.sleep(0.0002)
        else:
            c.s.sendall(data)

    def handle(c, msg):
        stats["received"] += 1
        k = stats["received"]
        if db is not None or app is not None:
            f = msg.split(b"\r", 1)[0].split(b"|")
            if db is not None:
                db.execute("INSERT OR IGNORE INTO mllp_messages (facility, control_id, received, "
                           "body) VALUES (?, ?, datetime('now'), ?)",
                           (f[3].decode("latin-1"), f[9].decode("latin-1"), msg))
            if app is not None:
                app.write(msg + b"\n")
                app.flush()
                os.fsync(app.fileno())
        if k in drop or (a.stall_after and k > a.stall_after):
            return
        code = b"AA"
        if a.ae_every and k % a.ae_every == 0:
            code = b"AE"
        elif a.ar_every and k % a.ar_every == 0:
            code = b"AR"
        frame, cid, _ = ack(msg, code)
        if k in foreign:
            frame = frame.replace(b"MSA|" + code + b"|" + cid, b"MSA|AA|NOT-SENT-" + cid)
        c.out.append(frame)
        if k in dup:
            c.out.append(frame)
        stats["acked"] += 1
        if len(c.out) >= a.hold:
            send(c, b"".join(c.out))
            c.out = []

    conns = set()
    while True:
        events = sel.select(timeout=0.02 if a.hold > 1 else None)
        if not events:  # idle: write what --hold keeps
            for c in conns:
                if c.out:
                    send(c, b"".join(c.out))
                    c.out = []
        for key, _ in events:
            if key.data is None:
                s, _ = ls.accept()
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                c = Conn(s)
                conns.add(c)
                sel.register(s, selectors.EVENT_READ, c)
                continue
            c = key.data
            try:
                d = c.s.recv(65536)
            except ConnectionError:
                d = b""
            if not d:
                conns.discard(c)
                sel.unregister(c.s)
                c.s.close()
                continue
            c.buf += d
            while True:
                i = c.buf.find(SB)
                j = c.buf.find(EB + CR, i + 1) if i >= 0 else -1
                if j < 0:
                    break
                handle(c, c.buf[i + 1:j])
                c.buf = c.buf[j + 2:]


if __name__ == "__main__":
    main()
