# SPDX-License-Identifier: GPL-2.0-or-later
"""The coverage doctor: `httptap-record --list-processes` and `--doctor PID` on real processes.

Each target is a real process that maps (or carries) a TLS implementation: Python with the shared
libssl, node with OpenSSL built into its executable, a process that loaded GnuTLS, one that loaded
Mozilla NSS (which httptap cannot read and must say so).
"""

import os
import subprocess

import harness
from harness import CaptureTestCase

NODE = "/usr/bin/node"
SLEEP_PY = "import ctypes, sys, time\nfor lib in sys.argv[1:]: ctypes.CDLL(lib)\nprint('ready', flush=True)\ntime.sleep(60)\n"


def sleeper(*libraries):
    """A Debian Python that loads `libraries` with dlopen and waits; returns the Popen once loaded."""
    proc = subprocess.Popen([harness.PYTHON, "-c", SLEEP_PY, *libraries], stdout=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, env=harness.clean_env(), start_new_session=True)
    assert proc.stdout.readline() == b"ready\n"
    return proc


def doctor(pid):
    proc = subprocess.run([harness.record_binary(), "--doctor", str(pid)], capture_output=True, text=True,
                          timeout=60, env=harness.clean_env())
    return proc.returncode, proc.stdout, proc.stderr


class DoctorTests(CaptureTestCase):
    def setUp(self):
        self.procs = []

    def tearDown(self):
        for p in self.procs:
            try:
                os.killpg(p.pid, 9)  # the whole group: children must not hold ctest's output open
            except ProcessLookupError:
                pass
            p.wait()

    def start(self, proc):
        self.procs.append(proc)
        return proc

    def test_shared_openssl(self):
        proc = self.start(sleeper("libssl.so.3"))
        code, out, err = doctor(proc.pid)
        self.assertEqual(code, 0, err)
        self.assertIn(f"pid {proc.pid} (python3)", out)
        self.assertRegex(out, r"yes +OpenSSL 3\.\d+\.\d+ +/usr/lib/x86_64-linux-gnu/libssl\.so\.3")
        self.assertIn("Plaintext HTTP over TCP sockets: captured", out)

    def test_gnutls(self):
        proc = self.start(sleeper("libgnutls.so.30"))
        code, out, err = doctor(proc.pid)
        self.assertEqual(code, 0, err)
        self.assertRegex(out, r"yes +GnuTLS 3\.\d+\.\d+ +/usr/lib/x86_64-linux-gnu/libgnutls\.so\.30")

    def test_nss_is_reported_as_not_capturable(self):
        proc = self.start(sleeper("libnss3.so"))
        code, out, err = doctor(proc.pid)
        self.assertEqual(code, 0, err)
        self.assertRegex(out, r"NO +NSS +/usr/lib/x86_64-linux-gnu/libnss3\.so")
        self.assertIn("Mozilla NSS is not supported yet", out)

    def test_node_builtin_openssl(self):
        proc = self.start(subprocess.Popen([NODE, "-e", "console.log('ready'); setTimeout(() => {}, 60000)"],
                                           stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, start_new_session=True))
        self.assertEqual(proc.stdout.readline(), b"ready\n")
        code, out, err = doctor(proc.pid)
        self.assertEqual(code, 0, err)
        self.assertRegex(out, r"yes +OpenSSL 3\.\d+\.\d+ \(built in\) +/usr/bin/node")
        self.assertIn("SSL_read/SSL_write probes in the executable", out)

    def test_children_are_listed(self):
        parent = self.start(subprocess.Popen(["/bin/sh", "-c", "sleep 60 & sleep 60 & wait"],
                                             stdin=subprocess.DEVNULL, start_new_session=True))
        harness.wait_for(lambda: len(open(f"/proc/{parent.pid}/task/{parent.pid}/children").read().split()) == 2,
                         10, "two children")
        code, out, err = doctor(parent.pid)
        self.assertEqual(code, 0, err)
        self.assertIn("2 descendant processes, captured too unless --no-follow-forks", out)

    def test_missing_pid(self):
        code, out, err = doctor(999999)
        self.assertEqual(code, 1)
        self.assertIn("no process with pid 999999", err)

    def test_list_processes(self):
        openssl = self.start(sleeper("libssl.so.3"))
        nss = self.start(sleeper("libnss3.so"))
        proc = subprocess.run([harness.record_binary(), "--list-processes"], capture_output=True, text=True,
                              timeout=120, env=harness.clean_env())
        self.assertEqual(proc.returncode, 0, proc.stderr)
        lines = proc.stdout.splitlines()
        self.assertRegex(lines[0], r"^ +PID +USER +NAME +CAPTURE +TLS +COMMAND$")
        rows = {int(line.split()[0]): line for line in lines[1:] if line.strip() and line.split()[0].isdigit()}
        self.assertRegex(rows[openssl.pid], rf"^ *{openssl.pid} +root +python3 +yes +OpenSSL 3\.")
        self.assertRegex(rows[nss.pid], rf"^ *{nss.pid} +root +python3 +partly +NSS \(not capturable\)")
        self.assertIn(os.getpid(), rows)  # this test process itself is listed

    def test_command_line_is_escaped(self):
        # A process can put terminal escape sequences in its command line; they must not reach the terminal.
        proc = self.start(subprocess.Popen([harness.PYTHON, "-c", "print('ready', flush=True); import time; "
                                            "time.sleep(60)", "\x1b]0;pwned\x07"], stdout=subprocess.PIPE,
                                           stdin=subprocess.DEVNULL, start_new_session=True))
        self.assertEqual(proc.stdout.readline(), b"ready\n")
        code, out, err = doctor(proc.pid)
        self.assertIn("\\x1b]0;pwned\\x07", out)
        self.assertNotIn("\x1b", out)
