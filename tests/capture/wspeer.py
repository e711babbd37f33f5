#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A WebSocket peer for the capture tests, with Debian's python3-websockets.

    wspeer.py serve PORT [--tls CERT KEY] [--compression deflate|none]
        echo server on 127.0.0.1:PORT: every message comes back as it was received
    wspeer.py client URL [--cafile CERT] [--compression deflate|none]
        the conversation below, each message awaited back from the echo server, then a close

The conversation (CONVERSATION): a text message, a binary one, a text message sent in three
fragments, a ping (answered by the server's pong), a 10 MiB binary message, then close with
code 1000 and reason "done". Keepalive pings are off so nothing else goes over the wire.
Client exit status 0 means every echo matched.
"""

import asyncio
import random
import ssl
import sys

import websockets

TEXT = "hello, WebSocket \u2713"
BINARY = bytes(range(256)) * 4
FRAGMENTS = ["frag", "ment", "ed"]
PING = b"are you there"
BIG_SIZE = 10 * 1024 * 1024
CLOSE_REASON = "done"


def big_message():
    return random.Random(11).randbytes(BIG_SIZE)


async def serve(port, tls, compression):
    context = None
    if tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*tls)

    async def echo(ws, *_):
        async for message in ws:
            await ws.send(message)

    async with websockets.serve(echo, "127.0.0.1", port, ssl=context, compression=compression, max_size=None,
                                ping_interval=None):
        await asyncio.Future()


async def client(url, cafile, compression):
    context = None
    if cafile:
        context = ssl.create_default_context(cafile=cafile)
        context.check_hostname = False
    async with websockets.connect(url, ssl=context, compression=compression, max_size=None,
                                  ping_interval=None) as ws:
        for message in (TEXT, BINARY):
            await ws.send(message)
            assert await ws.recv() == message
        await ws.send(FRAGMENTS)
        assert await ws.recv() == "".join(FRAGMENTS)
        await (await ws.ping(PING))
        big = big_message()
        await ws.send(big)
        assert await ws.recv() == big
        await ws.close(code=1000, reason=CLOSE_REASON)
    return 0


def main(argv):
    compression = "deflate"
    if "--compression" in argv:
        i = argv.index("--compression")
        compression = None if argv[i + 1] == "none" else argv[i + 1]
        del argv[i:i + 2]
    if argv[1] == "serve":
        tls = None
        if "--tls" in argv:
            i = argv.index("--tls")
            tls = (argv[i + 1], argv[i + 2])
        asyncio.run(serve(int(argv[2]), tls, compression))
        return 0
    if argv[1] == "client":
        cafile = argv[argv.index("--cafile") + 1] if "--cafile" in argv else None
        return asyncio.run(client(argv[2], cafile, compression))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
