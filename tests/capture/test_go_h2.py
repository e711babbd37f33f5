# SPDX-License-Identifier: GPL-2.0-or-later
"""HTTP/2 from and to Go's net/http over crypto/tls: a Go h2 client against nginx, and a Go h2
server (with trailers) captured server-side, driven by curl --http2. Exact content asserted."""

import harness
import h2peers
from harness import CaptureTestCase, curl, record
from test_go_capture import GoServer, go_build


class GoHttp2Tests(CaptureTestCase):
    def assertH2(self, flow, *, role, process):
        self.assertEqual(flow["http_version"], "HTTP/2")
        self.assertEqual(flow["tls"], "go")
        self.assertEqual(flow["role"], role)
        self.assertEqual(flow["process"], process)
        self.assertComplete(flow)

    def test_go_client_to_nginx(self):
        nginx = h2peers.NginxH2()
        try:
            urls = [nginx.https("/hello"), nginx.https("/hello?again=1")]
            cap = record([go_build("client"), "-h2", *urls])
        finally:
            nginx.stop()
        self.assertRecorded(cap, flows=2)
        for url in urls:
            flow = cap.one("GET", url)
            self.assertH2(flow, role="client", process="client")
            self.assertIn([":method", "GET"], flow["request"]["headers"])
            self.assertIn([":path", url.split(str(nginx.tls_port), 1)[1]], flow["request"]["headers"])
            self.assertHeader(flow["response"], "x-test", "1")
            self.assertBody(flow["response"], h2peers.HELLO)
        # One connection, two streams.
        self.assertEqual(len({f["conn_id"] for f in cap.flows}), 1)
        self.assertEqual(sorted(f["stream_id"] for f in cap.flows), [1, 3])

    def test_go_server_with_trailers(self):
        server = GoServer(tls=True, exit_after=2)
        server.argv.append("-h2")
        rec = harness.Recording(server.argv, options=["--count", "2"])
        try:
            harness.wait_for(lambda: harness.port_accepts("127.0.0.1", server.port), harness.START_TIMEOUT,
                             "go h2 server under capture")
            hello = harness.run_client(curl("--http2", "-k", server.url("/hello")))
            trailers = harness.run_client(curl("--http2", "-k", server.url("/trailers")))
            cap = rec.wait(timeout=30)
        finally:
            rec.kill()
        self.assertEqual(hello, b"hello from go\n")
        self.assertEqual(trailers, b"rows follow\n")
        self.assertRecorded(cap, flows=2)
        flow = cap.one("GET", server.url("/hello"))
        self.assertH2(flow, role="server", process="server")
        self.assertHeader(flow["response"], "x-test", "go")
        self.assertBody(flow["response"], b"hello from go\n")
        flow = cap.one("GET", server.url("/trailers"))
        self.assertH2(flow, role="server", process="server")
        self.assertBody(flow["response"], b"rows follow\n")
        self.assertEqual(sorted(map(tuple, flow["response"]["trailers"])), [("x-checksum", "c0ffee"), ("x-rows", "1")])
