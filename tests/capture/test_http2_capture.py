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
