# SPDX-License-Identifier: GPL-2.0-or-later
"""Real-kernel capture tests: HTTP/2 and gRPC from real clients against real servers.

curl, nghttp and h2load against nginx (h2 over TLS via ALPN, h2c with prior
knowledge), a 10 MiB body, trailers, a gzip body, and gRPC with python3-grpcio
over h2c. Each test runs `httptap-record -- CLIENT` and checks the JSONL exactly:
method, URL, status, headers (pseudo-headers first, in wire order), body bytes.
Capture tests fail, never skip. Peers are in h2peers.py.

    /usr/bin/python3 -m unittest -v test_http2_capture.CurlH2Tests.test_tls_get_ipv4
"""

import base64
import gzip
import os
import time

import h2peers
import harness
from harness import CaptureTestCase, body, curl, record


def decoded_body(message):
    return base64.b64decode(message["decoded_body"], validate=True)


class H2Assertions(CaptureTestCase):
    def assertH2Flow(self, flow, *, process, tls, stream_id=None):
        self.assertEqual(flow["http_version"], "HTTP/2")
        self.assertEqual(flow["process"], process)
        self.assertEqual(flow["tls"], tls)
        self.assertEqual(flow["role"], "client")
        self.assertEqual(flow["response"]["reason"], "")
        if stream_id is not None:
            self.assertEqual(flow["stream_id"], stream_id)
        self.assertIsNone(flow["pushed_by"])


class CurlH2Tests(H2Assertions):
    """curl (OpenSSL, nghttp2) against nginx."""

    @classmethod
    def setUpClass(cls):
        cls.nginx = h2peers.NginxH2()
        cls.agent = f"curl/{harness.curl_version()}"

    @classmethod
    def tearDownClass(cls):
        cls.nginx.stop()

    def check_get(self, url, authority, tls, scheme):
        cap = record(curl(*(["--http2", "-k"] if tls == "openssl" else ["--http2-prior-knowledge"]), url))
        self.assertRecorded(cap, flows=1)
        self.assertEqual(cap.stdout, h2peers.HELLO)
        flow = cap.one("GET", url)
        self.assertH2Flow(flow, process="curl", tls=tls, stream_id=1)
        self.assertComplete(flow)
        self.assertEqual(flow["notes"], [])
        request = flow["request"]
        self.assertEqual(request["target"], "/hello")
        self.assertEqual(request["headers"], [[":method", "GET"], [":path", "/hello"], [":scheme", scheme],
                                              [":authority", authority], ["user-agent", self.agent],
                                              ["accept", "*/*"]])
        self.assertEqual(body(request), b"")
        response = flow["response"]
        self.assertEqual([name for name, _ in response["headers"]],
                         [":status", "server", "date", "content-type", "content-length", "x-test"])
        self.assertHeader(response, ":status", "200")
        self.assertHeader(response, "content-length", str(len(h2peers.HELLO)))
        self.assertHeader(response, "x-test", "1")
        self.assertEqual(response["trailers"], [])
        self.assertBody(response, h2peers.HELLO)

    def test_tls_get_ipv4(self):
        self.check_get(self.nginx.https("/hello"), f"127.0.0.1:{self.nginx.tls_port}", "openssl", "https")

    def test_tls_get_ipv6(self):
        self.check_get(self.nginx.https("/hello", "::1"), f"[::1]:{self.nginx.tls_port}", "openssl", "https")

    def test_h2c_prior_knowledge(self):
        self.check_get(self.nginx.h2c("/hello"), f"127.0.0.1:{self.nginx.h2c_port}", "plaintext", "http")

    def test_trailers(self):
        url = self.nginx.https("/trailer")
        cap = record(curl("--http2", "-k", url))
        self.assertRecorded(cap, flows=1)
        flow = cap.one("GET", url)
        self.assertH2Flow(flow, process="curl", tls="openssl")
        self.assertComplete(flow)
        self.assertEqual(flow["response"]["trailers"], [["x-trailer", "done"]])
        self.assertNotIn("x-trailer", [name for name, _ in flow["response"]["headers"]])
        self.assertBody(flow["response"], b"with trailer\n")

    def test_put_body(self):
        payload = harness.deterministic_bytes(300_000, seed=3)
        path = harness.write_file(os.path.join(harness.workdir(), "h2-payload.bin"), payload)
        url = self.nginx.https(f"/upload/{time.monotonic_ns()}.bin")
        cap = record(curl("--http2", "-k", "-T", path, url))
        self.assertRecorded(cap, flows=1)
        flow = cap.one("PUT", url)
        self.assertComplete(flow, status=201)
        self.assertHeader(flow["request"], "content-length", str(len(payload)))
        self.assertBody(flow["request"], payload)

    def test_big_body_10mib(self):
        url = self.nginx.https("/big.bin")
        cap = record(curl("--http2", "-k", "-o", "/dev/null", url))
        self.assertRecorded(cap, flows=1)
        flow = cap.one("GET", url)
        self.assertComplete(flow)
        self.assertHeader(flow["response"], "content-length", str(h2peers.BIG_SIZE))
        self.assertBody(flow["response"], self.nginx.big)

    def test_gzip_decoded(self):
        url = self.nginx.https("/text.txt")
        cap = record(curl("--http2", "-k", "--compressed", "-o", "/dev/null", url))
        self.assertRecorded(cap, flows=1)
        flow = cap.one("GET", url)
        self.assertComplete(flow)
        response = flow["response"]
        self.assertEqual(response["content_encoding"], "gzip")
        raw = body(response)
        self.assertEqual(gzip.decompress(raw), h2peers.TEXT)  # body stays as on the wire
        self.assertEqual(decoded_body(response), h2peers.TEXT)
        self.assertEqual(response["decoded_body_size"], len(h2peers.TEXT))
        self.assertFalse(response["decoded_body_truncated"])
        self.assertEqual(flow["notes"], [])

    def test_many_requests_one_connection(self):
        urls = [self.nginx.https(f"/hello?n={i}") for i in range(50)]
        cap = record(curl("--http2", "-k", "--parallel", "--parallel-max", "50", "-o", "/dev/null", *urls[:1],
                          *[a for u in urls[1:] for a in ("-o", "/dev/null", u)]))
        self.assertRecorded(cap, flows=50)
        self.assertEqual(len({f["conn_id"] for f in cap.flows}), 1)
        self.assertEqual(sorted(f["stream_id"] for f in cap.flows), list(range(1, 100, 2)))
        for url in urls:
            flow = cap.one("GET", url)
            self.assertComplete(flow)
            self.assertBody(flow["response"], h2peers.HELLO)


class NghttpTests(H2Assertions):
    """nghttp and h2load (Debian nghttp2-client) against nginx."""

    @classmethod
    def setUpClass(cls):
        cls.nginx = h2peers.NginxH2()

    @classmethod
    def tearDownClass(cls):
        cls.nginx.stop()

    def test_nghttp_tls(self):
        urls = [self.nginx.https("/hello"), self.nginx.https("/trailer")]
        cap = record([h2peers.tool("nghttp"), "-n", *urls])
        self.assertRecorded(cap, flows=2)
        hello = cap.one("GET", urls[0])
        self.assertH2Flow(hello, process="nghttp", tls="openssl")
        self.assertComplete(hello)
        self.assertEqual(hello["request"]["headers"][:4],
                         [[":method", "GET"], [":path", "/hello"], [":scheme", "https"],
                          [":authority", f"127.0.0.1:{self.nginx.tls_port}"]])
        self.assertBody(hello["response"], h2peers.HELLO)
        trailer = cap.one("GET", urls[1])
        self.assertEqual(trailer["response"]["trailers"], [["x-trailer", "done"]])

    def test_h2load_1000_streams(self):
        url = self.nginx.h2c("/hello")
        cap = record([h2peers.tool("h2load"), "-n", "1000", "-c", "10", "-m", "10", url], timeout=90)
        self.assertRecorded(cap)
        self.assertIn(b"1000 succeeded", cap.stdout)
        self.assertEqual(len(cap.flows), 1000, cap.describe())
        self.assertEqual(len({f["conn_id"] for f in cap.flows}), 10)
        self.assertEqual(sorted(f["id"] for f in cap.flows), list(range(1, 1001)))
        for flow in cap.flows:
            self.assertEqual(flow["url"], url)
            self.assertH2Flow(flow, process="h2load", tls="plaintext")
            self.assertComplete(flow)
            self.assertEqual(flow["response"]["body_size"], len(h2peers.HELLO))
            self.assertEqual(body(flow["response"]), h2peers.HELLO)


class ServerSideH2Tests(H2Assertions):
    """nginx's workers were started before capture: their side of h2 connections."""

    @classmethod
    def setUpClass(cls):
        cls.nginx = h2peers.NginxH2()

    @classmethod
    def tearDownClass(cls):
        cls.nginx.stop()

    def test_nginx_server_side_h2c_and_tls(self):
        master = int(open(os.path.join(self.nginx.dir, "nginx.pid")).read())
        rec = harness.Recording(None, options=["-v", "--pid", str(master), "--count", "2"])
        rec.wait_until_capturing()
        for i in range(100):
            if rec.proc.poll() is not None:
                break
            url = self.nginx.h2c(f"/hello?i={i}") if i % 2 == 0 else self.nginx.https(f"/hello?i={i}")
            harness.run_client(curl("--http2-prior-knowledge" if i % 2 == 0 else "--http2", "-k", "-o",
                                    "/dev/null", url))
            time.sleep(0.1)
        cap = rec.wait(timeout=10)
        self.assertRecorded(cap, flows=2)
        for flow in cap.flows:
            self.assertEqual(flow["process"], "nginx")
            self.assertEqual(flow["role"], "server")
            self.assertEqual(flow["http_version"], "HTTP/2")
            self.assertComplete(flow)
            self.assertEqual(flow["request"]["method"], "GET")
            self.assertBody(flow["response"], h2peers.HELLO)


class GrpcTests(H2Assertions):
    """python3-grpcio client (traced) and server over h2c (insecure channel)."""

    @classmethod
    def setUpClass(cls):
        cls.server = h2peers.GrpcServer()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def grpc_flow(self, call, method):
        cap = record(h2peers.grpc_client(self.server.port, call))
        self.assertRecorded(cap)
        url = f"http://127.0.0.1:{self.server.port}/test.Echo/{method}"
        flow = cap.one("POST", url)
        self.assertEqual(flow["http_version"], "HTTP/2")
        self.assertEqual(flow["tls"], "plaintext")
        self.assertHeader(flow["request"], "content-type", "application/grpc")
        grpc = flow["grpc"]
        self.assertIsNotNone(grpc, flow)
        self.assertEqual(grpc["service"], "test.Echo")
        self.assertEqual(grpc["method"], method)
        return flow, grpc

    def messages(self, messages):
        return [base64.b64decode(m["data"]) for m in messages]

    def test_unary(self):
        flow, grpc = self.grpc_flow("unary", "Unary")
        self.assertComplete(flow)
        self.assertEqual(self.messages(grpc["request_messages"]), [b"ping"])
        self.assertEqual(self.messages(grpc["response_messages"]), [b"pong:ping"])
        self.assertEqual(grpc["status"], 0)
        self.assertIn(["grpc-status", "0"], flow["response"]["trailers"])

    def test_bidirectional_stream(self):
        flow, grpc = self.grpc_flow("stream", "Chat")
        self.assertComplete(flow)
        self.assertEqual(self.messages(grpc["request_messages"]), [b"alpha", b"beta", b"gamma"])
        self.assertEqual(self.messages(grpc["response_messages"]), [b"re:alpha", b"re:beta", b"re:gamma"])
        self.assertEqual(grpc["status"], 0)

    def test_gzip_messages(self):
        flow, grpc = self.grpc_flow("gzip", "Unary")
        self.assertComplete(flow)
        request = grpc["request_messages"]
        self.assertEqual(len(request), 1)
        self.assertTrue(request[0]["compressed"])
        self.assertTrue(request[0]["decompressed"])
        self.assertEqual(base64.b64decode(request[0]["data"]), b"compress me " * 200)
        self.assertEqual(self.messages(grpc["response_messages"]), [b"pong:" + b"compress me " * 200])

    def test_error_status(self):
        flow, grpc = self.grpc_flow("error", "Fail")
        self.assertEqual(grpc["status"], 5)  # NOT_FOUND
        self.assertEqual(grpc["message"], "no such thing")
        self.assertEqual(grpc["response_messages"], [])
