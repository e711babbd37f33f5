#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A cleartext HTTP/2 server that accepts `Upgrade: h2c` from HTTP/1.1 (python3-h2), for the
capture tests: answers every request with BODY and "x-upgraded: yes". Serves until killed.

    h2cupgradeserver.py PORT
"""

import socket
import sys
import threading

import h2.config
import h2.connection
import h2.events

BODY = b"hello after h2c upgrade\n"


def respond(conn, sock, stream_id):
    conn.send_headers(stream_id, [(":status", "200"), ("content-type", "text/plain"),
                                  ("content-length", str(len(BODY))), ("x-upgraded", "yes")])
    conn.send_data(stream_id, BODY, end_stream=True)
    sock.sendall(conn.data_to_send())


def serve_client(sock):
    with sock:
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = sock.recv(65536)
            if not chunk:
                return
            head += chunk
        request, rest = head.split(b"\r\n\r\n", 1)
        settings = next((line.split(b":", 1)[1].strip() for line in request.split(b"\r\n")
                         if line.lower().startswith(b"http2-settings:")), None)
        if settings is None:
            sock.sendall(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
            return
        sock.sendall(b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n")
        conn = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=False))
        conn.initiate_upgrade_connection(settings)
        sock.sendall(conn.data_to_send())
        respond(conn, sock, 1)  # the upgraded request is stream 1
        data = rest
        while True:
            if data:
                for event in conn.receive_data(data):
                    if isinstance(event, h2.events.RequestReceived):
                        respond(conn, sock, event.stream_id)
                    elif isinstance(event, h2.events.ConnectionTerminated):
                        return
                sock.sendall(conn.data_to_send())
            data = sock.recv(65536)
            if not data:
                return


def main(port):
    listener = socket.create_server(("127.0.0.1", port))
    while True:
        sock, _ = listener.accept()
        threading.Thread(target=serve_client, args=(sock,), daemon=True).start()


if __name__ == "__main__":
    main(int(sys.argv[1]))
