#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A D-Bus client of org.httptap.Helper1 for the tests, run as a test user.

    client.py list
    client.py capture PID...            StartCapture
    client.py command ARGV...           StartCommand (the command's stdout is collected)

Events go to stderr as JSON lines ({"event": "started", ...}, {"event": "error",
"name": ..., "message": ...}, {"event": "reply", ...}); the raw record stream
goes to stdout. While streaming, lines on stdin drive the capture:
"stop", "add PID...", "remove PID...", "stop-other ID" (someone else's capture),
"close" (close the stream's fd but stay on the bus until the next line).
Exit status: 0 after the stream's EOF, 3 on a D-Bus error.
"""

import json
import os
import select
import sys

import dbus

SERVICE = "org.httptap.Helper1"
PATH = "/org/httptap/Helper1"
IFACE = "org.httptap.Helper1"
TIMEOUT = 120


def emit(**fields):
    sys.stderr.write(json.dumps(fields) + "\n")
    sys.stderr.flush()


def call(method, *args):
    try:
        return method(*args, timeout=TIMEOUT)
    except dbus.exceptions.DBusException as e:
        emit(event="error", name=e.get_dbus_name(), message=e.get_dbus_message())
        sys.exit(3)


def stream(helper, fd, capture_id):
    out = sys.stdout.buffer
    stdin_open = True
    while True:
        fds = [fd] + ([sys.stdin] if stdin_open else [])
        ready, _, _ = select.select(fds, [], [])
        if fd in ready:
            data = os.read(fd, 1 << 16)
            if not data:
                out.flush()
                return
            out.write(data)
            out.flush()
        if sys.stdin in ready:
            line = sys.stdin.readline()
            if not line:
                stdin_open = False
                continue
            words = line.split()
            try:
                if words[0] == "stop":
                    helper.Stop(capture_id, timeout=TIMEOUT)
                elif words[0] in ("add", "remove"):
                    pids = dbus.Array([dbus.UInt32(int(w)) for w in words[1:]], signature="u")
                    (helper.AddPids if words[0] == "add" else helper.RemovePids)(capture_id, pids, timeout=TIMEOUT)
                elif words[0] == "close":
                    os.close(fd)  # hang up but stay on the bus
                    emit(event="reply", command="close")
                    sys.stdin.readline()  # until the test lets go
                    return
                elif words[0] == "stop-other":
                    helper.Stop(words[1], timeout=TIMEOUT)
                emit(event="reply", command=words[0])
            except dbus.exceptions.DBusException as e:
                emit(event="error", command=words[0], name=e.get_dbus_name(), message=e.get_dbus_message())


def main():
    bus = dbus.SystemBus()
    helper = dbus.Interface(bus.get_object(SERVICE, PATH), IFACE)
    what = sys.argv[1]
    if what == "list":
        rows = call(helper.ListProcesses)
        emit(event="processes", rows=[[int(r[0]), int(r[1]), int(r[2]), str(r[3]), str(r[4]), str(r[5]), str(r[6]),
                                       str(r[7]), bool(r[8])] for r in rows])
        return 0
    if what == "capture":
        options = {"pids": dbus.Array([dbus.UInt32(int(p)) for p in sys.argv[2:]], signature="u")}
        if not sys.argv[2:]:
            options = {}
        if os.environ.get("CLIENT_OPTIONS"):
            options.update(eval(os.environ["CLIENT_OPTIONS"], {"dbus": dbus}))  # test-provided, trusted
        fd, capture_id = call(helper.StartCapture, dbus.Dictionary(options, signature="sv"))
        emit(event="started", capture_id=str(capture_id), unique_name=bus.get_unique_name())
        stream(helper, fd.take(), str(capture_id))
        return 0
    if what == "command":
        r, w = os.pipe()
        options = {"stdout": dbus.types.UnixFd(w), "stderr": dbus.types.UnixFd(w)}
        argv = eval(os.environ["CLIENT_ARGV"]) if os.environ.get("CLIENT_ARGV") else sys.argv[2:]  # test-provided
        fd, capture_id, pid = call(helper.StartCommand, dbus.Array(argv, signature="s"),
                                   dbus.Dictionary(options, signature="sv"))
        os.close(w)
        for passed in options.values():  # dbus-python keeps a dup of each passed fd
            os.close(passed.take())
        emit(event="started", capture_id=str(capture_id), pid=int(pid), unique_name=bus.get_unique_name())
        stream(helper, fd.take(), str(capture_id))
        output = b""
        while True:
            chunk = os.read(r, 65536)
            if not chunk:
                break
            output += chunk
        emit(event="output", text=output.decode(errors="replace"))
        return 0
    raise SystemExit(f"unknown command {what}")


if __name__ == "__main__":
    sys.exit(main())
