# SPDX-License-Identifier: GPL-2.0-or-later
"""HTTP/2 peers for the capture tests (see test_http2_capture.py), on top of harness.py.

NginxH2: nginx with HTTP/2 over TLS (ALPN h2) and h2c with prior knowledge, each on
127.0.0.1 and ::1. GrpcServer: grpcpeer.py's generic gRPC server (python3-grpcio, h2c).
Traffic stays on the loopback interface; every wait is bounded.
"""

import os
import shutil
import subprocess
import time

import harness
import nginxconf

HERE = os.path.dirname(os.path.abspath(__file__))
HELLO = b"hello over h2\n"
TEXT = b"".join(b"line %05d of a text that compresses well\n" % i for i in range(4000))
BIG_SIZE = 10 * 1024 * 1024

NGINX_H2_CONF_HTTP = """\
    keepalive_requests 10000;
    http2_max_requests 10000;
    http2_max_concurrent_streams 128;
    ssl_certificate {cert};
    ssl_certificate_key {key};
    server {{
        listen 127.0.0.1:{tls_port} ssl http2;
        listen [::1]:{tls_port} ssl http2;
        listen 127.0.0.1:{h2c_port} http2;
        listen [::1]:{h2c_port} http2;
        root {dir}/www;
        location = /hello {{
            add_header X-Test 1;
            return 200 "hello over h2\\n";
        }}
        location = /trailer {{
            add_trailer X-Trailer done;
            return 200 "with trailer\\n";
        }}
        location /upload/ {{
            dav_methods PUT;
            create_full_put_path on;
            client_max_body_size 10m;
        }}
        location = /text.txt {{
            gzip on;
            gzip_types text/plain;
            gzip_min_length 0;
        }}
        location = /big.bin {{
            default_type application/octet-stream;
        }}
    }}
"""


class NginxH2:
    """nginx speaking HTTP/2: TLS (h2 via ALPN) and cleartext h2c with prior knowledge.

    /hello returns HELLO with "x-test: 1"; /trailer sends "x-trailer: done" as a trailer;
    PUT /upload/NAME stores a body (201); /text.txt is TEXT, gzip-encoded when asked; /big.bin is 10 MiB.
    """

    def __init__(self):
        self.dir = harness.scratch(f"nginx-h2-{time.monotonic_ns()}")
        www = os.path.join(self.dir, "www")
        os.makedirs(www)
        harness.write_file(os.path.join(www, "text.txt"), TEXT)
        self.big = harness.deterministic_bytes(BIG_SIZE, seed=5)
        harness.write_file(os.path.join(www, "big.bin"), self.big)
        cert, key = harness.certificate()
        self.tls_port = harness.free_port()
        self.h2c_port = harness.free_port()
        while self.h2c_port == self.tls_port:
            self.h2c_port = harness.free_port()
        conf = os.path.join(self.dir, "nginx.conf")
        with open(conf, "w") as f:
            f.write(nginxconf.nginx_config(self.dir, NGINX_H2_CONF_HTTP.format(
                dir=self.dir, cert=cert, key=key, tls_port=self.tls_port, h2c_port=self.h2c_port),
                worker_connections=1024))
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        self.process = harness.ManagedProcess([nginx, "-p", self.dir, "-e", os.path.join(self.dir, "error.log"),
                                               "-c", conf], name="nginx-h2")
        for host in ("127.0.0.1", "::1"):
            self.process.wait_port(host, self.tls_port)
            self.process.wait_port(host, self.h2c_port)

    def https(self, path, host="127.0.0.1"):
        return f"https://{harness.url_host(host)}:{self.tls_port}{path}"

    def h2c(self, path, host="127.0.0.1"):
        return f"http://{harness.url_host(host)}:{self.h2c_port}{path}"

    def stop(self):
        self.process.stop()


class GrpcServer:
    """grpcpeer.py serve: a generic gRPC server on 127.0.0.1 (h2c), not traced."""

    def __init__(self):
        self.port = harness.free_port()
        self.process = harness.ManagedProcess([harness.PYTHON, os.path.join(HERE, "grpcpeer.py"), "serve",
                                               str(self.port)], name="grpc-server")
        self.process.wait_port("127.0.0.1", self.port)

    def stop(self):
        self.process.stop()


def grpc_client(port, call):
    """argv for grpcpeer.py's client doing `call` (unary, stream, gzip, error) against port."""
    return [harness.PYTHON, os.path.join(HERE, "grpcpeer.py"), call, str(port)]


def tool(name):
    path = shutil.which(name) or f"/usr/bin/{name}"
    if not os.access(path, os.X_OK):
        raise AssertionError(f"{name} is not installed (Debian package nghttp2-client; ./x setup installs it)")
    return path


def run(argv, timeout=60):
    proc = subprocess.run(argv, env=harness.clean_env(), stdin=subprocess.DEVNULL, capture_output=True,
                          timeout=timeout)
    if proc.returncode != 0:
        raise AssertionError(f"{argv} exited with {proc.returncode}: {proc.stderr.decode(errors='replace')}")
    return proc.stdout
