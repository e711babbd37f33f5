#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A gRPC peer for the capture tests, with python3-grpcio and no generated code.

    grpcpeer.py serve PORT [CERT KEY]   generic server on 127.0.0.1:PORT (h2c; TLS with CERT and KEY)
    grpcpeer.py unary PORT        /test.Echo/Unary with b"ping" -> b"pong:ping"
    grpcpeer.py stream PORT       /test.Echo/Chat: 3 requests -> 3 replies (bidirectional)
    grpcpeer.py gzip PORT         /test.Echo/Unary with gzip compression both ways
    grpcpeer.py error PORT        /test.Echo/Fail -> status NOT_FOUND, message "no such thing"

Client modes take an optional CERT after PORT: then they speak TLS, trusting CERT for "localhost".
Messages are raw bytes (identity serializers). Client modes print the replies and exit 0.
SIGTERM ends the server cleanly.
"""

import signal
import sys
from concurrent import futures

import grpc

UNARY_REQUEST = b"ping"
CHAT = [b"alpha", b"beta", b"gamma"]
GZIP_REQUEST = b"compress me " * 200


def serve(port, cert=None, key=None):
    def unary(request, context):
        return b"pong:" + request

    def chat(requests, context):
        for r in requests:
            yield b"re:" + r

    def fail(request, context):
        context.abort(grpc.StatusCode.NOT_FOUND, "no such thing")

    handlers = {
        "Unary": grpc.unary_unary_rpc_method_handler(unary),
        "Chat": grpc.stream_stream_rpc_method_handler(chat),
        "Fail": grpc.unary_unary_rpc_method_handler(fail),
    }
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler("test.Echo", handlers),))
    if cert:
        with open(cert, "rb") as c, open(key, "rb") as k:
            credentials = grpc.ssl_server_credentials([(k.read(), c.read())])
        server.add_secure_port(f"127.0.0.1:{port}", credentials)
    else:
        server.add_insecure_port(f"127.0.0.1:{port}")
    server.start()
    signal.signal(signal.SIGTERM, lambda *_: server.stop(0))
    server.wait_for_termination()


def channel_for(port, cert):
    if not cert:
        return grpc.insecure_channel(f"127.0.0.1:{port}")
    with open(cert, "rb") as c:
        credentials = grpc.ssl_channel_credentials(root_certificates=c.read())
    return grpc.secure_channel(f"127.0.0.1:{port}", credentials,
                               options=(("grpc.ssl_target_name_override", "localhost"),))


def client(call, port, cert=None):
    with channel_for(port, cert) as channel:
        grpc.channel_ready_future(channel).result(timeout=10)
        if call == "unary":
            print(channel.unary_unary("/test.Echo/Unary")(UNARY_REQUEST, timeout=10))
        elif call == "gzip":
            print(len(channel.unary_unary("/test.Echo/Unary")(GZIP_REQUEST, timeout=10,
                                                               compression=grpc.Compression.Gzip)))
        elif call == "stream":
            for reply in channel.stream_stream("/test.Echo/Chat")(iter(CHAT), timeout=10):
                print(reply)
        elif call == "error":
            try:
                channel.unary_unary("/test.Echo/Fail")(b"x", timeout=10)
                return 1
            except grpc.RpcError as e:
                print(e.code(), e.details())
        else:
            return 2
    return 0


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4, 5):
        print(__doc__)
        sys.exit(2)
    if sys.argv[1] == "serve":
        serve(int(sys.argv[2]), *sys.argv[3:5])
    else:
        sys.exit(client(sys.argv[1], int(sys.argv[2]), *sys.argv[3:4]))
