# SPDX-License-Identifier: GPL-2.0-or-later
"""The coverage doctor while capturing. A client with OpenSSL linked statically: with its symbol
table httptap finds the library inside the executable and captures it; stripped, it cannot, and
httptap-record must say so, naming the process, the peer and the reason — never stay silent."""

import os
import signal
import subprocess

import harness
from harness import CaptureTestCase, record

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(os.path.dirname(HERE), "clients", "c", "tlsget.c")
_built = {}


def tlsget(stripped):
    """tests/clients/c/tlsget.c linked statically against Debian's libssl.a (libssl-dev)."""
    if stripped not in _built:
        out = os.path.join(harness.scratch("c"), "tlsget" + ("-stripped" if stripped else ""))
        subprocess.run(["gcc", "-O2", "-static", SOURCE, "-lssl", "-lcrypto", "-o", out], check=True,
                       capture_output=True, timeout=120)
        if stripped:
            subprocess.run(["strip", "--strip-all", out], check=True, timeout=60)
        _built[stripped] = out
    return _built[stripped]


class CoverageReportTests(CaptureTestCase):
    @classmethod
    def setUpClass(cls):
        cls.nginx = harness.Nginx()

    @classmethod
    def tearDownClass(cls):
        cls.nginx.stop()

    def test_static_openssl_with_symbols_is_captured(self):
        binary = tlsget(stripped=False)
        cap = record([binary, "127.0.0.1", str(self.nginx.tls_port), "/hello"])
        self.assertRecorded(cap, flows=1)
        flow = cap.one("GET", self.nginx.https("/hello"))
        self.assertEqual(flow["tls"], "openssl")
        self.assertEqual(flow["process"], "tlsget")
        self.assertComplete(flow)
        self.assertBody(flow["response"], harness.NGINX_HELLO)
        self.assertNotIn("could not read", cap.stderr)

    def test_stripped_static_openssl_is_reported(self):
        binary = tlsget(stripped=True)
        cap = record([binary, "127.0.0.1", str(self.nginx.tls_port), "/hello"])
        self.assertRecorded(cap, flows=0)
        self.assertTrue(cap.stdout.endswith(harness.NGINX_HELLO), cap.stdout)  # the client itself worked
        self.assertRegex(cap.stderr, rf"warning: 1 TLS connection of tlsget-stripp\S* \(pid \d+\), e\.g\. to "
                                     rf"127\.0\.0\.1:{self.nginx.tls_port}, carried encrypted bytes that httptap "
                                     r"could not read: no TLS library httptap knows was found in it")

    def test_no_report_when_plaintext_was_read(self):
        script = (f"{harness.CURL} -sk --http1.1 -o /dev/null {self.nginx.https('/hello')} && "
                  f"/usr/bin/wget -q --no-check-certificate -O /dev/null {self.nginx.https('/hello')}")
        cap = record(["/bin/sh", "-c", script])
        self.assertRecorded(cap, flows=2)
        self.assertNotIn("could not read", cap.stderr)

    def assertReported(self, cap, name="tlsget-stripp"):
        self.assertRegex(cap.stderr, rf"warning: 1 TLS connection of {name}\S* \(pid \d+\), e\.g\. to "
                                     rf"127\.0\.0\.1:{self.nginx.tls_port}, carried encrypted bytes that httptap "
                                     r"could not read")

    def test_unread_connection_closed_by_exit_is_reported(self):
        """The client leaves without close(): exit closes its socket, which the kernel does not
        report as a close — the report must still name it."""
        binary = tlsget(stripped=True)
        cap = record([binary, "127.0.0.1", str(self.nginx.tls_port), "/hello", "exit"])
        self.assertRecorded(cap, flows=0)
        self.assertTrue(cap.stdout.endswith(harness.NGINX_HELLO), cap.stdout)
        self.assertReported(cap)

    def test_unread_connection_still_open_at_the_end_is_reported(self):
        """The capture ends while the unread connection is still open (the process goes on)."""
        binary = tlsget(stripped=True)
        ready = os.path.join(harness.scratch("hold"), "attached")
        # The shell waits until the capture runs, then becomes the client, which keeps its connection.
        holder = subprocess.Popen(["/bin/sh", "-c", f"while [ ! -e {ready} ]; do sleep 0.05; done; exec {binary} "
                                   f"127.0.0.1 {self.nginx.tls_port} /hello hold"],
                                  env=harness.clean_env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
        self.addCleanup(lambda: (holder.kill(), holder.wait(), holder.stdout.close()))
        rec = harness.Recording(None, options=["--pid", str(holder.pid), "-v"])
        rec.wait_until_capturing()
        open(ready, "w").close()
        received = b""
        while not received.endswith(harness.NGINX_HELLO):
            chunk = holder.stdout.read1(4096)
            self.assertTrue(chunk, f"the client ended early: {received!r}")
            received += chunk
        rec.proc.send_signal(signal.SIGINT)
        cap = rec.wait(timeout=30)
        self.assertIsNone(holder.poll())  # still running, connection open
        self.assertRecorded(cap, flows=0)
        self.assertReported(cap)
