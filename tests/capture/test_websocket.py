# SPDX-License-Identifier: GPL-2.0-or-later
"""WebSocket with real peers (issue 11): Debian's python3-websockets echo server and client
(wspeer.py) over ws:// and wss:// (Python's ssl module, so OpenSSL's probes), with and without
permessage-deflate. The client side is captured (and once the server side); every message of the
conversation must come out with its exact bytes, opcode and direction — text, binary, a message
sent in three fragments (joined), ping and pong, a 10 MiB binary message — and the close both ways
with code 1000 and reason "done"."""

import base64
import json
import os

import harness
import schemacheck
import wspeer
from harness import CaptureTestCase, record
from test_exports import run_record, validate_har

HERE = os.path.dirname(os.path.abspath(__file__))
PEER = os.path.join(HERE, "wspeer.py")

TEXT, BINARY, CLOSE = 1, 2, 8
PING, PONG = 9, 10


def close_payload(code, reason):
    return code.to_bytes(2, "big") + reason.encode()


def expected_conversation():
    """(from, opcode, data) of every message, in the order the client's awaits impose."""
    big = wspeer.big_message()
    out = []
    for opcode, data in ((TEXT, wspeer.TEXT.encode()), (BINARY, wspeer.BINARY),
                         (TEXT, "".join(wspeer.FRAGMENTS).encode())):
        out += [("client", opcode, data), ("server", opcode, data)]
    out += [("client", PING, wspeer.PING), ("server", PONG, wspeer.PING)]
    out += [("client", BINARY, big), ("server", BINARY, big)]
    payload = close_payload(1000, wspeer.CLOSE_REASON)
    out += [("client", CLOSE, payload), ("server", CLOSE, payload)]
    return out


class WebSocketTests(CaptureTestCase):
    @classmethod
    def setUpClass(cls):
        cls.cert, cls.key = harness.certificate()
        cls.expected = expected_conversation()

    def start_server(self, tls, compression, argv_prefix=()):
        port = harness.free_port()
        argv = [*argv_prefix, harness.PYTHON, PEER, "serve", str(port), "--compression", compression]
        if tls:
            argv += ["--tls", self.cert, self.key]
        server = harness.ManagedProcess(argv, name="websocket-server")
        server.wait_port("127.0.0.1", port)
        return port, server

    def client_argv(self, port, tls, compression):
        url = f"{'wss' if tls else 'ws'}://127.0.0.1:{port}/echo"
        argv = [harness.PYTHON, PEER, "client", url, "--compression", compression]
        return argv + (["--cafile", self.cert] if tls else [])

    def check_flow(self, capture, port, tls, compression, role="client"):
        self.assertRecorded(capture)
        url = f"{'https' if tls else 'http'}://127.0.0.1:{port}/echo"
        flows = [f for f in capture.flows if f["url"] == url]
        self.assertEqual(len(flows), 1, capture.describe())
        flow = flows[0]
        self.assertEqual(flow["role"], role)
        self.assertEqual(flow["tls"], "openssl" if tls else "plaintext")
        self.assertEqual(flow["response"]["status"], 101)
        self.assertHeader(flow["request"], "Upgrade", "websocket")
        ws = flow["websocket"]
        self.assertIsNotNone(ws, capture.describe())
        if compression == "deflate":
            self.assertTrue(ws["extensions"].startswith("permessage-deflate"), ws["extensions"])
        else:
            self.assertEqual(ws["extensions"], "")
        self.assertEqual(ws["messages_dropped"], 0)
        got = [(m["from"], m["opcode"], base64.b64decode(m["data"])) for m in ws["messages"]]
        summary = [(f, o, len(d)) for f, o, d in got]
        self.assertEqual(len(got), len(self.expected), f"{summary}\n{capture.describe()}")
        for index, (message, expected) in enumerate(zip(got, self.expected)):
            if message != expected:  # no 10 MiB diff in the failure message
                self.fail(f"message {index}: got {message[0]} op {message[1]} {len(message[2])} bytes "
                          f"{message[2][:40]!r}, expected {expected[0]} op {expected[1]} {len(expected[2])} bytes "
                          f"{expected[2][:40]!r}; all: {summary}; notes: {flow['notes']}")
        for m in ws["messages"]:
            self.assertEqual(m["note"], "", m)
            self.assertFalse(m["truncated"], m)
        closes = [m for m in ws["messages"] if m["opcode"] == CLOSE]
        self.assertEqual([(m["close_code"], m["close_reason"]) for m in closes], [(1000, "done")] * 2)
        # Data messages of a deflate session went compressed (websockets compresses every one of them).
        data_messages = [m for m in ws["messages"] if m["opcode"] in (TEXT, BINARY)]
        self.assertEqual({m["compressed"] for m in data_messages}, {compression == "deflate"})
        times = [m["time"] for m in ws["messages"]]
        self.assertEqual(times, sorted(times))
        self.assertFalse(flow["truncated"], flow["notes"])
        self.assertFalse(flow["incomplete"], flow["notes"])
        with open(os.path.join(harness.REPO, "docs", "jsonl.schema.json")) as f:
            self.assertEqual(schemacheck.errors(json.load(f), flow), [])
        return flow

    def run_client_side(self, tls, compression):
        port, server = self.start_server(tls, compression)
        try:
            capture = record(self.client_argv(port, tls, compression))
        finally:
            server.stop()
        self.check_flow(capture, port, tls, compression)

    def test_ws_plain(self):
        self.run_client_side(False, "none")

    def test_ws_deflate(self):
        self.run_client_side(False, "deflate")

    def test_wss_plain(self):
        self.run_client_side(True, "none")

    def test_wss_deflate(self):
        self.run_client_side(True, "deflate")

    def test_har_keeps_messages_like_chrome(self):
        """--format har: the entry has Chrome's _webSocketMessages, and har-validator accepts the file."""
        port, server = self.start_server(False, "deflate")
        path = os.path.join(harness.workdir(), "websocket.har")
        try:
            run_record(["--format", "har", "-o", path], self.client_argv(port, False, "deflate"))
        finally:
            server.stop()
        validate_har(path)
        with open(path) as f:
            entries = json.load(f)["log"]["entries"]
        entries = [e for e in entries if e.get("_resourceType") == "websocket"]
        self.assertEqual(len(entries), 1)
        got = []
        for m in entries[0]["_webSocketMessages"]:
            data = m["data"].encode() if m["opcode"] == TEXT else base64.b64decode(m["data"])
            got.append(("client" if m["type"] == "send" else "server", m["opcode"], data))
            self.assertIsInstance(m["time"], float)
        self.assertEqual([(f, o, len(d)) for f, o, d in got], [(f, o, len(d)) for f, o, d in self.expected])
        self.assertTrue(got == self.expected, "message bytes differ")
        times = [m["time"] for m in entries[0]["_webSocketMessages"]]
        self.assertEqual(times, sorted(times))

    def test_server_side_wss_deflate(self):
        """The echo server captured (--pid) while an uncaptured client talks to it."""
        port, server = self.start_server(True, "deflate")
        try:
            rec = harness.Recording(None, options=["-v", "--pid", str(server.proc.pid), "--count", "1"])
            # A conversation already under way when the probes attach is seen from its middle
            # (ciphertext mid-record, not recognisable as TLS) and --count 1 would end on it.
            rec.wait_until_capturing()
            # Run the conversation until a flow is written (bounded).
            for _ in range(20):
                harness.run_client(self.client_argv(port, True, "deflate"), timeout=60)
                if rec.proc.poll() is not None:
                    break
            capture = rec.wait(timeout=60)
        finally:
            server.stop()
        flow = self.check_flow(capture, port, True, "deflate", role="server")
        self.assertEqual(flow["process"], "python3")


class Http2WebSocketTests(CaptureTestCase):
    """RFC 8441: a WebSocket on an HTTP/2 stream (extended CONNECT), python3-h2 peers (h2wspeer.py)
    over h2c with prior knowledge; the client is captured."""

    def test_extended_connect_client_side(self):
        import h2wspeer
        port = harness.free_port()
        server = harness.ManagedProcess([harness.PYTHON, os.path.join(HERE, "h2wspeer.py"), "serve", str(port)],
                                        name="h2-websocket-server")
        server.wait_port("127.0.0.1", port)
        try:
            capture = record([harness.PYTHON, os.path.join(HERE, "h2wspeer.py"), "client", str(port)])
        finally:
            server.stop()
        self.assertRecorded(capture, flows=1)
        flow = capture.flows[0]
        self.assertEqual(flow["http_version"], "HTTP/2")
        self.assertEqual(flow["request"]["method"], "CONNECT")
        self.assertIn([":protocol", "websocket"], flow["request"]["headers"])
        self.assertEqual(flow["response"]["status"], 200)
        self.assertEqual(flow["role"], "client")
        ws = flow["websocket"]
        self.assertIsNotNone(ws, capture.describe())
        got = [(m["from"], m["opcode"], base64.b64decode(m["data"])) for m in ws["messages"]]
        expected = []
        for opcode, data in h2wspeer.MESSAGES + [(h2wspeer.CLOSE, h2wspeer.CLOSE_PAYLOAD)]:
            expected += [("client", opcode, data), ("server", opcode, data)]
        self.assertEqual(got, expected, flow["notes"])
        closes = [m for m in ws["messages"] if m["opcode"] == CLOSE]
        self.assertEqual([(m["close_code"], m["close_reason"]) for m in closes], [(1000, "done")] * 2)
        for m in ws["messages"]:
            self.assertEqual(m["note"], "", m)
        self.assertFalse(flow["truncated"], flow["notes"])
        self.assertFalse(flow["incomplete"], flow["notes"])
