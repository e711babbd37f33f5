#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Sends HTTP/1.1 GETs pipelined, all in one write, then reads every response.

    /usr/bin/python3 pipelineclient.py HOST PORT PATH...

Writes the response bodies, in order, to stdout. Responses must carry
Content-Length (the test server's do).
"""

import socket
import sys


def read_response(f):
    status = f.readline()
    if not status.startswith(b"HTTP/1.1 200"):
        raise SystemExit(f"unexpected status line {status!r}")
    length = None
    while True:
        line = f.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    if length is None:
        raise SystemExit("response without Content-Length")
    return f.read(length)


def main():
    host, port, paths = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    hostport = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    requests = b"".join(f"GET {p} HTTP/1.1\r\nHost: {hostport}\r\nUser-Agent: pipelineclient\r\n\r\n".encode()
                        for p in paths)
    with socket.create_connection((host, port), timeout=20) as s:
        s.sendall(requests)  # one write: the requests share a segment
        f = s.makefile("rb")
        for _ in paths:
            sys.stdout.buffer.write(read_response(f))
    return 0


if __name__ == "__main__":
    sys.exit(main())
