# SPDX-License-Identifier: GPL-2.0-or-later
"""HTTP/2 connections that do not start the usual way: h2c reached by `Upgrade: h2c` from
HTTP/1.1 (curl against a python3-h2 server), and a capture attached to an h2 connection that is
already running, whose HPACK state the capture never saw."""

import os
import subprocess
import time

import harness
import h2peers
from harness import CaptureTestCase, curl, record

HERE = os.path.dirname(os.path.abspath(__file__))


class Http2ConnectionTests(CaptureTestCase):
    def test_h2c_upgrade_from_http1(self):
        port = harness.free_port()
        server = harness.ManagedProcess([harness.PYTHON, os.path.join(HERE, "h2cupgradeserver.py"), str(port)],
                                        name="h2c-upgrade")
        try:
            server.wait_port("127.0.0.1", port)
            url = f"http://127.0.0.1:{port}/upgrade-me"
            cap = record(curl("--http2", url))  # no prior knowledge: curl asks to upgrade
        finally:
            server.stop()
        self.assertRecorded(cap, flows=1)
        self.assertEqual(cap.stdout, b"hello after h2c upgrade\n")
        flow = cap.one("GET", url)
        self.assertEqual(flow["http_version"], "HTTP/2")
        self.assertEqual(flow["stream_id"], 1)  # the upgraded request becomes stream 1
        self.assertEqual(flow["tls"], "plaintext")
        self.assertHeader(flow["request"], "Upgrade", "h2c")
        self.assertEqual([m["status"] for m in flow["informational"]], [101])
        self.assertComplete(flow)
        self.assertHeader(flow["response"], "x-upgraded", "yes")
        self.assertBody(flow["response"], b"hello after h2c upgrade\n")

    def test_attach_to_running_h2_connection(self):
        nginx = h2peers.NginxH2()
        client = subprocess.Popen([harness.PYTHON, os.path.join(HERE, "h2loopclient.py"), "127.0.0.1",
                                   str(nginx.tls_port), "/hello", "60", "0.2"], stdout=subprocess.PIPE,
                                  stdin=subprocess.DEVNULL, env=harness.clean_env())
        try:
            self.assertEqual(client.stdout.readline(), b"done 0\n")  # the connection runs before capture
            cap = harness.Recording(None, options=["--pid", str(client.pid), "--count", "3"]).wait(timeout=30)
        finally:
            client.kill()
            client.wait()
            nginx.stop()
        self.assertRecorded(cap, flows=3)
        for flow in cap.flows:
            self.assertEqual(flow["http_version"], "HTTP/2")
            self.assertEqual(flow["tls"], "openssl")
            self.assertEqual(flow["role"], "client")
            self.assertNotEqual(flow["stream_id"], 1)  # joined after the first exchange
            # Literal values decode even without the table; the response body is whole.
            self.assertRegex(flow["url"], rf"^https://127\.0\.0\.1:{nginx.tls_port}/hello\?i=\d+$")
            self.assertEqual(flow["response"]["status"], 200)
            self.assertBody(flow["response"], h2peers.HELLO)
        # Header fields indexed in the table the capture never saw are marked, not invented.
        notes = " ".join(n for flow in cap.flows for n in flow["notes"])
        self.assertIn("HPACK", notes)
