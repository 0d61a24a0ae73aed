# SPDX-License-Identifier: MIT
"""A TLS server for tst_tlsclient, on Python's ssl module, for one connection.

usage: tlspeer.py CERT KEY MODE [OCTETS]
It prints "port N", accepts one client, reads one line, answers "echo: <line>", optionally
sends OCTETS more octets ("x" repeated), and then, by MODE:
  wait    sends close_notify and waits for the client's (ssl's unwrap(), as asyncio and most
          Python servers do), prints "got close_notify" or "no close_notify: <why>", closes TCP;
  nowait  sends close_notify and closes TCP at once, prints "sent close_notify";
  drop    closes TCP without close_notify, prints "dropped".
"""
import socket
import ssl
import sys


def main():
    cert, key, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    extra = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(60)
    print("port", listener.getsockname()[1], flush=True)
    conn, _ = listener.accept()
    conn.settimeout(30)
    tls = context.wrap_socket(conn, server_side=True)
    line = b""
    while b"\n" not in line:
        data = tls.recv(4096)
        if not data:
            print("client closed before a line", flush=True)
            return
        line += data
    tls.sendall(b"echo: " + line)
    if extra:
        tls.sendall(b"x" * extra)
    if mode == "wait":
        try:
            tls.unwrap()
            print("got close_notify", flush=True)
        except (OSError, ssl.SSLError) as e:
            print("no close_notify:", type(e).__name__, flush=True)
        tls.close()
    elif mode == "nowait":
        tls.setblocking(False)
        try:
            tls.unwrap()  # sends close_notify, then would wait for the client's
        except ssl.SSLWantReadError:
            pass
        print("sent close_notify", flush=True)
        tls.close()
    else:
        tls.shutdown(socket.SHUT_RDWR)  # no close_notify: the ssl layer is bypassed
        tls.close()
        print("dropped", flush=True)


if __name__ == "__main__":
    main()
