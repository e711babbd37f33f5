# SPDX-License-Identifier: GPL-2.0-or-later
"""Real-kernel capture tests: HTTP/1.x from real clients and servers, plaintext and OpenSSL.

Every test runs `httptap-record` (root) on a real process talking to a real peer
on 127.0.0.1 or ::1 and checks what it wrote to JSONL exactly: method, URL,
status, header values and body bytes. Capture tests fail, never skip.

Each test is its own ctest entry (tests/capture/CMakeLists.txt lists every
`class ...Tests` / `def test_...` of this file), run serially:
    /usr/bin/python3 -m unittest -v test_http1_capture.PlainClientTests.test_curl_get_ipv4
"""

import datetime
import os
import platform
import shlex
import signal
import subprocess
import time

import requests

import harness
import httpserver
from harness import CaptureTestCase, body, curl, python, record

# A client that sends GET /k/0, /k/1, ... over one keep-alive connection, one every INTERVAL seconds.
# SIGTERM / SIGINT (httptap-record stopping early) end it with status 0, so the recorder's exit
# status (the command's) stays 0.
KEEPALIVE_LOOP = """\
import http.client, signal, sys, time
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
port, count, interval = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
for i in range(count):
    conn.request("GET", "/k/%d" % i)
    conn.getresponse().read()
    time.sleep(interval)
"""


def now_utc():
    return datetime.datetime.now(datetime.timezone.utc)


class ClientFlowAssertions(CaptureTestCase):
    """Checks shared by the client-side tests."""

    def assertFlowBasics(self, flow, *, process, tls, role="client"):
        self.assertEqual(flow["process"], process)
        self.assertEqual(flow["tls"], tls)
        self.assertEqual(flow["role"], role)
        self.assertEqual(flow["http_version"], "HTTP/1.1")
        self.assertGreater(flow["pid"], 0)
        self.assertGreater(flow["tid"], 0)
        self.assertGreater(flow["conn_id"], 0)
        start = datetime.datetime.strptime(flow["start_time"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(
            tzinfo=datetime.timezone.utc)
        self.assertLess(abs((now_utc() - start).total_seconds()), 120, flow["start_time"])
        self.assertGreaterEqual(flow["duration_ms"], 0)
        if flow["ttfb_ms"] is not None:
            self.assertGreaterEqual(flow["ttfb_ms"], 0)
            self.assertLessEqual(flow["ttfb_ms"], flow["duration_ms"])
        self.assertIsInstance(flow["notes"], list)

    def assertEndpoints(self, flow, local, remote):
        self.assertEqual(flow["local"], {"ip": local[0], "port": local[1]})
        self.assertEqual(flow["remote"], {"ip": remote[0], "port": remote[1]})

    def assertKeepaliveRun(self, flows, first=0):
        """Flows, in id order, are GET /k/first, /k/first+1, ... with exact bodies."""
        flows = sorted(flows, key=lambda f: f["id"])
        for n, flow in enumerate(flows, first):
            self.assertEqual(flow["request"]["target"], f"/k/{n}")
            self.assertComplete(flow)
            self.assertBody(flow["response"], httpserver.keepalive_body(n))


class PlainClientTests(ClientFlowAssertions):
    """Plaintext HTTP/1.1 from curl and Python to the in-process Python http.server."""

    @classmethod
    def setUpClass(cls):
        cls.server = harness.PythonServer()
        cls.server_header = f"BaseHTTP/0.6 Python/{platform.python_version()}"
        cls.curl_agent = f"curl/{harness.curl_version()}"

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def payload(self, size=100_000):
        data = harness.deterministic_bytes(size)
        return data, harness.write_file(os.path.join(harness.workdir(), "payload.bin"), data)

    def check_curl_get(self, host):
        url = self.server.url("/hello", host)
        local_port = harness.free_port()
        cap = record(curl("--http1.1", "--local-port", str(local_port), url))
        self.assertRecorded(cap, flows=1)
        self.assertEqual(cap.stdout, httpserver.HELLO_BODY)
        flow = cap.one("GET", url)
        self.assertEqual(flow["id"], 1)
        self.assertFlowBasics(flow, process="curl", tls="plaintext")
        self.assertEqual(flow["tid"], flow["pid"])
        self.assertEndpoints(flow, (host, local_port), (host, self.server.port))
        self.assertEqual(flow["url"], url)
        self.assertFalse(flow["truncated"])
        self.assertFalse(flow["incomplete"])
        self.assertEqual(flow["informational"], [])

        request = flow["request"]
        self.assertEqual(request["method"], "GET")
        self.assertEqual(request["target"], "/hello")
        self.assertEqual(request["url"], url)
        host_header = f"{harness.url_host(host)}:{self.server.port}"
        self.assertEqual(request["headers"], [["Host", host_header], ["User-Agent", self.curl_agent],
                                              ["Accept", "*/*"]])
        self.assertEqual(request["trailers"], [])
        self.assertEqual(request["body_size"], 0)
        self.assertEqual(body(request), b"")
        self.assertTrue(request["complete"])

        response = flow["response"]
        self.assertEqual(response["status"], 200)
        self.assertEqual(response["reason"], "OK")
        self.assertEqual([name for name, _ in response["headers"]],
                         ["Server", "Date", "Content-Type", "Content-Length", "X-Test"])
        self.assertHeader(response, "Server", self.server_header)
        self.assertHeader(response, "Content-Type", "text/plain")
        self.assertHeader(response, "Content-Length", str(len(httpserver.HELLO_BODY)))
        self.assertHeader(response, "X-Test", "1")
        self.assertEqual(response["trailers"], [])
        self.assertBody(response, httpserver.HELLO_BODY)
        self.assertTrue(response["complete"])

    def test_curl_get_ipv4(self):
        self.check_curl_get("127.0.0.1")

    def test_curl_get_ipv6(self):
        self.check_curl_get("::1")

    def test_curl_head(self):
        url = self.server.url("/hello")
        cap = record(curl("--http1.1", "--head", url))
        self.assertRecorded(cap, flows=1)
        flow = cap.one("HEAD", url)
        self.assertFlowBasics(flow, process="curl", tls="plaintext")
        self.assertComplete(flow)
        self.assertHeader(flow["response"], "Content-Length", str(len(httpserver.HELLO_BODY)))
        self.assertHeader(flow["response"], "X-Test", "1")
        self.assertBody(flow["response"], b"")

    def test_curl_chunked_response(self):
        url = self.server.url("/chunked")
        cap = record(curl("--http1.1", url))
        self.assertRecorded(cap, flows=1)
        flow = cap.one("GET", url)
        self.assertComplete(flow)
        self.assertHeader(flow["response"], "Transfer-Encoding", "chunked")
        self.assertBody(flow["response"], b"".join(httpserver.CHUNKED_PARTS))
        self.assertEqual(flow["response"]["trailers"], [])

    def test_curl_post_content_length(self):
        data, path = self.payload()
        url = self.server.url("/echo")
        cap = record(curl("--http1.1", "-H", "Expect:", "-H", "Content-Type: application/octet-stream",
                          "-o", "/dev/null", "--data-binary", f"@{path}", url))
        self.assertRecorded(cap, flows=1)
        flow = cap.one("POST", url)
        self.assertFlowBasics(flow, process="curl", tls="plaintext")
        self.assertComplete(flow)
        request = flow["request"]
        self.assertEqual(request["method"], "POST")
        self.assertHeader(request, "Content-Length", str(len(data)))
        self.assertHeader(request, "Content-Type", "application/octet-stream")
        self.assertBody(request, data)
        self.assertBody(flow["response"], data)

    def test_curl_post_chunked_upload(self):
        data, path = self.payload()
        url = self.server.url("/echo")
        cap = record(curl("--http1.1", "-H", "Expect:", "-H", "Transfer-Encoding: chunked", "-o", "/dev/null",
                          "--data-binary", f"@{path}", url))
        self.assertRecorded(cap, flows=1)
        flow = cap.one("POST", url)
        self.assertComplete(flow)
        request = flow["request"]
        self.assertHeader(request, "Transfer-Encoding", "chunked")
        self.assertNotIn("Content-Length", [name for name, _ in request["headers"]])
        self.assertBody(request, data)  # de-chunked
        self.assertEqual(request["trailers"], [])
        self.assertHeader(flow["response"], "Content-Length", str(len(data)))
        self.assertBody(flow["response"], data)

    def test_curl_expect_100_continue(self):
        data, path = self.payload(3000)
        url = self.server.url("/echo")
        cap = record(curl("--http1.1", "-H", "Expect: 100-continue", "-o", "/dev/null",
                          "--data-binary", f"@{path}", url))
        self.assertRecorded(cap, flows=1)
        flow = cap.one("POST", url)
        self.assertComplete(flow)
        self.assertHeader(flow["request"], "Expect", "100-continue")
        self.assertEqual(flow["informational"], [{"status": 100, "reason": "Continue", "headers": []}])
        self.assertBody(flow["request"], data)
        self.assertBody(flow["response"], data)

    def test_big_body_plain(self):
        url = self.server.url("/big")
        cap = record(curl("--http1.1", "-o", "/dev/null", url), options=["--max-body", str(8 * 1024 * 1024)])
        self.assertRecorded(cap, flows=1)
        flow = cap.one("GET", url)
        self.assertComplete(flow)
        self.assertHeader(flow["response"], "Content-Length", str(httpserver.BIG_SIZE))
        self.assertBody(flow["response"], httpserver.big_body())

    def test_max_body_truncates_export(self):
        url = self.server.url("/big")
        cap = record(curl("--http1.1", "-o", "/dev/null", url), options=["--max-body", "1000"])
        self.assertRecorded(cap, flows=1)
        response = cap.one("GET", url)["response"]
        self.assertEqual(response["status"], 200)
        self.assertTrue(response["complete"])
        self.assertEqual(response["body_size"], httpserver.BIG_SIZE)
        self.assertTrue(response["body_truncated"])
        self.assertEqual(body(response), httpserver.big_body()[:1000])

    def test_keepalive_100_requests(self):
        urls = [self.server.url(f"/k/{i}") for i in range(100)]
        cap = record(curl("--http1.1", *urls))
        self.assertRecorded(cap, flows=100)
        self.assertEqual(cap.stdout, b"".join(httpserver.keepalive_body(i) for i in range(100)))
        flows = sorted(cap.flows, key=lambda f: f["id"])
        self.assertEqual([f["url"] for f in flows], urls)
        self.assertEqual(len({f["conn_id"] for f in flows}), 1, "curl reuses one connection")
        self.assertEqual(len({f["id"] for f in flows}), 100)
        self.assertKeepaliveRun(flows)

    def test_pipelined_pair(self):
        cap = record([harness.PYTHON, os.path.join(harness.HERE, "pipelineclient.py"), "127.0.0.1",
                      str(self.server.port), "/p/a", "/p/b"])
        self.assertRecorded(cap, flows=2)
        a = cap.one("GET", self.server.url("/p/a"))
        b = cap.one("GET", self.server.url("/p/b"))
        self.assertFlowBasics(a, process="python3", tls="plaintext")
        self.assertEqual(a["conn_id"], b["conn_id"])
        self.assertLess(a["id"], b["id"])
        for flow, name in ((a, "a"), (b, "b")):
            self.assertEqual(flow["request"]["headers"], [["Host", f"127.0.0.1:{self.server.port}"],
                                                          ["User-Agent", "pipelineclient"]])
            self.assertComplete(flow)
            self.assertBody(flow["response"], httpserver.pipelined_body(name))

    def test_python_requests(self):
        url = self.server.url("/hello")
        cap = record(python("import requests, sys; r = requests.get(sys.argv[1], timeout=20); "
                            "sys.stdout.buffer.write(r.content)", url))
        self.assertRecorded(cap, flows=1)
        flow = cap.one("GET", url)
        self.assertFlowBasics(flow, process="python3", tls="plaintext")
        self.assertHeader(flow["request"], "Host", f"127.0.0.1:{self.server.port}")
        self.assertHeader(flow["request"], "User-Agent", f"python-requests/{requests.__version__}")
        self.assertComplete(flow)
        self.assertHeader(flow["response"], "X-Test", "1")
        self.assertBody(flow["response"], httpserver.HELLO_BODY)

    def test_follows_command_children(self):
        urls = [self.server.url("/k/0"), self.server.url("/k/1")]
        # "exit 0" last, so that sh forks every curl rather than exec'ing the last one.
        script = " ; ".join(shlex.join(curl("--http1.1", "-o", "/dev/null", u)) for u in urls) + " ; exit 0"
        cap = record(["/bin/sh", "-c", script])
        self.assertRecorded(cap, flows=2)
        flows = [cap.one("GET", u) for u in urls]
        self.assertNotEqual(flows[0]["pid"], flows[1]["pid"], "two curl processes")
        for flow in flows:
            self.assertFlowBasics(flow, process="curl", tls="plaintext")
        self.assertKeepaliveRun(flows)

    def test_no_follow_forks(self):
        script = shlex.join(curl("--http1.1", "-o", "/dev/null", self.server.url("/k/0"))) + " ; exit 0"
        cap = record(["/bin/sh", "-c", script], options=["--no-follow-forks"])
        self.assertRecorded(cap, flows=0)


class TlsClientTests(ClientFlowAssertions):
    """HTTPS (OpenSSL 3, shared libssl) from curl and Python urllib to nginx."""

    @classmethod
    def setUpClass(cls):
        cls.nginx = harness.Nginx()
        cls.server_header = subprocess.run(["nginx", "-v"], capture_output=True, text=True).stderr.split(": ")[1].strip()

    @classmethod
    def tearDownClass(cls):
        cls.nginx.stop()

    def check_curl_https(self, host):
        url = self.nginx.https("/hello", host)
        local_port = harness.free_port()
        cap = record(curl("--http1.1", "-k", "--local-port", str(local_port), url))
        self.assertRecorded(cap, flows=1)
        self.assertEqual(cap.stdout, harness.NGINX_HELLO)
        flow = cap.one("GET", url)
        self.assertFlowBasics(flow, process="curl", tls="openssl")
        # curl maps libssl.so.3 from its start: no "no TLS library" warning may appear.
        self.assertNotIn("no TLS library", cap.stderr)
        self.assertEndpoints(flow, (host, local_port), (host, self.nginx.tls_port))
        self.assertComplete(flow)
        request = flow["request"]
        self.assertEqual(request["target"], "/hello")
        self.assertEqual(request["url"], url)
        host_header = f"{harness.url_host(host)}:{self.nginx.tls_port}"
        self.assertEqual(request["headers"], [["Host", host_header], ["User-Agent", f"curl/{harness.curl_version()}"],
                                              ["Accept", "*/*"]])
        response = flow["response"]
        self.assertEqual(response["reason"], "OK")
        self.assertEqual([name for name, _ in response["headers"]],
                         ["Server", "Date", "Content-Type", "Content-Length", "Connection", "X-Test"])
        self.assertHeader(response, "Server", self.server_header)
        self.assertHeader(response, "Content-Length", str(len(harness.NGINX_HELLO)))
        self.assertHeader(response, "Connection", "keep-alive")
        self.assertHeader(response, "X-Test", "1")
        self.assertBody(response, harness.NGINX_HELLO)

    def test_curl_https_ipv4(self):
        self.check_curl_https("127.0.0.1")

    def test_curl_https_ipv6(self):
        self.check_curl_https("::1")

    def test_big_body_tls(self):
        url = self.nginx.https("/big.bin")
        cap = record(curl("--http1.1", "-k", "-o", "/dev/null", url), options=["--max-body", str(16 * 1024 * 1024)])
        self.assertRecorded(cap, flows=1)
        flow = cap.one("GET", url)
        self.assertFlowBasics(flow, process="curl", tls="openssl")
        self.assertComplete(flow)
        self.assertHeader(flow["response"], "Content-Length", str(httpserver.BIG_SIZE))
        self.assertBody(flow["response"], httpserver.big_body())

    def test_keepalive_tls(self):
        urls = [self.nginx.https("/hello") for _ in range(10)]
        cap = record(curl("--http1.1", "-k", *urls))
        self.assertRecorded(cap, flows=10)
        self.assertEqual(len({f["conn_id"] for f in cap.flows}), 1)
        for flow in cap.flows:
            self.assertEqual(flow["tls"], "openssl")
            self.assertComplete(flow)
            self.assertBody(flow["response"], harness.NGINX_HELLO)

    def test_python_urllib_https(self):
        # Python loads libssl only when the ssl module is imported, after exec.
        url = self.nginx.https("/hello")
        cap = record(python(harness.URLLIB_GET, url))
        self.assertRecorded(cap, flows=1)
        self.assertEqual(cap.stdout, harness.NGINX_HELLO)
        flow = cap.one("GET", url)
        self.assertFlowBasics(flow, process="python3", tls="openssl")
        self.assertEqual(flow["remote"], {"ip": "127.0.0.1", "port": self.nginx.tls_port})
        self.assertHeader(flow["request"], "User-Agent", "Python-urllib/" + ".".join(platform.python_version_tuple()[:2]))
        self.assertHeader(flow["request"], "Host", f"127.0.0.1:{self.nginx.tls_port}")
        self.assertComplete(flow)
        self.assertHeader(flow["response"], "X-Test", "1")
        self.assertBody(flow["response"], harness.NGINX_HELLO)

    def test_curl_plain_to_nginx(self):
        url = self.nginx.http("/hello", "::1")
        cap = record(curl("--http1.1", url))
        self.assertRecorded(cap, flows=1)
        flow = cap.one("GET", url)
        self.assertFlowBasics(flow, process="curl", tls="plaintext")
        self.assertEqual(flow["remote"], {"ip": "::1", "port": self.nginx.plain_port})
        self.assertComplete(flow)
        self.assertBody(flow["response"], harness.NGINX_HELLO)


class SServerTests(ClientFlowAssertions):
    """curl against `openssl s_server -WWW`: HTTP/1.0 response, body delimited by the close."""

    def test_curl_https_s_server_www(self):
        served = harness.deterministic_bytes(70_000, seed=7)
        server = harness.SServer({"file.bin": served})
        try:
            url = server.https("/file.bin")
            cap = record(curl("-k", "-o", "/dev/null", url))
        finally:
            server.stop()
        self.assertRecorded(cap, flows=1)
        flow = cap.one("GET", url)
        self.assertFlowBasics(flow, process="curl", tls="openssl")
        self.assertEqual(flow["remote"], {"ip": "127.0.0.1", "port": server.port})
        self.assertEqual(flow["request"]["target"], "/file.bin")
        response = flow["response"]
        self.assertEqual(response["status"], 200)
        self.assertEqual(response["reason"], "ok")
        self.assertEqual(response["headers"], [["Content-type", "text/plain"]])
        self.assertTrue(response["complete"])
        self.assertBody(response, served)


class ServerSideTests(ClientFlowAssertions):
    """The traced process is the HTTP server: role "server", local is the listening side."""

    def test_python_server_side(self):
        server = harness.ServerProcess(exit_after=3)
        rec = harness.Recording(server.argv)  # httptap-record -o OUT -- python3 httpserver.py ...
        server.wait_ready(rec.proc)
        with open(server.ready_file) as f:
            server_pid = int(f.read())
        data = harness.deterministic_bytes(20_000, seed=3)
        payload = harness.write_file(os.path.join(harness.workdir(), "upload.bin"), data)
        local_port = harness.free_port()
        harness.run_client(curl("--http1.1", "--local-port", str(local_port), server.url("/hello")))
        harness.run_client(curl("--http1.1", server.url("/k/7", "::1")))
        harness.run_client(curl("--http1.1", "-H", "Expect:", "--data-binary", f"@{payload}", server.url("/echo")))
        cap = rec.wait()  # the server exits after its third response, then the recorder drains and exits

        self.assertRecorded(cap, flows=3)
        hello = cap.one("GET", server.url("/hello"))
        for flow in cap.flows:
            self.assertFlowBasics(flow, process="python3", tls="plaintext", role="server")
            self.assertEqual(flow["pid"], server_pid)
            self.assertComplete(flow)
        self.assertEndpoints(hello, ("127.0.0.1", server.port), ("127.0.0.1", local_port))
        self.assertEqual(hello["request"]["url"], server.url("/hello"))
        self.assertHeader(hello["request"], "User-Agent", f"curl/{harness.curl_version()}")
        self.assertHeader(hello["response"], "X-Test", "1")
        self.assertBody(hello["response"], httpserver.HELLO_BODY)

        k7 = cap.one("GET", server.url("/k/7", "::1"))
        self.assertEqual(k7["local"], {"ip": "::1", "port": server.port})
        self.assertEqual(k7["remote"]["ip"], "::1")
        self.assertBody(k7["response"], httpserver.keepalive_body(7))

        echo = cap.one("POST", server.url("/echo"))
        self.assertBody(echo["request"], data)
        self.assertBody(echo["response"], data)


class RecordOptionTests(ClientFlowAssertions):
    """--count, --duration, Ctrl-C, --pid and the errors the CLI must report clearly."""

    @classmethod
    def setUpClass(cls):
        cls.server = harness.PythonServer()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def keepalive_loop(self, count, interval):
        return python(KEEPALIVE_LOOP, str(self.server.port), str(count), str(interval))

    def assertCleanEnd(self, cap, at_least):
        """Ended early and cleanly: exit 0, the first flows complete and exact, at most the last one unfinished."""
        self.assertRecorded(cap)
        self.assertGreaterEqual(len(cap.flows), at_least, cap.describe())
        flows = sorted(cap.flows, key=lambda f: f["id"])
        if flows[-1]["incomplete"]:
            flows.pop()
        self.assertKeepaliveRun(flows)

    def test_count_stops_after_n_flows(self):
        # The client would run for 15 s; --count 3 ends the recording after the third flow.
        cap = record(self.keepalive_loop(60, 0.25), options=["--count", "3"])
        self.assertRecorded(cap, flows=3)
        self.assertLess(cap.elapsed, 10, cap.describe())
        self.assertKeepaliveRun(cap.flows)

    def test_duration_ends_cleanly(self):
        cap = record(self.keepalive_loop(100, 0.2), options=["--duration", "3"])
        self.assertGreaterEqual(cap.elapsed, 2.5, cap.describe())
        self.assertLess(cap.elapsed, 10, cap.describe())
        self.assertCleanEnd(cap, at_least=5)

    def test_sigint_ends_cleanly(self):
        rec = harness.Recording(self.keepalive_loop(100, 0.2))
        time.sleep(3)
        self.assertIsNone(rec.proc.poll(), "still recording")
        rec.proc.send_signal(signal.SIGINT)
        cap = rec.wait(timeout=15)
        self.assertLess(cap.elapsed, 10, cap.describe())
        self.assertCleanEnd(cap, at_least=5)

    def test_pid_attach_running_server(self):
        server = harness.ServerProcess()
        proc = subprocess.Popen(server.argv, env=harness.clean_env(), stdin=subprocess.DEVNULL)
        try:
            server.wait_ready(proc)
            rec = harness.Recording(None, options=["-v", "--pid", str(proc.pid), "--count", "2"])
            rec.wait_until_capturing()
            # Two of these requests are captured and the recorder stops.
            for i in range(100):
                if rec.proc.poll() is not None:
                    break
                harness.run_client(curl("--http1.1", "-o", "/dev/null", server.url(f"/k/{i}")))
                time.sleep(0.1)
            cap = rec.wait(timeout=10)
        finally:
            proc.kill()
            proc.wait()
        self.assertRecorded(cap, flows=2)
        for flow in cap.flows:
            self.assertFlowBasics(flow, process="python3", tls="plaintext", role="server")
            self.assertEqual(flow["pid"], proc.pid)
            self.assertComplete(flow)
            n = int(flow["request"]["target"].removeprefix("/k/"))
            self.assertEqual(flow["url"], server.url(f"/k/{n}"))
            self.assertBody(flow["response"], httpserver.keepalive_body(n))

    def test_pid_does_not_exist(self):
        pid = 999999
        self.assertFalse(os.path.exists(f"/proc/{pid}"))
        cap = record(None, options=["--pid", str(pid)], timeout=15)
        self.assertNotEqual(cap.returncode, 0, cap.describe())
        self.assertIn("does not exist", cap.stderr)
        self.assertIn(str(pid), cap.stderr)
        self.assertEqual(cap.flows, [])
