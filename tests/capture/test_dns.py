# SPDX-License-Identifier: GPL-2.0-or-later
"""Real-kernel capture tests: the DNS phase of a flow's timing (issue 12), and a
TLS handshake a library does implicitly inside its first write.

A DNS server in this test process (UDP on 127.0.0.1:53, never traced) answers A
queries for api.httptap.test with 127.0.0.1 (AAAA: no address) after
DNS_DELAY. Real curl (glibc's resolver: A and AAAA together with sendmmsg),
Python (getaddrinfo too) and a Go client (Go's own resolver: connected UDP
sockets, write/read) fetch http://api.httptap.test:PORT/ under
`httptap-record -- unshare -m sh -c 'mount --bind RESOLV /etc/resolv.conf && exec CLIENT'`:
a private mount namespace where resolv.conf says `nameserver 127.0.0.1`; the
machine's own resolv.conf is never touched. The first flow's dns must be at
least DNS_DELAY (the answer cannot come sooner) and within a tolerance, name
the host, and the phases must add up; the second request, on the reused
connection, has none; an IP-literal URL has none. A Python client that asks
on an unconnected socket (sendto/recvfrom, sendmsg/recvmsg naming the server)
is timed the same way.

    /usr/bin/python3 -m unittest -v test_dns.DnsTimingTests.test_curl
"""

import json
import os
import socket
import struct
import threading
import time

import harness
from harness import CaptureTestCase, curl, record
from test_exports import run_record, validate_har
from test_go_capture import go_build
from test_timing import HANDSHAKE_DELAY, RESPONSE_DELAY, SLACK_BELOW_MS, DelayServer

HOST = "api.httptap.test"
DNS_DELAY = 0.18
# Scheduling on a loaded machine only ever adds time.
SLACK_ABOVE_MS = 170


def dns_name(data, offset):
    """(dotted name, offset after it) of an uncompressed name in a query."""
    labels = []
    while True:
        length = data[offset]
        offset += 1
        if length == 0:
            return ".".join(labels), offset
        labels.append(data[offset:offset + length].decode("ascii"))
        offset += length


class DnsServer:
    """Answers queries on 127.0.0.1:53: HOST's A record is 127.0.0.1 after DNS_DELAY; its AAAA has no
    address (so every client connects to 127.0.0.1); anything else is NXDOMAIN at once."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            self.sock.bind(("127.0.0.1", 53))
        except OSError as e:
            self.sock.close()
            raise AssertionError(f"127.0.0.1:53 (UDP) is not free for the test's DNS server: {e}")
        self.sock.settimeout(0.05)  # the loop checks `running`, so stop() can release the port
        self.queries = []  # (name, qtype)
        self.running = True
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self):
        while self.running:
            try:
                data, peer = self.sock.recvfrom(4096)
            except socket.timeout:
                continue
            except OSError:
                return
            try:
                name, end = dns_name(data, 12)
                qtype = struct.unpack(">H", data[end:end + 2])[0]
            except (IndexError, UnicodeDecodeError, struct.error):
                continue
            self.queries.append((name, qtype))
            question = data[12:end + 4]
            if name.lower() != HOST:
                self.reply(peer, data[:2] + struct.pack(">HHHHH", 0x8183, 1, 0, 0, 0) + question)
                continue
            answers = b""
            if qtype == 1:
                answers = b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + socket.inet_aton("127.0.0.1")
            response = data[:2] + struct.pack(">HHHHH", 0x8180, 1, 1 if answers else 0, 0, 0) + question + answers
            threading.Timer(DNS_DELAY, self.reply, args=(peer, response)).start()

    def reply(self, peer, response):
        try:
            self.sock.sendto(response, peer)
        except OSError:
            pass

    def stop(self):
        self.running = False
        self.thread.join()
        self.sock.close()


PYTHON_CLIENT = """
import http.client, sys
c = http.client.HTTPConnection(sys.argv[1], int(sys.argv[2]))
for path in ("/slow", "/fast"):
    c.request("GET", path)
    r = c.getresponse()
    assert r.status == 200 and r.read() == b"timed " + path.encode() + b"\\n", path
"""

# Its own lookup on an unconnected UDP socket, the server named per datagram (sendto/recvfrom, or
# sendmsg/recvmsg), then one request to the address the answer gave.
UNCONNECTED_CLIENT = """
import http.client, socket, struct, sys
name, port, calls = sys.argv[1], int(sys.argv[2]), sys.argv[3]
query = struct.pack(">HHHHHH", 0x4242, 0x0100, 1, 0, 0, 0)
query += b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\\0" + struct.pack(">HH", 1, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
if calls == "sendto":
    s.sendto(query, ("127.0.0.1", 53))
    answer, _ = s.recvfrom(512)
else:
    s.sendmsg([query], [], 0, ("127.0.0.1", 53))
    answer = s.recvmsg(512)[0]
address = socket.inet_ntoa(answer[-4:])
c = http.client.HTTPConnection(address, port)
c.request("GET", "/fast", headers={"Host": "%s:%d" % (name, port)})
assert c.getresponse().read() == b"timed /fast\\n"
"""

# The handshake happens inside the first SSL_write_ex (sendall): nothing asks for it first.
IMPLICIT_HANDSHAKE_CLIENT = """
import socket, ssl, sys
context = ssl._create_unverified_context()
sock = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
tls = context.wrap_socket(sock, do_handshake_on_connect=False)
tls.sendall(b"GET /fast HTTP/1.1\\r\\nHost: 127.0.0.1:%d\\r\\n\\r\\n" % int(sys.argv[1]))
data = b""
while not data.endswith(b"timed /fast\\n"):
    chunk = tls.recv(65536)
    assert chunk, data
    data += chunk
"""


class DnsTimingTests(CaptureTestCase):
    def setUp(self):
        self.dns = DnsServer()
        self.http = DelayServer(tls=False)
        self.resolv = os.path.join(harness.workdir(), "resolv.conf")
        harness.write_file(self.resolv, b"nameserver 127.0.0.1\noptions timeout:5 attempts:1\n")

    def tearDown(self):
        self.http.stop()
        self.dns.stop()

    def resolving(self, argv):
        """argv run in a private mount namespace whose /etc/resolv.conf points at the test's DNS server."""
        quoted = " ".join("'" + a.replace("'", "'\\''") + "'" for a in argv)
        return ["/usr/bin/unshare", "-m", "/bin/sh", "-c",
                f"/usr/bin/mount --bind '{self.resolv}' /etc/resolv.conf && exec {quoted}"]

    def url(self, path):
        return f"http://{HOST}:{self.http.port}{path}"

    def two_flows(self, capture):
        self.assertRecorded(capture, 2)
        slow = capture.one("GET", self.url("/slow"))
        fast = capture.one("GET", self.url("/fast"))
        self.assertEqual(harness.body(slow["response"]), b"timed /slow\n")
        self.assertEqual(slow["conn_id"], fast["conn_id"], capture.describe())
        return slow, fast

    def assertDns(self, slow, fast):
        t = slow["timings"]
        what = json.dumps(t)
        self.assertIsNotNone(t["dns_ms"], what)
        self.assertGreaterEqual(t["dns_ms"], DNS_DELAY * 1000, what)  # the answer cannot come sooner
        self.assertLessEqual(t["dns_ms"], DNS_DELAY * 1000 + SLACK_ABOVE_MS, what)
        self.assertEqual(t["dns_name"], HOST, what)
        parts = [t[k] for k in ("blocked_ms", "dns_ms", "connect_ms", "send_ms", "wait_ms", "receive_ms")]
        self.assertNotIn(None, parts, what)
        self.assertAlmostEqual(sum(parts), t["total_ms"], places=3, msg=what)
        # The total runs from the first query: it holds the lookup, the connect and the exchange.
        self.assertAlmostEqual(t["total_ms"] - t["dns_ms"] - t["connect_ms"] - t["blocked_ms"], slow["duration_ms"],
                               places=3, msg=what)
        self.assertGreaterEqual(t["wait_ms"], RESPONSE_DELAY * 1000, what)
        r = fast["timings"]
        self.assertTrue(r["connection_reused"], json.dumps(r))
        self.assertIsNone(r["dns_ms"], json.dumps(r))
        self.assertIsNone(r["dns_name"], json.dumps(r))
        self.assertIn((HOST, 1), self.dns.queries)

    def test_curl(self):
        cap = record(self.resolving(curl(self.url("/slow"), self.url("/fast"))))
        self.assertDns(*self.two_flows(cap))

    def test_python(self):
        cap = record(self.resolving([harness.PYTHON, "-c", PYTHON_CLIENT, HOST, str(self.http.port)]))
        self.assertDns(*self.two_flows(cap))

    def test_go(self):
        cap = record(self.resolving([go_build("client"), self.url("/slow"), self.url("/fast")]))
        self.assertDns(*self.two_flows(cap))

    def unconnected(self, calls):
        cap = record([harness.PYTHON, "-c", UNCONNECTED_CLIENT, HOST, str(self.http.port), calls])
        self.assertRecorded(cap, 1)
        t = cap.one("GET", self.url("/fast"))["timings"]
        self.assertIsNotNone(t["dns_ms"], json.dumps(t))
        self.assertGreaterEqual(t["dns_ms"], DNS_DELAY * 1000, json.dumps(t))
        self.assertLessEqual(t["dns_ms"], DNS_DELAY * 1000 + SLACK_ABOVE_MS, json.dumps(t))
        self.assertEqual(t["dns_name"], HOST)
        self.assertEqual(self.dns.queries, [(HOST, 1)])

    def test_unconnected_sendto(self):
        self.unconnected("sendto")

    def test_unconnected_sendmsg(self):
        self.unconnected("sendmsg")

    def test_ip_literal(self):
        cap = record(self.resolving(curl(self.http.url("/fast"))))
        self.assertRecorded(cap, 1)
        t = cap.one("GET", self.http.url("/fast"))["timings"]
        self.assertIsNone(t["dns_ms"], json.dumps(t))
        self.assertIsNone(t["dns_name"], json.dumps(t))
        self.assertIsNotNone(t["connect_ms"], json.dumps(t))
        self.assertEqual(self.dns.queries, [])

    def test_no_timing(self):
        cap = record(self.resolving(curl(self.url("/slow"), self.url("/fast"))), options=["--no-timing"])
        slow, _ = self.two_flows(cap)
        self.assertIsNone(slow["timings"]["dns_ms"])
        self.assertIn((HOST, 1), self.dns.queries)  # the lookup happened; it was not captured

    def test_har(self):
        path = os.path.join(harness.workdir(), f"dns-{time.monotonic_ns()}.har")
        run_record(["--format", "har", "-o", path], self.resolving(curl(self.url("/slow"), self.url("/fast"))))
        validate_har(path)
        with open(path, "rb") as f:
            har = json.load(f)
        entries = {e["request"]["url"]: e for e in har["log"]["entries"]}
        slow, fast = entries[self.url("/slow")], entries[self.url("/fast")]
        t = slow["timings"]
        self.assertGreaterEqual(t["dns"], DNS_DELAY * 1000, json.dumps(t))
        self.assertLessEqual(t["dns"], DNS_DELAY * 1000 + SLACK_ABOVE_MS, json.dumps(t))
        self.assertEqual(slow["_dnsName"], HOST)
        self.assertAlmostEqual(slow["time"], sum(v for k, v in t.items() if k != "ssl" and v >= 0), places=3)
        self.assertEqual(fast["timings"]["dns"], -1)


class ImplicitHandshakeTests(CaptureTestCase):
    def test_python_handshake_inside_ssl_write(self):
        s = DelayServer(tls=True)
        try:
            cap = record([harness.PYTHON, "-c", IMPLICIT_HANDSHAKE_CLIENT, str(s.port)])
        finally:
            s.stop()
        self.assertRecorded(cap, 1)
        flow = cap.one("GET", s.url("/fast"))
        self.assertEqual(flow["tls"], "openssl")
        t = flow["timings"]
        self.assertIsNotNone(t["ssl_ms"], json.dumps(t))
        # The server sleeps from accept(); the ClientHello leaves a little later.
        self.assertGreaterEqual(t["ssl_ms"], HANDSHAKE_DELAY * 1000 - SLACK_BELOW_MS, json.dumps(t))
        self.assertLessEqual(t["ssl_ms"], HANDSHAKE_DELAY * 1000 + SLACK_ABOVE_MS, json.dumps(t))
        self.assertGreaterEqual(t["connect_ms"], t["tcp_ms"] + t["ssl_ms"] - 0.001, json.dumps(t))


if __name__ == "__main__":
    import unittest
    unittest.main()
