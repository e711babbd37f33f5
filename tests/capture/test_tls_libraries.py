# SPDX-License-Identifier: GPL-2.0-or-later
"""Real-kernel capture tests for TLS libraries beyond the shared libssl, and for process trees.

GnuTLS (wget), OpenSSL compiled into an executable (node: https.get and fetch), nginx captured
server-side through its already running workers, and children started by a shell script or by
Python multiprocessing. Each test asserts exact method, URL, status, headers and body bytes.
"""

import os
import subprocess
import time

import harness
import httpserver
from harness import CaptureTestCase, curl, record

NODE = "/usr/bin/node"
WGET = "/usr/bin/wget"


def wget_version():
    first = subprocess.run([WGET, "--version"], capture_output=True, text=True, check=True).stdout.split()
    return first[2]  # "GNU Wget 1.21.3 built on ..."


class TlsLibraryTestCase(CaptureTestCase):
    @classmethod
    def setUpClass(cls):
        cls.nginx = harness.Nginx()

    @classmethod
    def tearDownClass(cls):
        cls.nginx.stop()

    def assertHello(self, flow, url, *, process, tls, host="127.0.0.1"):
        self.assertEqual(flow["process"], process)
        self.assertEqual(flow["tls"], tls)
        self.assertEqual(flow["role"], "client")
        self.assertEqual(flow["url"], url)
        self.assertEqual(flow["remote"], {"ip": host, "port": self.nginx.tls_port if tls != "plaintext"
                                          else self.nginx.plain_port})
        self.assertEqual(flow["local"]["ip"], host)
        self.assertComplete(flow)
        self.assertEqual(flow["request"]["target"], "/hello")
        self.assertHeader(flow["response"], "X-Test", "1")
        self.assertHeader(flow["response"], "Content-Length", str(len(harness.NGINX_HELLO)))
        self.assertBody(flow["response"], harness.NGINX_HELLO)


class GnuTlsTests(TlsLibraryTestCase):
    """wget links GnuTLS: gnutls_record_send / gnutls_record_recv."""

    def check_wget(self, host):
        url = self.nginx.https("/hello", host)
        cap = record([WGET, "-q", "--no-check-certificate", "-O", "-", url])
        self.assertRecorded(cap, flows=1)
        self.assertEqual(cap.stdout, harness.NGINX_HELLO)
        flow = cap.one("GET", url)
        self.assertHello(flow, url, process="wget", tls="gnutls", host=host)
        self.assertHeader(flow["request"], "User-Agent", f"Wget/{wget_version()}")
        self.assertHeader(flow["request"], "Host", f"{harness.url_host(host)}:{self.nginx.tls_port}")

    def test_wget_https_ipv4(self):
        self.check_wget("127.0.0.1")

    def test_wget_https_ipv6(self):
        self.check_wget("::1")

    def test_wget_big_body(self):
        url = self.nginx.https("/big.bin")
        cap = record([WGET, "-q", "--no-check-certificate", "-O", "/dev/null", url])
        self.assertRecorded(cap, flows=1)
        flow = cap.one("GET", url)
        self.assertEqual(flow["tls"], "gnutls")
        self.assertComplete(flow)
        self.assertBody(flow["response"], httpserver.big_body())


class EmbeddedOpenSslTests(TlsLibraryTestCase):
    """node carries its own OpenSSL inside the executable and drives it through memory BIOs."""

    HTTPS_GET = ("const https = require('https');"
                 "https.get(process.argv[1], {rejectUnauthorized: false, headers: {'X-Probe': 'node'}}, r => {"
                 "  const parts = []; r.on('data', d => parts.push(d));"
                 "  r.on('end', () => { process.stdout.write(Buffer.concat(parts)); });"
                 "}).on('error', e => { console.error(e); process.exit(3); });")
    FETCH = ("fetch(process.argv[1], {method: 'POST', body: 'ping from fetch', headers: {'X-Probe': 'fetch'}})"
             ".then(r => r.text()).then(t => process.stdout.write(t))"
             ".catch(e => { console.error(e); process.exit(3); });")

    def test_node_https_get(self):
        url = self.nginx.https("/hello")
        cap = record([NODE, "-e", self.HTTPS_GET, url])
        self.assertRecorded(cap, flows=1)
        self.assertEqual(cap.stdout, harness.NGINX_HELLO)
        flow = cap.one("GET", url)
        self.assertHello(flow, url, process="node", tls="openssl")
        self.assertHeader(flow["request"], "X-Probe", "node")
        self.assertHeader(flow["request"], "Host", f"127.0.0.1:{self.nginx.tls_port}")

    def test_node_fetch_post(self):
        url = self.nginx.https("/hello")
        # fetch (undici) has no per-request switch for self-signed certificates.
        cap = record(["/usr/bin/env", "NODE_TLS_REJECT_UNAUTHORIZED=0", NODE, "-e", self.FETCH, url])
        self.assertRecorded(cap, flows=1)
        self.assertEqual(cap.stdout, harness.NGINX_HELLO)
        flow = cap.one("POST", url)
        self.assertEqual(flow["process"], "node")
        self.assertEqual(flow["tls"], "openssl")
        self.assertEqual(flow["remote"], {"ip": "127.0.0.1", "port": self.nginx.tls_port})
        self.assertComplete(flow)
        self.assertHeader(flow["request"], "X-Probe", "fetch")
        self.assertBody(flow["request"], b"ping from fetch")
        self.assertBody(flow["response"], harness.NGINX_HELLO)

    def test_node_plain_http(self):
        url = self.nginx.http("/hello")
        cap = record([NODE, "-e", self.HTTPS_GET.replace("require('https')", "require('http')"), url])
        self.assertRecorded(cap, flows=1)
        flow = cap.one("GET", url)
        self.assertHello(flow, url, process="node", tls="plaintext")


class ServerSideTlsTests(TlsLibraryTestCase):
    """nginx's workers were started before capture: attaching to the master captures them."""

    def test_nginx_workers_server_side(self):
        master = int(open(os.path.join(self.nginx.dir, "nginx.pid")).read())
        rec = harness.Recording(None, options=["-v", "--pid", str(master), "--count", "2"])
        rec.wait_until_capturing()
        for i in range(100):
            if rec.proc.poll() is not None:
                break
            harness.run_client(curl("--http1.1", "-k", "-o", "/dev/null", "-H", f"X-Attempt: {i}",
                                    self.nginx.https("/hello")))
            time.sleep(0.1)
        cap = rec.wait(timeout=10)
        self.assertRecorded(cap, flows=2)
        for flow in cap.flows:
            self.assertEqual(flow["process"], "nginx")
            self.assertEqual(flow["tls"], "openssl")
            self.assertEqual(flow["role"], "server")
            self.assertNotEqual(flow["pid"], master)  # a worker answered
            self.assertEqual(flow["local"], {"ip": "127.0.0.1", "port": self.nginx.tls_port})
            self.assertEqual(flow["url"], self.nginx.https("/hello"))
            self.assertComplete(flow)
            self.assertEqual(flow["request"]["method"], "GET")
            self.assertHeader(flow["request"], "User-Agent", f"curl/{harness.curl_version()}")
            self.assertTrue(any(name == "X-Attempt" for name, _ in flow["request"]["headers"]))
            self.assertBody(flow["response"], harness.NGINX_HELLO)


class ProcessTreeTests(TlsLibraryTestCase):
    """Children are traced from their first instruction, whatever TLS library they load."""

    def test_shell_script_spawns_curl_and_wget(self):
        curl_url = self.nginx.https("/hello")
        wget_url = self.nginx.https("/hello?from=wget")
        script = (f"{harness.CURL} -sk --http1.1 -o /dev/null '{curl_url}' && "
                  f"{WGET} -q --no-check-certificate -O /dev/null '{wget_url}'")
        cap = record(["/bin/sh", "-c", script])
        self.assertRecorded(cap, flows=2)
        by_process = {flow["process"]: flow for flow in cap.flows}
        self.assertEqual(set(by_process), {"curl", "wget"})
        self.assertEqual(by_process["curl"]["tls"], "openssl")
        self.assertEqual(by_process["curl"]["url"], curl_url)
        self.assertEqual(by_process["wget"]["tls"], "gnutls")
        self.assertEqual(by_process["wget"]["url"], wget_url)
        self.assertNotEqual(by_process["curl"]["pid"], by_process["wget"]["pid"])
        for flow in cap.flows:
            self.assertComplete(flow)
            self.assertBody(flow["response"], harness.NGINX_HELLO)

    def test_python_multiprocessing_workers(self):
        code = ("import multiprocessing, ssl, sys, urllib.request\n"
                "def get(i):\n"
                "    ctx = ssl._create_unverified_context()\n"
                "    return urllib.request.urlopen(sys.argv[1] + '?worker=%d' % i, context=ctx, timeout=20).read()\n"
                "if __name__ == '__main__':\n"
                "    with multiprocessing.get_context('fork').Pool(3) as pool:\n"
                "        assert all(b == b'hello from nginx\\n' for b in pool.map(get, range(3)))\n")
        cap = record([harness.PYTHON, "-c", code, self.nginx.https("/hello")])
        self.assertRecorded(cap, flows=3)
        urls = sorted(flow["url"] for flow in cap.flows)
        self.assertEqual(urls, [self.nginx.https(f"/hello?worker={i}") for i in range(3)])
        for flow in cap.flows:
            self.assertEqual(flow["tls"], "openssl")
            self.assertEqual(flow["process"], "python3")
            self.assertComplete(flow)
            self.assertBody(flow["response"], harness.NGINX_HELLO)
