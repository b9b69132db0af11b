#!/usr/bin/env python3
"""tests/slow_client.py: a slow HTTP client (slowloris) for tests/serve_hostile.sh.

usage: slow_client.py HOST PORT N SOURCE_ADDR MODE SECONDS

Opens N connections from SOURCE_ADDR (a loopback address such as 127.0.0.2, so that
the per-IP limit applies to them and not to the test's own curl) and keeps each one
slow for SECONDS: MODE "headers" sends a request line, then one header line a second,
never the blank line; MODE "body" sends complete headers announcing a 100000-byte body,
then one byte a second. Prints one line: "opened=A refused=R closed=C open=O": how many
connections were made, refused at once (closed or reset within half a second), closed
by the server later, and still open at the end.
"""
import socket
import sys
import time

host, port, n, src, mode, secs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], float(sys.argv[6])
socks, refused, closed = [], 0, 0
t0 = time.monotonic()
for _ in range(n):
    try:
        s = socket.create_connection((host, port), timeout=2, source_address=(src, 0))
    except OSError:
        refused += 1
        continue
    s.setblocking(False)
    try:
        if mode == "headers":
            s.sendall(b"GET /v1/status HTTP/1.1\r\nHost: x\r\n")
        else:
            s.sendall(b"POST /v1/runs HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n")
    except OSError:
        refused += 1
        continue
    socks.append([s, time.monotonic()])


def gone(s):
    try:
        return s.recv(4096) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


opened = len(socks) + refused
first = True
while socks and time.monotonic() - t0 < secs:
    time.sleep(0.5 if first else 1)
    keep = []
    for s, since in socks:
        dead = gone(s)
        if not dead and not first:
            try:
                s.send(b"X-Slow: 1\r\n" if mode == "headers" else b"x")
            except OSError:
                dead = True
        if dead:
            if first:
                refused += 1
            else:
                closed += 1
            s.close()
        else:
            keep.append([s, since])
    socks = keep
    first = False
print("opened=%d refused=%d closed=%d open=%d" % (opened, refused, closed, len(socks)))
