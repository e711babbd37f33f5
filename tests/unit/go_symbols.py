#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Stripped Go binaries are named through .gopclntab alone (issue 12).

Builds tests/unit/symbolfixture/fetchuser.go with the local Go toolchain and
-ldflags='-s -w' (no .symtab, no DWARF), runs it to learn where main.fetchUser
starts, and asks symbolprobe for that address and for file offsets inside the
function (turned into offsets through the PT_LOAD headers `readelf -lW` lists).

  go_symbols.py SYMBOLPROBE SOURCE_DIR SCRATCH_DIR
"""
import os
import re
import shutil
import subprocess
import sys
import unittest

PROBE, SOURCE, SCRATCH = sys.argv[1:4]
GO = shutil.which("go") or "/usr/bin/go"


def load_segments(path):
    """(offset, vaddr, filesz) of each PT_LOAD, from readelf."""
    out = subprocess.run(["readelf", "-lW", path], check=True, capture_output=True, text=True).stdout
    segments = []
    for line in out.splitlines():
        fields = line.split()
        if fields and fields[0] == "LOAD":
            segments.append((int(fields[1], 16), int(fields[2], 16), int(fields[4], 16)))
    return segments


class GoSymbols(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        os.makedirs(SCRATCH, exist_ok=True)
        env = dict(os.environ, GOCACHE=os.path.join(SCRATCH, "cache"), GOPATH=os.path.join(SCRATCH, "path"),
                   GOPROXY="off", GOFLAGS="", GO111MODULE="off", CGO_ENABLED="0")
        cls.binary = os.path.join(SCRATCH, "fetchuser")
        subprocess.run([GO, "build", "-ldflags=-s -w", "-o", cls.binary,
                        os.path.join(SOURCE, "tests/unit/symbolfixture/fetchuser.go")], check=True, env=env)
        run = subprocess.run([cls.binary], check=True, capture_output=True, text=True).stdout.split()
        cls.entry = int(run[0], 16)
        assert run[1] == "10", run
        cls.version = subprocess.run([GO, "version"], capture_output=True, text=True).stdout.strip()

    def probe(self, mode, value):
        out = subprocess.run([PROBE, self.binary, mode, "%x" % value], capture_output=True, text=True)
        return out.stdout.strip()

    def test_binary_is_stripped(self):
        sections = subprocess.run(["readelf", "-SW", self.binary], check=True, capture_output=True, text=True).stdout
        self.assertNotIn(".symtab", sections)
        self.assertIn(".gopclntab", sections)

    def test_function_entry_by_address(self):
        self.assertEqual(self.probe("--address", self.entry), "main.fetchUser+0x0", self.version)
        self.assertEqual(self.probe("--address", self.entry + 5), "main.fetchUser+0x5")

    def test_frame_file_offset(self):
        # As a captured frame arrives: a file offset in the mapped binary.
        for offset, vaddr, size in load_segments(self.binary):
            if vaddr <= self.entry < vaddr + size:
                file_offset = self.entry - vaddr + offset
                break
        else:
            self.fail("main.fetchUser is in no PT_LOAD segment")
        self.assertEqual(self.probe("--offset", file_offset + 3), "main.fetchUser+0x3")

    def test_runtime_functions_named(self):
        # The runtime's own functions too (what initiatorFrame skips): main.main calls fetchUser.
        out = subprocess.run(["readelf", "-SW", self.binary], check=True, capture_output=True, text=True).stdout
        text = re.search(r"\.text\s+PROGBITS\s+([0-9a-f]+)", out)
        self.assertIsNotNone(text)
        name = self.probe("--address", int(text.group(1), 16))
        self.assertTrue(name.startswith("internal/cpu.") or name.startswith("runtime."), name)

    def test_outside_text_unnamed(self):
        self.assertEqual(self.probe("--address", 0x10), "(none)")


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
