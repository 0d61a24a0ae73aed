// SPDX-License-Identifier: MIT
#pragma once

// A raw loopback server for the benchmarks: after each client's opening handshake it sends
// `count` copies of one encoded frame as fast as the socket takes them (about 4 MiB kept queued),
// then a close frame. Runs in a thread of its own (see startFloodServer()).

#include "protocol/handshake.h"

#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

#include <tuple>

namespace wsi::bench {

// Sends `count` copies of one encoded frame to every client after its handshake, then a close.
class FloodServer final : public QObject
{
public:
    FloodServer(QByteArray frame, qint64 count)
        : m_server(this), m_frame(std::move(frame)), m_count(count)
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            QTcpSocket *s = m_server.nextPendingConnection();
            s->setSocketOption(QAbstractSocket::LowDelayOption, 1);
            auto *head = new QByteArray;
            auto *left = new qint64(m_count);
            connect(s, &QTcpSocket::disconnected, s, [s, head, left] {
                delete head;
                delete left;
                s->deleteLater();
            });
            connect(s, &QTcpSocket::readyRead, s, [this, s, head, left] {
                if (head->endsWith("\r\n\r\n"))
                    return; // frames from the client are ignored
                *head += s->readAll();
                const qsizetype end = head->indexOf("\r\n\r\n");
                if (end < 0)
                    return;
                QByteArray key;
                for (const QByteArray &line : head->split('\n'))
                    if (line.toLower().startsWith("sec-websocket-key:"))
                        key = line.mid(18).trimmed();
                s->write("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                         "Connection: Upgrade\r\nSec-WebSocket-Accept: " +
                         computeAccept(key) + "\r\n\r\n");
                head->truncate(end + 4);
                pump(s, left);
            });
            connect(s, &QTcpSocket::bytesWritten, s, [this, s, left] { pump(s, left); });
        });
    }
    quint16 listen()
    {
        m_server.listen(QHostAddress::LocalHost, 0);
        return m_server.serverPort();
    }

private:
    void pump(QTcpSocket *s, qint64 *left)
    {
        // Keep about 4 MiB queued in the socket: fast, and bounded.
        if (m_block.isEmpty()) {
            const qint64 per = std::max<qint64>(1, (4 << 20) / m_frame.size());
            m_perBlock = per;
            m_block = m_frame.repeated(per);
        }
        while (*left > 0 && s->bytesToWrite() < (4 << 20)) {
            if (*left >= m_perBlock) {
                s->write(m_block);
                *left -= m_perBlock;
            } else {
                s->write(m_frame.repeated(*left));
                *left = 0;
            }
        }
        if (*left == 0) {
            s->write(QByteArray::fromHex("880203e8"));
            *left = -1;
        }
    }

    QTcpServer m_server;
    QByteArray m_frame;
    QByteArray m_block;
    qint64 m_perBlock = 1;
    qint64 m_count;
};

// Starts a FloodServer in its own thread; returns the thread, the server and its port.
inline std::tuple<QThread *, FloodServer *, quint16> startFloodServer(const QByteArray &frame,
                                                                      qint64 count)
{
    auto *thread = new QThread;
    auto *server = new FloodServer(frame, count);
    server->moveToThread(thread);
    thread->start();
    quint16 port = 0;
    QMetaObject::invokeMethod(
        server, [&] { port = server->listen(); }, Qt::BlockingQueuedConnection);
    return {thread, server, port};
}

inline void stopFloodServer(QThread *thread, FloodServer *server)
{
    thread->quit();
    thread->wait();
    delete server;
    delete thread;
}

} // namespace wsi::bench
