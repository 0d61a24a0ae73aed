// SPDX-License-Identifier: MIT
// Echo server on Debian's node-ws (8.11, /usr/share/nodejs/ws) for tst_interop's 12.x/13.x runs.
//
// Listens on 127.0.0.1 on an ephemeral port and prints its URL ("ws://127.0.0.1:PORT/") on stdout
// once listening. Echoes every text and binary message as it came (same type, same octets); pings
// are answered by the library. Exits when stdin is closed or on SIGTERM.
//
// perMessageDeflate: true, the library's permessage-deflate with its defaults (it accepts the
// first offer it supports and honours the client's parameters); the other options at their
// defaults (maxPayload 100 MiB; the largest 12.x/13.x message is 128 KiB). Run with
// NODE_PATH=/usr/share/nodejs so that require('ws') finds Debian's package.
'use strict';

const { WebSocketServer } = require('ws');

const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: true });

server.on('connection', (socket) => {
  socket.on('message', (data, isBinary) => {
    socket.send(data, { binary: isBinary });
  });
  // A broken frame from the client: ws closes the connection itself; nothing to do here.
  socket.on('error', () => {});
});

server.on('listening', () => {
  process.stdout.write(`ws://127.0.0.1:${server.address().port}/\n`);
});

// The test closes our stdin (or dies) to end the server.
process.stdin.on('end', () => process.exit(0));
process.stdin.on('close', () => process.exit(0));
process.stdin.resume();
process.on('SIGTERM', () => process.exit(0));
