#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""End to end through the real window: under Xvfb (xvfb-run, QT_QPA_PLATFORM=xcb)
`httptap --capture-command "curl …"` launches curl under capture (as root: the
helper in direct mode, as LiveCapture does), against a local Python
http.server; when curl has exited the window takes a screenshot of itself from
the X display, writes its table (one JSON object per visible row, keyed by
column title) and quits. The row must say exactly GET /hello.txt 200 with the
body's size; the screenshot must be a real, non-blank image of the window.

usage: app_end_to_end.py HTTPTAP_BINARY OUTPUT_DIR
Fails, never skips, without root, BPF or a display server."""

import json
import os
import struct
import subprocess
import sys
import tempfile
import zlib

BODY = b"hello from httptap, end to end\n"


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def png_facts(path):
    """(width, height, distinct byte values of the decoded scanlines)."""
    with open(path, "rb") as f:
        data = f.read()
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        fail(path + " is not a PNG")
    pos, idat, width, height = 8, b"", 0, 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", chunk[:8])
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    return width, height, len(set(zlib.decompress(idat)))


def main():
    if len(sys.argv) != 3:
        fail(__doc__)
    app, out_dir = sys.argv[1], sys.argv[2]
    if os.geteuid() != 0:
        fail("the end-to-end capture needs root (the helper in direct mode)")
    if not os.environ.get("DISPLAY"):
        fail("no X display: run under xvfb-run")
    with tempfile.TemporaryDirectory() as tmp:
        root = os.path.join(tmp, "www")
        os.mkdir(root)
        with open(os.path.join(root, "hello.txt"), "wb") as f:
            f.write(BODY)
        server = subprocess.Popen(["/usr/bin/python3", "-u", "-m", "http.server", "0", "--bind", "127.0.0.1",
                                   "--directory", root], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        try:
            banner = server.stdout.readline().decode()  # "Serving HTTP on 127.0.0.1 port N (…) ..."
            if " port " not in banner:
                fail("http.server said: " + banner)
            port = int(banner.split(" port ")[1].split()[0])
            table = os.path.join(tmp, "table.jsonl")
            shot = os.path.join(out_dir, "app_end_to_end.png")
            if os.path.exists(shot):
                os.remove(shot)
            env = dict(os.environ, QT_QPA_PLATFORM="xcb", XDG_CONFIG_HOME=os.path.join(tmp, "config"))
            url = "http://127.0.0.1:%d/hello.txt" % port
            run = subprocess.run([app, "--capture-command", "curl -s -o /dev/null " + url,
                                  "--dump-table-on-exit", table, "--screenshot", shot, "--quit-when-capture-ends"],
                                 env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=150)
            output = run.stdout.decode(errors="replace")
            if run.returncode != 0:
                fail("httptap exited with %d:\n%s" % (run.returncode, output))
            with open(table) as f:
                rows = [json.loads(line) for line in f if line.strip()]
            print("table:", json.dumps(rows, indent=1))
            if len(rows) != 1:
                fail("expected exactly one row, got %d:\n%s" % (len(rows), output))
            row = rows[0]
            expected = {"Name": "/hello.txt", "Method": "GET", "Status": "200",
                        "Domain": "127.0.0.1", "Size": "%d B" % len(BODY),
                        "Protocol": "HTTP/1.1", "Remote address": "127.0.0.1:%d" % port}
            for column, value in expected.items():
                if row.get(column) != value:
                    fail("column %s is %r, expected %r" % (column, row.get(column), value))
            if not row.get("Process", "").startswith("curl ("):
                fail("column Process is %r, expected curl (PID)" % row.get("Process"))
            width, height, distinct = png_facts(shot)
            print("screenshot: %s %dx%d, %d distinct byte values" % (shot, width, height, distinct))
            if width < 800 or height < 500:
                fail("the screenshot is %dx%d, smaller than the window" % (width, height))
            if distinct < 16:
                fail("the screenshot is blank")
        finally:
            server.kill()
            server.wait()
    print("ok")


if __name__ == "__main__":
    main()
