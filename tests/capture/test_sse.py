# SPDX-License-Identifier: GPL-2.0-or-later
"""Streams as they arrive (issue 11), `httptap-record --messages`:

- Server-Sent Events: a Python http.server streams events with pauses (chunked, text/event-stream)
  to curl -N under capture. The server sends the next event only once the capture's output file
  holds the line of the previous one, so each line provably arrives while the response is open;
  every line carries the exact id, event type, joined data and retry.
- gRPC: a python3-grpcio bidirectional stream (grpcpeer.py), every message listed with its
  direction, exact bytes and a non-decreasing time.
"""

import base64
import http.server
import json
import os
import threading

import harness
from harness import CaptureTestCase, record

HERE = os.path.dirname(os.path.abspath(__file__))
GRPC_PEER = os.path.join(HERE, "grpcpeer.py")
EVENTS = 4


def event_bytes(i):
    """Event i: an id, a type, two data lines, a comment, CRLF line ends for odd ones, a retry on the first."""
    end = b"\r\n" if i % 2 else b"\n"
    lines = [b": keep-alive", f"id: {i}".encode(), b"event: tick", b"data: line one", f"data: line two {i}".encode()]
    if i == 0:
        lines.append(b"retry: 1500")
    return end.join(lines) + end + end


def read_lines(path):
    if not path or not os.path.exists(path):
        return []
    with open(path, "rb") as f:
        data = f.read()
    # httptap-record may be mid-write: a last line without its newline is not a line yet.
    complete = data[:data.rfind(b"\n") + 1]
    return [json.loads(line) for line in complete.splitlines() if line.strip()]


class EventServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, output_path):
        self.output_path = output_path  # set once the capture's output file is known
        self.failure = None
        super().__init__(("127.0.0.1", 0), EventHandler)


class EventHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002
        pass

    def chunk(self, data):
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            for i in range(EVENTS):
                self.chunk(event_bytes(i))
                # The next event waits until the capture has written this one: the line came while
                # the response was still open.
                harness.wait_for(lambda: len(read_lines(self.server.output_path)) > i, 60,
                                 f"the --messages line of event {i}")
        except AssertionError as e:
            self.server.failure = str(e)
        self.chunk(b"")
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()


class MessageLinesTests(CaptureTestCase):
    def test_sse_lines_arrive_while_the_response_is_open(self):
        server = EventServer(None)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        url = f"http://127.0.0.1:{server.server_address[1]}/events"
        try:
            rec = harness.Recording([harness.CURL, "-q", "-sS", "-N", "--http1.1", "-o", "/dev/null", url],
                                    options=["--messages"])
            # Recording chose its own output file; point the server at it.
            server.output_path = rec.out
            capture = rec.wait(timeout=120)
        finally:
            server.shutdown()
            server.server_close()
        self.assertIsNone(server.failure, capture.describe())
        self.assertRecorded(capture)
        lines = capture.flows  # with --messages, the JSON lines are messages
        self.assertEqual(len(lines), EVENTS, capture.describe())
        flow_ids = {line["flow_id"] for line in lines}
        self.assertEqual(len(flow_ids), 1)
        for i, line in enumerate(lines):
            self.assertEqual(line["type"], "sse")
            self.assertEqual(line["direction"], "server")
            self.assertEqual(line["index"], i)
            self.assertEqual(line["url"], url)
            self.assertEqual(line["message"], {"time": line["time"], "id": str(i), "event": "tick",
                                               "data": f"line one\nline two {i}",
                                               "retry_ms": 1500 if i == 0 else None})
        times = [line["time"] for line in lines]
        self.assertEqual(times, sorted(times))

    def test_grpc_bidirectional_stream_messages(self):
        port = harness.free_port()
        server = harness.ManagedProcess([harness.PYTHON, GRPC_PEER, "serve", str(port)], name="grpc-server")
        server.wait_port("127.0.0.1", port)
        try:
            capture = record([harness.PYTHON, GRPC_PEER, "stream", str(port)], options=["--messages"])
        finally:
            server.stop()
        self.assertRecorded(capture)
        lines = [line for line in capture.flows if line["url"].endswith("/test.Echo/Chat")]
        got = [(line["direction"], line["index"], base64.b64decode(line["message"]["data"])) for line in lines]
        self.assertEqual(sorted(got), sorted([("client", 0, b"alpha"), ("client", 1, b"beta"),
                                              ("client", 2, b"gamma"), ("server", 0, b"re:alpha"),
                                              ("server", 1, b"re:beta"), ("server", 2, b"re:gamma")]),
                         capture.describe())
        for direction in ("client", "server"):
            times = [line["time"] for line in lines if line["direction"] == direction]
            self.assertTrue(all(times), lines)
            self.assertEqual(times, sorted(times))
        # A reply cannot come before the request it answers.
        for i, word in enumerate((b"alpha", b"beta", b"gamma")):
            request = next(line for line in lines if line["direction"] == "client" and line["index"] == i)
            reply = next(line for line in lines if line["direction"] == "server" and line["index"] == i)
            self.assertLessEqual(request["time"], reply["time"], word)
        self.assertEqual({line["type"] for line in lines}, {"grpc"})
