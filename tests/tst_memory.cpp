// SPDX-License-Identifier: MIT
// Resident memory stays under the trace's budget plus a fixed overhead, whatever the server
// sends (docs/cli.md, "Memory"): `wsinspector-cli send` against raw loopback servers that stream
// large frames, a 2^62 length (failed by us, or not), or a million tiny frames, with its peak
// resident size read from /proc; and, in process, a consumer that lags holds the session back.
#include "scriptedpeer.h"
#include "session/session.h"
#include "testutils.h"
#include "trace/trace.h"

#include <QEventLoop>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <functional>

using namespace wsi;
using namespace wsi::test;
using namespace Qt::StringLiterals;

namespace {

constexpr qint64 kMiB = 1024 * 1024;
// The fixed overhead docs/cli.md states: resident ≤ --max-trace-octets + this.
constexpr qint64 kOverhead = 64 * kMiB;

// A raw WebSocket server for one client: a valid 101 answer, then what `source` produces, as
// fast as loopback takes it but never more than 4 MiB queued in its own socket; then, when the
// source is done (an empty piece), it closes TCP gracefully, after everything queued. What the
// client sends is read and dropped.
class StreamingPeer final : public QObject
{
public:
    using Source = std::function<QByteArray()>;

    explicit StreamingPeer(Source source) : m_source(std::move(source))
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            m_socket = m_server.nextPendingConnection();
            connect(m_socket, &QTcpSocket::readyRead, this, &StreamingPeer::onReadyRead);
            connect(m_socket, &QTcpSocket::bytesWritten, this, &StreamingPeer::pump);
            connect(m_socket, &QTcpSocket::disconnected, this, [this] { m_clientGone = true; });
        });
        m_server.listen(QHostAddress::LocalHost, 0);
    }

    [[nodiscard]] QString url() const { return u"ws://127.0.0.1:%1/"_s.arg(m_server.serverPort()); }
    [[nodiscard]] qint64 headSize() const { return m_headSize; }
    // Octets of the stream after the 101 answer handed to the socket.
    [[nodiscard]] qint64 streamed() const { return m_streamed; }
    [[nodiscard]] bool done() const { return m_done; }

private:
    static constexpr qint64 kMaxQueued = 4 * kMiB;

    void onReadyRead()
    {
        const QByteArray data = m_socket->readAll();
        if (m_headSize > 0)
            return;
        m_request += data;
        if (!m_request.contains("\r\n\r\n"))
            return;
        const QByteArray answer = ScriptedPeer::switchingProtocols(m_request);
        m_headSize = answer.size();
        m_socket->write(answer);
        pump();
    }

    void pump()
    {
        if (m_headSize == 0 || m_done || !m_socket ||
            m_socket->state() != QAbstractSocket::ConnectedState)
            return;
        while (m_socket->bytesToWrite() < kMaxQueued) {
            const QByteArray piece = m_source();
            if (piece.isEmpty()) {
                m_done = true;
                m_socket->disconnectFromHost(); // after what is queued
                return;
            }
            m_socket->write(piece);
            m_streamed += piece.size();
        }
    }

    QTcpServer m_server;
    QTcpSocket *m_socket = nullptr;
    Source m_source;
    QByteArray m_request;
    qint64 m_headSize = 0;
    qint64 m_streamed = 0;
    bool m_done = false;
    bool m_clientGone = false;
};

// `count` copies of `piece`, then the end.
StreamingPeer::Source repeat(const QByteArray &piece, qint64 count)
{
    return [piece, count]() mutable {
        if (count <= 0)
            return QByteArray();
        --count;
        return piece;
    };
}

// `first`, then what `rest` produces.
StreamingPeer::Source prefixed(const QByteArray &first, StreamingPeer::Source rest)
{
    return [first, rest = std::move(rest), sent = false]() mutable {
        if (!sent) {
            sent = true;
            return first;
        }
        return rest();
    };
}

QByteArray binaryFrameHeader(quint64 length)
{
    QByteArray h("\x82\x7f", 2);
    for (int shift = 56; shift >= 0; shift -= 8)
        h.append(char((length >> shift) & 0xFF));
    return h;
}

struct CliRun
{
    int exitCode = -1;
    QString err;
    qint64 peakKiB = -1; // the child's peak resident size (childResidentKiB())
    QJsonObject json;    // --json
    QString report;      // --report
};

// The time one run may take, in seconds (its --timeout and how long we wait for it). Under
// ThreadSanitizer the program is 5-15 times slower and `make test-tsan` runs two tests at
// once: a gigabyte through the client then takes about a minute, so its runs get four times as
// long. Nothing else changes.
constexpr int kRunSeconds = WSI_TEST_TSAN ? 240 : 60;
const QString kRunTimeout = QString::number(kRunSeconds);

// Runs `wsinspector-cli send` while this thread's event loop serves the peer, and reads the
// child's peak resident size (VmHWM of /proc/<pid>/status; under ThreadSanitizer its resident
// size without the sanitizer's shadow, see childResidentKiB()) every 10 ms while it runs. (Not
// getrusage(RUSAGE_CHILDREN): a child's ru_maxrss also counts the pages it shared with this
// process between fork and exec.)
CliRun runSend(const QStringList &args, int timeoutMs = kRunSeconds * 1000)
{
    QTemporaryDir dir;
    const QString json = dir.filePath(u"report.json"_s);
    const QString text = dir.filePath(u"report.txt"_s);
    CliRun r;
    QProcess p;
    QEventLoop loop;
    QObject::connect(&p, &QProcess::finished, &loop, &QEventLoop::quit);
    QTimer poll;
    poll.setInterval(10);
    qint64 polled = -1;
    QObject::connect(&poll, &QTimer::timeout, &loop,
                     [&] { polled = std::max(polled, childResidentKiB(p.processId())); });
    QTimer timeout;
    timeout.setSingleShot(true);
    QObject::connect(&timeout, &QTimer::timeout, &loop, &QEventLoop::quit);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    sanitizerChildEnvironment(env);
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(WSI_CLI_PATH),
            QStringList{u"send"_s} << args << u"--json"_s << json << u"--report"_s << text);
    if (!p.waitForStarted(5000))
        return r;
    poll.start();
    timeout.start(timeoutMs);
    loop.exec();
    if (p.state() != QProcess::NotRunning) {
        p.kill();
        p.waitForFinished();
        return r;
    }
    r.peakKiB = polled;
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    r.err = QString::fromUtf8(p.readAllStandardError());
    QFile jsonFile(json);
    if (jsonFile.open(QIODevice::ReadOnly))
        r.json = QJsonDocument::fromJson(jsonFile.readAll()).object();
    QFile textFile(text);
    if (textFile.open(QIODevice::ReadOnly))
        r.report = QString::fromUtf8(textFile.readAll());
    return r;
}

// Σ chop size × count of an octet statistics object ({"65536": 3, …}).
qint64 octetTotal(const QJsonObject &stats)
{
    qint64 total = 0;
    for (auto it = stats.begin(); it != stats.end(); ++it)
        total += it.key().toLongLong() * it.value().toInteger();
    return total;
}

} // namespace

class TestMemory : public QObject
{
    Q_OBJECT

private:
    // What every run must show once storage stopped: said in the report, the JSON and on
    // standard error, at an RX offset inside the budget; the statistics exact.
    static void checkStorageStopped(const CliRun &r, qint64 budget)
    {
        const QJsonObject stop = r.json[u"storageStopped"_s].toObject();
        QCOMPARE(stop[u"direction"_s].toString(), u"rx"_s);
        QCOMPARE(stop[u"maxTraceOctets"_s].toInteger(), budget);
        const qint64 offset = stop[u"streamOffset"_s].toInteger();
        QVERIFY2(offset > 0 && offset < budget, qPrintable(QString::number(offset)));
        const QString where = u"stopped at RX octet "_s + QString::number(offset);
        QVERIFY2(r.report.contains(u"Storage: "_s + where), qPrintable(r.report.left(2000)));
        QVERIFY(r.report.contains(u" STORAGE STOPPED at RX octet "_s + QString::number(offset)));
        QVERIFY2(r.err.contains(u"trace storage "_s + where), qPrintable(r.err));
    }

    static void checkPeak(const CliRun &r, qint64 bound)
    {
        QVERIFY(r.peakKiB > 0);
        const qint64 measured = childMemoryBound(bound); // the sanitizer's own memory added
        qInfo("peak resident %lld KiB (bound %lld KiB; checked against %lld KiB)", r.peakKiB,
              bound / 1024, measured / 1024);
        QVERIFY2(r.peakKiB * 1024 < measured,
                 qPrintable(
                     u"peak %1 KiB, checked against %2 KiB"_s.arg(r.peakKiB).arg(measured / 1024)));
    }

private Q_SLOTS:
    // (d) 1,000,000 frames of 16 octets (16 MB on the wire): their records are bounded by the
    // budget too; every frame is counted.
    void millionTinyFrames()
    {
        constexpr qint64 kFrames = 1'000'000;
        constexpr qint64 kPerPiece = 65536;
        QByteArray frame("\x82\x0e", 2);
        frame += QByteArray(14, 'y');
        const QByteArray piece = frame.repeated(kPerPiece);
        qint64 left = kFrames;
        StreamingPeer peer([&]() {
            const qint64 n = std::min(left, kPerPiece);
            left -= n;
            return n == kPerPiece ? piece : frame.repeated(n);
        });
        const qint64 budget = 16 * kMiB;
        const CliRun r = runSend({peer.url(), u"--ping"_s, u"x"_s, u"--timeout"_s, kRunTimeout,
                                  u"--max-trace-octets"_s, QString::number(budget)});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(peer.done());
        QCOMPARE(peer.streamed(), kFrames * 16);
        QCOMPARE(octetTotal(r.json[u"rxOctetStats"_s].toObject()), peer.headSize() + kFrames * 16);
        QCOMPARE(r.json[u"rxFrameStats"_s].toObject()[u"2"_s].toInteger(), kFrames);
        checkStorageStopped(r, budget);
        checkPeak(r, budget + kOverhead);
    }

    // (b) A ping, then a 2^62 length: we fail the connection (1009) and the server streams on,
    // 1 GiB, ignoring our close. Those octets are counted, not stored: resident memory stays
    // far below the default budget (512 MiB) and below what arrived.
    void hugeLengthAfterPingIsFailed()
    {
        const QByteArray zeros(kMiB, '\0');
        StreamingPeer peer(prefixed(QByteArray("\x89\x00", 2) + binaryFrameHeader(1ull << 62),
                                    repeat(zeros, 1024)));
        const CliRun r = runSend({peer.url(), u"--ping"_s, u"x"_s, u"--timeout"_s, kRunTimeout,
                                  u"--close-timeout"_s, kRunTimeout});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(peer.done());
        QCOMPARE(r.json[u"failedByMe"_s].toBool(), true);
        QCOMPARE(r.json[u"localCloseCode"_s].toInt(), 1009);
        QCOMPARE(octetTotal(r.json[u"rxOctetStats"_s].toObject()),
                 peer.headSize() + peer.streamed());
        QVERIFY(peer.streamed() > 1024 * kMiB);
        QVERIFY(r.json[u"storageStopped"_s].isNull()); // heads only: the budget was not spent
        checkPeak(r, kOverhead);
    }

    // (c) With --no-fail-on-violation a 2^62 frame is read on: 1 GiB of it, stored up to the
    // budget, then counted.
    void hugeLengthStreamNotFailed()
    {
        const QByteArray zeros(kMiB, '\0');
        StreamingPeer peer(prefixed(binaryFrameHeader(1ull << 62), repeat(zeros, 1024)));
        const qint64 budget = 64 * kMiB;
        const CliRun r = runSend({peer.url(), u"--ping"_s, u"x"_s, u"--timeout"_s, kRunTimeout,
                                  u"--no-fail-on-violation"_s, u"--max-trace-octets"_s,
                                  QString::number(budget)});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(peer.done());
        QCOMPARE(r.json[u"failedByMe"_s].toBool(), false);
        QCOMPARE(octetTotal(r.json[u"rxOctetStats"_s].toObject()),
                 peer.headSize() + 10 + 1024 * kMiB);
        checkStorageStopped(r, budget);
        checkPeak(r, budget + kOverhead);
    }

    // (a) Valid 1 MiB frames, 1 GiB of them as fast as loopback goes: stored up to the budget,
    // then counted; every frame and octet is in the statistics.
    void largeFramesStream()
    {
        constexpr qint64 kFrames = 1024;
        const QByteArray frame = binaryFrameHeader(kMiB) + QByteArray(kMiB, 'x');
        StreamingPeer peer(repeat(frame, kFrames));
        const qint64 budget = 64 * kMiB;
        const CliRun r = runSend({peer.url(), u"--ping"_s, u"x"_s, u"--timeout"_s, kRunTimeout,
                                  u"--max-trace-octets"_s, QString::number(budget)});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(peer.done());
        QCOMPARE(octetTotal(r.json[u"rxOctetStats"_s].toObject()),
                 peer.headSize() + kFrames * frame.size());
        QCOMPARE(r.json[u"rxFrameStats"_s].toObject()[u"2"_s].toInteger(), kFrames);
        checkStorageStopped(r, budget);
        checkPeak(r, budget + kOverhead);
    }

    // In process: a consumer that holds the batches instead of appending them makes the session
    // stop reading once 16 MiB are in flight (the server is held back by TCP); appending them
    // lets it go on, and nothing is lost.
    void laggingConsumerHoldsTheSessionBack()
    {
        constexpr qint64 kFrames = 256;
        const QByteArray frame = binaryFrameHeader(kMiB) + QByteArray(kMiB, 'x');
        StreamingPeer peer(repeat(frame, kFrames));
        SessionSettings settings;
        settings.url = QUrl(peer.url());
        SessionHost host;
        const std::shared_ptr<TraceFlow> flow = host.session()->traceFlow();
        Trace trace;
        std::vector<TraceBatchPtr> held;
        qint64 heldCost = 0;
        qint64 maxHeld = 0;
        bool holding = true;
        QObject::connect(&host, &SessionHost::traceBatch, &host, [&](const TraceBatchPtr &b) {
            if (!holding) {
                trace.append(std::move(*b));
                return;
            }
            heldCost += b->cost;
            maxHeld = std::max(maxHeld, heldCost);
            held.push_back(b);
        });
        QSignalSpy finished(&host, &SessionHost::finished);
        host.start(settings, {});
        QTRY_VERIFY_WITH_TIMEOUT(flow->inFlight() >= ClientSession::kPauseReadingAt, 30000);
        QVERIFY(!peer.done()); // 256 MiB to go: the session stopped reading, not the server
        holding = false;
        for (TraceBatchPtr &b : held)
            trace.append(std::move(*b));
        held.clear();
        QVERIFY(finished.wait(60000));
        QCoreApplication::processEvents();
        QVERIFY(peer.done());
        // Paused at the mark: at most one more read (64 KiB and its records) went past it.
        QVERIFY2(maxHeld <= ClientSession::kPauseReadingAt + kMiB,
                 qPrintable(QString::number(maxHeld)));
        QCOMPARE(trace.octetCount(Direction::Rx), peer.headSize() + kFrames * frame.size());
        QCOMPARE(trace.frameCount(Direction::Rx), kFrames);
        QCOMPARE(flow->inFlight(), 0);
    }
};

QTEST_GUILESS_MAIN(TestMemory)
#include "tst_memory.moc"
