# SPDX-License-Identifier: GPL-2.0-or-later
"""Real-kernel capture tests: Go net/http over crypto/tls (and plaintext), client and server side.

The Go programs in tests/clients/go/ are built at test time with Debian's
golang-go toolchain (offline, standard library only), with and without a
symbol table (-ldflags='-s -w'), and run under `httptap-record`. The flows it
writes are compared exactly: method, URL, status, header values, body bytes,
the TLS library ("go"), role and both endpoints. Capture tests fail, never skip.

    /usr/bin/python3 -m unittest -v test_go_capture.GoTlsClientTests.test_get_keepalive_symbols
"""

import os
import shutil
import subprocess

import harness
from harness import CaptureTestCase, curl, record

GO_SOURCES = os.path.join(harness.REPO, "tests", "clients", "go")
GO_HELLO = b"hello from go\n"
GO = shutil.which("go") or "/usr/bin/go"

_built = {}


def go_build(program, stripped=False, pie=False):
    """Builds tests/clients/go/PROGRAM.go into this test process's work directory (once)."""
    key = (program, stripped, pie)
    if key not in _built:
        out_dir = harness.scratch("go")
        output = os.path.join(out_dir, program + ("-stripped" if stripped else "") + ("-pie" if pie else ""))
        env = harness.clean_env()
        # Offline and self-contained: nothing is fetched, nothing written outside the work directory.
        env.update(GOCACHE=harness.scratch("go/cache"), GOPATH=harness.scratch("go/path"), GOPROXY="off",
                   GOFLAGS="", GO111MODULE="off")
        argv = [GO, "build", "-o", output]
        if stripped:
            argv.append("-ldflags=-s -w")
        if pie:
            argv.append("-buildmode=pie")  # loaded at a random address: the probes correct by the load bias
        argv.append(os.path.join(GO_SOURCES, program + ".go"))
        proc = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=300)
        if proc.returncode != 0:
            raise AssertionError(f"{' '.join(argv)} failed ({proc.returncode}):\n{proc.stderr.decode(errors='replace')}")
        sections = subprocess.run(["readelf", "-S", "-W", output], capture_output=True, text=True, check=True).stdout
        if (".symtab" in sections) == stripped:
            raise AssertionError(f"{output}: expected {'no ' if stripped else ''}.symtab")
        _built[key] = output
    return _built[key]


def go_version():
    """'go1.19.8' from `go version`."""
    return subprocess.run([GO, "version"], capture_output=True, text=True, check=True).stdout.split()[2]


class GoServer:
    """tests/clients/go/server.go on 127.0.0.1, TLS (the test certificate) or plain, not captured."""

    def __init__(self, tls=True, exit_after=0, argv_prefix=()):
        self.tls = tls
        self.port = harness.free_port()
        self.ready_file = os.path.join(harness.workdir(), f"go-ready-{self.port}")
        self.argv = [*argv_prefix, go_build("server"), "-addr", f"127.0.0.1:{self.port}", "-ready", self.ready_file]
        if tls:
            cert, key = harness.certificate()
            self.argv += ["-cert", cert, "-key", key]
        if exit_after:
            self.argv += ["-exit-after", str(exit_after)]
        self.process = None

    def start(self):
        self.process = harness.ManagedProcess(self.argv, name="go-server")
        self.process.wait_port("127.0.0.1", self.port)
        return self

    def wait_ready(self, proc):
        def ready():
            if proc.poll() is not None:
                raise AssertionError(f"go server exited early with {proc.returncode}")
            return os.path.exists(self.ready_file) and os.path.getsize(self.ready_file) > 0
        harness.wait_for(ready, harness.START_TIMEOUT, f"go server on port {self.port}")
        with open(self.ready_file) as f:
            return int(f.read())

    def url(self, path, host="127.0.0.1"):
        return f"{'https' if self.tls else 'http'}://{harness.url_host(host)}:{self.port}{path}"

    def stop(self):
        if self.process:
            self.process.stop()


class GoFlowAssertions(CaptureTestCase):
    def assertGoFlow(self, flow, *, process, tls="go", role="client"):
        self.assertEqual(flow["process"], process)
        self.assertEqual(flow["tls"], tls)
        self.assertEqual(flow["role"], role)
        self.assertEqual(flow["http_version"], "HTTP/1.1")
        self.assertGreater(flow["conn_id"], 0)
        self.assertEqual(flow["notes"], [])
        self.assertComplete(flow)

    def assertEndpoints(self, flow, local, remote):
        self.assertEqual(flow["local"], {"ip": local[0], "port": local[1]})
        self.assertEqual(flow["remote"], {"ip": remote[0], "port": remote[1]})


class GoTlsClientTests(GoFlowAssertions):
    """A Go net/http client (crypto/tls, HTTP/1.1) against nginx and against a Go server."""

    @classmethod
    def setUpClass(cls):
        cls.nginx = harness.Nginx()
        cls.server_header = subprocess.run(["nginx", "-v"], capture_output=True, text=True).stderr.split(": ")[1].strip()

    @classmethod
    def tearDownClass(cls):
        cls.nginx.stop()

    def check_get(self, *, stripped, host, pie=False):
        client = go_build("client", stripped=stripped, pie=pie)
        process = os.path.basename(client)[:15]
        urls = [self.nginx.https("/hello", host), self.nginx.https("/hello?again=1", host)]
        local_port = harness.free_port()
        cap = record([client, "-header", "X-Probe: go-client", "-local-port", str(local_port), *urls],
                     options=["-v"])
        self.assertRecorded(cap, flows=2)
        how = ".gopclntab" if stripped else ".symtab"
        self.assertIn(f"built by {go_version()}", cap.stderr)
        self.assertIn(f"functions found {'through' if stripped else 'in'} {how}", cap.stderr)
        # The chosen attach points are reported: the entries on the prologue's emulated jump; Write is
        # copied there, Read at each of its RETs.
        self.assertRegex(cap.stderr, r"crypto/tls\.\(\*Conn\)\.Write entry at \+0x[0-9a-f]+ \(jbe, emulated\), "
                                     r"copied there: no RET probes")
        self.assertRegex(cap.stderr, r"crypto/tls\.\(\*Conn\)\.Read entry at \+0x[0-9a-f]+ \(jbe, emulated\), \d+ RETs")
        first, second = (cap.one("GET", url) for url in urls)
        self.assertEqual(first["conn_id"], second["conn_id"])  # one keep-alive connection
        host_header = f"{harness.url_host(host)}:{self.nginx.tls_port}"
        for flow, target in ((first, "/hello"), (second, "/hello?again=1")):
            self.assertGoFlow(flow, process=process)
            self.assertEndpoints(flow, (host, local_port), (host, self.nginx.tls_port))
            request = flow["request"]
            self.assertEqual(request["target"], target)
            self.assertEqual(request["headers"], [["Host", host_header], ["User-Agent", "Go-http-client/1.1"],
                                                  ["X-Probe", "go-client"], ["Accept-Encoding", "gzip"]])
            self.assertEqual(request["body_size"], 0)
            response = flow["response"]
            self.assertEqual(response["reason"], "OK")
            self.assertEqual([name for name, _ in response["headers"]],
                             ["Server", "Date", "Content-Type", "Content-Length", "Connection", "X-Test"])
            self.assertHeader(response, "Server", self.server_header)
            self.assertHeader(response, "Content-Length", str(len(harness.NGINX_HELLO)))
            self.assertHeader(response, "Connection", "keep-alive")
            self.assertHeader(response, "X-Test", "1")
            self.assertBody(response, harness.NGINX_HELLO)

    def test_get_keepalive_symbols(self):
        self.check_get(stripped=False, host="127.0.0.1")

    def test_get_keepalive_stripped(self):
        self.check_get(stripped=True, host="127.0.0.1")

    def test_get_stripped_pie_ipv6(self):
        self.check_get(stripped=True, host="::1", pie=True)

    def test_post_1mib_echo(self):
        server = GoServer(tls=True).start()
        try:
            data = harness.deterministic_bytes(1_300_000, seed=11)
            payload = harness.write_file(os.path.join(harness.workdir(), "go-upload.bin"), data)
            client = go_build("client")
            url = server.url("/echo")
            cap = record([client, "-post", payload, url])
        finally:
            server.stop()
        self.assertRecorded(cap, flows=1)
        flow = cap.one("POST", url)
        self.assertGoFlow(flow, process="client")
        self.assertEqual(flow["remote"], {"ip": "127.0.0.1", "port": server.port})
        self.assertFalse(flow["truncated"])
        request, response = flow["request"], flow["response"]
        self.assertHeader(request, "Content-Length", str(len(data)))
        self.assertHeader(request, "User-Agent", "Go-http-client/1.1")
        self.assertBody(request, data)
        self.assertHeader(response, "Content-Type", "application/octet-stream")
        self.assertHeader(response, "Content-Length", str(len(data)))
        self.assertBody(response, data)


class GoPlainClientTests(GoFlowAssertions):
    """Plain HTTP from Go goes through write/read on a non-blocking socket: the syscall path."""

    def test_plaintext_get(self):
        nginx = harness.Nginx()
        try:
            url = nginx.http("/hello")
            local_port = harness.free_port()
            cap = record([go_build("client"), "-local-port", str(local_port), url])
        finally:
            nginx.stop()
        self.assertRecorded(cap, flows=1)
        flow = cap.one("GET", url)
        self.assertGoFlow(flow, process="client", tls="plaintext")
        self.assertEndpoints(flow, ("127.0.0.1", local_port), ("127.0.0.1", nginx.plain_port))
        self.assertEqual(flow["request"]["headers"], [["Host", f"127.0.0.1:{nginx.plain_port}"],
                                                      ["User-Agent", "Go-http-client/1.1"],
                                                      ["Accept-Encoding", "gzip"]])
        self.assertHeader(flow["response"], "X-Test", "1")
        self.assertBody(flow["response"], harness.NGINX_HELLO)


class GoTlsServerTests(GoFlowAssertions):
    """A Go net/http TLS server captured server-side, driven by curl."""

    def check_server(self, stripped):
        server = GoServer(tls=True, exit_after=2)
        if stripped:
            server.argv[0] = go_build("server", stripped=True)
        rec = harness.Recording(server.argv)
        server_pid = server.wait_ready(rec.proc)
        data = harness.deterministic_bytes(50_000, seed=5)
        payload = harness.write_file(os.path.join(harness.workdir(), "go-server-upload.bin"), data)
        local_port = harness.free_port()
        harness.run_client(curl("--http1.1", "-k", "--local-port", str(local_port), "-H", "X-Probe: curl",
                                server.url("/hello")))
        harness.run_client(curl("--http1.1", "-k", "-H", "Expect:", "--data-binary", f"@{payload}",
                                server.url("/echo")))
        cap = rec.wait()  # the server exits after its second response

        self.assertRecorded(cap, flows=2)
        process = os.path.basename(server.argv[0])[:15]
        hello = cap.one("GET", server.url("/hello"))
        echo = cap.one("POST", server.url("/echo"))
        for flow in (hello, echo):
            self.assertGoFlow(flow, process=process, role="server")
            self.assertEqual(flow["pid"], server_pid)
            self.assertEqual(flow["local"], {"ip": "127.0.0.1", "port": server.port})
        self.assertEndpoints(hello, ("127.0.0.1", server.port), ("127.0.0.1", local_port))
        request = hello["request"]
        self.assertEqual(request["target"], "/hello")
        self.assertEqual(request["headers"], [["Host", f"127.0.0.1:{server.port}"],
                                              ["User-Agent", f"curl/{harness.curl_version()}"],
                                              ["Accept", "*/*"], ["X-Probe", "curl"]])
        response = hello["response"]
        self.assertEqual(sorted(name for name, _ in response["headers"]),
                         ["Content-Length", "Content-Type", "Date", "X-Test"])
        self.assertHeader(response, "X-Test", "go")
        self.assertHeader(response, "Content-Type", "text/plain")
        self.assertHeader(response, "Content-Length", str(len(GO_HELLO)))
        self.assertBody(response, GO_HELLO)

        self.assertHeader(echo["request"], "Content-Length", str(len(data)))
        self.assertBody(echo["request"], data)
        self.assertHeader(echo["response"], "Content-Length", str(len(data)))
        self.assertBody(echo["response"], data)

    def test_tls_server_side(self):
        self.check_server(stripped=False)

    def test_tls_server_side_stripped(self):
        self.check_server(stripped=True)
