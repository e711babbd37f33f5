#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The Python http.server peer of the capture tests.

Serves exact, known bodies over HTTP/1.1 with keep-alive on 127.0.0.1 and ::1
(one port, both families). Runs inside the test process (as a thread) or as its
own process, so a test can capture the server side:

    /usr/bin/python3 httpserver.py --port P [--ready-file F] [--exit-after N]

Routes (every response has an exact Content-Length unless chunked):
    GET  /hello       HELLO_BODY, with "X-Test: 1" (HEAD too: the same headers, no body)
    GET  /big         big_body() (5 MiB)
    GET  /k/<n>       "keep-alive body <n>\\n"
    GET  /p/<name>    "pipelined <name>\\n"
    GET  /chunked     CHUNKED_PARTS sent with Transfer-Encoding: chunked
    POST /echo        the request body (Content-Length or chunked), echoed
"""

import argparse
import http.server
import os
import socket
import socketserver
import sys
import threading

HELLO_BODY = b"hello from the httptap test server\n"
CHUNKED_PARTS = [b"first chunk\n", b"x" * 5000 + b"\n", b"last chunk\n"]
BIG_SIZE = 5 * 1024 * 1024


def big_body():
    """5 MiB of 64-byte lines, each unique, so a misplaced chunk cannot compare equal."""
    return b"".join(b"%063d\n" % i for i in range(BIG_SIZE // 64))


def keepalive_body(n):
    return b"keep-alive body %d\n" % n


def pipelined_body(name):
    return b"pipelined %s\n" % name.encode()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes
    big = None  # filled lazily, shared by all handlers
    on_request = None  # callback after each complete response

    def log_message(self, format, *args):  # noqa: A002 - signature fixed by the base class
        pass

    def _send(self, body, content_type="text/plain", extra=()):
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _done(self):
        if Handler.on_request:
            Handler.on_request()

    def do_GET(self):
        path = self.path
        if path == "/hello":
            self._send(HELLO_BODY, extra=[("X-Test", "1")])
        elif path == "/big":
            if Handler.big is None:
                Handler.big = big_body()
            self._send(Handler.big, content_type="application/octet-stream")
        elif path.startswith("/k/"):
            self._send(keepalive_body(int(path[3:])))
        elif path.startswith("/p/"):
            self._send(pipelined_body(path[3:]))
        elif path == "/chunked":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for part in CHUNKED_PARTS:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.send_error(404)
        self.wfile.flush()
        self._done()

    def do_HEAD(self):
        if self.path != "/hello":
            self.send_error(404)
        else:
            self._send(HELLO_BODY, extra=[("X-Test", "1")])  # headers only: _send skips the body for HEAD
        self.wfile.flush()
        self._done()

    def _read_chunked(self):
        body = bytearray()
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip(), 16)
            if size == 0:
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return bytes(body)
            body += self.rfile.read(size)
            self.rfile.readline()  # CRLF after the chunk

    def do_POST(self):
        if self.path != "/echo":
            self.send_error(404)
            self._done()
            return
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            body = self._read_chunked()
        else:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self._send(body, content_type="application/octet-stream")
        self.wfile.flush()
        self._done()


class Server4(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class Server6(Server4):
    address_family = socket.AF_INET6


class DualStackServer:
    """One port on 127.0.0.1 and ::1, served by two threads."""

    def __init__(self, port):
        self.port = port
        self.servers = [Server4(("127.0.0.1", port), Handler), Server6(("::1", port), Handler)]
        self.threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in self.servers]

    def start(self):
        for thread in self.threads:
            thread.start()
        return self

    def stop(self):
        for server in self.servers:
            server.shutdown()
            server.server_close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--ready-file", help="created once both sockets listen")
    parser.add_argument("--exit-after", type=int, default=0, help="exit after this many responses")
    args = parser.parse_args()

    finished = threading.Event()
    if args.exit_after:
        count = [0]
        lock = threading.Lock()

        def on_request():
            with lock:
                count[0] += 1
                if count[0] >= args.exit_after:
                    finished.set()

        Handler.on_request = on_request

    server = DualStackServer(args.port).start()
    if args.ready_file:
        with open(args.ready_file + ".tmp", "w") as f:
            f.write(str(os.getpid()))
        os.rename(args.ready_file + ".tmp", args.ready_file)
    try:
        finished.wait()
    except KeyboardInterrupt:
        pass
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
