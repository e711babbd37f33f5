#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Checks resources/httptap-record.service.in, the headless metrics service.

  check_unit.py UNIT_IN

- systemd-analyze verify accepts the unit (as configured at install time) without a warning;
- its ExecStart, run by /bin/sh as systemd would run it ("$$" → "$") with a stand-in for
  httptap-record that records its argv, finds every process named in HTTPTAP_PROCESSES and passes
  --metrics-listen, -o /dev/null, HTTPTAP_RECORD_OPTIONS and one --pid per process;
- with none of them running it exits 1 and says what to set.
"""
import os
import re
import shlex
import subprocess
import sys
import tempfile
import time

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def main(unit_in):
    text = open(unit_in).read()
    with tempfile.TemporaryDirectory(prefix="httptap-unit-") as tmp:
        argv_file = os.path.join(tmp, "argv")
        stand_in = os.path.join(tmp, "httptap-record")
        with open(stand_in, "w") as f:
            f.write(f'#!/bin/sh\nprintf "%s\\n" "$@" > {shlex.quote(argv_file)}\n')
        os.chmod(stand_in, 0o755)
        unit = os.path.join(tmp, "httptap-record.service")
        with open(unit, "w") as f:
            f.write(text.replace("@HTTPTAP_RECORD@", stand_in))

        r = subprocess.run(["systemd-analyze", "verify", unit], capture_output=True, text=True)
        # verify exits 0 on unknown keys and bad values, with a warning: any output is a failure.
        check(r.returncode == 0 and not (r.stdout + r.stderr).strip(), f"systemd-analyze verify: {r.stdout}{r.stderr}")

        m = re.search(r"^ExecStart=(.*)$", text, re.M)
        check(m is not None, "no ExecStart=")
        if not m:
            return
        command = shlex.split(m.group(1).replace("@HTTPTAP_RECORD@", stand_in).replace("$$", "$"))
        check(command[:2] == ["/bin/sh", "-c"], f"ExecStart is not /bin/sh -c: {command}")
        defaults = dict(re.findall(r"^Environment=([A-Z_]+)=(.*)$", text, re.M))
        check(defaults.get("HTTPTAP_METRICS_LISTEN") == "127.0.0.1:9464",
              f"default listen address is not loopback: {defaults}")

        # Two processes with a name no other process has: symlinks to sleep (comm is the link's name).
        name = "httptapunitchk"
        link = os.path.join(tmp, name)
        os.symlink("/bin/sleep", link)
        targets = [subprocess.Popen([link, "60"]) for _ in range(2)]
        try:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:  # until both are visible by name
                found = subprocess.run(["pgrep", "-x", name], capture_output=True, text=True).stdout.split()
                if len(found) == 2:
                    break
                time.sleep(0.05)
            env = dict(os.environ, **{**defaults, "HTTPTAP_PROCESSES": f"{name} nosuchprocessname",
                                         "HTTPTAP_RECORD_OPTIONS": "--filter status>=400 --max-body 1M"})
            r = subprocess.run(command, env=env, capture_output=True, text=True, timeout=30)
            check(r.returncode == 0, f"ExecStart failed: {r.returncode} {r.stderr}")
            got = open(argv_file).read().splitlines() if os.path.exists(argv_file) else []
            pids = sorted(str(p.pid) for p in targets)
            expected = ["--metrics-listen", "127.0.0.1:9464", "-o", "/dev/null", "--filter", "status>=400",
                        "--max-body", "1M"]
            check(got[:len(expected)] == expected, f"recorder argv: {got}")
            rest = got[len(expected):]
            check(rest[0::2] == ["--pid"] * 2 and sorted(rest[1::2]) == pids, f"--pid arguments {rest}, want {pids}")
        finally:
            for t in targets:
                t.kill()
                t.wait()

        os.remove(argv_file)
        env = dict(os.environ, **{**defaults, "HTTPTAP_PROCESSES": "nosuchprocessname"})
        r = subprocess.run(command, env=env, capture_output=True, text=True, timeout=30)
        check(r.returncode == 1 and "none of HTTPTAP_PROCESSES (nosuchprocessname) is running" in r.stderr,
              f"without targets: {r.returncode} {r.stderr}")
        check(not os.path.exists(argv_file), "the recorder ran without a target")


if __name__ == "__main__":
    main(sys.argv[1])
    print(f"{len(failures)} failure(s)" if failures else "all checks passed")
    sys.exit(1 if failures else 0)
