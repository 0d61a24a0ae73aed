// SPDX-License-Identifier: MIT
#pragma once

// A raw QTcpServer peer scripted to behave (or misbehave) like a WebSocket server, for tests.
// It runs in the test's thread; the session under test runs in its own.

#include "protocol/frameparser.h"
#include "protocol/handshake.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QUrl>

#include <functional>
#include <vector>

namespace wsi::test {

class ScriptedPeer final : public QObject
{
    Q_OBJECT

public:
    using FrameHandler = std::function<void(ScriptedPeer &, const DecodedFrame &)>;
    using HandshakeHandler = std::function<void(ScriptedPeer &, const QByteArray &requestHead)>;

    explicit ScriptedPeer(QObject *parent = nullptr) : QObject(parent)
    {
        FrameParser::Options options;
        options.serverRole = true;
        m_parser.setOptions(options);
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            m_socket = m_server.nextPendingConnection();
            m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
            connect(m_socket, &QTcpSocket::readyRead, this, &ScriptedPeer::onReadyRead);
            connect(m_socket, &QTcpSocket::disconnected, this, [this] { m_clientGone = true; });
        });
        m_server.listen(QHostAddress::LocalHost, 0);
    }

    [[nodiscard]] QUrl url() const
    {
        return QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(m_server.serverPort()));
    }

    // What to do with the request head (default: a correct 101 answer).
    HandshakeHandler onHandshake = [](ScriptedPeer &peer, const QByteArray &head) {
        peer.send(switchingProtocols(head));
    };
    FrameHandler onFrame;

    static QByteArray keyOf(const QByteArray &head)
    {
        for (const QByteArray &line : head.split('\n')) {
            if (line.toLower().startsWith("sec-websocket-key:"))
                return line.mid(18).trimmed();
        }
        return {};
    }
    static QByteArray switchingProtocols(const QByteArray &head, const QByteArray &extra = {})
    {
        return QByteArrayLiteral("HTTP/1.1 101 Switching Protocols\r\nServer: ScriptedPeer/1.0\r\n"
                                 "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                                 "Sec-WebSocket-Accept: ") +
               computeAccept(keyOf(head)) + "\r\n" + extra + "\r\n";
    }

    void send(const QByteArray &bytes)
    {
        if (m_socket && m_socket->state() == QAbstractSocket::ConnectedState) {
            m_socket->write(bytes);
            m_socket->flush();
        }
    }
    void drop()
    {
        if (m_socket)
            m_socket->abort();
        m_clientGone = true;
    }
    void closeGracefully()
    {
        if (m_socket)
            m_socket->disconnectFromHost();
    }

    [[nodiscard]] bool clientGone() const { return m_clientGone; }
    [[nodiscard]] const QByteArray &requestHead() const { return m_head; }
    // Everything received after the request head, as it arrived.
    [[nodiscard]] const QByteArray &frameOctets() const { return m_frameOctets; }
    [[nodiscard]] const std::vector<DecodedFrame> &frames() const { return m_frames; }
    [[nodiscard]] int readCount() const { return m_reads; }

private:
    void onReadyRead()
    {
        while (m_socket && m_socket->bytesAvailable() > 0) {
            QByteArray data = m_socket->readAll();
            ++m_reads;
            if (m_head.isEmpty()) {
                m_buffer += data;
                const qsizetype end = m_buffer.indexOf("\r\n\r\n");
                if (end < 0)
                    continue;
                m_head = m_buffer.left(end + 4);
                data = m_buffer.mid(end + 4);
                m_buffer.clear();
                onHandshake(*this, m_head);
            }
            if (data.isEmpty())
                continue;
            m_frameOctets += data;
            std::vector<DecodedFrame> frames;
            m_parser.feed(data, frames);
            for (const DecodedFrame &f : frames) {
                m_frames.push_back(f);
                if (onFrame)
                    onFrame(*this, f);
            }
        }
    }

    QTcpServer m_server;
    QTcpSocket *m_socket = nullptr;
    QByteArray m_buffer;
    QByteArray m_head;
    QByteArray m_frameOctets;
    FrameParser m_parser;
    std::vector<DecodedFrame> m_frames;
    int m_reads = 0;
    bool m_clientGone = false;
};

} // namespace wsi::test
