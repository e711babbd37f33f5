# SPDX-License-Identifier: GPL-2.0-or-later
"""gRPC over TLS (HTTP/2 with ALPN h2) with Debian's python3-grpcio, which drives the shared libssl
through memory BIOs from its own I/O threads: client side and server side, exact messages."""

import base64
import os
import subprocess
import time

import harness
from harness import CaptureTestCase, record

HERE = os.path.dirname(os.path.abspath(__file__))
PEER = os.path.join(HERE, "grpcpeer.py")


def messages(list_):
    return [base64.b64decode(m["data"]) for m in list_]


class GrpcTlsTests(CaptureTestCase):
    @classmethod
    def setUpClass(cls):
        cls.cert, cls.key = harness.certificate()

    def start_server(self, argv_prefix=()):
        port = harness.free_port()
        proc = harness.ManagedProcess([*argv_prefix, harness.PYTHON, PEER, "serve", str(port), self.cert, self.key],
                                      name="grpc-tls-server")
        proc.wait_port("127.0.0.1", port)
        return port, proc

    def check_flow(self, flow, method):
        self.assertEqual(flow["http_version"], "HTTP/2")
        self.assertEqual(flow["tls"], "openssl")
        self.assertTrue(flow["url"].startswith("https://"), flow["url"])
        self.assertTrue(flow["url"].endswith(f"/test.Echo/{method}"), flow["url"])
        self.assertHeader(flow["request"], "content-type", "application/grpc")
        self.assertEqual(flow["grpc"]["service"], "test.Echo")
        self.assertEqual(flow["grpc"]["method"], method)
        self.assertEqual(flow["grpc"]["status"], 0)

    def test_client_side_unary_and_stream(self):
        port, server = self.start_server()
        try:
            unary = record([harness.PYTHON, PEER, "unary", str(port), self.cert])
            stream = record([harness.PYTHON, PEER, "stream", str(port), self.cert])
        finally:
            server.stop()
        self.assertRecorded(unary)
        flows = [f for f in unary.flows if f["url"].endswith("/test.Echo/Unary")]
        self.assertEqual(len(flows), 1, unary.describe())
        self.check_flow(flows[0], "Unary")
        self.assertEqual(flows[0]["role"], "client")
        self.assertEqual(messages(flows[0]["grpc"]["request_messages"]), [b"ping"])
        self.assertEqual(messages(flows[0]["grpc"]["response_messages"]), [b"pong:ping"])

        self.assertRecorded(stream)
        flows = [f for f in stream.flows if f["url"].endswith("/test.Echo/Chat")]
        self.assertEqual(len(flows), 1, stream.describe())
        self.check_flow(flows[0], "Chat")
        self.assertEqual(messages(flows[0]["grpc"]["request_messages"]), [b"alpha", b"beta", b"gamma"])
        self.assertEqual(messages(flows[0]["grpc"]["response_messages"]), [b"re:alpha", b"re:beta", b"re:gamma"])

    def test_server_side(self):
        port, server = self.start_server()
        try:
            rec = harness.Recording(None, options=["-v", "--pid", str(server.proc.pid), "--count", "1"])
            rec.wait_until_capturing()
            for _ in range(100):
                if rec.proc.poll() is not None:
                    break
                harness.run_client([harness.PYTHON, PEER, "unary", str(port), self.cert])
                time.sleep(0.1)
            cap = rec.wait(timeout=20)
        finally:
            server.stop()
        self.assertRecorded(cap, flows=1)
        flow = cap.flows[0]
        self.check_flow(flow, "Unary")
        self.assertEqual(flow["role"], "server")
        self.assertEqual(messages(flow["grpc"]["request_messages"]), [b"ping"])
        self.assertEqual(messages(flow["grpc"]["response_messages"]), [b"pong:ping"])
