#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Checks packaging/flatpak/org.httptap.Httptap.yml without building it.

flatpak-builder --show-manifest parses the manifest as flatpak-builder itself
does (and prints it as JSON); then the module list is checked against the CMake
project: every -D option the httptap module passes exists, the helper is left
out (eBPF cannot run in the sandbox), the llhttp module installs exactly the
files the -D paths name, and the sandbox opens no hole but the helper's bus name.

  check_flatpak.py SOURCE_DIR
"""
import json
import os
import re
import subprocess
import sys
import tempfile

source = sys.argv[1]
manifest_path = os.path.join(source, "packaging/flatpak/org.httptap.Httptap.yml")
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


# flatpak-builder leaves a .flatpak-builder state dir in its working directory.
with tempfile.TemporaryDirectory(prefix="httptap-flatpak-") as tmp:
    r = subprocess.run(["flatpak-builder", "--show-manifest", manifest_path], capture_output=True, text=True, cwd=tmp)
check(r.returncode == 0, f"flatpak-builder --show-manifest failed: {r.stderr}")
manifest = json.loads(r.stdout) if r.returncode == 0 else {}

check(manifest.get("id") == "org.httptap.Httptap", "id is not the desktop file's application id")
check(manifest.get("command") == "httptap", "command is not httptap")
check(manifest.get("runtime") == "org.kde.Platform" and manifest.get("sdk") == "org.kde.Sdk",
      "not built on the KDE runtime")
allowed = {"--socket=wayland", "--socket=fallback-x11", "--share=ipc", "--device=dri",
           "--system-talk-name=org.httptap.Helper1"}
args = set(manifest.get("finish-args", []))
check(args == allowed, f"finish-args differ from the allowed set: extra {sorted(args - allowed)}, "
      f"missing {sorted(allowed - args)}")

modules = {m.get("name"): m for m in manifest.get("modules", []) if isinstance(m, dict)}
check(list(modules) == ["llhttp", "httptap"], f"modules are {list(modules)}, expected llhttp then httptap")
app = modules.get("httptap", {})
check(app.get("buildsystem") in ("cmake", "cmake-ninja"), "httptap is not built with CMake")
dir_sources = [s for s in app.get("sources", []) if s.get("type") == "dir"]
check(len(dir_sources) == 1 and os.path.samefile(
    os.path.join(os.path.dirname(manifest_path), dir_sources[0].get("path", "")), source),
    "the httptap module's dir source is not this source tree")

# Every cache variable the project defines: option(), set(... CACHE), find_path/find_file results.
cmake_text = ""
for d, _, files in os.walk(source):
    rel = os.path.relpath(d, source)
    if rel != "." and any(part.startswith(("build", ".")) for part in rel.split(os.sep)):
        continue
    for f in files:
        if f == "CMakeLists.txt" or f.endswith(".cmake"):
            cmake_text += open(os.path.join(d, f), errors="replace").read()
known = set(re.findall(r"\boption\(\s*(\w+)", cmake_text))
known |= set(re.findall(r"\bset\(\s*(\w+)\s+[^)]*\bCACHE\b", cmake_text))
known |= set(re.findall(r"\bfind_(?:path|file|library|program)\(\s*(\w+)", cmake_text))
opts = {}
for opt in app.get("config-opts", []):
    m = re.fullmatch(r"-D(\w+)(?::\w+)?=(.*)", opt)
    check(m is not None, f"config-opt {opt!r} is not -DNAME=VALUE")
    if m:
        opts[m.group(1)] = m.group(2)
for name in opts:
    check(name.startswith("CMAKE_") or name in known, f"-D{name} is not an option of the CMake project")
check(opts.get("HTTPTAP_BUILD_HELPER") == "OFF", "the Flatpak must build without the helper (-DHTTPTAP_BUILD_HELPER=OFF)")

# The llhttp module must install the files the httptap module points FindLlhttp at.
installed = set()
for cmd in modules.get("llhttp", {}).get("build-commands", []):
    m = re.match(r"install\s+-Dm644\s+-t\s+(\S+)\s+(.*)", cmd)
    if m:
        installed |= {os.path.join(m.group(1), os.path.basename(f)) for f in m.group(2).split()}
for name in ("LLHTTP_SOURCE_LLHTTP", "LLHTTP_SOURCE_API", "LLHTTP_SOURCE_HTTP"):
    check(opts.get(name) in installed, f"-D{name}={opts.get(name)} is not installed by the llhttp module")
check(os.path.join(opts.get("LLHTTP_INCLUDE_DIR", "?"), "llhttp.h") in installed,
      "LLHTTP_INCLUDE_DIR holds no llhttp.h from the llhttp module")

print(f"{len(failures)} failure(s)" if failures else "manifest checks passed")
sys.exit(1 if failures else 0)
