#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""httptap-helper as a system D-Bus service, on a private system bus with a
real polkitd (fixture.py), called by unprivileged test users.

Every test method is its own ctest entry (dbus.<Class>.<test>); they run as
root, one at a time, and fail rather than skip.
"""

import base64
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
    return (fixture.links_held_by(pid) if pid else set()), pid


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
        # Initiator stacks are on by default: curl's request has its stack, after its process's mappings.
        types = stream.types()
        self.assertIn(records.STACK, types)
        self.assertIn(records.MODULE_MAP, types)
        self.assertLess(types.index(records.MODULE_MAP), types.index(records.STACK))

    def test_stacks_option_off(self):
        curl, body, stream = self.capture_one(ALLOWED, "/hello", {"CLIENT_OPTIONS": "{'stacks': False}"})
        self.assertEqual(body, httpserver.HELLO_BODY)
        self.assertIn(records.DATA, stream.types())
        self.assertNotIn(records.STACK, stream.types())
        self.assertNotIn(records.MODULE_MAP, stream.types())

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

    def test_dbus_monitor_sees_no_payload(self):
        token = "payload-%d" % time.monotonic_ns()
        monitor = subprocess.Popen(["dbus-monitor", "--address", BUS.address], stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT)
        try:
            time.sleep(0.3)  # BecomeMonitor before the first call
            curl, body, stream = self.capture_one(ALLOWED, "/echo?" + token)
        finally:
            time.sleep(0.3)
            monitor.terminate()
            seen = monitor.communicate(timeout=10)[0]
        self.assertIn(token.encode(), stream.bytes_of(curl.pid), "the capture itself saw the traffic")
        self.assertIn(b"member=StartCapture", seen, "the monitor saw the bus traffic")
        self.assertIn(b"file descriptor", seen, "the monitor saw the reply carrying the stream fd")
        self.assertNotIn(token.encode(), seen)
        self.assertNotIn(b"GET /echo", seen)

    def assert_detached_within_a_second(self, hang_up):
        target = subprocess.Popen(["sleep", "30"])
        try:
            client = Client(ALLOWED, "capture", str(target.pid))
            client.wait_ready()
            links, pid = helper_links()
            self.assertTrue(links, "no probes attached for the capture")
            start = time.monotonic()
            hang_up(client)
            wait_for(lambda: not (links & set(fixture.bpf_links())), 5, "the probes to go")
            elapsed = time.monotonic() - start
            print(f"probes detached {elapsed * 1000:.0f} ms after the client hung up", file=sys.stderr)
            self.assertLess(elapsed, 1.0)
            self.assertEqual(BUS.owner_pid(fixture.SERVICE), pid, "the helper itself kept running")
            client.proc.kill()
            client.finish()
        finally:
            target.kill()
            target.wait()

    def test_killed_client_detaches_within_a_second(self):
        self.assert_detached_within_a_second(lambda client: client.proc.kill())

    def test_closed_stream_detaches_within_a_second(self):
        def close(client):
            client.send("close")
            client.event("reply")
        self.assert_detached_within_a_second(close)

    def test_two_clients_see_only_their_own_traffic(self):
        one, two = GatedCurl("/k/1"), GatedCurl("/k/2")
        a = Client(ALLOWED, "capture", str(one.pid))
        b = Client(ALLOWED, "capture", str(two.pid))
        a.wait_ready()
        b.wait_ready()
        self.assertNotEqual(a.event("started")["capture_id"], b.event("started")["capture_id"])
        body_one, body_two = one.go(), two.go()
        self.assertEqual((body_one, body_two), (b"keep-alive body 1\n", b"keep-alive body 2\n"))
        for client, body in ((a, body_one), (b, body_two)):
            wait_for(lambda: body in records.Stream(client.raw).bytes_of(), 10, "the response")
            client.send("stop")
        sa, sb = a.finish(), b.finish()
        self.assertEqual(sa.pids(), {one.pid})
        self.assertEqual(sb.pids(), {two.pid})
        self.assertNotIn(b"/k/2", sa.raw)
        self.assertNotIn(b"/k/1", sb.raw)
        # Neither may steer the other's capture.
        sleeper = subprocess.Popen(["sleep", "30"])
        c = Client(ALLOWED, "capture", str(sleeper.pid))
        c.wait_ready()
        d = Client(ALLOWED, "capture", str(sleeper.pid))
        d.wait_ready()
        d.send("stop-other " + c.event("started")["capture_id"])
        error = d.event("error")
        self.assertEqual(error["name"], "org.freedesktop.DBus.Error.AccessDenied")
        self.assertIn("started by another client", error["message"])
        for client in (c, d):
            client.send("stop")
            client.finish()
        sleeper.kill()
        sleeper.wait()

    def test_start_command_runs_as_the_caller(self):
        uid = BUS.users[ALLOWED].pw_uid
        client = Client(ALLOWED, "command", "/bin/sh", "-c",
                        f"id -u; id -g; pwd; echo $HOME; {CURL} -s --http1.1 {url('/hello')}")
        started = client.event("started")
        stream = client.finish()
        self.assertEqual(client.proc.returncode, 0, client.events)
        output = client.event("output")["text"].splitlines()
        self.assertEqual(output[:4], [str(uid), str(BUS.users[ALLOWED].pw_gid), "/", "/nonexistent"])
        self.assertEqual(output[4], httpserver.HELLO_BODY.decode().strip())
        self.assertTrue(stream.types().index(records.READY) < stream.types().index(records.PROCESS),
                        "the command ran before capture was ready")
        self.assertIn(b"GET /hello HTTP/1.1", stream.bytes_of(direction=0))
        self.assertTrue(stream.bytes_of(direction=1).endswith(httpserver.HELLO_BODY))
        self.assertNotIn(started["pid"], [0, os.getpid()])
        self.assertEqual(stream.types()[-1], records.STREAM_END, "the stream ends when the command has exited")

    def test_refused_arguments(self):
        target = subprocess.Popen(["sleep", "30"])
        cases = [
            ("capture", [], None, "pids is required"),
            ("capture", ["0"], None, "not a valid process id"),
            ("capture", ["4194305"], None, "not a valid process id"),
            ("capture", [str(target.pid)] * 1025, None, "between 1 and 1024"),
            ("capture", [str(target.pid)], "{'pids': dbus.Array([], signature='u')}", "between 1 and 1024"),
            ("capture", [str(target.pid)], "{'follow_forks': 'yes'}", "follow_forks must be a boolean"),
            ("capture", [str(target.pid)], "{'timing': dbus.UInt32(0)}", "timing must be a boolean"),
            ("capture", [str(target.pid)], "{'stacks': 'no'}", "stacks must be a boolean"),
            ("capture", [str(target.pid)], "{'max_call_bytes': dbus.UInt64(1)}", "max_call_bytes must be"),
            ("capture", [str(target.pid)], "{'max_call_bytes': dbus.Int32(4096)}", "max_call_bytes must be"),
            ("capture", [str(target.pid)], "{'pids': dbus.Array([1], signature='i')}", "array of uint32"),
            ("capture", [str(target.pid)], "{'user': 'root'}", "unknown option 'user'"),
            ("command", [""], None, "non-empty name"),
            ("command", ["/bin/true"], "['/bin/true', 'x' * 300000]", "longer than"),
            ("command", ["/bin/true"], "['x'] * 5000", "between 1 and 4096 arguments"),
        ]
        try:
            for method, args, options, message in cases:
                with self.subTest(method=method, message=message):
                    env = {("CLIENT_ARGV" if method == "command" else "CLIENT_OPTIONS"): options} if options else None
                    client = Client(ALLOWED, method, *args, env=env)
                    error = client.event("error")
                    client.finish()
                    self.assertEqual(error["name"], "org.freedesktop.DBus.Error.InvalidArgs", error)
                    self.assertIn(message, error["message"])
            links, _ = helper_links()
            self.assertEqual(links, set())
            # A command that cannot run is an error, not a capture.
            client = Client(ALLOWED, "command", "/nonexistent/program")
            error = client.event("error")
            client.finish()
            self.assertEqual(error["name"], "org.httptap.Helper1.Error.Failed")
            self.assertIn("No such file or directory", error["message"])
        finally:
            target.kill()
            target.wait()

    def test_list_processes(self):
        target = subprocess.Popen(["sleep", "31"])
        try:
            client = Client(ALLOWED, "list")
            rows = client.event("processes")["rows"]
            client.finish()
            mine = [r for r in rows if r[0] == target.pid]
            self.assertEqual(len(mine), 1, rows[:5])
            pid, ppid, uid, user, name, cmdline, exe, tls, capturable = mine[0]
            self.assertEqual((ppid, uid, user, name, cmdline), (os.getpid(), 0, "root", "sleep", "sleep 31"))
            self.assertEqual(exe, os.path.realpath("/usr/bin/sleep"))
        finally:
            target.kill()
            target.wait()

    def test_exits_when_idle(self):
        client = Client(ALLOWED, "list")
        client.event("processes")
        client.finish()
        self.assertTrue(BUS.has_owner(fixture.SERVICE))
        wait_for(lambda: not BUS.has_owner(fixture.SERVICE), 5, "the idle helper to exit (idle 1.5 s)")

    def record_via_dbus(self, user, *command):
        return subprocess.run(BUS.as_user(user) + [fixture.record_binary(), "--via", "dbus", "--", *command],
                              env=BUS.env(), cwd="/", capture_output=True, timeout=60)

    def test_record_via_dbus_assembles_the_flow(self):
        """httptap-record as an unprivileged user: the service runs the command as
        that user, core turns the stream into the exact flow."""
        run = self.record_via_dbus(ALLOWED, CURL, "-s", "--http1.1", "-o", "/dev/null", url("/hello"))
        self.assertEqual(run.returncode, 0, run.stderr.decode())
        flows = [json.loads(line) for line in run.stdout.splitlines()]
        self.assertEqual(len(flows), 1, run.stdout)
        flow = flows[0]
        self.assertEqual(flow["url"], url("/hello"))
        self.assertEqual(flow["request"]["method"], "GET")
        self.assertEqual(flow["response"]["status"], 200)
        self.assertEqual(base64.b64decode(flow["response"]["body"]), httpserver.HELLO_BODY)
        self.assertEqual(flow["process"], "curl")
        # The command's exit status comes back through the stream.
        run = self.record_via_dbus(ALLOWED, "/bin/sh", "-c", "exit 7")
        self.assertEqual(run.returncode, 7, run.stderr.decode())

    def test_record_via_dbus_refused(self):
        run = self.record_via_dbus(DENIED, "/bin/true")
        self.assertEqual(run.returncode, 1)
        self.assertIn(b"Not authorized to capture traffic of other processes", run.stderr)
        self.assertEqual(run.stdout, b"")


if __name__ == "__main__":
    unittest.main()
