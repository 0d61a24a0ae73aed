#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A wss:// echo server on Debian's python3-websockets (asyncio ssl), for tst_sessionclose.

usage: tls_ws_echo.py CERT KEY
Prints its URL ("wss://127.0.0.1:PORT/") once listening. Echoes every message; the text message
"close-me" makes the server start the close handshake (code 1000) instead. Like every asyncio
TLS server, it closes TCP only after the client's TLS close_notify has answered its own (or a
30 s timeout): the behaviour that made clean closes look unclean. It prints "closed TCP after
S s" when a connection's TCP is gone. Exits when stdin is closed.
"""

import asyncio
import os
import ssl
import sys
import threading
import time

import websockets

# The interop echo server's stdin watch: the server ends when the test closes its stdin.
sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "interop"))
from websockets_echo import watch_stdin  # noqa: E402


async def echo(websocket):
    started = time.monotonic()
    try:
        async for message in websocket:
            if message == "close-me":
                await websocket.close(1000, "bye")
                break
            await websocket.send(message)
    except websockets.ConnectionClosed:
        pass
    await websocket.wait_closed()
    print("closed TCP after %.1f s" % (time.monotonic() - started), flush=True)


async def main():
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(sys.argv[1], sys.argv[2])
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    # close_timeout: how long websockets waits for the TCP close after the close handshake;
    # long, so that only the client's close_notify ends it quickly.
    async with websockets.serve(echo, "127.0.0.1", 0, ssl=context, close_timeout=30) as server:
        port = server.sockets[0].getsockname()[1]
        print("wss://127.0.0.1:%d/" % port, flush=True)
        threading.Thread(target=watch_stdin, args=(loop, stop), daemon=True).start()
        await stop
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
