// SPDX-License-Identifier: MIT
// Receive throughput of the inspector's session against QtWebSockets' QWebSocket, both reading
// the same flood from the same local server in the same run. Reported as ratios.
//
//   bench_receive [--small N] [--large N]
#include "floodserver.h"
#include "frame.h"
#include "handshake.h"
#include "session.h"
#include "trace.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTextStream>
#include <QThread>
#include <QTimer>
#include <QWebSocket>

#include <cstdio>

using namespace wsi;
using namespace wsi::bench;
using namespace Qt::StringLiterals;

namespace {

struct Measured
{
    double seconds = 0;
    qint64 messages = 0;
};

Measured runQWebSocket(quint16 port, qint64 count, bool binary)
{
    QWebSocket ws;
    ws.setReadBufferSize(0);
    QEventLoop loop;
    qint64 got = 0;
    QElapsedTimer clock;
    const auto onMessage = [&] {
        if (++got == count)
            loop.quit();
    };
    if (binary)
        QObject::connect(&ws, &QWebSocket::binaryMessageReceived, &loop, onMessage);
    else
        QObject::connect(&ws, &QWebSocket::textMessageReceived, &loop, onMessage);
    QObject::connect(&ws, &QWebSocket::connected, &loop, [&] { clock.start(); });
    QObject::connect(&ws, &QWebSocket::disconnected, &loop, &QEventLoop::quit);
    QTimer::singleShot(120000, &loop, &QEventLoop::quit);
    ws.open(QUrl(u"ws://127.0.0.1:%1/"_s.arg(port)));
    loop.exec();
    Measured m{clock.nsecsElapsed() / 1e9, got};
    ws.abort();
    return m;
}

Measured runSession(quint16 port, qint64 count)
{
    SessionHost host;
    Trace trace;
    QEventLoop loop;
    QElapsedTimer clock;
    QObject::connect(&host, &SessionHost::stateChanged, &loop, [&](SessionState s) {
        if (s == SessionState::Open)
            clock.start();
    });
    QObject::connect(&host, &SessionHost::traceBatch, &loop, [&](const TraceBatchPtr &batch) {
        trace.append(std::move(*batch));
        if (trace.frameCount(Direction::Rx) >= count)
            loop.quit();
    });
    QObject::connect(&host, &SessionHost::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(120000, &loop, &QEventLoop::quit);
    SessionSettings settings;
    settings.url = QUrl(u"ws://127.0.0.1:%1/"_s.arg(port));
    host.start(settings);
    loop.exec();
    Measured m{clock.nsecsElapsed() / 1e9, std::min(trace.frameCount(Direction::Rx), count)};
    host.invoke([](ClientSession &s) { s.dropTcp(); });
    return m;
}

// Raw TCP: how fast a plain QTcpSocket drains the same flood (the ceiling of any client).
Measured runRawTcp(quint16 port, qint64 totalOctets)
{
    QTcpSocket s;
    QEventLoop loop;
    QElapsedTimer clock;
    qint64 got = 0;
    QObject::connect(&s, &QTcpSocket::connected, &loop, [&] {
        clock.start();
        s.write("GET / HTTP/1.1\r\nHost: x\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
    });
    QByteArray buffer(1 << 20, Qt::Uninitialized); // reused: no allocation per read
    QObject::connect(&s, &QTcpSocket::readyRead, &loop, [&] {
        qint64 n = 0;
        while ((n = s.read(buffer.data(), buffer.size())) > 0)
            got += n;
        if (got >= totalOctets)
            loop.quit();
    });
    QObject::connect(&s, &QTcpSocket::disconnected, &loop, &QEventLoop::quit);
    QTimer::singleShot(120000, &loop, &QEventLoop::quit);
    s.connectToHost(QHostAddress::LocalHost, port, QIODevice::ReadWrite | QIODevice::Unbuffered);
    loop.exec();
    return {clock.nsecsElapsed() / 1e9, got};
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    qint64 smallCount = 1000000;
    qint64 largeCount = 200;
    const QStringList args = app.arguments();
    for (qsizetype i = 1; i + 1 < args.size(); ++i) {
        if (args[i] == u"--small"_s)
            smallCount = args[i + 1].toLongLong();
        else if (args[i] == u"--large"_s)
            largeCount = args[i + 1].toLongLong();
    }
    QTextStream out(stdout);

    FrameSpec small;
    small.opcode = 1;
    small.payload = QByteArray(16, 'a');
    small.maskMode = MaskMode::None;
    const QByteArray smallFrame = encodeFrame(small);
    FrameSpec large;
    large.opcode = 2;
    large.payload = QByteArray(1 << 20, '\xfe');
    large.maskMode = MaskMode::None;
    const QByteArray largeFrame = encodeFrame(large);

    auto [thread, server, port] = startFloodServer(smallFrame, smallCount);
    const Measured qwsSmall = runQWebSocket(port, smallCount, false);
    const Measured wsiSmall = runSession(port, smallCount);
    auto [thread2, server2, port2] = startFloodServer(largeFrame, largeCount);
    const Measured rawLarge = runRawTcp(port2, largeCount * largeFrame.size());
    const Measured qwsLarge = runQWebSocket(port2, largeCount, true);
    const Measured wsiLarge = runSession(port2, largeCount);

    const auto rate = [](const Measured &m) { return m.messages / m.seconds; };
    const double mb = double(largeFrame.size()) / 1e6;
    out << u"bench_receive: one run, same flood server, loopback\n"_s;
    out << u"  16-octet text messages (%1 of them)\n"_s.arg(smallCount);
    out << u"    QWebSocket         %1 msg/s  (%2 received)\n"_s.arg(rate(qwsSmall), 12, 'f', 0)
               .arg(qwsSmall.messages);
    out << u"    inspector session  %1 msg/s  (%2 received)\n"_s.arg(rate(wsiSmall), 12, 'f', 0)
               .arg(wsiSmall.messages);
    out << u"    ratio              %1x  (target >= 2)\n"_s.arg(rate(wsiSmall) / rate(qwsSmall), 0,
                                                               'f', 2);
    out << u"  1 MiB binary messages (%1 of them)\n"_s.arg(largeCount);
    out << u"    raw TCP (ceiling)  %1 MB/s\n"_s.arg(rawLarge.messages / 1e6 / rawLarge.seconds,
                                                    9, 'f', 0);
    out << u"    QWebSocket         %1 MB/s  (%2 received)\n"_s.arg(rate(qwsLarge) * mb, 9, 'f', 0)
               .arg(qwsLarge.messages);
    out << u"    inspector session  %1 MB/s  (%2 received)\n"_s.arg(rate(wsiLarge) * mb, 9, 'f', 0)
               .arg(wsiLarge.messages);
    out << u"    ratio              %1x  (target >= 3)\n"_s.arg(rate(wsiLarge) / rate(qwsLarge), 0,
                                                               'f', 2);
    out << u"bench_receive: small %1x (target 2.0), large %2x (target 3.0)\n"_s
               .arg(rate(wsiSmall) / rate(qwsSmall), 0, 'f', 2)
               .arg(rate(wsiLarge) / rate(qwsLarge), 0, 'f', 2);
    out.flush();
    stopFloodServer(thread, server);
    stopFloodServer(thread2, server2);
    const bool complete = wsiSmall.messages == smallCount && qwsSmall.messages == smallCount
                          && wsiLarge.messages == largeCount && qwsLarge.messages == largeCount;
    return complete ? 0 : 1;
}
