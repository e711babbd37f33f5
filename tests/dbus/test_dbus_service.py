#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""httptap-helper as a system D-Bus service, on a private system bus with a
real polkitd (fixture.py), called by unprivileged test users.

Every test method is its own ctest entry (dbus.<Class>.<test>); they run as
root, one at a time, and fail rather than skip.
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "capture"))
import fixture  # noqa: E402
import httpserver  # noqa: E402
import records  # noqa: E402
from fixture import ALLOWED, DENIED, wait_for  # noqa: E402

CLIENT = os.path.join(HERE, "client.py")
CURL = "/usr/bin/curl"
BUS = None
SERVER = None


def setUpModule():
    global BUS, SERVER
    BUS = fixture.PrivateSystemBus(idle_ms=1500).start()
    port = fixture_free_port()
    SERVER = httpserver.DualStackServer(port).start()
    SERVER.port = port


def tearDownModule():
    if SERVER:
        SERVER.stop()
    if BUS:
        BUS.stop()


def fixture_free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def url(path):
    return f"http://127.0.0.1:{SERVER.port}{path}"


class Client:
    """client.py run as `user`; its stdout (the record stream) is collected by a thread."""

    def __init__(self, user, *args, env=None):
        self.proc = subprocess.Popen(BUS.as_user(user) + [fixture.PYTHON, CLIENT, *args],
                                     env=BUS.env(env), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.raw = b""
        self.events = []
        self._threads = [threading.Thread(target=self._read_stream, daemon=True),
                         threading.Thread(target=self._read_events, daemon=True)]
        for t in self._threads:
            t.start()

    def _read_stream(self):
        while True:
            chunk = self.proc.stdout.read1(65536)
            if not chunk:
                return
            self.raw += chunk

    def _read_events(self):
        for line in self.proc.stderr:
            try:
                self.events.append(json.loads(line))
            except ValueError:
                self.events.append({"event": "stderr", "text": line.decode(errors="replace")})

    def event(self, name, timeout=20):
        wait_for(lambda: any(e["event"] == name for e in self.events) or self.proc.poll() is not None,
                 timeout, f"client event {name}")
        for t in self._threads[1:]:
            if self.proc.poll() is not None:
                t.join(5)
        found = [e for e in self.events if e["event"] == name]
        if not found:
            raise AssertionError(f"no {name} event; client said {self.events}\nbus log:\n{BUS.log()[-3000:]}")
        return found[-1]

    def wait_ready(self):
        self.event("started")
        wait_for(lambda: records.ready_in(self.raw), 20, "the Ready record")

    def send(self, line):
        self.proc.stdin.write(line.encode() + b"\n")
        self.proc.stdin.flush()

    def finish(self, timeout=30):
        try:
            self.proc.stdin.close()
        except BrokenPipeError:
            pass
        self.proc.wait(timeout)
        for t in self._threads:
            t.join(5)
        return records.Stream(self.raw)


class GatedCurl:
    """curl held at `read` in a shell until go(): its pid is known before it runs."""

    def __init__(self, path, extra=()):
        self.proc = subprocess.Popen(["/bin/sh", "-c", 'read x; exec "$@"', "sh", CURL, "-s", "--http1.1",
                                      *extra, url(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.pid = self.proc.pid

    def go(self):
        self.proc.stdin.write(b"go\n")
        self.proc.stdin.close()
        out = self.proc.stdout.read()
        assert self.proc.wait(20) == 0, "curl failed"
        return out


def helper_links():
    pid = BUS.owner_pid(fixture.SERVICE)
    return {i for i, pids in fixture.bpf_links().items() if pid and pid in pids}, pid


class ServiceTest(unittest.TestCase):

    def capture_one(self, user, path, client_env=None):
        curl = GatedCurl(path)
        client = Client(user, "capture", str(curl.pid), env=client_env)
        client.wait_ready()
        body = curl.go()
        # The response is read by curl before it exits; give the ring buffer a moment.
        wait_for(lambda: path.encode() in records.Stream(client.raw).bytes_of(curl.pid), 10, "the request")
        wait_for(lambda: body and body in records.Stream(client.raw).bytes_of(curl.pid), 10, "the response")
        client.send("stop")
        stream = client.finish()
        return curl, body, stream

    def test_authorized_capture_streams_traffic(self):
        curl, body, stream = self.capture_one(ALLOWED, "/hello")
        self.assertEqual(body, httpserver.HELLO_BODY)
        self.assertEqual(stream.types()[0], records.STREAM_START)
        self.assertEqual(stream.types()[-1], records.STREAM_END)
        self.assertIn(records.READY, stream.types())
        sent = stream.bytes_of(curl.pid, direction=0)
        received = stream.bytes_of(curl.pid, direction=1)
        self.assertTrue(sent.startswith(b"GET /hello HTTP/1.1\r\n"), sent[:200])
        self.assertIn(b"HTTP/1.0 200 OK\r\n" if received.startswith(b"HTTP/1.0") else b"HTTP/1.1 200 OK\r\n", received)
        self.assertTrue(received.endswith(httpserver.HELLO_BODY), received[-200:])
        self.assertEqual(stream.pids(), {curl.pid})

    def test_unauthorized_gets_access_denied_and_no_probes(self):
        target = subprocess.Popen(["sleep", "30"])
        try:
            client = Client(DENIED, "capture", str(target.pid))
            error = client.event("error")
            client.finish()
            self.assertEqual(client.proc.returncode, 3)
            self.assertEqual(error["name"], "org.freedesktop.DBus.Error.AccessDenied")
            self.assertIn("Not authorized to capture traffic of other processes (polkit action org.httptap.capture)",
                          error["message"])
            self.assertEqual(client.raw, b"")
            links, pid = helper_links()
            self.assertEqual(links, set(), "the helper attached probes for a refused caller")
            self.assertIsNotNone(pid, "the helper was not activated")
            # Refused for every method, not only StartCapture.
            for args in (["list"], ["command", "/bin/true"]):
                client = Client(DENIED, *args)
                self.assertEqual(client.event("error")["name"], "org.freedesktop.DBus.Error.AccessDenied")
                client.finish()
        finally:
            target.kill()
            target.wait()


if __name__ == "__main__":
    unittest.main()
