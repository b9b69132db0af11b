#!/usr/bin/python3
"""tests/adt/mllp_client.py: a raw MLLP client for tests/adt_it.sh (python3's standard
library only): send frames, pipelined, and write each ACK's MSA-1 and MSA-2 as they come.

  mllp_client.py PORT stream N ACKED_FILE   send N generated ADT^A04 messages (control ids
                                            S1..SN), 50 in flight; append "CODE ID" per ACK
  mllp_client.py PORT raw FILE              send FILE's bytes as they are (frames made by
                                            the caller) and print every ACK's MSA-1|MSA-2
  mllp_client.py PORT frames N BYTES        send one frame of BYTES bytes of 'A' after an
                                            MSH (an oversized message) and print the ACK
  mllp_client.py PORT slow SECONDS          start a frame, send a byte a second; print
                                            "closed after N s" when the service cuts it
  mllp_client.py PORT conns N               hold N connections open, then try one more;
                                            print "refused" when the service closes it
"""
import time
import socket
import sys

SB, EB, CR = b"\x0b", b"\x1c", b"\r"


def message(i):
    segs = [
        "MSH|^~\\&|LOADTEST|GENHOSP|CARA|A1|202703151000||ADT^A04^ADT_A01|S%d|P|2.5.1" % i,
        "EVN|A04|202703151000",
        "PID|1||MRN%d^^^GENHOSP^MR~1A00A00AA01^^^CMS^MC||DOE^PAT||19500615|F" % i,
        "PV1|1|E|" + "|" * 16 + "VS%d" % i + "|" * 25 + "202703150950",
        "DG1|1||R51^^I10||20270315|W",
    ]
    return SB + "\r".join(segs).encode() + CR + EB + CR


def acks(buf):
    """Complete ACK frames of buf -> (list of (code, id), rest)."""
    out = []
    while True:
        s = buf.find(SB)
        e = buf.find(EB + CR, s + 1)
        if s < 0 or e < 0:
            return out, buf
        frame = buf[s + 1:e].decode("utf-8", "replace")
        buf = buf[e + 2:]
        for seg in frame.split("\r"):
            if seg.startswith("MSA|"):
                f = seg.split("|")
                out.append((f[1], f[2] if len(f) > 2 else ""))


def stream(port, n, path):
    sock = socket.create_connection(("127.0.0.1", port))
    log = open(path, "a", buffering=1)
    sent = got = 0
    buf = b""
    try:
        while got < n:
            while sent < n and sent - got < 50:
                sent += 1
                sock.sendall(message(sent))
            data = sock.recv(65536)
            if not data:
                break
            done, buf = acks(buf + data)
            for code, ident in done:
                log.write("%s %s\n" % (code, ident))
                got += 1
    except OSError:
        pass
    log.close()
    print("sent %d acked %d" % (sent, got))


def raw(port, path):
    sock = socket.create_connection(("127.0.0.1", port))
    data = open(path, "rb").read()
    want = data.count(EB + CR)
    sock.sendall(data)
    buf, seen = b"", 0
    sock.settimeout(30)
    while seen < want:
        chunk = sock.recv(65536)
        if not chunk:
            break
        done, buf = acks(buf + chunk)
        for code, ident in done:
            print("%s|%s" % (code, ident))
            seen += 1


def big(port, size):
    sock = socket.create_connection(("127.0.0.1", port))
    head = b"MSH|^~\\&|BIG|GENHOSP|CARA|A1|202703151000||ADT^A04^ADT_A01|BIG1|P|2.5.1\rNTE|1||"
    sock.sendall(SB + head + b"A" * size + CR + EB + CR)
    sock.settimeout(30)
    done, buf = [], b""
    while not done:
        chunk = sock.recv(65536)
        if not chunk:
            break
        done, buf = acks(buf + chunk)
    for code, ident in done:
        print("%s|%s" % (code, ident))


def slow(port, limit):
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(SB + b"MSH|")
    t0 = time.time()
    sock.settimeout(1)
    while time.time() - t0 < limit:
        try:
            if sock.recv(1) == b"":
                print("closed after %d s" % int(time.time() - t0))
                return
        except socket.timeout:
            pass
        try:
            sock.sendall(b"A")
        except OSError:
            print("closed after %d s" % int(time.time() - t0))
            return
    print("still open after %d s" % limit)


def conns(port, n):
    held = [socket.create_connection(("127.0.0.1", port)) for _ in range(n)]
    time.sleep(0.3)
    extra = socket.create_connection(("127.0.0.1", port))
    extra.settimeout(5)
    try:
        print("refused" if extra.recv(1) == b"" else "answered")
    except (socket.timeout, OSError) as e:
        print("refused" if isinstance(e, ConnectionResetError) else "kept open")
    for h in held:
        h.close()


if __name__ == "__main__":
    port, mode = int(sys.argv[1]), sys.argv[2]
    if mode == "stream":
        stream(port, int(sys.argv[3]), sys.argv[4])
    elif mode == "raw":
        raw(port, sys.argv[3])
    elif mode == "slow":
        slow(port, int(sys.argv[3]))
    elif mode == "conns":
        conns(port, int(sys.argv[3]))
    else:
        big(port, int(sys.argv[4]))
