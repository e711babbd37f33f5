#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Harness for the real-kernel capture tests.

Starts real peers on 127.0.0.1 and ::1 (Python http.server, nginx with a
certificate made at test time, openssl s_server -WWW), runs real clients under
`httptap-record -o OUT.jsonl -- CLIENT ...` and parses what it wrote.

Run by Debian's /usr/bin/python3 (it has python3-requests). Traffic stays on
the loopback interface; every wait is bounded.

    /usr/bin/python3 harness.py --selfcheck   # start every peer, fetch from it with curl, no capture
"""

import atexit
import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import httpserver  # noqa: E402
import nginxconf  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
PYTHON = "/usr/bin/python3"  # Debian's, with requests; not the pyenv one on PATH
CURL = shutil.which("curl") or "/usr/bin/curl"
RECORD_TIMEOUT = 60
START_TIMEOUT = 10


def record_binary():
    """$HTTPTAP_RECORD (set by CMake), else the build tree, else PATH."""
    path = os.environ.get("HTTPTAP_RECORD")
    if path:
        return path
    candidate = os.path.join(REPO, "build", "bin", "httptap-record")
    if os.path.exists(candidate):
        return candidate
    return shutil.which("httptap-record") or candidate


def clean_env():
    """The environment for every child: no proxies, C locale, no stray Python settings."""
    env = {k: v for k, v in os.environ.items()
           if not k.lower().endswith("_proxy") and not k.startswith("PYTHON")}
    env["LC_ALL"] = "C.UTF-8"
    return env


_workdir = None


def workdir():
    """One temporary directory per test process, removed at exit."""
    global _workdir
    if _workdir is None:
        _workdir = tempfile.mkdtemp(prefix="httptap-capture-")
        atexit.register(shutil.rmtree, _workdir, True)
    return _workdir


def scratch(name):
    path = os.path.join(workdir(), name)
    os.makedirs(path, exist_ok=True)
    return path


def write_file(path, data):
    with open(path, "wb") as f:
        f.write(data)
    return path


def deterministic_bytes(size, seed=1):
    """Every byte value, in an order that does not repeat with a short period."""
    out = bytearray(size)
    x = seed
    for i in range(size):
        x = (x * 1103515245 + 12345) & 0x7FFFFFFF
        out[i] = (x >> 16) & 0xFF
    return bytes(out)


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def port_accepts(host, port):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        try:
            s.connect((host, port))
            return True
        except OSError:
            return False


def free_port():
    """A TCP port free on both 127.0.0.1 and ::1."""
    for _ in range(100):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s4:
            s4.bind(("127.0.0.1", 0))
            port = s4.getsockname()[1]
            with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s6:
                try:
                    s6.bind(("::1", port))
                except OSError:
                    continue
        return port
    raise AssertionError("no TCP port free on both 127.0.0.1 and ::1")


def url_host(host):
    return f"[{host}]" if ":" in host else host


class ManagedProcess:
    """A peer process in its own process group, killed with its children at exit."""

    def __init__(self, argv, cwd=None, name=None):
        self.name = name or os.path.basename(argv[0])
        self.log = os.path.join(workdir(), f"{self.name}-{time.monotonic_ns()}.log")
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(argv, cwd=cwd, env=clean_env(), stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        atexit.register(self.stop)

    def check_alive(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"{self.name} exited with {self.proc.returncode}:\n{self.output()}")

    def output(self):
        with open(self.log, "rb") as f:
            return f.read().decode(errors="replace")

    def wait_port(self, host, port):
        def ready():
            self.check_alive()
            return port_accepts(host, port)
        wait_for(ready, START_TIMEOUT, f"{self.name} to accept on {url_host(host)}:{port}")

    def stop(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
                self.proc.wait(5)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # workers left behind
        except ProcessLookupError:
            pass
        self.proc.wait()


# --- peers --------------------------------------------------------------------------------------

class PythonServer:
    """httpserver.DualStackServer in this process (this process is never traced)."""

    def __init__(self):
        self.port = free_port()
        self.server = httpserver.DualStackServer(self.port).start()
        atexit.register(self.stop)

    def url(self, path, host="127.0.0.1"):
        return f"http://{url_host(host)}:{self.port}{path}"

    def stop(self):
        if self.server:
            self.server.stop()
            self.server = None


_certificate = None


def certificate():
    """(cert.pem, key.pem): a self-signed RSA certificate for CN=localhost, made once per test process."""
    global _certificate
    if _certificate is None:
        d = scratch("tls")
        cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=localhost", "-keyout", key, "-out", cert],
                       check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, timeout=30)
        _certificate = (cert, key)
    return _certificate


NGINX_HELLO = b"hello from nginx\n"

# harness.Nginx's http block, inside nginxconf.PROLOGUE.
NGINX_CONF_HTTP = """\
    keepalive_requests 1000;
    ssl_certificate {cert};
    ssl_certificate_key {key};
    server {{
        listen 127.0.0.1:{tls_port} ssl;
        listen [::1]:{tls_port} ssl;
        listen 127.0.0.1:{plain_port};
        listen [::1]:{plain_port};
        root {dir}/www;
        location = /hello {{
            add_header X-Test 1;
            return 200 "hello from nginx\\n";
        }}
        location = /big.bin {{
            default_type application/octet-stream;
        }}
    }}
"""


class Nginx:
    """nginx on one TLS and one plain port, each on 127.0.0.1 and ::1.

    /hello returns NGINX_HELLO with "X-Test: 1"; /big.bin is httpserver.big_body().
    """

    def __init__(self):
        self.dir = scratch(f"nginx-{time.monotonic_ns()}")
        www = os.path.join(self.dir, "www")
        os.makedirs(www)
        write_file(os.path.join(www, "big.bin"), httpserver.big_body())
        cert, key = certificate()
        self.tls_port, self.plain_port = free_port(), free_port()
        while self.plain_port == self.tls_port:
            self.plain_port = free_port()
        conf = os.path.join(self.dir, "nginx.conf")
        with open(conf, "w") as f:
            f.write(nginxconf.nginx_config(self.dir, NGINX_CONF_HTTP.format(
                dir=self.dir, cert=cert, key=key, tls_port=self.tls_port, plain_port=self.plain_port)))
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        self.process = ManagedProcess([nginx, "-p", self.dir, "-e", os.path.join(self.dir, "error.log"),
                                       "-c", conf], name="nginx")
        for host in ("127.0.0.1", "::1"):
            self.process.wait_port(host, self.tls_port)
            self.process.wait_port(host, self.plain_port)

    def https(self, path, host="127.0.0.1"):
        return f"https://{url_host(host)}:{self.tls_port}{path}"

    def http(self, path, host="127.0.0.1"):
        return f"http://{url_host(host)}:{self.plain_port}{path}"

    def stop(self):
        self.process.stop()


class SServer:
    """`openssl s_server -WWW` on 127.0.0.1, serving files from its own directory.

    Replies "HTTP/1.0 200 ok" and the file, and closes: an EOF-delimited body.
    """

    def __init__(self, files):
        self.dir = scratch(f"s_server-{time.monotonic_ns()}")
        for name, data in files.items():
            write_file(os.path.join(self.dir, name), data)
        cert, key = certificate()
        self.port = free_port()
        self.process = ManagedProcess(["openssl", "s_server", "-quiet", "-WWW", "-accept", f"127.0.0.1:{self.port}",
                                       "-cert", cert, "-key", key], cwd=self.dir, name="s_server")
        self.process.wait_port("127.0.0.1", self.port)

    def https(self, path):
        return f"https://127.0.0.1:{self.port}{path}"

    def stop(self):
        self.process.stop()


class ServerProcess:
    """httpserver.py in its own process, e.g. to be captured: argv_prefix goes in front of it."""

    def __init__(self, argv_prefix=(), exit_after=0):
        self.port = free_port()
        self.ready_file = os.path.join(workdir(), f"ready-{time.monotonic_ns()}")
        self.argv = [*argv_prefix, PYTHON, os.path.join(HERE, "httpserver.py"), "--port", str(self.port),
                     "--ready-file", self.ready_file]
        if exit_after:
            self.argv += ["--exit-after", str(exit_after)]

    def url(self, path, host="127.0.0.1"):
        return f"http://{url_host(host)}:{self.port}{path}"

    def wait_ready(self, proc):
        def ready():
            if proc.poll() is not None:
                raise AssertionError(f"server exited early with {proc.returncode}")
            return os.path.exists(self.ready_file)
        wait_for(ready, START_TIMEOUT, f"httpserver.py on port {self.port}")


# --- clients ------------------------------------------------------------------------------------

def curl_version():
    """'7.88.1' from `curl --version`, for the exact User-Agent."""
    first = subprocess.run([CURL, "--version"], capture_output=True, text=True, check=True).stdout.split()
    return first[1]


def curl(*args):
    """A curl command line: quiet, no config file, no proxy, failing on HTTP errors."""
    return [CURL, "-q", "--silent", "--show-error", "--fail", "--noproxy", "*", *args]


def python(code, *args):
    return [PYTHON, "-c", code, *args]


def run_client(argv, timeout=30):
    """Run a client without capture; returns stdout bytes, raises on failure."""
    proc = subprocess.run(argv, env=clean_env(), stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
    if proc.returncode != 0:
        raise AssertionError(f"{argv} exited with {proc.returncode}: {proc.stderr.decode(errors='replace')}")
    return proc.stdout


# --- capture ------------------------------------------------------------------------------------

class Capture:
    """What one httptap-record run produced."""

    def __init__(self, argv, returncode, stdout, stderr, jsonl_path, elapsed):
        self.argv = argv
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr.decode(errors="replace")
        self.elapsed = elapsed
        self.flows = []
        if os.path.exists(jsonl_path):
            with open(jsonl_path, "rb") as f:
                for number, line in enumerate(f, 1):
                    if not line.strip():
                        continue
                    try:
                        self.flows.append(json.loads(line))
                    except ValueError as e:
                        raise AssertionError(f"{jsonl_path}:{number}: not JSON ({e}): {line[:200]!r}")

    def describe(self):
        lines = [f"{' '.join(self.argv)} -> exit {self.returncode} in {self.elapsed:.2f}s",
                 f"stderr: {self.stderr.strip()[-2000:]}", f"{len(self.flows)} flows:"]
        for flow in self.flows[:20]:
            request = flow.get("request") or {}
            response = flow.get("response") or {}
            lines.append(f"  #{flow.get('id')} conn {flow.get('conn_id')} {flow.get('process')}/{flow.get('pid')} "
                         f"{flow.get('role')} {flow.get('tls')} {request.get('method')} {flow.get('url')} -> "
                         f"{response.get('status')} notes={flow.get('notes')}")
        return "\n".join(lines)

    def find(self, method, url):
        return [f for f in self.flows if f.get("request", {}).get("method") == method and f.get("url") == url]

    def one(self, method, url):
        found = self.find(method, url)
        if len(found) != 1:
            raise AssertionError(f"expected exactly one {method} {url}, found {len(found)}\n{self.describe()}")
        return found[0]


def body(message):
    """The decoded body bytes of a request or response object."""
    return base64.b64decode(message["body"], validate=True)


def record_argv(command, options=()):
    """(argv, output path) for `httptap-record -o OUT [options] [-- command...]`."""
    binary = record_binary()
    if not os.access(binary, os.X_OK):
        raise AssertionError(f"httptap-record not found at {binary} (build it, or set HTTPTAP_RECORD)")
    out = os.path.join(workdir(), f"capture-{time.monotonic_ns()}.jsonl")
    argv = [binary, "-o", out, *options]
    if command:
        argv += ["--", *command]
    return argv, out


def record(command, options=(), timeout=RECORD_TIMEOUT):
    """Run `httptap-record -o OUT [options] -- command...` to its end and parse OUT."""
    argv, out = record_argv(command, options)
    start = time.monotonic()
    try:
        proc = subprocess.run(argv, env=clean_env(), stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired as e:
        raise AssertionError(f"{' '.join(argv)} did not finish within {timeout}s; stderr:\n"
                             f"{(e.stderr or b'').decode(errors='replace')}")
    return Capture(argv, proc.returncode, proc.stdout, proc.stderr, out, time.monotonic() - start)


class Recording:
    """httptap-record started in the background (for --pid, signals and servers under capture)."""

    def __init__(self, command, options=()):
        self.argv, self.out = record_argv(command, options)
        self.stderr_path = self.out + ".stderr"
        self.start = time.monotonic()
        with open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen(self.argv, env=clean_env(), stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=err)
        atexit.register(self.kill)

    def wait_until_capturing(self, timeout=30):
        """Wait for -v's "capturing from now on" (the probes are attached). A conversation already
        under way when they attach is seen from its middle; tests that count flows start after this."""
        assert "-v" in self.argv, "wait_until_capturing needs the -v option"
        def capturing():
            with open(self.stderr_path, errors="replace") as err:
                return "capturing from now on" in err.read()
        wait_for(capturing, timeout, "httptap-record's probes")

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def wait(self, timeout=RECORD_TIMEOUT):
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            with open(self.stderr_path, "rb") as f:
                raise AssertionError(f"{' '.join(self.argv)} did not finish within {timeout}s; stderr:\n"
                                     f"{f.read().decode(errors='replace')}")
        with open(self.stderr_path, "rb") as f:
            stderr = f.read()
        return Capture(self.argv, self.proc.returncode, b"", stderr, self.out, time.monotonic() - self.start)


class CaptureTestCase(unittest.TestCase):
    """Base class: assertion helpers that print the whole capture on failure."""

    maxDiff = None

    def assertRecorded(self, capture, flows=None):
        """httptap-record exited 0 (and wrote exactly `flows` flows, if given)."""
        self.assertEqual(capture.returncode, 0, capture.describe())
        if flows is not None:
            self.assertEqual(len(capture.flows), flows, capture.describe())

    def assertHeader(self, message, name, value):
        self.assertIn([name, value], message["headers"], f"{name}: {value} not in {message['headers']}")

    def assertBody(self, message, expected):
        self.assertEqual(message["body_size"], len(expected))
        self.assertFalse(message["body_truncated"])
        actual = body(message)
        if actual != expected:  # avoid a 5 MiB diff in the failure message
            first = next((i for i, (a, b) in enumerate(zip(actual, expected)) if a != b), min(len(actual),
                                                                                           len(expected)))
            self.fail(f"body differs at byte {first}: {len(actual)} bytes captured, {len(expected)} expected; "
                      f"captured {actual[first:first + 32]!r}, expected {expected[first:first + 32]!r}")

    def assertComplete(self, flow, status=200):
        self.assertIsNotNone(flow["response"], flow)
        self.assertEqual(flow["response"]["status"], status)
        self.assertTrue(flow["request"]["complete"], flow)
        self.assertTrue(flow["response"]["complete"], flow)
        self.assertFalse(flow["truncated"], flow)
        self.assertFalse(flow["incomplete"], flow)


# --- self-check ---------------------------------------------------------------------------------

def selfcheck():
    """Start every peer and fetch from it with curl, without capture: proves the harness, not httptap."""
    big = httpserver.big_body()
    checks = []

    def check(what, got, expected):
        ok = got == expected
        checks.append(ok)
        print(f"{'ok  ' if ok else 'FAIL'} {what} ({len(got)} bytes)")

    py = PythonServer()
    for host in ("127.0.0.1", "::1"):
        check(f"python {host} /hello", run_client(curl("--http1.1", py.url("/hello", host))), httpserver.HELLO_BODY)
    check("python /big", run_client(curl("--http1.1", py.url("/big"))), big)
    check("python /chunked", run_client(curl("--http1.1", py.url("/chunked"))), b"".join(httpserver.CHUNKED_PARTS))
    payload = write_file(os.path.join(workdir(), "payload.bin"), deterministic_bytes(100_000))
    check("python POST /echo", run_client(curl("--http1.1", "--data-binary", f"@{payload}", py.url("/echo"))),
          deterministic_bytes(100_000))
    check("python chunked POST /echo", run_client(curl("--http1.1", "-H", "Transfer-Encoding: chunked",
                                                       "--data-binary", f"@{payload}", py.url("/echo"))),
          deterministic_bytes(100_000))
    keepalive = run_client(curl("--http1.1", *[py.url(f"/k/{i}") for i in range(100)]))
    check("python keep-alive x100", keepalive, b"".join(httpserver.keepalive_body(i) for i in range(100)))
    check("python requests", run_client(python(
        "import requests,sys; sys.stdout.buffer.write(requests.get(sys.argv[1]).content)", py.url("/hello"))),
        httpserver.HELLO_BODY)
    check("python pipelined pair", run_client([PYTHON, os.path.join(HERE, "pipelineclient.py"), "127.0.0.1",
                                               str(py.port), "/p/a", "/p/b"]),
          httpserver.pipelined_body("a") + httpserver.pipelined_body("b"))

    ng = Nginx()
    for host in ("127.0.0.1", "::1"):
        check(f"nginx https {host} /hello", run_client(curl("--http1.1", "-k", ng.https("/hello", host))), NGINX_HELLO)
        check(f"nginx http {host} /hello", run_client(curl("--http1.1", ng.http("/hello", host))), NGINX_HELLO)
    check("nginx https /big.bin", run_client(curl("--http1.1", "-k", ng.https("/big.bin"))), big)
    check("nginx urllib", run_client(python(URLLIB_GET, ng.https("/hello"))), NGINX_HELLO)

    served = deterministic_bytes(70_000, seed=7)
    ss = SServer({"file.bin": served})
    check("s_server -WWW", run_client(curl("-k", ss.https("/file.bin"))), served)

    srv = ServerProcess(exit_after=1)
    proc = subprocess.Popen(srv.argv, env=clean_env(), stdin=subprocess.DEVNULL)
    srv.wait_ready(proc)
    check("httpserver.py process", run_client(curl("--http1.1", srv.url("/hello"))), httpserver.HELLO_BODY)
    proc.wait(10)
    checks.append(proc.returncode == 0)

    for peer in (ng, ss):
        peer.stop()
    print(f"record binary: {record_binary()} ({'present' if os.path.exists(record_binary()) else 'MISSING'})")
    return 0 if all(checks) else 1


# An HTTPS GET through urllib with certificate checks off (the certificate is self-signed).
URLLIB_GET = ("import ssl, sys, urllib.request\n"
              "ctx = ssl._create_unverified_context()\n"
              "sys.stdout.buffer.write(urllib.request.urlopen(sys.argv[1], context=ctx, timeout=20).read())\n")

if __name__ == "__main__":
    if sys.argv[1:] == ["--selfcheck"]:
        sys.exit(selfcheck())
    print(__doc__)
    sys.exit(2)
