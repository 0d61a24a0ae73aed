#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Echo server on Debian's python3-websockets (10.4, asyncio) for tst_interop.

Listens on 127.0.0.1 on an ephemeral port and prints its URL ("ws://127.0.0.1:PORT/") on stdout
once listening. Echoes every text and binary message as it came (same type, same octets); pings
are answered by the library. Exits with status 0 on SIGTERM or when stdin is closed.

Configured as a user would run it against the Autobahn test suite, like websockets' own
compliance server (compliance/test_server.py upstream): the defaults, except max_size raised
from 1 MiB to 32 MiB so the 16 MiB messages of cases 9.1.6/9.2.6 fit. permessage-deflate stays
at its default: accepted only when the client offers it.

With --deflate (the 12.x/13.x runs), compression="deflate" is passed explicitly: the same as the
default, spelled out so that the run does not depend on it. websockets then answers an offer with
its own defaults (server and client window bits 12, memLevel 5) within what the client allows.
"""

import asyncio
import os
import signal
import sys
import threading

import websockets


async def echo(websocket):
    # The iterator ends quietly on a normal close and raises ConnectionClosedError on an
    # abnormal one; either way the connection is done.
    try:
        async for message in websocket:
            await websocket.send(message)
    except websockets.ConnectionClosed:
        pass


def watch_stdin(loop, stop):
    # Read until EOF: the test closes our stdin (or dies) to end the server.
    try:
        while os.read(sys.stdin.fileno(), 4096):
            pass
    except OSError:
        pass
    loop.call_soon_threadsafe(lambda: stop.done() or stop.set_result(None))


async def main():
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    loop.add_signal_handler(signal.SIGTERM, lambda: stop.done() or stop.set_result(None))
    loop.add_signal_handler(signal.SIGINT, lambda: stop.done() or stop.set_result(None))

    options = {"compression": "deflate"} if "--deflate" in sys.argv[1:] else {}
    async with websockets.serve(echo, "127.0.0.1", 0, max_size=2**25, **options) as server:
        port = server.sockets[0].getsockname()[1]
        sys.stdout.write("ws://127.0.0.1:%d/\n" % port)
        sys.stdout.flush()
        threading.Thread(target=watch_stdin, args=(loop, stop), daemon=True).start()
        await stop
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
