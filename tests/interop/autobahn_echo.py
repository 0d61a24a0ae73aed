#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Echo server on Debian's python3-autobahn (22.7.1, Twisted backend) for tst_interop.

Listens on 127.0.0.1 on an ephemeral port and prints its URL ("ws://127.0.0.1:PORT/") on stdout
once listening. Echoes every text and binary message as it came (same type, same octets); pings
are answered by the library. Exits with status 0 on SIGTERM or when stdin is closed.

Configured as a user would run it: the library's protocol options are left at their defaults
(utf8validateIncoming, requireMaskedClientFrames, no size limits, failByDrop, no
permessage-deflate accepted), as in autobahn's own echo example.

With --deflate (the 12.x/13.x runs), the server accepts the first permessage-deflate offer it can
(perMessageCompressionAccept), as autobahn's own permessage-deflate example does, and answers
with what that offer asked for.
"""

import os
import sys
import threading

import txaio

txaio.use_twisted()

from twisted.internet import reactor  # noqa: E402  (after choosing the txaio backend)

from autobahn.twisted.websocket import (  # noqa: E402
    WebSocketServerFactory,
    WebSocketServerProtocol,
)
from autobahn.websocket.compress import (  # noqa: E402
    PerMessageDeflateOffer,
    PerMessageDeflateOfferAccept,
)


def accept_deflate(offers):
    for offer in offers:
        if isinstance(offer, PerMessageDeflateOffer):
            return PerMessageDeflateOfferAccept(offer)
    return None


class EchoProtocol(WebSocketServerProtocol):
    def onMessage(self, payload, isBinary):
        self.sendMessage(payload, isBinary)


def stop_when_stdin_closes():
    # Read until EOF: the test closes our stdin (or dies) to end the server.
    try:
        while os.read(sys.stdin.fileno(), 4096):
            pass
    except OSError:
        pass
    reactor.callFromThread(lambda: reactor.running and reactor.stop())


def main():
    # Library diagnostics go to stderr; stdout carries only the URL line. Twisted's log
    # beginner redirects sys.stdout into the log, so the URL goes to the original stream.
    url_out = sys.stdout
    txaio.start_logging(out=sys.stderr, level="warn")

    factory = WebSocketServerFactory()
    factory.protocol = EchoProtocol
    if "--deflate" in sys.argv[1:]:
        factory.setProtocolOptions(perMessageCompressionAccept=accept_deflate)
    port = reactor.listenTCP(0, factory, interface="127.0.0.1")
    url = "ws://127.0.0.1:%d/" % port.getHost().port

    threading.Thread(target=stop_when_stdin_closes, daemon=True).start()
    reactor.callWhenRunning(lambda: (url_out.write(url + "\n"), url_out.flush()))
    # reactor.run() installs handlers that stop the reactor on SIGTERM and SIGINT.
    reactor.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
