# SPDX-License-Identifier: GPL-2.0-or-later
"""Just enough of the capture record stream (core/record/recordformat.h) to
check what a D-Bus client received: record types, Data payloads by
connection and direction, process events."""

import struct

STREAM_START, DATA, CONN_CLOSE, PROCESS, LOST, NOTICE, LIBRARY, READY, STREAM_END = range(1, 10)
STACK, MODULE_MAP = 12, 13  # initiator stacks (issue 12)
HEADER = 16
DATA_FIXED = 96  # Data body before the payload


class Stream:
    def __init__(self, raw):
        self.raw = raw
        self.records = []  # (type, body)
        if len(raw) >= HEADER:
            assert raw[:8] == b"HTTPTAP\0", raw[:16]
            at = HEADER
            while at + 8 <= len(raw):
                size, rtype = struct.unpack_from("<IH", raw, at)
                if size < 8 or at + size > len(raw):
                    break
                self.records.append((rtype, raw[at + 8:at + size]))
                at += size

    def types(self):
        return [t for t, _ in self.records]

    def has(self, rtype):
        return rtype in self.types()

    def data(self):
        """[(pid, conn_id, direction, offset, payload)]"""
        out = []
        for t, body in self.records:
            if t == DATA:
                _, conn, offset, pid = struct.unpack_from("<QQQI", body, 0)
                direction = body[40]
                out.append((pid, conn, direction, offset, body[DATA_FIXED:]))
        return out

    def pids(self):
        return {d[0] for d in self.data()}

    def bytes_of(self, pid=None, direction=None):
        """Every payload, in order of offset per connection and direction, joined."""
        parts = {}
        for p, conn, d, offset, payload in self.data():
            if (pid is None or p == pid) and (direction is None or d == direction):
                parts.setdefault((conn, d), []).append((offset, payload))
        return b"".join(b"".join(p for _, p in sorted(v)) for _, v in sorted(parts.items()))

    def notices(self):
        return [body[16:].decode(errors="replace") for t, body in self.records if t == NOTICE]


def ready_in(raw):
    return Stream(raw).has(READY)
