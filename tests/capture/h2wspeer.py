#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""WebSocket over HTTP/2 (RFC 8441: extended CONNECT, `:protocol: websocket`) with python3-h2, for
the capture tests: a cleartext h2 (prior knowledge) echo server and a client that sends MESSAGES
and closes with 1000 "done". The WebSocket frames are written here (RFC 6455; the client masks).

    h2wspeer.py serve PORT
    h2wspeer.py client PORT
"""

import os
import socket
import struct
import sys
import threading

import h2.config
import h2.connection
import h2.events
import h2.settings

TEXT, BINARY, CLOSE = 1, 2, 8
MESSAGES = [(TEXT, "hello over h2 websocket ✓".encode()), (BINARY, bytes(range(256)) * 4)]
CLOSE_PAYLOAD = struct.pack("!H", 1000) + b"done"


def frame(opcode, payload, mask):
    head = bytes([0x80 | opcode])
    bit = 0x80 if mask else 0
    if len(payload) < 126:
        head += bytes([bit | len(payload)])
    elif len(payload) < 65536:
        head += bytes([bit | 126]) + struct.pack("!H", len(payload))
    else:
        head += bytes([bit | 127]) + struct.pack("!Q", len(payload))
    if not mask:
        return head + payload
    key = os.urandom(4)
    return head + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


class FrameParser:
    """Whole frames out of a byte stream: (opcode, unmasked payload)."""

    def __init__(self):
        self.buf = b""

    def feed(self, data):
        self.buf += data
        out = []
        while len(self.buf) >= 2:
            opcode, length, pos = self.buf[0] & 0x0F, self.buf[1] & 0x7F, 2
            masked = self.buf[1] & 0x80
            if length == 126:
                if len(self.buf) < 4:
                    break
                length, pos = struct.unpack("!H", self.buf[2:4])[0], 4
            elif length == 127:
                if len(self.buf) < 10:
                    break
                length, pos = struct.unpack("!Q", self.buf[2:10])[0], 10
            key = b""
            if masked:
                key, pos = self.buf[pos:pos + 4], pos + 4
            if len(self.buf) < pos + length:
                break
            payload = self.buf[pos:pos + length]
            if masked:
                payload = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
            out.append((opcode, payload))
            self.buf = self.buf[pos + length:]
        return out


def serve_client(sock):
    conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False, header_encoding="utf-8"))
    conn.initiate_connection()
    conn.update_settings({h2.settings.SettingCodes.ENABLE_CONNECT_PROTOCOL: 1})
    sock.sendall(conn.data_to_send())
    parsers = {}
    with sock:
        while True:
            data = sock.recv(65536)
            if not data:
                return
            for event in conn.receive_data(data):
                if isinstance(event, h2.events.RequestReceived):
                    headers = dict(event.headers)
                    ok = headers.get(":method") == "CONNECT" and headers.get(":protocol") == "websocket"
                    conn.send_headers(event.stream_id, [(":status", "200" if ok else "400")], end_stream=not ok)
                    parsers[event.stream_id] = FrameParser()
                elif isinstance(event, h2.events.DataReceived):
                    conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                    for opcode, payload in parsers[event.stream_id].feed(event.data):
                        conn.send_data(event.stream_id, frame(opcode, payload, mask=False),
                                       end_stream=opcode == CLOSE)
            sock.sendall(conn.data_to_send())


def serve(port):
    listener = socket.create_server(("127.0.0.1", port))
    while True:
        client, _ = listener.accept()
        threading.Thread(target=serve_client, args=(client,), daemon=True).start()


def client(port):
    sock = socket.create_connection(("127.0.0.1", port), timeout=20)
    conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
    conn.initiate_connection()
    sock.sendall(conn.data_to_send())
    parser, stream, echoed, opened = FrameParser(), None, [], False
    pending = [frame(op, data, mask=True) for op, data in MESSAGES] + [frame(CLOSE, CLOSE_PAYLOAD, mask=True)]
    while True:
        data = sock.recv(65536)
        if not data:
            raise SystemExit("the server closed the connection early")
        for event in conn.receive_data(data):
            if isinstance(event, h2.events.RemoteSettingsChanged) and stream is None \
                    and conn.remote_settings.enable_connect_protocol:
                stream = conn.get_next_available_stream_id()
                conn.send_headers(stream, [(":method", "CONNECT"), (":protocol", "websocket"), (":scheme", "http"),
                                           (":path", "/chat"), (":authority", f"127.0.0.1:{port}"),
                                           ("sec-websocket-version", "13")])
            elif isinstance(event, h2.events.ResponseReceived):
                if dict(event.headers).get(":status") != "200":
                    raise SystemExit(f"refused: {event.headers}")
                opened = True
            elif isinstance(event, h2.events.DataReceived):
                conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                echoed += parser.feed(event.data)
            elif isinstance(event, h2.events.StreamEnded):
                expected = MESSAGES + [(CLOSE, CLOSE_PAYLOAD)]
                if echoed != expected:
                    raise SystemExit(f"echo differs: {echoed!r}")
                conn.close_connection()
                sock.sendall(conn.data_to_send())
                sock.close()
                print("ok")
                return
        # One message at a time, each after the previous echo, so the order on the wire is fixed.
        if opened and pending and len(echoed) == len(MESSAGES) + 1 - len(pending):
            last = len(pending) == 1  # the close frame ends our side of the stream
            conn.send_data(stream, pending.pop(0), end_stream=last)
        sock.sendall(conn.data_to_send())


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(int(sys.argv[2]))
    else:
        client(int(sys.argv[2]))
