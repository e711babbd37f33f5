# SPDX-License-Identifier: GPL-2.0-or-later
"""httptap-record's refusals, as a user meets them: each is one clear line and a non-zero exit."""

import subprocess

import harness
from harness import CaptureTestCase

NOBODY = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def run(argv, prefix=()):
    proc = subprocess.run([*prefix, harness.record_binary(), *argv], capture_output=True, text=True, timeout=60,
                          env=harness.clean_env(), stdin=subprocess.DEVNULL)
    return proc.returncode, proc.stdout, proc.stderr


class CliErrorTests(CaptureTestCase):
    def test_not_root(self):
        # Direct mode is the root-only path; --via auto would go on to the service or pkexec.
        code, out, err = run(["--via", "direct", "--", "/bin/true"], prefix=NOBODY)
        self.assertEqual(code, 1)
        self.assertIn("capturing needs root, because httptap loads eBPF programs into the kernel", err)
        self.assertEqual(out, "")

    def test_command_not_found(self):
        code, out, err = run(["--", "/nonexistent/program"])
        self.assertEqual(code, 1)
        self.assertIn("cannot run the command: No such file or directory", err)

    def test_command_exit_status_is_passed_on(self):
        code, out, err = run(["--", "/bin/sh", "-c", "exit 7"])
        self.assertEqual(code, 7, err)

    def test_usage_error(self):
        code, out, err = run(["--count", "zero", "--", "/bin/true"])
        self.assertEqual(code, 2)
        self.assertIn("--count needs a positive number of flows, not 'zero'", err)
        self.assertIn("Usage: httptap-record", err)

    def test_output_not_writable(self):
        code, out, err = run(["-o", "/nonexistent/dir/out.jsonl", "--", "/bin/true"])
        self.assertEqual(code, 1)
        self.assertIn("cannot write /nonexistent/dir/out.jsonl: No such file or directory", err)

    def test_helper_missing(self):
        env = harness.clean_env()
        env["HTTPTAP_HELPER"] = "/nonexistent/httptap-helper"
        # An explicit but wrong $HTTPTAP_HELPER falls back to the normal places, which exist here.
        proc = subprocess.run([harness.record_binary(), "--", "/bin/true"], capture_output=True, text=True,
                              timeout=60, env=env, stdin=subprocess.DEVNULL)
        self.assertEqual(proc.returncode, 0, proc.stderr)

    def test_list_processes_as_user(self):
        code, out, err = run(["--list-processes"], prefix=NOBODY)
        self.assertEqual(code, 0, err)
        self.assertIn("Run as root to see the TLS libraries of other users' processes.", out)
        self.assertRegex(out.splitlines()[1], r"^ +1 +root +\S+ +unknown +unknown \(no permission\)")
