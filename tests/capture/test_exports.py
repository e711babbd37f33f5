# SPDX-License-Identifier: GPL-2.0-or-later
"""Exports users can trust (issue 14), on real captures.

- HAR: `httptap-record --format har` of HTTP/1 (plain, TLS), HTTP/2, gRPC, a binary body, a
  request that never got a response and a body cut by --max-body, validated by the har-validator
  npm package (installed by ./x setup into build/npm; see harvalidate.js) and checked field by
  field; redaction on by default, off with --unredacted.
- cURL replay: a corpus of requests is captured, `--read RAW --format curl` turns them into
  commands, bash runs the commands under capture again, and each replayed request must equal its
  original: method, target, body byte for byte, and the header list in order. What curl changes
  by design and the comparison therefore leaves out: Accept-Encoding (the command says
  --compressed, curl sends its own list) and Content-Length (curl computes it and puts it after
  the -H headers; its value must still match). HTTP/2 pseudo-headers are compared too.
- JSONL: every line of a varied capture against docs/jsonl.schema.json (schemacheck.py).
- Raw round trip: a live capture's JSONL equals `--read` of its --raw file.
"""

import base64
import http.server
import json
import os
import socket
import subprocess
import threading
import time

import h2peers
import harness
import schemacheck
from harness import CaptureTestCase, curl, record

HERE = os.path.dirname(os.path.abspath(__file__))
NODE = "/usr/bin/node"


class AnyMethodHandler(http.server.BaseHTTPRequestHandler):
    """200 "ok\\n" to every method and path, after reading the body (Content-Length or chunked)."""
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002
        pass

    def handle_one_request(self):
        self.raw_requestline = self.rfile.readline(65537)
        if not self.raw_requestline:
            self.close_connection = True
            return
        if not self.parse_request():
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        elif self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                self.rfile.read(size + 2)
                if size == 0:
                    break
        body = b"ok\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.wfile.flush()


class Servers:
    """In-process peers (never traced): any-method HTTP/1.1 server and a server that never answers."""

    def __init__(self):
        self.http = http.server.ThreadingHTTPServer(("127.0.0.1", 0), AnyMethodHandler)
        self.http.daemon_threads = True
        self.port = self.http.server_address[1]
        threading.Thread(target=self.http.serve_forever, daemon=True).start()
        # Reads a request, then closes without a byte of response.
        self.mute = socket.socket()
        self.mute.bind(("127.0.0.1", 0))
        self.mute.listen(8)
        self.mute_port = self.mute.getsockname()[1]
        threading.Thread(target=self._mute_loop, daemon=True).start()

    def _mute_loop(self):
        while True:
            try:
                conn, _ = self.mute.accept()
            except OSError:
                return
            conn.settimeout(5)
            try:
                conn.recv(65536)
                time.sleep(0.2)
            except OSError:
                pass
            conn.close()

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self):
        self.http.shutdown()
        self.mute.close()


def validate_har(path):
    proc = subprocess.run([NODE, os.path.join(HERE, "harvalidate.js"), path], capture_output=True, text=True,
                          timeout=60, env=harness.clean_env())
    if proc.returncode != 0:
        raise AssertionError(f"har-validator rejects {path}:\n{proc.stdout[-4000:]}{proc.stderr[-2000:]}")


def script(lines):
    """A bash script file running each command in turn, whatever their exit status."""
    path = os.path.join(harness.workdir(), f"script-{time.monotonic_ns()}.sh")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\ntrue\n")
    return path


def quoted(argv):
    return " ".join("'" + a.replace("'", "'\\''") + "'" for a in argv)


def run_record(options, command, timeout=120):
    """httptap-record OPTIONS -- COMMAND; returns the completed process (raises on failure)."""
    argv = [harness.record_binary(), *options, "--", *command]
    proc = subprocess.run(argv, env=harness.clean_env(), stdin=subprocess.DEVNULL, capture_output=True,
                          timeout=timeout)
    if proc.returncode != 0:
        raise AssertionError(f"{argv} exited {proc.returncode}: {proc.stderr.decode(errors='replace')[-3000:]}")
    return proc


def read_raw(raw, fmt, *extra):
    proc = subprocess.run([harness.record_binary(), "--read", raw, "--format", fmt, *extra],
                          env=harness.clean_env(), stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
    if proc.returncode != 0:
        raise AssertionError(f"--read {raw} exited {proc.returncode}: {proc.stderr.decode(errors='replace')}")
    return proc.stdout


class ExportTests(CaptureTestCase):
    @classmethod
    def setUpClass(cls):
        cls.servers = Servers()
        cls.nginx = harness.Nginx()
        cls.h2 = h2peers.NginxH2()
        cls.payload = bytes(range(256)) * 4  # binary, with NUL and every other byte

    @classmethod
    def tearDownClass(cls):
        cls.servers.stop()
        cls.nginx.stop()
        cls.h2.stop()

    # --- HAR ------------------------------------------------------------------------------------

    def har_capture(self, extra_options=()):
        payload = harness.write_file(os.path.join(harness.workdir(), "har-payload.bin"), self.payload)
        s, ng, h2 = self.servers, self.nginx, self.h2
        commands = [
            curl("--http1.1", "-H", "Authorization: Bearer s3cret", "-H", "Cookie: sid=abc; theme=dark",
                 s.url("/plain?q=a%20b&n=1")),
            curl("--http1.1", "--data", "a=1&b=two+words", s.url("/form")),
            curl("--http1.1", "-k", ng.https("/hello")),
            curl("--http2", "-k", h2.https("/hello")),
            curl("--http2", "-k", "-T", payload, h2.https(f"/upload/{time.monotonic_ns()}.bin")),
            curl("--http1.1", "-o", "/dev/null", ng.http("/big.bin")),
            [harness.CURL, "-q", "-s", "--http1.1", f"http://127.0.0.1:{s.mute_port}/never"],
        ]
        out = os.path.join(harness.workdir(), f"capture-{time.monotonic_ns()}.har")
        run_record(["--format", "har", "-o", out, "--max-body", "64k", *extra_options],
                   ["bash", script(quoted(c) for c in commands)])
        validate_har(out)
        with open(out) as f:
            har = json.load(f)
        entries = har["log"]["entries"]
        by_url = {}
        for e in entries:
            by_url.setdefault((e["request"]["method"], e["request"]["url"].split("/", 3)[-1]), e)
        return har, by_url

    def test_har_valid_and_complete(self):
        har, by = self.har_capture()
        log = har["log"]
        self.assertEqual(log["version"], "1.2")
        self.assertEqual(log["creator"]["name"], "httptap")
        self.assertEqual(len(log["entries"]), 7, json.dumps([e["request"]["url"] for e in log["entries"]]))
        for e in log["entries"]:
            t = e["timings"]
            # Each curl opens its own connection: TCP connect (and the TLS handshake for https)
            # timed in the kernel (test_timing.py checks the values); DNS is not measured.
            self.assertEqual(t["dns"], -1)
            self.assertTrue(min(t["blocked"], t["connect"], t["send"], t["wait"], t["receive"]) >= 0, t)
            https = e["request"]["url"].startswith("https:")
            self.assertEqual(t["ssl"] >= 0, https, t)
            self.assertTrue(t["connect"] >= t["ssl"], t)
            self.assertAlmostEqual(e["time"], t["blocked"] + t["connect"] + t["send"] + t["wait"] + t["receive"],
                                   places=6)
            self.assertRegex(e["startedDateTime"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
            self.assertEqual(e["_process"], "curl")
            self.assertEqual(e["connection"], str(e["_connectionId"]))

        plain = by[("GET", "plain?q=a%20b&n=1")]
        self.assertEqual(plain["request"]["httpVersion"], "HTTP/1.1")
        self.assertEqual(plain["request"]["queryString"], [{"name": "q", "value": "a b"}, {"name": "n", "value": "1"}])
        self.assertIn({"name": "Authorization", "value": "[REDACTED]"}, plain["request"]["headers"])
        self.assertEqual(plain["request"]["cookies"], [{"name": "sid", "value": "[REDACTED]"},
                                                       {"name": "theme", "value": "[REDACTED]"}])
        self.assertEqual(plain["_redacted"], ["Authorization", "Cookie"])
        self.assertEqual(plain["response"]["content"], {"size": 3, "mimeType": "text/plain", "text": "ok\n"})
        self.assertEqual(plain["_tls"], "plaintext")
        self.assertEqual(plain["serverIPAddress"], "127.0.0.1")

        form = by[("POST", "form")]
        self.assertEqual(form["request"]["postData"]["params"],
                         [{"name": "a", "value": "1"}, {"name": "b", "value": "two words"}])
        self.assertEqual(form["request"]["postData"]["mimeType"], "application/x-www-form-urlencoded")

        tls_entries = [e for e in log["entries"] if e["request"]["url"] == self.nginx.https("/hello")]
        self.assertEqual(len(tls_entries), 1)
        self.assertEqual(tls_entries[0]["_tls"], "openssl")
        self.assertEqual(tls_entries[0]["response"]["content"]["text"], harness.NGINX_HELLO.decode())

        h2 = [e for e in log["entries"] if e["request"]["httpVersion"] == "h2"]
        self.assertEqual(len(h2), 2)
        get = next(e for e in h2 if e["request"]["method"] == "GET")
        self.assertEqual([h["name"] for h in get["request"]["headers"]][:4], [":method", ":path", ":scheme", ":authority"])
        self.assertEqual(get["response"]["httpVersion"], "h2")
        self.assertEqual(get["request"]["headersSize"], -1)
        self.assertEqual(get["_streamId"], 1)
        put = next(e for e in h2 if e["request"]["method"] == "PUT")
        self.assertEqual(put["request"]["postData"]["_encoding"], "base64")
        self.assertEqual(base64.b64decode(put["request"]["postData"]["text"]), self.payload)
        self.assertEqual(put["response"]["status"], 201)

        big = by[("GET", "big.bin")]
        self.assertTrue(big["_truncated"])
        self.assertTrue(big["response"]["_bodyTruncated"])
        self.assertEqual(big["response"]["content"]["encoding"], "base64")
        self.assertEqual(base64.b64decode(big["response"]["content"]["text"]),
                         harness.httpserver.big_body()[:64 * 1024])
        self.assertEqual(big["response"]["bodySize"], len(harness.httpserver.big_body()))

        never = by[("GET", "never")]
        self.assertEqual(never["response"]["status"], 0)
        self.assertEqual(never["response"]["bodySize"], -1)
        self.assertTrue(never["_incomplete"])

    def test_har_unredacted(self):
        _, by = self.har_capture(["--unredacted"])
        plain = by[("GET", "plain?q=a%20b&n=1")]
        self.assertIn({"name": "Authorization", "value": "Bearer s3cret"}, plain["request"]["headers"])
        self.assertIn({"name": "Cookie", "value": "sid=abc; theme=dark"}, plain["request"]["headers"])
        self.assertEqual(plain["request"]["cookies"], [{"name": "sid", "value": "abc"},
                                                       {"name": "theme", "value": "dark"}])
        self.assertNotIn("_redacted", plain)

    def test_har_custom_redaction(self):
        out = os.path.join(harness.workdir(), f"redact-{time.monotonic_ns()}.har")
        body = '{"user":"me","password":"pw","nested":{"token":"t"}}'
        run_record(["--format", "har", "-o", out, "--redact-header", "X-Api-*", "--redact-json-field", "password",
                    "--redact-json-field", "tok*"],
                   curl("--http1.1", "-H", "X-Api-Key: k", "-H", "Content-Type: application/json", "--data-raw", body,
                        self.servers.url("/login")))
        validate_har(out)
        with open(out) as f:
            entry = json.load(f)["log"]["entries"][0]
        self.assertIn({"name": "X-Api-Key", "value": "[REDACTED]"}, entry["request"]["headers"])
        self.assertEqual(json.loads(entry["request"]["postData"]["text"]),
                         {"user": "me", "password": "[REDACTED]", "nested": {"token": "[REDACTED]"}})
        self.assertEqual(entry["_redacted"], ["X-Api-Key", "token", "password"])  # JSON keys depth-first, sorted

    def test_har_grpc(self):
        server = h2peers.GrpcServer()
        try:
            out = os.path.join(harness.workdir(), f"grpc-{time.monotonic_ns()}.har")
            run_record(["--format", "har", "-o", out], h2peers.grpc_client(server.port, "unary"))
        finally:
            server.stop()
        validate_har(out)
        with open(out) as f:
            entries = json.load(f)["log"]["entries"]
        grpc = [e for e in entries if "_grpc" in e]
        self.assertTrue(grpc, json.dumps(entries)[:2000])
        self.assertEqual(grpc[0]["request"]["httpVersion"], "h2")
        self.assertEqual(grpc[0]["_grpc"]["status"], 0)
        self.assertTrue(grpc[0]["_grpc"]["responseMessages"])

    # --- cURL replay ----------------------------------------------------------------------------

    def test_curl_replay_corpus(self):
        s, h2 = self.servers, self.h2
        work = harness.workdir()
        binary = harness.write_file(os.path.join(work, "replay-binary.bin"), self.payload)
        upload = harness.write_file(os.path.join(work, "replay-upload.txt"), "caf\u00e9 \u20ac\n".encode())
        originals = [
            curl("--http1.1", "-g", s.url("/search?q=a%20b&x[]=1&y={2}")),
            curl("--http1.1", "-H", "Content-Type: application/json", "--data-raw",
                 '{"name":"x","list":[1,2],"text":"line\\nbreak"}', s.url("/api/items")),
            curl("--http1.1", "--data", "a=1&b=two+words&c=%26", s.url("/form")),
            curl("--http1.1", "-F", "field=value", "-F", f"file=@{upload}", s.url("/multipart")),
            curl("--http1.1", "-X", "PUT", "-H", "Content-Type: text/plain; charset=utf-8", "-H",
                 "X-Name: zo\u00eb", "--data-binary", "h\u00e9llo \u20ac! it's", s.url("/unicode")),
            curl("--http1.1", "-H", "X-Quote: it's \"quoted\" and $HOME `x` !", "-H", "X-Empty;", s.url("/quotes")),
            curl("--http1.1", "-H", "Content-Type: application/octet-stream", "--data-binary", f"@{binary}",
                 s.url("/binary")),
            curl("--http1.1", "-X", "DELETE", s.url("/delete/1")),
            curl("--http2", "-k", "-H", "X-H2: yes", h2.https("/hello")),
            curl("--http2", "-k", "-T", upload, h2.https(f"/upload/replay-{time.monotonic_ns()}.txt")),
            harness.python("import urllib.request,sys; urllib.request.urlopen(sys.argv[1]).read()",
                           s.url("/urllib?x=1")),
        ]
        raw = os.path.join(work, f"originals-{time.monotonic_ns()}.httptap")
        first = os.path.join(work, f"originals-{time.monotonic_ns()}.jsonl")
        run_record(["--raw", raw, "-o", first], ["bash", script(quoted(c) for c in originals)])
        commands = read_raw(raw, "curl").decode()
        # The local servers have a self-signed certificate: curl reads "insecure" from this curlrc,
        # so the commands stay exactly as generated.
        curl_home = os.path.join(work, "curlhome")
        os.makedirs(curl_home, exist_ok=True)
        harness.write_file(os.path.join(curl_home, ".curlrc"), b"insecure\nsilent\n")
        replay_script = os.path.join(work, f"replay-{time.monotonic_ns()}.sh")
        with open(replay_script, "w") as f:
            f.write(f"export CURL_HOME={curl_home}\n")
            f.write(commands)
        second = os.path.join(work, f"replay-{time.monotonic_ns()}.jsonl")
        run_record(["-o", second], ["bash", replay_script])
        with open(first, "rb") as f:
            original_flows = [json.loads(line) for line in f]
        with open(second, "rb") as f:
            replayed_flows = [json.loads(line) for line in f]
        self.assertEqual(len(original_flows), len(originals), commands)
        self.assertEqual(len(replayed_flows), len(originals), commands)

        def comparable(flow):
            r = flow["request"]
            headers = [[n, v] for n, v in r["headers"] if n.lower() not in ("accept-encoding", "content-length")]
            length = [v for n, v in r["headers"] if n.lower() == "content-length"]
            return {"method": r["method"], "target": r["target"], "headers": headers, "content-length": length,
                    "body": base64.b64decode(r["body"]), "http_version": flow["http_version"]}

        originals_by_start = sorted(original_flows, key=lambda f: f["start_time"])
        replays_by_start = sorted(replayed_flows, key=lambda f: f["start_time"])
        for original, replayed in zip(originals_by_start, replays_by_start):
            self.assertEqual(comparable(replayed), comparable(original),
                             f"replay differs from {original['request']['method']} {original['url']}\n{commands}")

    # --- JSONL schema and raw round trip ----------------------------------------------------------

    def test_jsonl_schema_and_raw_round_trip(self):
        s, ng, h2 = self.servers, self.nginx, self.h2
        payload = harness.write_file(os.path.join(harness.workdir(), "rt-payload.bin"), self.payload)
        commands = [
            curl("--http1.1", s.url("/a?b=c")),
            curl("--http1.1", "--data-binary", f"@{payload}", s.url("/post")),
            curl("--http1.1", "-k", ng.https("/hello"), ng.https("/hello")),
            curl("--http2", "-k", h2.https("/hello"), h2.https("/trailer")),
            curl("--http2", "-k", "--compressed", h2.https("/text.txt")),
            curl("--http2-prior-knowledge", h2.h2c("/hello")),
            [harness.CURL, "-q", "-s", "--http1.1", f"http://127.0.0.1:{s.mute_port}/never"],
            curl("--http1.1", "-o", "/dev/null", ng.http("/big.bin")),
        ]
        raw = os.path.join(harness.workdir(), f"rt-{time.monotonic_ns()}.httptap")
        live = os.path.join(harness.workdir(), f"rt-live-{time.monotonic_ns()}.jsonl")
        run_record(["--raw", raw, "-o", live, "--max-body", "100k"], ["bash", script(quoted(c) for c in commands)])
        with open(os.path.join(harness.REPO, "docs", "jsonl.schema.json")) as f:
            schema = json.load(f)
        problems = schemacheck.check_jsonl(schema, live)
        self.assertEqual(problems, [])
        with open(live, "rb") as f:
            live_lines = f.read().splitlines()
        self.assertEqual(len(live_lines), 10)
        replayed = read_raw(raw, "jsonl", "--max-body", "100k").splitlines()
        self.assertEqual(len(replayed), len(live_lines))
        for a, b in zip(live_lines, replayed):
            self.assertEqual(json.loads(b), json.loads(a))
        # Byte for byte, too: the writer is deterministic.
        self.assertEqual(replayed, live_lines)
        versions = {json.loads(line)["http_version"] for line in live_lines}
        self.assertEqual(versions, {"HTTP/1.1", "HTTP/2"})

    def test_read_refuses_garbage(self):
        path = harness.write_file(os.path.join(harness.workdir(), "not-a-capture.httptap"), b"GET / HTTP/1.1\r\n\r\n")
        proc = subprocess.run([harness.record_binary(), "--read", path], capture_output=True, text=True, timeout=30,
                              env=harness.clean_env())
        self.assertEqual(proc.returncode, 1)
        self.assertIn("is not a readable httptap capture", proc.stderr)
