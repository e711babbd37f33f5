# SPDX-License-Identifier: GPL-2.0-or-later
"""Attaching to processes that do not hold still: a traced pid that exits and is reused by an
unrelated process, a pid that exits while the capture is being set up, a TLS library loaded with
dlopen after the capture started, and two copies of OpenSSL in one process."""

import json
import os
import signal
import subprocess
import time

import harness
from harness import CaptureTestCase, curl

NS_LAST_PID = "/proc/sys/kernel/ns_last_pid"


def spawn_with_pid(pid, argv, attempts=50):
    """Start argv as process `pid` (a number the kernel just freed), by setting the last pid the
    kernel handed out. Another process on the machine may take it first: then try again."""
    for _ in range(attempts):
        with open(NS_LAST_PID, "w") as f:
            f.write(str(pid - 1))
        proc = subprocess.Popen(argv, env=harness.clean_env(), stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if proc.pid == pid:
            return proc
        proc.kill()
        proc.wait()
    raise AssertionError(f"could not get pid {pid} for {argv[0]} in {attempts} attempts")


def flows_so_far(path):
    """The flows httptap-record has written so far. It is still writing: a last line without its
    newline is a write in progress, not a flow yet."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return []
    complete = data[:data.rfind(b"\n") + 1]
    return [json.loads(line) for line in complete.splitlines() if line.strip()]


def stop(rec):
    rec.proc.send_signal(signal.SIGINT)
    return rec.wait(timeout=30)


class PidReuseTests(CaptureTestCase):
    def test_reused_pid_is_not_captured(self):
        """A traced process exits; an unrelated process that gets its pid later is not captured
        (the server it talks to, still traced, shows the request: the capture was running)."""
        server = harness.ServerProcess()
        server_proc = subprocess.Popen(server.argv, env=harness.clean_env(), stdin=subprocess.DEVNULL)
        self.addCleanup(lambda: (server_proc.kill(), server_proc.wait()))
        server.wait_ready(server_proc)
        victim = subprocess.Popen(["/usr/bin/python3", "-c", "import sys; sys.stdin.read()"],
                                  env=harness.clean_env(), stdin=subprocess.PIPE)
        rec = harness.Recording(None, options=["--pid", str(server_proc.pid), "--pid", str(victim.pid),
                                               "--no-follow-forks"])
        self.addCleanup(rec.kill)
        # The capture is running once a request to the server shows up.
        def captured(path):
            harness.run_client(curl("--http1.1", "-o", "/dev/null", server.url(path)))
            return any(f["url"] == server.url(path) for f in flows_so_far(rec.out))
        harness.wait_for(lambda: captured("/k/1"), 30, "the first captured request")

        victim.stdin.close()
        victim.wait()
        client = spawn_with_pid(victim.pid, curl("--http1.1", "-o", "/dev/null", server.url("/k/2")))
        out, err = client.communicate(timeout=30)
        self.assertEqual(client.returncode, 0, err)
        harness.wait_for(lambda: any(f["url"] == server.url("/k/2") for f in flows_so_far(rec.out)),
                         30, "the server's side of the reused pid's request")
        cap = stop(rec)
        self.assertRecorded(cap)
        reused = [f for f in cap.flows if f["pid"] == victim.pid]
        self.assertEqual(reused, [], "a process that got a traced pid after its owner exited was captured")
        server_side = cap.one("GET", server.url("/k/2"))
        self.assertEqual(server_side["role"], "server")
        self.assertEqual(server_side["pid"], server_proc.pid)
        self.assertComplete(server_side)

    def test_pid_exiting_during_setup(self):
        """A pid that exits right as the capture starts: a clear message or a normal capture,
        never a crash."""
        for delay in ("0", "0.01", "0.05", "0.2"):
            target = subprocess.Popen(["/usr/bin/sleep", delay], env=harness.clean_env())
            cap = harness.record(None, options=["--pid", str(target.pid), "--duration", "1"], timeout=30)
            target.wait()
            # A signal would show as a negative status (crash) — never that.
            self.assertGreaterEqual(cap.returncode, 0, cap.describe())
            if cap.returncode != 0:
                self.assertRegex(cap.stderr, r"(no process with pid|exited)", cap.describe())
            self.assertEqual(cap.flows, [])


CLIENTS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "clients", "c")


def twossl():
    """tests/clients/c/twossl.c, and a copy of the system's libssl in another file for it to load."""
    out = os.path.join(harness.scratch("c"), "twossl")
    if not os.path.exists(out):
        subprocess.run(["gcc", "-O2", os.path.join(CLIENTS, "twossl.c"), "-lssl", "-lcrypto", "-o", out], check=True,
                       capture_output=True, timeout=120)
    copy = os.path.join(harness.scratch("libcopy"), "libssl.so.3")
    if not os.path.exists(copy):
        with open("/usr/lib/x86_64-linux-gnu/libssl.so.3", "rb") as src, open(copy, "wb") as dst:
            dst.write(src.read())
    return out, copy


class LateLibraryTests(CaptureTestCase):
    @classmethod
    def setUpClass(cls):
        cls.nginx = harness.Nginx()

    @classmethod
    def tearDownClass(cls):
        cls.nginx.stop()

    def test_second_openssl_copy_loaded_late(self):
        """Two copies of OpenSSL in one process, the second (another file) loaded with dlmopen after
        the capture started and used at once: both requests captured, whole."""
        binary, copy = twossl()
        cap = harness.record([binary, "127.0.0.1", str(self.nginx.tls_port), "/hello", copy], options=["-v"])
        self.assertRecorded(cap, flows=2)
        for copy_name in ("linked", "loaded"):
            flow = cap.one("GET", self.nginx.https(f"/hello?copy={copy_name}"))
            self.assertEqual(flow["tls"], "openssl")
            self.assertEqual(flow["process"], "twossl")
            self.assertComplete(flow)
            self.assertBody(flow["response"], harness.NGINX_HELLO)
        self.assertIn(copy, cap.stderr)  # -v names the probed copy
