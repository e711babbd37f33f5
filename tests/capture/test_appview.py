# SPDX-License-Identifier: GPL-2.0-or-later
"""AppView events and metrics from real captures (issue 13).

`httptap-record --format appview -- curl ...` against nginx over HTTP/1.1 (TLS) and HTTP/2 (TLS,
h2c): the http.req and http.resp events are checked field by field against the shape of the
AppView HTTP seed (envelope, data fields, their order), then the http.* metrics; a watch file in
the seed's shape blocks the request events and adds a header; --filter still selects the flows.

    /usr/bin/python3 -m unittest -v test_appview.AppViewTests.test_http1_tls
"""

import json
import os
import socket
import time

import h2peers
import harness
from harness import CaptureTestCase, record

REQUEST_KEYS = ["http_method", "http_target", "http_flavor", "http_scheme", "http_host", "http_user_agent",
                "net_transport", "net_peer_ip", "net_peer_port", "net_host_ip", "net_host_port"]
RESPONSE_KEYS = ["http_method", "http_target", "http_scheme", "http_flavor", "http_status_code", "http_status_text",
                 "http_client_duration", "http_host", "http_user_agent", "net_transport", "net_peer_ip",
                 "net_peer_port", "net_host_ip", "net_host_port", "http_response_content_length"]
ENVELOPE_KEYS = ["type", "id", "_channel", "body"]
BODY_KEYS = ["sourcetype", "_time", "source", "host", "proc", "cmd", "pid", "data"]


def curl_argv(*args):
    """curl without --fail (a 404 is an answer here), quiet, no config, no proxy."""
    return [harness.CURL, "-q", "--silent", "--show-error", "--noproxy", "*", "-o", "/dev/null", *args]


def lines_of(capture):
    """Every output line as an ordered JSON object (json keeps the order they were written in)."""
    with open(capture.argv[capture.argv.index("-o") + 1], "rb") as f:
        return [json.loads(line) for line in f if line.strip()]


class AppViewTests(CaptureTestCase):
    @classmethod
    def setUpClass(cls):
        cls.nginx = h2peers.NginxH2()
        cls.agent = f"curl/{harness.curl_version()}"
        cls.host = socket.gethostname()

    @classmethod
    def tearDownClass(cls):
        cls.nginx.stop()

    def capture(self, command, options=()):
        before = time.time()
        cap = record(command, ["--format", "appview", *options])
        after = time.time()
        self.assertEqual(cap.returncode, 0, cap.describe())
        return cap, lines_of(cap), before, after

    def check_events(self, lines, command, url_port, flavor, scheme, before, after, status=200, text="OK",
                     target="/hello", content_length=len(h2peers.HELLO)):
        events = [line for line in lines if line["type"] == "evt"]
        self.assertEqual([e["body"]["source"] for e in events], ["http.req", "http.resp"], lines)
        cmd = " ".join(command)
        for event in events:
            self.assertEqual(list(event), ENVELOPE_KEYS)
            self.assertEqual(list(event["body"]), BODY_KEYS)
            self.assertEqual(event["id"], f"{self.host}-curl-{cmd[-32:]}")
            self.assertTrue(event["_channel"].isdigit(), event["_channel"])
            body = event["body"]
            self.assertEqual(body["sourcetype"], "http")
            self.assertEqual(body["host"], self.host)
            self.assertEqual(body["proc"], "curl")
            self.assertEqual(body["cmd"], cmd)
            self.assertIsInstance(body["pid"], int)
            self.assertTrue(before - 1 <= body["_time"] <= after + 1, (before, body["_time"], after))
        req, resp = events[0]["body"], events[1]["body"]
        self.assertEqual(events[0]["_channel"], events[1]["_channel"])
        self.assertLessEqual(req["_time"], resp["_time"])
        local_port = req["data"]["net_host_port"]
        self.assertIsInstance(local_port, int)
        self.assertNotEqual(local_port, url_port)
        common = {"http_method": "GET", "http_target": target, "http_scheme": scheme,
                  "http_host": f"127.0.0.1:{url_port}", "http_user_agent": self.agent, "net_transport": "IP.TCP",
                  "net_peer_ip": "127.0.0.1", "net_peer_port": url_port, "net_host_ip": "127.0.0.1",
                  "net_host_port": local_port}
        self.assertEqual(list(req["data"]), REQUEST_KEYS)
        self.assertEqual(req["data"], {**common, "http_flavor": flavor})
        self.assertEqual(list(resp["data"]), RESPONSE_KEYS)
        duration = resp["data"]["http_client_duration"]
        self.assertIsInstance(duration, int)
        self.assertGreaterEqual(duration, 0)
        self.assertEqual(resp["data"], {**common, "http_flavor": flavor, "http_status_code": status,
                                        "http_status_text": text, "http_client_duration": duration,
                                        "http_response_content_length": content_length})
        return req, resp, duration

    def check_metrics(self, lines, resp, duration, status=200, target="/hello", content_length=len(h2peers.HELLO)):
        metrics = [line["body"] for line in lines if line["type"] == "metric"]
        common = {"_time": resp["_time"], "host": self.host, "http_status_code": status, "http_target": target,
                  "pid": resp["pid"], "proc": "curl"}
        self.assertEqual(metrics, [
            {"_metric": "http.req", "_metric_type": "counter", "_value": 1, "unit": "request", **common},
            {"_metric": "http.duration.client", "_metric_type": "timer", "_value": duration, "unit": "millisecond",
             **common},
            {"_metric": "http.resp.content_length", "_metric_type": "counter", "_value": content_length,
             "unit": "byte", **common},
        ])
        for m in metrics:
            self.assertEqual(list(m), ["_metric", "_metric_type", "_time", "_value", "host", "http_status_code",
                                       "http_target", "pid", "proc", "unit"])

    def test_http1_tls(self):
        command = curl_argv("--http1.1", "-k", self.nginx.https("/hello"))
        cap, lines, before, after = self.capture(command)
        self.assertEqual(len(lines), 5, cap.describe())
        _, resp, duration = self.check_events(lines, command, self.nginx.tls_port, "1.1", "https", before, after)
        self.check_metrics(lines, resp, duration)

    def test_http2_tls(self):
        command = curl_argv("--http2", "-k", self.nginx.https("/hello"))
        cap, lines, before, after = self.capture(command)
        self.assertEqual(len(lines), 5, cap.describe())
        # HTTP/2 has no reason phrase: the status text is the standard one, as AppView writes it.
        _, resp, duration = self.check_events(lines, command, self.nginx.tls_port, "2.0", "https", before, after)
        self.check_metrics(lines, resp, duration)

    def test_h2c_not_found(self):
        command = curl_argv("--http2-prior-knowledge", self.nginx.h2c("/missing/42"))
        cap, lines, before, after = self.capture(command)
        missing = [m for m in lines if m["type"] == "evt" and m["body"]["source"] == "http.resp"]
        self.assertEqual(len(missing), 1, cap.describe())
        length = missing[0]["body"]["data"]["http_response_content_length"]
        _, resp, duration = self.check_events(lines, command, self.nginx.h2c_port, "2.0", "http", before, after,
                                              status=404, text="Not Found", target="/missing/42",
                                              content_length=length)
        self.check_metrics(lines, resp, duration, status=404, target="/missing/42", content_length=length)

    def test_watch_blocks_requests_and_adds_headers(self):
        # The seed's example watch, in its YAML shape: only http.resp, plus headers matching the regexes.
        watch = harness.write_file(os.path.join(harness.workdir(), "watch.yml"), b"""event:
  watch:
    - type: http
      name: http.resp
      field: .*
      value: .*
      headers:
        - (?i)X-TEST.*      # nginx's response header "X-Test: 1"
        - x-trace: abc.*    # a request header sent by curl
""")
        command = curl_argv("--http1.1", "-k", "-H", "X-Trace: abc-123", "-H", "X-Other: no",
                            self.nginx.https("/hello"))
        cap, lines, _, _ = self.capture(command, ["--watch", watch])
        events = [line for line in lines if line["type"] == "evt"]
        self.assertEqual([e["body"]["source"] for e in events], ["http.resp"], cap.describe())
        data = events[0]["body"]["data"]
        self.assertEqual(data["X-Test"], "1")  # named as sent
        self.assertNotIn("X-Trace", data)  # "X-Trace: abc-123" is not "x-trace: abc.*" (case-sensitive)
        self.assertNotIn("X-Other", data)
        self.assertEqual(data["http_status_code"], 200)
        # The metrics are not the watch's business.
        self.assertEqual([line["body"]["_metric"] for line in lines if line["type"] == "metric"],
                         ["http.req", "http.duration.client", "http.resp.content_length"])

        # The same request header, matched case-insensitively, and a field/value selection.
        watch = harness.write_file(os.path.join(harness.workdir(), "watch.json"), json.dumps(
            {"event": {"watch": [{"type": "http", "name": ".*", "field": "^(http_method|http_status_code|X-.*)$",
                                  "value": ".*", "headers": ["(?i)^x-trace: "]}]}}).encode())
        cap, lines, _, _ = self.capture(command, ["--watch", watch])
        events = [line for line in lines if line["type"] == "evt"]
        self.assertEqual([e["body"]["data"] for e in events],
                         [{"http_method": "GET", "X-Trace": "abc-123"},
                          {"http_method": "GET", "http_status_code": 200, "X-Trace": "abc-123"}], cap.describe())

    def test_filter_selects_flows(self):
        command = curl_argv("--http2", "-k", self.nginx.https("/hello"), "-o", "/dev/null",
                            self.nginx.https("/missing"))
        cap, lines, _, _ = self.capture(command, ["--filter", "status:404"])
        events = [line for line in lines if line["type"] == "evt"]
        self.assertEqual([(e["body"]["source"], e["body"]["data"]["http_target"]) for e in events],
                         [("http.req", "/missing"), ("http.resp", "/missing")], cap.describe())
        self.assertEqual([(m["body"]["_metric"], m["body"]["http_status_code"]) for m in lines if m["type"] == "metric"],
                         [("http.req", 404), ("http.duration.client", 404), ("http.resp.content_length", 404)])

    def test_bad_watch_file(self):
        watch = harness.write_file(os.path.join(harness.workdir(), "bad-watch.yml"),
                                   b"- type: http\n  name: '(unclosed'\n")
        cap = record(curl_argv(self.nginx.h2c("/hello")), ["--format", "appview", "--watch", watch])
        self.assertEqual(cap.returncode, 1, cap.describe())
        self.assertIn(f"--watch: {watch}: watch entry of type http: 'name' is not a valid regular expression",
                      cap.stderr)
        cap = record(curl_argv(self.nginx.h2c("/hello")), ["--watch", watch])
        self.assertEqual(cap.returncode, 2, cap.describe())
        self.assertIn("--watch applies to --format appview only", cap.stderr)
