#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A wss:// echo server that checks client certificates, for tst_tlsdeploy.

usage: mtls_ws_echo.py CA CERT KEY KEYLOG MODE
Python websockets over asyncio TLS (Debian's python3-websockets). MODE "require" demands a
client certificate signed by CA (ssl.CERT_REQUIRED), "optional" asks for one without demanding
it. It offers ALPN "http/1.1" alone, allows TLS 1.2 and 1.3, and writes its own key log
(SSLContext.keylog_filename) to KEYLOG, which the test compares with the client's.

Prints its port ("port N") once listening, then for every TLS handshake the server name the
client sent ("sni NAME" or "sni -"), and for every WebSocket connection what TLS established:
"connection version=TLSv1.3 alpn=http/1.1 client=CN=..." (alpn=- and client=- for none). Echoes
the first message and closes (1000). Exits when stdin is closed.
"""

import asyncio
import os
import ssl
import sys
import threading

import websockets

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "interop"))
from websockets_echo import watch_stdin  # noqa: E402


def subject_text(cert):
    """The subject as RFC 2253 writes it, most specific first ("CN=client,O=Example")."""
    if not cert:
        return "-"
    names = {"commonName": "CN", "organizationName": "O", "countryName": "C"}
    parts = []
    for rdn in reversed(cert.get("subject", ())):
        for name, value in rdn:
            parts.append("%s=%s" % (names.get(name, name), value))
    return ",".join(parts)


async def echo(websocket):
    tls = websocket.transport.get_extra_info("ssl_object")
    print("connection version=%s alpn=%s client=%s" % (
        tls.version(), tls.selected_alpn_protocol() or "-", subject_text(tls.getpeercert())),
        flush=True)
    # One echo, then the server closes (1000): the client's close could otherwise overtake
    # the echo, which websockets drops once a close has arrived.
    try:
        message = await websocket.recv()
        await websocket.send(message)
        await websocket.close(1000, "done")
    except websockets.ConnectionClosed:
        pass


def on_server_name(_ssl_object, name, _context):
    print("sni", name if name is not None else "-", flush=True)


async def main():
    ca, cert, key, keylog, mode = sys.argv[1:6]
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.load_verify_locations(ca)
    context.verify_mode = ssl.CERT_REQUIRED if mode == "require" else ssl.CERT_OPTIONAL
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_alpn_protocols(["http/1.1"])
    context.sni_callback = on_server_name
    context.keylog_filename = keylog
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    async with websockets.serve(echo, "127.0.0.1", 0, ssl=context, close_timeout=5) as server:
        print("port", server.sockets[0].getsockname()[1], flush=True)
        threading.Thread(target=watch_stdin, args=(loop, stop), daemon=True).start()
        await stop
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
