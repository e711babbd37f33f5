# SPDX-License-Identifier: GPL-2.0-or-later
"""Real-kernel capture tests: the initiator stack of each request (issue 12).

A C client built here with frame pointers (tests/clients/c/initiator.c: main ->
fetch_user -> send_request -> write) makes two requests on one keep-alive
connection under `httptap-record`. Each request's `initiator` must name that
thread and, frame by frame, the client's functions: the test maps every frame
in the client's file to a function on its own (the frame's file offset to a
virtual address through the program headers `readelf` lists, then the symbol
`nm` says covers it), independently of httptap. `--no-stacks` gives none. curl
over TLS (Debian's libssl has no frame pointers) gets a stack whose first
frame is in libssl and that says it is partial. A Go client over TLS (Go keeps
frame pointers) gets its whole goroutine stack, from crypto/tls Write to
runtime.goexit, named by httptap-record from the binary's symbols.

    /usr/bin/python3 -m unittest -v test_stacks.StackTests.test_c_client_frames
"""

import os
import subprocess

import harness
from harness import CaptureTestCase, curl, record

SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "clients", "c", "initiator.c")
_built = None


def build_client():
    """The initiator client, compiled once per test process into its work directory."""
    global _built
    if _built is None:
        output = os.path.join(harness.scratch("c"), "initiator")
        argv = ["cc", "-O0", "-g", "-fno-omit-frame-pointer", "-o", output, SOURCE]
        proc = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=120)
        if proc.returncode != 0:
            raise AssertionError(f"{' '.join(argv)} failed:\n{proc.stderr.decode(errors='replace')}")
        _built = output
    return _built


class ElfFunctions:
    """File offset -> function name for one ELF file, from `readelf -lW` and `nm`."""

    def __init__(self, path):
        self.loads = []  # (file offset, virtual address, file size) of each PT_LOAD
        for line in subprocess.run(["readelf", "-lW", path], capture_output=True, text=True,
                                   check=True).stdout.splitlines():
            fields = line.split()
            if fields and fields[0] == "LOAD":
                self.loads.append((int(fields[1], 16), int(fields[2], 16), int(fields[4], 16)))
        self.symbols = []  # (start, size, name) of defined functions
        for line in subprocess.run(["nm", "-S", "--defined-only", path], capture_output=True, text=True,
                                   check=True).stdout.splitlines():
            fields = line.split()
            if len(fields) == 4 and fields[2] in ("T", "t"):
                self.symbols.append((int(fields[0], 16), int(fields[1], 16), fields[3]))

    def function_at(self, offset):
        for file_offset, vaddr, size in self.loads:
            if file_offset <= offset < file_offset + size:
                address = vaddr + offset - file_offset
                for start, length, name in self.symbols:
                    if start <= address < start + length:
                        return name
        return None


class StackTests(CaptureTestCase):

    @classmethod
    def setUpClass(cls):
        cls.server = harness.PythonServer()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def capture_client(self, options=()):
        client = build_client()
        capture = record([client, str(self.server.port), "/k/1", "/k/2"], options)
        self.assertRecorded(capture, 2)
        first = capture.one("GET", self.server.url("/k/1"))
        second = capture.one("GET", self.server.url("/k/2"))
        self.assertEqual(first["conn_id"], second["conn_id"], capture.describe())
        return client, capture, first, second

    def named_frames(self, client, stack):
        """The client's function for each frame in its file; '<module basename>' for the others."""
        functions = ElfFunctions(client)
        names = []
        for frame in stack["frames"]:
            if os.path.realpath(frame["module"]) == os.path.realpath(client):
                names.append(functions.function_at(frame["offset"]))
            else:
                names.append("<" + os.path.basename(frame["module"]) + ">")
        return names

    def test_c_client_frames(self):
        client, capture, first, second = self.capture_client()
        for flow in (first, second):
            stack = flow["initiator"]
            self.assertIsNotNone(stack, capture.describe())
            self.assertEqual(stack["tid"], flow["tid"])
            self.assertEqual(stack["thread"], "initiator")
            names = self.named_frames(client, stack)
            # write() in libc, then the chain the client was built with, then libc's start routine.
            self.assertTrue(names[0].startswith("<libc.so"), names)
            self.assertEqual(names[1:4], ["send_request", "fetch_user", "main"], names)
            self.assertTrue(names[4].startswith("<libc.so"), names)
            self.assertEqual(len(names), 5, names)
            self.assertFalse(stack["partial"], stack)
            for frame, name in zip(stack["frames"], names):
                self.assertRegex(frame["address"], r"^0x[0-9a-f]+$")
                # httptap-record names frames too (core/symbols); where it does, it must agree.
                if "symbol" in frame and not name.startswith("<"):
                    self.assertEqual(frame["symbol"], name, stack)
        # Each request has its own stack: taken at its own write.
        self.assertLess(first["initiator"]["time"], second["initiator"]["time"])
        self.assertLessEqual(first["start_time"], first["initiator"]["time"])

    def test_no_stacks(self):
        _, capture, first, second = self.capture_client(["--no-stacks"])
        self.assertIsNone(first["initiator"], capture.describe())
        self.assertIsNone(second["initiator"], capture.describe())

    def test_curl_tls_partial(self):
        nginx = harness.Nginx()
        try:
            url = nginx.https("/hello")
            capture = record(curl("--http1.1", "-k", url))
        finally:
            nginx.stop()
        self.assertRecorded(capture, 1)
        flow = capture.one("GET", url)
        stack = flow["initiator"]
        self.assertIsNotNone(stack, capture.describe())
        self.assertEqual(flow["tls"], "openssl")
        self.assertTrue(os.path.basename(stack["frames"][0]["module"]).startswith("libssl.so"), stack)
        # Debian's libssl and curl are built without frame pointers: the walk cannot be whole.
        self.assertTrue(stack["partial"], stack)
        self.assertEqual(stack["thread"], "curl")

    def test_go_tls_whole(self):
        from test_go_capture import go_build  # builds with the Go toolchain, offline
        client = go_build("client")
        nginx = harness.Nginx()
        try:
            urls = [nginx.https("/hello"), nginx.https("/hello?again=1")]
            capture = record([client, *urls])
        finally:
            nginx.stop()
        self.assertRecorded(capture, 2)
        for url in urls:
            stack = capture.one("GET", url)["initiator"]
            self.assertIsNotNone(stack, capture.describe())
            symbols = [frame.get("symbol") for frame in stack["frames"]]
            self.assertEqual(symbols[0], "crypto/tls.(*Conn).Write", symbols)
            self.assertIn("net/http.(*persistConn).writeLoop", symbols)
            self.assertEqual(symbols[-1], "runtime.goexit", symbols)
            self.assertEqual({os.path.realpath(f["module"]) for f in stack["frames"]}, {os.path.realpath(client)})
            self.assertFalse(stack["partial"], stack)
