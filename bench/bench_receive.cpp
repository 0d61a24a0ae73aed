// SPDX-License-Identifier: MIT
// Receive throughput of the inspector's session against QtWebSockets' QWebSocket, both reading
// the same flood from the same local server in the same run. Reported as ratios: each round runs
// both clients back to back (alternating which goes first); the median over the rounds is the
// figure, the lowest round is shown beside it.
//
// The 1 MiB part also measures two ceilings in the same run: the same flood server drained by a
// plain QTcpSocket, and loopback TCP itself (a blocking send() thread and a recv() loop into one
// reused buffer, no Qt, no WebSocket).
//
//   bench_receive [--small N] [--large N] [--rounds N]
#include "capture/capturefile.h"
#include "capture/capturerecords.h"
#include "floodserver.h"
#include "protocol/frame.h"
#include "protocol/handshake.h"
#include "session/session.h"
#include "trace/trace.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QJsonObject>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTextStream>
#include <QThread>
#include <QTimer>
#include <QWebSocket>

#include <algorithm>
#include <cstdio>
#include <thread>
#include <utility>
#include <vector>

#if defined(Q_OS_UNIX)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

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

// With `capturePath`, the session also records the connection to that file as the window does:
// each batch handed to a BackgroundRecorder in the session's thread before the trace gets it.
// The time includes writing all of it: the clock stops when the file is complete.
Measured runSession(quint16 port, qint64 count, const QString &capturePath = QString())
{
    SessionHost host;
    Trace trace;
    trace.setStartedAt(QDateTime::currentDateTimeUtc());
    trace.setUrl(u"ws://127.0.0.1:%1/"_s.arg(port));
    std::shared_ptr<capture::BackgroundRecorder> recorder;
    if (!capturePath.isEmpty()) {
        recorder = std::make_shared<capture::BackgroundRecorder>(capturePath);
        if (!recorder->begin(capture::connectionRecordOf(trace, QJsonObject())))
            return {};
        host.invoke([recorder](ClientSession &session) {
            session.setBatchObserver([recorder](const TraceBatch &batch) {
                if (!recorder->append(batch) && !recorder->errorString().isEmpty())
                    qFatal("bench_receive: %s", qPrintable(recorder->errorString()));
            });
        });
    }
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
    if (recorder && !recorder->finish())
        qFatal("bench_receive: %s", qPrintable(recorder->errorString()));
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

// Loopback TCP without Qt or WebSocket: one thread send()s `total` octets of `frame` copies as
// fast as the kernel takes them, this one recv()s them into one reused 4 MiB buffer. What loopback
// TCP carries on this machine, with nothing kept; returns MB/s (0 where not available).
double loopbackCeilingMBps(const QByteArray &frame, qint64 total)
{
#if defined(Q_OS_UNIX)
    const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (listener < 0 || ::bind(listener, reinterpret_cast<sockaddr *>(&address), length) != 0 ||
        ::listen(listener, 1) != 0 ||
        ::getsockname(listener, reinterpret_cast<sockaddr *>(&address), &length) != 0) {
        return 0;
    }
    const int client = ::socket(AF_INET, SOCK_STREAM, 0);
    if (::connect(client, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0)
        return 0;
    const int server = ::accept(listener, nullptr, nullptr);
    ::close(listener);
    const QByteArray block = frame.repeated(std::max<qsizetype>(1, (4 << 20) / frame.size()));
    std::thread sender([server, total, &block] {
        qint64 left = total;
        while (left > 0) {
            const ssize_t n =
                ::send(server, block.constData(), size_t(std::min<qint64>(left, block.size())), 0);
            if (n <= 0)
                break;
            left -= n;
        }
        ::close(server);
    });
    std::vector<char> buffer(4 << 20); // with MSG_WAITALL: few wake-ups, the fastest variant here
    QElapsedTimer clock;
    clock.start();
    qint64 got = 0;
    for (;;) {
        const ssize_t n = ::recv(client, buffer.data(), buffer.size(), MSG_WAITALL);
        if (n <= 0)
            break;
        got += n;
    }
    const double seconds = clock.nsecsElapsed() / 1e9;
    sender.join();
    ::close(client);
    return got / 1e6 / seconds;
#else
    Q_UNUSED(frame);
    Q_UNUSED(total);
    return 0;
#endif
}

// Writing `total` octets of `frame` copies to a new file at `path` in 64 KiB writes, as the
// recording's packets are written, then removing it: what the file system takes on this machine
// with nothing else to do, in MB/s (the ceiling of any recording, in the same run).
double fileWriteCeilingMBps(const QByteArray &frame, qint64 total, const QString &path)
{
    const QByteArray block = frame.repeated(std::max<qsizetype>(1, (4 << 20) / frame.size()));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return 0;
    QElapsedTimer clock;
    clock.start();
    for (qint64 written = 0; written < total;) {
        const qint64 n = std::min<qint64>({total - written, 64 * 1024, block.size()});
        if (file.write(block.constData(), n) != n)
            return 0;
        written += n;
    }
    file.close();
    const double seconds = clock.nsecsElapsed() / 1e9;
    file.remove();
    return total / 1e6 / seconds;
}

double median(std::vector<double> values)
{
    std::sort(values.begin(), values.end());
    const size_t n = values.size();
    return n == 0 ? 0 : (n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    qint64 smallCount = 1000000;
    qint64 largeCount = 200;
    int rounds = 5;
    const QStringList args = app.arguments();
    for (qsizetype i = 1; i + 1 < args.size(); ++i) {
        if (args[i] == u"--small"_s)
            smallCount = args[i + 1].toLongLong();
        else if (args[i] == u"--large"_s)
            largeCount = args[i + 1].toLongLong();
        else if (args[i] == u"--rounds"_s)
            rounds = std::max(1, args[i + 1].toInt());
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
    auto [thread2, server2, port2] = startFloodServer(largeFrame, largeCount);
    const auto rate = [](const Measured &m) { return m.messages / m.seconds; };
    const double mb = double(largeFrame.size()) / 1e6;
    bool complete = true;
    // One round: both clients against the same server, the first one alternating by round.
    const auto round = [&complete](int r, quint16 serverPort, qint64 count, bool binary) {
        std::pair<Measured, Measured> m; // QWebSocket, session
        if (r % 2 == 0) {
            m.first = runQWebSocket(serverPort, count, binary);
            m.second = runSession(serverPort, count);
        } else {
            m.second = runSession(serverPort, count);
            m.first = runQWebSocket(serverPort, count, binary);
        }
        complete = complete && m.first.messages == count && m.second.messages == count;
        return m;
    };

    out << u"bench_receive: %1 rounds, same flood server for both clients, loopback\n"_s.arg(
        rounds);
    out << u"  16-octet text messages (%1 a run), messages/s\n"_s.arg(smallCount);
    out << u"    round   QWebSocket   inspector session   ratio\n"_s;
    std::vector<double> smallRatios;
    for (int r = 0; r < rounds; ++r) {
        const auto [qws, wsi] = round(r, port, smallCount, false);
        smallRatios.push_back(rate(wsi) / rate(qws));
        out << u"    %1   %2   %3   %4x\n"_s.arg(r + 1, 5)
                   .arg(rate(qws), 10, 'f', 0)
                   .arg(rate(wsi), 17, 'f', 0)
                   .arg(smallRatios.back(), 5, 'f', 2);
        out.flush();
    }

    out << u"  1 MiB binary messages (%1 a run), MB/s\n"_s.arg(largeCount);
    out << u"    round   loopback TCP   same server, QTcpSocket   QWebSocket   inspector session   "
           u"ratio   file writes alone   with a capture written   ratio\n"_s;
    std::vector<double> largeRatios;
    std::vector<double> captureRatios;
    std::vector<double> ceilingRatios;
    QTemporaryDir captures;
    const QString capturePath = captures.filePath(u"bench.pcapng"_s);
    for (int r = 0; r < rounds; ++r) {
        const double loopback = loopbackCeilingMBps(largeFrame, largeCount * largeFrame.size());
        const Measured raw = runRawTcp(port2, largeCount * largeFrame.size());
        const auto [qws, wsi] = round(r, port2, largeCount, true);
        const double fileCeiling =
            fileWriteCeilingMBps(largeFrame, largeCount * largeFrame.size(), capturePath);
        const Measured recorded = runSession(port2, largeCount, capturePath);
        complete = complete && recorded.messages == largeCount &&
                   QFileInfo(capturePath).size() > largeCount * largeFrame.size();
        QFile::remove(capturePath);
        largeRatios.push_back(rate(wsi) / rate(qws));
        captureRatios.push_back(rate(recorded) / rate(qws));
        ceilingRatios.push_back(loopback / (rate(qws) * mb));
        out << u"    %1   %2   %3   %4   %5   %6x   %7   %8   %9x\n"_s.arg(r + 1, 5)
                   .arg(loopback, 12, 'f', 0)
                   .arg(raw.messages / 1e6 / raw.seconds, 23, 'f', 0)
                   .arg(rate(qws) * mb, 10, 'f', 0)
                   .arg(rate(wsi) * mb, 17, 'f', 0)
                   .arg(largeRatios.back(), 5, 'f', 2)
                   .arg(fileCeiling, 17, 'f', 0)
                   .arg(rate(recorded) * mb, 22, 'f', 0)
                   .arg(captureRatios.back(), 5, 'f', 2);
        out.flush();
    }
    const auto lowest = [](const std::vector<double> &v) {
        return *std::min_element(v.begin(), v.end());
    };
    out << u"bench_receive: small %1x QWebSocket (median of %2; lowest %3; target 3.0), "
           u"large %4x (lowest %5; target 0.9), large with a capture written %6x (lowest %7; "
           u"target 0.8); loopback TCP itself is %8x QWebSocket\n"_s
               .arg(median(smallRatios), 0, 'f', 2)
               .arg(rounds)
               .arg(lowest(smallRatios), 0, 'f', 2)
               .arg(median(largeRatios), 0, 'f', 2)
               .arg(lowest(largeRatios), 0, 'f', 2)
               .arg(median(captureRatios), 0, 'f', 2)
               .arg(lowest(captureRatios), 0, 'f', 2)
               .arg(median(ceilingRatios), 0, 'f', 2);
    out.flush();
    stopFloodServer(thread, server);
    stopFloodServer(thread2, server2);
    return complete ? 0 : 1;
}
