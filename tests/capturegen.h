// SPDX-License-Identifier: MIT
// A large capture written fast for the tests and the benchmark of opening one: a connection that
// received `frames` binary frames, each in a read of its own, then closed.
#pragma once

#include "capture/capturefile.h"
#include "capture/pcapng.h"
#include "capture/tcppackets.h"
#include "protocol/handshake.h"

#include <QFile>
#include <QtEndian>

namespace wsi::test {

// The octets of one unmasked binary frame with a 64-bit length (10 header octets).
inline QByteArray binaryFrameOctets(qint64 payload, char fill)
{
    QByteArray out(10 + payload, fill);
    out[0] = char(0x82);
    out[1] = char(127);
    for (int i = 0; i < 8; ++i)
        out[2 + i] = char((quint64(payload) >> (8 * (7 - i))) & 0xFF);
    return out;
}

// Every frame is `frameOctets` long (payload plus its 10-octet header). False with `error` when
// the file cannot be written.
inline bool writeFloodCapture(const QString &path, qint64 frames, qint64 frameOctets,
                              QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        *error = file.errorString();
        return false;
    }
    capture::CaptureWriter writer(&file);
    capture::ConnectionRecord connection;
    connection.application = QStringLiteral("capturegen");
    connection.url = QStringLiteral("ws://127.0.0.1:9001/flood");
    connection.startedAt = QDateTime::fromMSecsSinceEpoch(1'700'000'000'000, Qt::UTC);
    connection.peerAddress = QStringLiteral("127.0.0.1:9001");
    bool ok = writer.begin(connection);
    qint64 now = 1000;
    const auto event = [&](TraceEvent e) {
        e.timeNs = now;
        ok = ok && writer.append(e);
    };
    TraceEvent connected;
    connected.kind = TraceEvent::Kind::Connected;
    connected.text = connection.peerAddress;
    event(connected);
    TraceEvent open;
    open.kind = TraceEvent::Kind::StateChanged;
    open.state = SessionState::Open;
    event(open);
    const qint64 payload = frameOctets - 10;
    for (qint64 i = 0; i < frames && ok; ++i) {
        now += 1000;
        OctetChunk chunk;
        chunk.timeNs = now;
        chunk.direction = Direction::Rx;
        chunk.streamOffset = i * frameOctets;
        chunk.data = binaryFrameOctets(payload, char('a' + i % 26));
        chunk.size = chunk.data.size();
        ok = writer.append(chunk);
        FrameRecord frame;
        frame.timeNs = now;
        frame.direction = Direction::Rx;
        frame.streamOffset = chunk.streamOffset;
        frame.opcode = 2;
        frame.payloadLength = quint64(payload);
        frame.extendedLengthSize = 8;
        frame.payloadDerived = true; // read from the kept octets, as a session stores it
        ok = ok && writer.append(frame);
    }
    now += 1000;
    TraceEvent closed;
    closed.kind = TraceEvent::Kind::StateChanged;
    closed.state = SessionState::Closed;
    event(closed);
    TraceEvent tcp;
    tcp.kind = TraceEvent::Kind::TcpClosed;
    tcp.tcpEnd = TcpEnd::PeerFin;
    event(tcp);
    ok = ok && writer.flush();
    file.close();
    if (!ok)
        *error = writer.errorString();
    return ok;
}

// A capture of another tool (pcapng, Ethernet, no record of the inspector's) with two WebSocket
// connections from 10.0.0.1 to 10.0.0.2:80, from client ports 40001 and 40002, their packets
// interleaved; stream i's server sends one text message, texts[i], then both sides close.
inline bool writeTwoStreamCapture(const QString &path, const QList<QByteArray> &texts,
                                  QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        *error = file.errorString();
        return false;
    }
    pcapng::Writer out(&file);
    bool ok = out.sectionHeader({{pcapng::kShbUserApplication, "capturegen"}}) &&
              out.interfaceDescription(1, 262144, {{pcapng::kIfTsResolution, QByteArray(1, 9)}});
    std::vector<TcpPacketWriter> streams;
    for (int i = 0; i < int(texts.size()); ++i) {
        TcpEndpoint client{QByteArray("\x0a\x00\x00\x01", 4), quint16(40001 + i)};
        TcpEndpoint server{QByteArray("\x0a\x00\x00\x02", 4), 80};
        streams.emplace_back(client, server);
    }
    quint64 now = 1'700'000'000'000'000'000ull;
    const auto write = [&](const QList<SyntheticPacket> &packets) {
        for (const SyntheticPacket &p : packets) {
            now += 1000;
            ok = ok && out.enhancedPacket(0, now, p.octets, p.originalLength, {});
        }
    };
    const QByteArray key = "dGhlIHNhbXBsZSBub25jZQ==";
    // Each step for every stream before the next step: the streams interleave.
    for (TcpPacketWriter &w : streams)
        write(w.open());
    const QByteArray request = "GET /s HTTP/1.1\r\nHost: 10.0.0.2\r\nUpgrade: websocket\r\n"
                               "Connection: Upgrade\r\nSec-WebSocket-Key: " +
                               key + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
    const QByteArray response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                                "Connection: Upgrade\r\nSec-WebSocket-Accept: " +
                                computeAccept(key) + "\r\n\r\n";
    for (TcpPacketWriter &w : streams)
        write(w.data(Direction::Tx, request));
    for (TcpPacketWriter &w : streams)
        write(w.data(Direction::Rx, response));
    for (size_t i = 0; i < streams.size(); ++i) {
        const QByteArray &text = texts[qsizetype(i)];
        const QByteArray frame =
            QByteArray(1, char(0x81)) + QByteArray(1, char(text.size())) + text;
        write(streams[i].data(Direction::Rx, frame));
    }
    for (TcpPacketWriter &w : streams) {
        // A masked close (key 0) from the client, the server's close, then FINs.
        write(w.data(Direction::Tx, QByteArray("\x88\x82\x00\x00\x00\x00\x03\xe8", 8)));
        write(w.data(Direction::Rx, QByteArray("\x88\x02\x03\xe8", 4)));
        write({w.fin(Direction::Rx), w.fin(Direction::Tx), w.ack(Direction::Rx)});
    }
    file.close();
    if (!ok)
        *error = out.errorString();
    return ok;
}

} // namespace wsi::test
