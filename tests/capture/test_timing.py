# SPDX-License-Identifier: GPL-2.0-or-later
"""Real-kernel capture tests: where a flow's time went (issue 12).

A server in this test process (never traced) sleeps 200 ms before its TLS
handshake and 300 ms before answering /slow; real curl, Python and Go clients
run under `httptap-record` and make two requests on one keep-alive connection.
The measured phases must reflect the injected delays (the kernel timed the
TCP connect and the handshake; send/wait/receive come from the bytes): the
handshake takes at least the server's 200 ms and wait at least its 300 ms,
each within a tolerance that would catch one phase swallowing the other; the
phases add up to the flow's total; the second request, on the reused
connection, has no connect or TLS time. The HAR export of the same capture
passes har-validator. These check measured data, not how long the test takes.

    /usr/bin/python3 -m unittest -v test_timing.TimingTests.test_curl_https
"""

import json
import os
import socket
import ssl
import threading
import time

import harness
from harness import CaptureTestCase, curl, python, record
from test_exports import read_raw, run_record, validate_har
from test_go_capture import go_build

HANDSHAKE_DELAY = 0.2
RESPONSE_DELAY = 0.3
# Scheduling on a loaded machine only ever adds time; the upper bounds stay
# below what a phase would show if it had swallowed the other delay.
SLACK_BELOW_MS = 15
SLACK_ABOVE_MS = 170


class DelayServer:
    """HTTP/1.1 keep-alive on 127.0.0.1, optionally TLS: sleeps before the handshake and before answering /slow."""

    def __init__(self, tls):
        self.tls = tls
        self.context = None
        if tls:
            cert, key = harness.certificate()
            self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.context.load_cert_chain(cert, key)
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.running = True
        threading.Thread(target=self.accept_loop, daemon=True).start()

    def url(self, path, host="127.0.0.1"):
        return f"{'https' if self.tls else 'http'}://{host}:{self.port}{path}"

    def accept_loop(self):
        while self.running:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self.serve, args=(conn,), daemon=True).start()

    def serve(self, conn):
        try:
            conn.settimeout(30)
            if self.context:
                time.sleep(HANDSHAKE_DELAY)  # the ClientHello waits: the client's handshake takes this long
                conn = self.context.wrap_socket(conn, server_side=True)
            pending = b""
            while True:
                while b"\r\n\r\n" not in pending:
                    data = conn.recv(65536)
                    if not data:
                        return
                    pending += data
                head, pending = pending.split(b"\r\n\r\n", 1)
                path = head.split(b" ")[1]
                if path.startswith(b"/slow"):
                    time.sleep(RESPONSE_DELAY)
                body = b"timed " + path + b"\n"
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n"
                             % len(body) + body)
        except (OSError, ssl.SSLError):
            pass
        finally:
            conn.close()

    def stop(self):
        self.running = False
        self.listener.close()


PYTHON_CLIENT = """
import http.client, ssl, sys
port, tls = int(sys.argv[1]), sys.argv[2] == "tls"
if tls:
    c = http.client.HTTPSConnection("127.0.0.1", port, context=ssl._create_unverified_context())
else:
    c = http.client.HTTPConnection("127.0.0.1", port)
for path in ("/slow", "/fast"):
    c.request("GET", path)
    r = c.getresponse()
    assert r.status == 200 and r.read() == b"timed " + path.encode() + b"\\n", path
"""


class TimingTests(CaptureTestCase):
    def setUp(self):
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            s.stop()

    def server(self, tls):
        s = DelayServer(tls)
        self.servers.append(s)
        return s

    def two_flows(self, capture, server):
        """The /slow and /fast flows of one connection, in that order."""
        self.assertRecorded(capture, 2)
        slow = capture.one("GET", server.url("/slow"))
        fast = capture.one("GET", server.url("/fast"))
        self.assertEqual(harness.body(slow["response"]), b"timed /slow\n")
        self.assertEqual(harness.body(fast["response"]), b"timed /fast\n")
        self.assertEqual(slow["conn_id"], fast["conn_id"], capture.describe())
        return slow, fast

    def assertAbout(self, value, expected_ms, what):
        self.assertIsNotNone(value, what)
        self.assertGreaterEqual(value, expected_ms - SLACK_BELOW_MS, what)
        self.assertLessEqual(value, expected_ms + SLACK_ABOVE_MS, what)

    def assertPhases(self, slow, fast, tls, timed=True):
        t = slow["timings"]
        what = json.dumps(t)
        # The phases add up to the total, which runs from the set-up's start to the last byte.
        parts = [t[k] for k in ("blocked_ms", "dns_ms", "connect_ms", "send_ms", "wait_ms", "receive_ms")
                 if t[k] is not None]
        self.assertAlmostEqual(sum(parts), t["total_ms"], places=3, msg=what)
        self.assertGreaterEqual(t["total_ms"], slow["duration_ms"] - 0.001, what)
        self.assertAbout(t["wait_ms"], RESPONSE_DELAY * 1000, what)
        self.assertIsNone(t["dns_ms"], what)
        self.assertFalse(t["connection_reused"], what)
        if timed:
            self.assertIsNotNone(t["tcp_ms"], what)
            self.assertLess(t["tcp_ms"], HANDSHAKE_DELAY * 1000 - SLACK_BELOW_MS, what)  # nothing delays TCP
            if tls:
                self.assertAbout(t["ssl_ms"], HANDSHAKE_DELAY * 1000, what)
                self.assertGreaterEqual(t["connect_ms"], t["tcp_ms"] + t["ssl_ms"] - 0.001, what)
            else:
                self.assertIsNone(t["ssl_ms"], what)
                self.assertAlmostEqual(t["connect_ms"], t["tcp_ms"], places=6, msg=what)
        else:
            for k in ("connect_ms", "tcp_ms", "ssl_ms", "blocked_ms"):
                self.assertIsNone(t[k], what)
        self.assertAlmostEqual(t["total_ms"] - (t["connect_ms"] or 0) - (t["blocked_ms"] or 0),
                               slow["duration_ms"], places=3, msg=what)

        r = fast["timings"]
        what = json.dumps(r)
        self.assertTrue(r["connection_reused"], what)
        for k in ("connect_ms", "tcp_ms", "ssl_ms", "blocked_ms", "dns_ms"):
            self.assertIsNone(r[k], what)
        self.assertLess(r["wait_ms"], RESPONSE_DELAY * 1000 - SLACK_BELOW_MS, what)  # /fast does not sleep
        self.assertAlmostEqual(r["send_ms"] + r["wait_ms"] + r["receive_ms"], r["total_ms"], places=3, msg=what)

    def test_curl_http(self):
        s = self.server(tls=False)
        cap = record(curl(s.url("/slow"), s.url("/fast")))
        self.assertPhases(*self.two_flows(cap, s), tls=False)

    def test_curl_https(self):
        s = self.server(tls=True)
        cap = record(curl("-k", s.url("/slow"), s.url("/fast")))
        slow, fast = self.two_flows(cap, s)
        self.assertEqual(slow["tls"], "openssl")
        self.assertPhases(slow, fast, tls=True)

    def test_python_https(self):
        s = self.server(tls=True)
        cap = record(python(PYTHON_CLIENT, str(s.port), "tls"))
        self.assertPhases(*self.two_flows(cap, s), tls=True)

    def test_python_http(self):
        s = self.server(tls=False)
        cap = record(python(PYTHON_CLIENT, str(s.port), "plain"))
        self.assertPhases(*self.two_flows(cap, s), tls=False)

    def test_go_https(self):
        s = self.server(tls=True)
        cap = record([go_build("client"), s.url("/slow"), s.url("/fast")])
        slow, fast = self.two_flows(cap, s)
        self.assertEqual(slow["tls"], "go")
        self.assertPhases(slow, fast, tls=True)

    def test_no_timing(self):
        s = self.server(tls=True)
        cap = record(curl("-k", s.url("/slow"), s.url("/fast")), options=["--no-timing"])
        self.assertPhases(*self.two_flows(cap, s), tls=True, timed=False)

    def test_har_timings(self):
        s = self.server(tls=True)
        path = os.path.join(harness.workdir(), f"timing-{time.monotonic_ns()}.har")
        raw = path + ".raw"
        run_record(["--format", "har", "-o", path, "--raw", raw], curl("-k", s.url("/slow"), s.url("/fast")))
        validate_har(path)
        with open(path, "rb") as f:
            har = json.load(f)
        # The raw capture keeps the kernel's phases: reading it back gives the same timings.
        replayed = [json.loads(line) for line in read_raw(raw, "jsonl").splitlines() if line.strip()]
        self.assertEqual(len(replayed), 2)
        by_url = {flow["url"]: flow for flow in replayed}
        self.assertAbout(by_url[s.url("/slow")]["timings"]["ssl_ms"], HANDSHAKE_DELAY * 1000, "replayed")
        self.assertTrue(by_url[s.url("/fast")]["timings"]["connection_reused"])
        entries = {e["request"]["url"]: e for e in har["log"]["entries"]}
        slow, fast = entries[s.url("/slow")], entries[s.url("/fast")]
        t = slow["timings"]
        self.assertAbout(t["ssl"], HANDSHAKE_DELAY * 1000, json.dumps(t))
        self.assertGreaterEqual(t["connect"], t["ssl"], json.dumps(t))
        self.assertAbout(t["wait"], RESPONSE_DELAY * 1000, json.dumps(t))
        self.assertEqual(t["dns"], -1)
        self.assertAlmostEqual(slow["time"], sum(v for k, v in t.items() if k != "ssl" and v >= 0), places=3)
        self.assertNotIn("_connectionReused", slow)
        self.assertEqual([fast["timings"][k] for k in ("blocked", "dns", "connect", "ssl")], [-1, -1, -1, -1])
        self.assertTrue(fast["_connectionReused"])


if __name__ == "__main__":
    import unittest
    unittest.main()
