# SPDX-License-Identifier: GPL-2.0-or-later
"""Faults and floods on a real kernel (issue 7): peers that die mid-response, a helper or a
recorder killed with SIGKILL, ring buffer floods, 10,000 short and 1,000 concurrent
connections, 1 GiB on one connection. What must hold: the flows seen so far are kept and the
cut one is marked, losses are counted and reported, memory stays bounded, and no BPF program
or link of a dead capture stays in the kernel.

The peer is faultpeers.py (asyncio, not traced). Other capture runs may be loading programs at
the same time, so "nothing left" is checked for the programs and links our own helper held
(read from its /proc/PID/fdinfo), not for the whole system.
"""

import json
import os
import signal
import subprocess
import time

import harness
from harness import CaptureTestCase

HERE = os.path.dirname(os.path.abspath(__file__))
PEERS = os.path.join(HERE, "faultpeers.py")
GIB = 1 << 30


class FaultServer:
    def __init__(self):
        self.port = harness.free_port()
        self.process = harness.ManagedProcess([harness.PYTHON, PEERS, "serve", str(self.port)], name="faultpeers")
        self.process.wait_port("127.0.0.1", self.port)

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self):
        self.process.stop()


def client(*args):
    return [harness.PYTHON, PEERS, *[str(a) for a in args]]


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def kill_quietly(pid):
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return ""


def helper_of(record_pid, timeout=10):
    found = []
    harness.wait_for(lambda: found.extend(p for p in children(record_pid) if comm(p) == "httptap-helper") or found,
                     timeout, "httptap-helper started by httptap-record")
    return found[0]


def bpf_objects(pid):
    """(prog ids, link ids) of the BPF fds process pid holds."""
    progs, links = set(), set()
    fddir = f"/proc/{pid}/fdinfo"
    for fd in os.listdir(fddir):
        try:
            with open(os.path.join(fddir, fd)) as f:
                info = dict(line.split(":", 1) for line in f.read().splitlines() if ":" in line)
        except OSError:
            continue
        if "link_id" in info:
            links.add(int(info["link_id"]))
        elif "prog_id" in info:
            progs.add(int(info["prog_id"]))
    return progs, links


def kernel_ids(kind):
    out = subprocess.run(["bpftool", "-j", kind, "show"], capture_output=True, text=True, timeout=30, check=True)
    return {obj["id"] for obj in json.loads(out.stdout or "[]")}


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def record_sampled(command, options=(), timeout=110):
    """Run httptap-record to its end while sampling the resident memory of it and its helper
    every 50 ms. Returns (capture, {"httptap-record": peak KiB, "httptap-helper": peak KiB})."""
    rec = harness.Recording(command, options)
    peaks = {"httptap-record": 0, "httptap-helper": 0}
    deadline = time.monotonic() + timeout
    while rec.proc.poll() is None and time.monotonic() < deadline:
        for pid in [rec.proc.pid, *children(rec.proc.pid)]:
            name = comm(pid)
            if name in peaks:
                peaks[name] = max(peaks[name], rss_kib(pid))
        time.sleep(0.05)
    return rec.wait(timeout=max(1, deadline - time.monotonic())), peaks


def wait_until_ready(rec, timeout=30):
    """The helper reports Ready on stderr with -v only; wait for its probes via its fds instead."""
    helper = helper_of(rec.proc.pid)
    harness.wait_for(lambda: bpf_objects(helper)[1], timeout, "the helper's BPF links")
    return helper


class FaultTests(CaptureTestCase):
    def setUp(self):
        self.server = FaultServer()
        self.addCleanup(self.server.stop)

    def assertGone(self, progs, links, within):
        """None of these program and link ids is in the kernel any more, within `within` seconds."""
        deadline = time.monotonic() + within
        while True:
            left_links, left_progs = links & kernel_ids("link"), progs & kernel_ids("prog")
            if not left_links and not left_progs:
                return
            if time.monotonic() > deadline:
                self.fail(f"{len(left_links)} links and {len(left_progs)} programs still loaded "
                          f"{within}s after the capture died: links {sorted(left_links)}, progs {sorted(left_progs)}")
            time.sleep(0.05)

    def test_server_killed_mid_response(self):
        # The traced client fetches a short body, then a 40 MB one whose server dies a quarter in.
        capture = harness.record([harness.CURL, "-s", "--http1.1", "-w", "%{size_download}\n",
                                  "-o", "/dev/null", self.server.url("/hello"),
                                  "-o", "/dev/null", self.server.url("/die/40000000")])
        self.assertEqual(capture.returncode, 18, capture.describe())  # curl: partial file
        self.assertComplete(capture.one("GET", self.server.url("/hello")))
        cut = capture.one("GET", self.server.url("/die/40000000"))
        self.assertEqual(cut["response"]["status"], 200, capture.describe())
        self.assertFalse(cut["response"]["complete"])
        self.assertTrue(cut["incomplete"], cut)
        # The server dies after 10 MB, but how much of it the client reads depends on timing (a
        # reset can discard what is still queued at the client): the truth is what curl received.
        received = int(capture.stdout.split()[1])
        self.assertLessEqual(received, 10_000_000)
        if "capture records were lost" not in capture.stderr:
            self.assertEqual(cut["response"]["body_size"], received)

    def test_client_sigkilled(self):
        # The traced process dies with its response in flight: the recorder ends with it, keeps the
        # request it saw and says the response never completed.
        capture = harness.record(client("hang", self.server.port))
        self.assertEqual(capture.returncode, 128 + signal.SIGKILL, capture.describe())
        flow = capture.one("GET", "http://127.0.0.1/n/100000000")
        self.assertTrue(flow["request"]["complete"])
        self.assertTrue(flow["incomplete"], flow)

    def test_helper_sigkilled(self):
        # 30,000 requests: several seconds under capture, and bounded once the capture is gone
        # (httptap-record waits for its command).
        rec = harness.Recording(client("flood", self.server.port, 30000, 1000))
        helper = wait_until_ready(rec)
        time.sleep(1.0)  # some flows go by
        progs, links = bpf_objects(helper)
        os.kill(helper, signal.SIGKILL)
        capture = rec.wait(timeout=100)
        self.assertNotEqual(capture.returncode, 0, capture.describe())
        self.assertIn("the capture helper stopped unexpectedly", capture.stderr)
        # What it had is written: the flows completed before the kill.
        complete = [f for f in capture.flows if f["response"] and f["response"]["complete"]]
        self.assertGreater(len(complete), 10, capture.describe())
        # Links and programs are held only by the helper's fds: they go with it.
        self.assertGone(progs, links, within=1.0)

    def test_recorder_sigkilled(self):
        rec = harness.Recording(client("flood", self.server.port, 100000, 1000))
        helper = wait_until_ready(rec)
        progs, links = bpf_objects(helper)
        self.assertTrue(progs and links)
        for pid in children(rec.proc.pid):  # the traced client would go on alone for a minute
            if pid != helper:
                self.addCleanup(kill_quietly, pid)
        rec.proc.kill()
        rec.proc.wait()
        # The helper sees its stream hang up and detaches every probe within a second (measured:
        # ~65 ms); its programs are unloaded when it exits (measured: ~1.1 s, after its last drain).
        self.assertGone(set(), links, within=1.0)
        self.assertGone(progs, links, within=3.0)

    def test_ring_buffer_flood(self):
        # 2,000 responses of 256 KiB back to back on one connection: far more than the ring buffer
        # drains at once. Lost records are counted and reported; what arrived is intact; memory stays
        # bounded (the ring buffer is 32 MiB; bodies are cut at --max-body), not by what crossed.
        capture, peaks = record_sampled(client("flood", self.server.port, 2000, 256 * 1024),
                                        options=["--max-body", "64k"])
        self.assertEqual(capture.returncode, 0, capture.describe())
        lost = "capture records were lost because the kernel ring buffer was full" in capture.stderr
        if not lost:
            self.assertEqual(len(capture.flows), 2000, capture.describe())
        complete = [f for f in capture.flows if f["response"] and f["response"]["complete"]]
        self.assertGreater(len(complete), 0, capture.describe())
        for flow in complete:
            self.assertEqual(flow["response"]["body_size"], 256 * 1024)
            self.assertTrue(flow["response"]["body_truncated"])  # 64k kept
        self.assertLess(peaks["httptap-record"], 128 * 1024, peaks)
        self.assertLess(peaks["httptap-helper"], 256 * 1024, peaks)
        print(f"\nflood: {len(capture.flows)} flows, lost reported: {lost}, peak RSS KiB {peaks}")

    def test_ten_thousand_short_connections(self):
        capture = harness.record(client("sequential", self.server.port, 10000), timeout=110)
        self.assertEqual(capture.returncode, 0, capture.describe())
        lost = "capture records were lost" in capture.stderr
        if not lost:
            self.assertEqual(len(capture.flows), 10000, capture.describe())
            self.assertEqual(len({f["conn_id"] for f in capture.flows}), 10000)
            self.assertTrue(all(f["response"]["complete"] for f in capture.flows))
        else:
            self.assertGreater(len(capture.flows), 5000, capture.describe())

    def test_thousand_concurrent_connections(self):
        capture = harness.record(client("concurrent", self.server.port, 1000), timeout=110)
        self.assertEqual(capture.returncode, 0, capture.describe())
        if "capture records were lost" not in capture.stderr:
            self.assertEqual(len(capture.flows), 1000, capture.describe())
            self.assertEqual(len({f["conn_id"] for f in capture.flows}), 1000)
        for flow in capture.flows:
            size = int(flow["url"].rsplit("/", 1)[1])
            if flow["response"] and flow["response"]["complete"]:
                self.assertEqual(flow["response"]["body_size"], size)

    def test_one_gib_on_one_connection(self):
        url = self.server.url(f"/n/{GIB}")
        capture, peaks = record_sampled([harness.CURL, "-s", "--http1.1", "-o", "/dev/null", url],
                                        options=["--max-body", "1M"])
        self.assertEqual(capture.returncode, 0, capture.describe())
        flow = capture.one("GET", url)
        self.assertEqual(flow["response"]["status"], 200)
        self.assertTrue(flow["response"]["body_truncated"])
        self.assertLessEqual(len(harness.body(flow["response"])), 1 << 20)
        if "capture records were lost" in capture.stderr:
            # Records lost at the very end leave the size short of the truth; never above it, and
            # every hole is named.
            self.assertLessEqual(flow["response"]["body_size"], GIB)
            self.assertTrue(flow["truncated"])
            self.assertTrue(any("bytes missing at offset" in n for n in flow["notes"]), flow["notes"])
        else:
            self.assertEqual(flow["response"]["body_size"], GIB, capture.describe())
            self.assertTrue(flow["response"]["complete"])
        self.assertLess(peaks["httptap-record"], 128 * 1024, peaks)
        self.assertLess(peaks["httptap-helper"], 256 * 1024, peaks)
        print(f"\n1 GiB: body_size {flow['response']['body_size']}, peak RSS KiB {peaks}")
