#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Seed corpora for the fuzz targets, from real captures (run as root, once; the
result is committed under fuzz/corpus/).

Records a few exchanges with `httptap-record --raw` against the capture tests'
peers (HTTP/1 to nginx and Python's http.server incl. chunked, HTTP/2 with curl
and nghttp incl. gzip and trailers, gRPC over h2c), then writes:
  corpus/recordreader/   the raw record streams, plus tests/data/*.httptap
  corpus/flowassembler/  the same streams, and each converted to fuzzops.h's op format; plus
                         WebSocket and Server-Sent Event streams written directly (stream_seeds)
  corpus/http2/          each HTTP/2 direction's bytes (client side with its preface)
  corpus/contentdecoder/ small bodies in gzip, deflate, br and zstd

    sudo /usr/bin/python3 fuzz/makeseeds.py [OUTDIR]
"""

import glob
import gzip
import os
import shutil
import struct
import subprocess
import sys
import zlib

sys.dont_write_bytecode = True  # no __pycache__ in the source tree

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "capture"))
import harness  # noqa: E402
import h2peers  # noqa: E402

MAGIC = b"HTTPTAP\0"
DATA = 2
CLOSE = 3


def records(stream):
    """(type, body) of every record of a capture stream."""
    if not stream.startswith(MAGIC):
        return
    pos = struct.unpack_from("<H", stream, 10)[0]
    while pos + 8 <= len(stream):
        size, rtype = struct.unpack_from("<IH", stream, pos)
        if size < 8 or pos + size > len(stream):
            return
        yield rtype, stream[pos + 8:pos + size]
        pos += size


def to_ops(stream):
    """A capture in fuzzops.h's format: connections numbered in order of appearance (mod 4)."""
    conns, out = {}, bytearray()
    for rtype, body in records(stream):
        if rtype == DATA and len(body) >= 96:
            conn_id, = struct.unpack_from("<Q", body, 8)
            direction, source, _, flags = body[40], body[41], body[42], body[43]
            index = conns.setdefault(conn_id, len(conns) % 4)
            payload = body[96:]
            for at in range(0, max(len(payload), 1), 0xffff):
                piece = payload[at:at + 0xffff]
                c = 0 | direction << 2 | index << 3 | (flags & 1) << 5 | (1 if source else 0) << 6
                out += bytes([c]) + struct.pack("<H", len(piece)) + piece
        elif rtype == CLOSE and len(body) >= 16:
            conn_id, = struct.unpack_from("<Q", body, 8)
            if conn_id in conns:
                out.append(2 | conns[conn_id] << 3)
    return bytes(out)


def h2_directions(stream):
    """Each direction's bytes of connections that carry HTTP/2, client side first."""
    sides = {}
    for rtype, body in records(stream):
        if rtype == DATA and len(body) >= 96:
            conn_id, = struct.unpack_from("<Q", body, 8)
            sides.setdefault((conn_id, body[40]), bytearray()).extend(body[96:])
    found = []
    for (conn_id, direction), data in sides.items():
        if data.startswith(b"PRI * HTTP/2.0"):
            found.append(b"\x03\x00" + bytes(data))  # options: table known, preface expected
            other = sides.get((conn_id, 1 - direction))
            if other:
                found.append(b"\x01\x00" + bytes(other))
    return found


def op(direction, data, conn=0):
    """One fuzzops.h data op: plaintext, connection `conn`, direction 0 (egress) or 1 (ingress)."""
    return bytes([direction << 2 | conn << 3]) + struct.pack("<H", len(data)) + data


def ws_frame(opcode, payload, fin=True, mask=None, rsv1=False):
    head = bytes([(0x80 if fin else 0) | (0x40 if rsv1 else 0) | opcode])
    n = len(payload)
    bit = 0x80 if mask else 0
    head += bytes([bit | n]) if n < 126 else bytes([bit | 126]) + struct.pack(">H", n)
    if not mask:
        return head + payload
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def chunk(data):
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


def stream_seeds(outdir):
    """WebSocket and Server-Sent Event streams in fuzzops.h's op format (issue 11), written directly."""
    key = b"\x37\xfa\x21\x3d"
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    compressed = deflater.compress(b"hello hello hello") + deflater.flush(zlib.Z_SYNC_FLUSH)
    handshake = (b"GET /chat HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
    accept = (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              b"Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n")
    seeds = {
        "ws-deflate.ops": op(0, handshake) + op(1, accept + ws_frame(1, compressed[:-4], rsv1=True))
        + op(0, ws_frame(1, b"frag", fin=False, mask=key) + ws_frame(9, b"p", mask=key) + ws_frame(0, b"ment", mask=key))
        + op(1, ws_frame(2, bytes(range(200)))) + op(0, ws_frame(8, b"\x03\xe8bye", mask=key))
        + op(1, ws_frame(8, b"\x03\xe8bye")),
        "ws-malformed.ops": op(0, handshake) + op(1, accept.replace(b"Sec-WebSocket-Extensions: permessage-deflate\r\n", b""))
        + op(1, ws_frame(3, b"odd") + ws_frame(1, b"caf\xc3(") + b"\x82\x7f\x80" + b"\x00" * 7 + b"x"),
        "sse-chunked.ops": op(0, b"GET /events HTTP/1.1\r\nHost: h\r\n\r\n")
        + op(1, b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
        + op(1, chunk(b": hi\nid: 1\nevent: e\ndata: a\n\n")) + op(1, chunk(b"data: b\r\rretry: 9\r\n") + chunk(b"")),
    }
    for name, data in seeds.items():
        with open(os.path.join(outdir, "flowassembler", name), "wb") as f:
            f.write(data)


def capture(name, command, outdir):
    raw = os.path.join(outdir, "raw", name + ".httptap")
    result = harness.record(command, options=["--raw", raw])
    if result.returncode != 0 or not os.path.exists(raw):
        raise SystemExit(f"{name}: {result.describe()}")
    with open(raw, "rb") as f:
        return f.read()


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "corpus")
    for sub in ("raw", "recordreader", "flowassembler", "http2", "contentdecoder"):
        os.makedirs(os.path.join(outdir, sub), exist_ok=True)
    curl = harness.CURL
    plain, server, h2 = harness.Nginx(), harness.PythonServer(), h2peers.NginxH2()
    grpc = h2peers.GrpcServer()
    streams = {
        "h1-get": capture("h1-get", [curl, "-s", "--http1.1", plain.http("/hello")], outdir),
        "h1-chunked-post": capture("h1-chunked-post", [harness.PYTHON, "-c", (
            "import http.client,sys;c=http.client.HTTPConnection('127.0.0.1',%d);"
            "c.request('POST','/echo',body=iter([b'abc',b'defg']),headers={'Transfer-Encoding':'chunked'},encode_chunked=True);"
            "c.getresponse().read();c.request('GET','/chunked');c.getresponse().read()") % server.port], outdir),
        "h1-tls": capture("h1-tls", [curl, "-sk", "--http1.1", plain.https("/hello")], outdir),
        "h2-gzip": capture("h2-gzip", [curl, "-sk", "--http2", "--compressed", h2.https("/text.txt"),
                                       h2.https("/trailer")], outdir),
        "h2c-nghttp": capture("h2c-nghttp", [h2peers.tool("nghttp"), "-n", h2.h2c("/hello"),
                                             h2.h2c("/trailer")], outdir),
        "grpc": capture("grpc", h2peers.grpc_client(grpc.port, "gzip"), outdir),
    }
    for name, stream in streams.items():
        for sub in ("recordreader", "flowassembler"):
            with open(os.path.join(outdir, sub, name), "wb") as f:
                f.write(b"\x07" + stream if sub == "recordreader" else stream)
        with open(os.path.join(outdir, "flowassembler", name + ".ops"), "wb") as f:
            f.write(to_ops(stream))
        for i, data in enumerate(h2_directions(stream)):
            with open(os.path.join(outdir, "http2", f"{name}-{i}"), "wb") as f:
                f.write(data[:256 * 1024])
    stream_seeds(outdir)
    for path in glob.glob(os.path.join(REPO, "tests", "data", "*.httptap")):
        shutil.copy(path, os.path.join(outdir, "flowassembler", os.path.basename(path)))
        with open(path, "rb") as src, open(os.path.join(outdir, "recordreader", os.path.basename(path)), "wb") as f:
            f.write(b"\x07" + src.read())
    text = b"".join(b"line %05d of a text that compresses well\n" % i for i in range(200))
    # selector bytes: see fuzz_contentdecoder.cpp (bit 7: 1 MiB limit; bits 4-6: the encoding list)
    coded = {"gzip": (0x80, gzip.compress(text)), "deflate": (0x91, zlib.compress(text)),
             "br": (0xa2, subprocess.run(["brotli", "-c"], input=text, capture_output=True).stdout
                    if shutil.which("brotli") else b""),
             "zstd": (0xb3, subprocess.run(["zstd", "-c"], input=text, capture_output=True).stdout
                      if shutil.which("zstd") else b"")}
    for name, (selector, data) in coded.items():
        if data:
            with open(os.path.join(outdir, "contentdecoder", name), "wb") as f:
                f.write(bytes([selector]) + data)
    shutil.rmtree(os.path.join(outdir, "raw"))
    for peer in (plain, server, h2, grpc):
        peer.stop()


if __name__ == "__main__":
    main()
