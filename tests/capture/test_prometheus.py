# SPDX-License-Identifier: GPL-2.0-or-later
"""Prometheus metrics from real captures, scraped by a real Prometheus (issue 13).

`httptap-record --metrics-listen 127.0.0.1:0 -o /dev/null` captures a shell that runs curl a
known number of times against nginx (HTTP/2 over TLS and h2c): 5 × GET /hello (200),
3 × GET /missing/<n> (404, one folded route) and 2 × PUT /upload/<uuid> (201). Debian's
/usr/bin/prometheus, started here on 127.0.0.1 with a temporary config (1 s scrape interval) and
storage, scrapes the recorder; PromQL through /api/v1/query must return those counts per status
and route, the documented histogram buckets, the body bytes and zero capture losses. Every wait
is for a real condition, with a timeout.

    /usr/bin/python3 -m unittest -v test_prometheus.PrometheusTests.test_scraped_counts
"""

import json
import os
import re
import shlex
import socket
import time
import urllib.parse
import urllib.request

import h2peers
import harness
from harness import CaptureTestCase

PROMETHEUS = "/usr/bin/prometheus"
SCRAPE_TIMEOUT = 60
BUCKETS = ["0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"]
UUIDS = ["9f1c2e4a-0b1d-4c5e-8f90-a1b2c3d4e5f6", "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"]


def http_get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read()


class Prometheus:
    """/usr/bin/prometheus on 127.0.0.1 scraping one target every second; temporary config and storage."""

    def __init__(self, target):
        self.dir = harness.scratch(f"prometheus-{time.monotonic_ns()}")
        config = os.path.join(self.dir, "prometheus.yml")
        with open(config, "w") as f:
            f.write("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
                    "scrape_configs:\n  - job_name: httptap\n    static_configs:\n"
                    f"      - targets: ['{target}']\n")
        self.port = harness.free_port()
        if not os.access(PROMETHEUS, os.X_OK):
            raise AssertionError(f"{PROMETHEUS} is missing: ./x setup installs Debian's prometheus package")
        self.process = harness.ManagedProcess(
            [PROMETHEUS, f"--config.file={config}", f"--storage.tsdb.path={os.path.join(self.dir, 'data')}",
             f"--web.listen-address=127.0.0.1:{self.port}", "--log.level=warn"], name="prometheus")
        self.process.wait_port("127.0.0.1", self.port)

        def ready():
            self.process.check_alive()
            try:
                return http_get(f"http://127.0.0.1:{self.port}/-/ready").startswith(b"Prometheus")
            except OSError:
                return False
        harness.wait_for(ready, SCRAPE_TIMEOUT, "Prometheus to be ready")

    def query(self, promql):
        """The instant vector of promql as {frozenset(labels): value}."""
        url = f"http://127.0.0.1:{self.port}/api/v1/query?" + urllib.parse.urlencode({"query": promql})
        reply = json.loads(http_get(url))
        if reply.get("status") != "success":
            raise AssertionError(f"{promql}: {reply}")
        return {frozenset(r["metric"].items()): float(r["value"][1]) for r in reply["data"]["result"]}

    def wait_for_query(self, promql, expected):
        """Polls promql until it returns expected (label sets → values), or fails showing the last answer."""
        last = None
        deadline = time.monotonic() + SCRAPE_TIMEOUT
        while time.monotonic() < deadline:
            self.process.check_alive()
            last = self.query(promql)
            if last == expected:
                return
            time.sleep(0.2)
        raise AssertionError(f"{promql} did not become {expected} within {SCRAPE_TIMEOUT}s; last: {last}")

    def stop(self):
        self.process.stop()


def labels(**kv):
    return frozenset(kv.items())


class PrometheusTests(CaptureTestCase):
    @classmethod
    def setUpClass(cls):
        cls.nginx = h2peers.NginxH2()

    @classmethod
    def tearDownClass(cls):
        cls.nginx.stop()

    def start_recording(self, script):
        """httptap-record --metrics-listen 127.0.0.1:0 -- sh -c script; returns (recording, metrics URL)."""
        rec = harness.Recording(["/bin/sh", "-c", script], ["--metrics-listen", "127.0.0.1:0"])
        self.addCleanup(rec.kill)

        def serving():
            if rec.proc.poll() is not None:
                with open(rec.stderr_path, "rb") as f:
                    raise AssertionError(f"httptap-record exited with {rec.proc.returncode}:\n{f.read().decode()}")
            with open(rec.stderr_path, "rb") as f:
                return re.search(rb"serving metrics at (http://127\.0\.0\.1:\d+/metrics)", f.read())
        harness.wait_for(serving, harness.START_TIMEOUT * 3, "httptap-record to serve its metrics")
        with open(rec.stderr_path, "rb") as f:
            url = re.search(rb"serving metrics at (http://127\.0\.0\.1:\d+/metrics)", f.read()).group(1).decode()
        return rec, url

    def test_scraped_counts(self):
        done = os.path.join(harness.workdir(), f"done-{time.monotonic_ns()}")
        ok = os.path.join(harness.workdir(), f"ok-{time.monotonic_ns()}")
        tls = harness.curl("-o", "/dev/null", "--http2", "-k")
        h2c = harness.curl("-o", "/dev/null", "--http2-prior-knowledge")
        answered = [arg for arg in h2c if arg != "--fail"]  # a 404 is an answer here
        steps = [[*tls, self.nginx.https("/hello")] for _ in range(3)]
        steps += [[*h2c, self.nginx.h2c("/hello")] for _ in range(2)]
        steps += [[*answered, self.nginx.h2c(f"/missing/{n}")] for n in (1, 22, 333)]
        steps += [[*tls, "-X", "PUT", "--data-binary", "0123456789", self.nginx.https(f"/upload/{u}")] for u in UUIDS]
        # The shell runs the requests, says it is done, and lives on until the test has its answers
        # (bounded by the test's cleanup, which kills the recording).
        script = " && ".join(shlex.join(step) for step in steps) + \
            f" && touch {shlex.quote(ok)}; while [ ! -e {shlex.quote(done)} ]; do sleep 0.1; done"
        rec, metrics_url = self.start_recording(script)
        harness.wait_for(lambda: os.path.exists(ok) or rec.proc.poll() is not None, SCRAPE_TIMEOUT,
                         "the requests to finish")
        self.assertTrue(os.path.exists(ok), "a request of the script failed")

        # The endpoint itself, before Prometheus: text format with our families.
        text = http_get(metrics_url).decode()
        self.assertIn("# TYPE httptap_http_requests_total counter", text)
        self.assertIn("# TYPE httptap_http_request_duration_seconds histogram", text)

        prometheus = Prometheus(metrics_url.removeprefix("http://").removesuffix("/metrics"))
        self.addCleanup(prometheus.stop)
        tls_host, h2c_host = f"127.0.0.1:{self.nginx.tls_port}", f"127.0.0.1:{self.nginx.h2c_port}"

        prometheus.wait_for_query('sum by (status) (httptap_http_requests_total{job="httptap"})',
                                  {labels(status="200"): 5, labels(status="404"): 3, labels(status="201"): 2})
        # Every series as labelled: process, method, status, host, folded route.
        got = prometheus.query('httptap_http_requests_total{job="httptap"}')
        strip = {"job", "instance", "__name__"}
        got = {frozenset((k, v) for k, v in key if k not in strip): value for key, value in got.items()}
        self.assertEqual(got, {
            labels(process="curl", method="GET", status="200", host=tls_host, route="/hello"): 3,
            labels(process="curl", method="GET", status="200", host=h2c_host, route="/hello"): 2,
            labels(process="curl", method="GET", status="404", host=h2c_host, route="/missing/{id}"): 3,
            labels(process="curl", method="PUT", status="201", host=tls_host, route="/upload/{id}"): 2,
        })
        # The histogram: the documented buckets, every request in +Inf, counts per status, and a
        # cumulative count that never decreases from one bucket to the next.
        buckets = prometheus.query('sum by (le) (httptap_http_request_duration_seconds_bucket{job="httptap"})')
        self.assertEqual(sorted((dict(k)["le"] for k in buckets), key=float), BUCKETS)
        self.assertEqual(buckets[labels(le="+Inf")], 10)
        counts = [buckets[labels(le=le)] for le in BUCKETS]
        self.assertEqual(counts, sorted(counts))
        self.assertEqual(prometheus.query('sum by (status) (httptap_http_request_duration_seconds_count)'),
                         {labels(status="200"): 5, labels(status="404"): 3, labels(status="201"): 2})
        self.assertEqual(prometheus.query(
            'sum(httptap_http_request_duration_seconds_bucket{le="+Inf"}) - '
            'sum(httptap_http_request_duration_seconds_count)'), {frozenset(): 0})
        # Body bytes: 5 × "hello over h2\n" answered, 2 × 10 bytes uploaded.
        self.assertEqual(prometheus.query('sum(httptap_http_response_bytes_total{route="/hello"})'),
                         {frozenset(): 5 * len(h2peers.HELLO)})
        self.assertEqual(prometheus.query('sum(httptap_http_request_bytes_total{method="PUT"})'),
                         {frozenset(): 20})
        # Capture health: nothing lost, nothing incomplete, no label folded.
        for name in ("httptap_capture_lost_records_total", "httptap_flows_incomplete_total",
                     "httptap_flows_truncated_total"):
            self.assertEqual(prometheus.query(f"sum({name})"), {frozenset(): 0}, name)
        self.assertEqual(prometheus.query("sum(httptap_metrics_labels_folded_total)"), {frozenset(): 0})

        with open(done, "w"):
            pass
        capture = rec.wait()
        self.assertEqual(capture.returncode, 0, capture.describe())
        # --metrics-listen alongside the JSONL output: the same ten flows.
        self.assertEqual(sorted(f["response"]["status"] for f in capture.flows), [200] * 5 + [201] * 2 + [404] * 3)

    def test_refused_address(self):
        with socket.socket() as busy:
            busy.bind(("127.0.0.1", 0))
            busy.listen(1)
            port = busy.getsockname()[1]
            cap = harness.record(["/bin/true"], ["--metrics-listen", f"127.0.0.1:{port}"])
        self.assertEqual(cap.returncode, 1, cap.describe())
        self.assertIn(f"cannot serve metrics on 127.0.0.1:{port}", cap.stderr)
        self.assertIn("Choose another with --metrics-listen", cap.stderr)
        cap = harness.record(["/bin/true"], ["--metrics-listen", "localhost"])
        self.assertEqual(cap.returncode, 2, cap.describe())
        self.assertIn("--metrics-listen needs an IPv4 ADDR:PORT", cap.stderr)
