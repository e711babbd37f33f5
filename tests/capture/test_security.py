# SPDX-License-Identifier: GPL-2.0-or-later
"""Hostile bytes and captured secrets at httptap-record's edges (issue 7): names and headers
with terminal escapes never reach stderr raw, JSONL escapes them, capture files are 0600
whatever the umask, and nothing captured is left in a temporary file.
"""

import json
import os
import shutil
import socket
import stat
import struct
import subprocess
import tempfile

import harness
from harness import CaptureTestCase

# ESC [ 31m (colour), OSC 0 (window title) ended by BEL, CSI 2J as a C1 control (U+009B).
EVIL = "\x1b[31mred\x1b]0;pwned\x07\u009b2J"
RAW_CONTROLS = [b"\x1b", b"\x07", b"\xc2\x9b", b"\x9b"]


def run_record(argv, env=None, umask=None):
    def child():
        if umask is not None:
            os.umask(umask)
    proc = subprocess.run([harness.record_binary(), *argv], capture_output=True, timeout=60, stdin=subprocess.DEVNULL,
                          env=env or harness.clean_env(), preexec_fn=child)
    return proc


class SecurityTests(CaptureTestCase):
    def setUp(self):
        self.server = harness.PythonServer()
        self.addCleanup(self.server.stop)
        self.dir = tempfile.mkdtemp(prefix="httptap-security-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def test_escapes_never_reach_the_terminal(self):
        # A traced program whose name and path carry escape sequences (the exec event and the
        # process name are printed with -v), sending a header and a URL that carry them too.
        evil_dir = os.path.join(self.dir, "bin" + EVIL)
        os.makedirs(evil_dir)
        evil_python = os.path.join(evil_dir, "py" + EVIL)
        os.symlink(harness.PYTHON, evil_python)
        code = ("import socket,sys;s=socket.create_connection(('127.0.0.1',%d));"
                "s.sendall(b'GET /hello?\\x1b[2J HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nX-Evil: \\x1b]0;pwned\\x07\\xc2\\x9b2J\\r\\n"
                "Connection: close\\r\\n\\r\\n');"
                "d=b''\nwhile True:\n c=s.recv(65536)\n if not c: break\n d+=c") % self.server.port
        out = os.path.join(self.dir, "out.jsonl")
        proc = run_record(["-v", "-o", out, "--", evil_python, "-c", code])
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn(b"runs", proc.stderr)  # -v did print the process events
        self.assertIn(b"bin\\x1b[31mred\\x1b]0;pwned\\x07\\u009b2J", proc.stderr)  # escaped, still readable
        for control in RAW_CONTROLS:
            self.assertNotIn(control, proc.stderr, proc.stderr)
        with open(out, "rb") as f:
            data = f.read()
        for control in RAW_CONTROLS:
            self.assertNotIn(control, data, "JSONL carries a raw control byte")
        self.assertIn(b"\\u001b", data)  # escaped, not dropped

    def test_capture_files_are_private(self):
        out, raw = os.path.join(self.dir, "out.jsonl"), os.path.join(self.dir, "raw.httptap")
        proc = run_record(["-o", out, "--raw", raw, "--", harness.CURL, "-s", self.server.url("/hello")], umask=0)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        for path in (out, raw):
            self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600, path)
            self.assertGreater(os.path.getsize(path), 0, path)

    def test_existing_capture_file_is_narrowed(self):
        out = os.path.join(self.dir, "out.jsonl")
        with open(out, "w") as f:
            f.write("old")
        os.chmod(out, 0o644)
        proc = run_record(["-o", out, "--", harness.CURL, "-s", self.server.url("/hello")])
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(stat.S_IMODE(os.stat(out).st_mode), 0o600)

    def test_stdout_device_keeps_its_mode(self):
        # -o /dev/stdout: a pipe here; chmod would have failed or changed someone else's object.
        proc = run_record(["-o", "/dev/stdout", "--", harness.CURL, "-s", self.server.url("/hello")])
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn(b'"status":200', proc.stdout.replace(b" ", b""))

    def test_no_temporary_files(self):
        tmp = os.path.join(self.dir, "tmp")
        os.makedirs(tmp)
        env = harness.clean_env()
        env["TMPDIR"] = tmp
        out = os.path.join(self.dir, "out.jsonl")
        proc = run_record(["-o", out, "--", harness.CURL, "-s", self.server.url("/hello")], env=env)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(os.listdir(tmp), [])

    def test_corrupt_capture_file_keeps_earlier_flows(self):
        # Two exchanges on two connections, saved with --raw; then the size field of a record
        # after the first exchange is made absurd. --read names the problem and still writes the
        # flow that came before it.
        raw = os.path.join(self.dir, "raw.httptap")
        proc = run_record(["-o", os.path.join(self.dir, "live.jsonl"), "--raw", raw, "--",
                           harness.CURL, "-s", "--http1.1", "-H", "Connection: close", "-o", "/dev/null",
                           self.server.url("/hello"), "--next", "-s", "--http1.1", "-o", "/dev/null",
                           self.server.url("/chunked")])
        self.assertEqual(proc.returncode, 0, proc.stderr)
        with open(raw, "rb") as f:
            data = bytearray(f.read())
        pos, conns, target = struct.unpack_from("<H", data, 10)[0], set(), None
        while pos + 8 <= len(data):
            size, rtype = struct.unpack_from("<IH", data, pos)
            if rtype == 2:  # Data: the first record of the second connection is the one to break
                conns.add(struct.unpack_from("<Q", data, pos + 16)[0])
                if len(conns) == 2:
                    target = pos
                    break
            pos += size
        self.assertIsNotNone(target, "the capture has no second connection")
        struct.pack_into("<I", data, target, 0xFFFFFFF0)
        broken = os.path.join(self.dir, "broken.httptap")
        with open(broken, "wb") as f:
            f.write(data)
        proc = subprocess.run([harness.record_binary(), "--read", broken], capture_output=True, timeout=30,
                              env=harness.clean_env())
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.assertIn(b"is not a readable httptap capture", proc.stderr)
        self.assertIn(b"record size", proc.stderr.lower())
        urls = [json.loads(line)["url"] for line in proc.stdout.splitlines() if line.strip()]
        self.assertIn(self.server.url("/hello"), urls, proc.stdout)


if __name__ == "__main__":
    harness.unittest.main()
