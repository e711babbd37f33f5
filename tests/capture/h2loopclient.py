#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""An HTTP/2 client over TLS (python3-h2 on the ssl module, i.e. the shared libssl) that keeps one
connection and sends GET PATH?i=N every INTERVAL seconds, COUNT times, printing "done N" after each
response. For attaching a capture to a connection that is already running.

    h2loopclient.py HOST PORT PATH COUNT INTERVAL
"""

import socket
import ssl
import sys
import time

import h2.config
import h2.connection
import h2.events


def main(host, port, path, count, interval):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.set_alpn_protocols(["h2"])
    sock = ctx.wrap_socket(socket.create_connection((host, port)), server_hostname="localhost")
    conn = h2.connection.H2Connection(config=h2.config.H2Configuration(client_side=True))
    conn.initiate_connection()
    sock.sendall(conn.data_to_send())
    for i in range(count):
        stream = conn.get_next_available_stream_id()
        conn.send_headers(stream, [(":method", "GET"), (":scheme", "https"), (":authority", f"{host}:{port}"),
                                   (":path", f"{path}?i={i}"), ("user-agent", "h2loopclient"),
                                   ("x-session", "same-every-time")], end_stream=True)
        sock.sendall(conn.data_to_send())
        done = False
        while not done:
            data = sock.recv(65536)
            if not data:
                sys.exit(f"connection closed by the server after {i} responses")
            for event in conn.receive_data(data):
                if isinstance(event, h2.events.DataReceived):
                    conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                elif isinstance(event, h2.events.StreamEnded) and event.stream_id == stream:
                    done = True
                elif isinstance(event, (h2.events.ConnectionTerminated, h2.events.StreamReset)):
                    sys.exit(f"server ended the exchange: {event}")
            sock.sendall(conn.data_to_send())
        print(f"done {i}", flush=True)
        time.sleep(interval)
    conn.close_connection()
    sock.sendall(conn.data_to_send())


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), float(sys.argv[5]))
