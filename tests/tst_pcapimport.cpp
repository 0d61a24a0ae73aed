// SPDX-License-Identifier: MIT
// Captures made by another tool: dumpcap records real sessions against the echo server on
// loopback (pcapng and classic pcap), and the importer must rebuild what the live trace holds:
// the same frames each way, the same handshake heads, the same closing behaviour. Copies of a
// real capture, edited (a stream kept alone, a packet dropped, the file cut), check the choice
// of stream, the gaps and the damage messages.
#include "capture/capturefile.h"
#include "capture/pcapimport.h"
#include "echo/echoserver.h"
#include "session/session.h"
#include "testutils.h"
#include "trace/closing.h"
#include "trace/wirelog.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QtEndian>
#include <QTest>

#include <csignal>
#include <functional>

using namespace wsi;
using namespace wsi::capture;
using namespace Qt::StringLiterals;

namespace {

// dumpcap on the loopback interface, for one port.
class Dumpcap
{
public:
    ~Dumpcap()
    {
        if (m_process.state() != QProcess::NotRunning) {
            ::kill(pid_t(m_process.processId()), SIGINT);
            m_process.waitForFinished(5000);
        }
    }

    // Returns the reason when it did not start: the test fails with it.
    QString start(const QString &file, quint16 port, bool classicPcap)
    {
        QStringList args{u"-i"_s, u"lo"_s, u"-f"_s, u"tcp port %1"_s.arg(port),
                         u"-w"_s, file,    u"-q"_s};
        if (classicPcap)
            args << u"-P"_s;
        m_process.start(u"/usr/bin/dumpcap"_s, args);
        if (!m_process.waitForStarted(5000))
            return u"dumpcap did not start: "_s + m_process.errorString();
        // The file header is written once the interface is open and the filter set: from then
        // on every packet is captured.
        for (int i = 0; i < 100; ++i) {
            if (m_process.state() == QProcess::NotRunning)
                return u"dumpcap stopped: "_s + QString::fromLocal8Bit(m_process.readAll());
            if (QFileInfo(file).size() >= 24)
                return {};
            QTest::qWait(100);
        }
        return u"dumpcap wrote no file header in 10 s: "_s +
               QString::fromLocal8Bit(m_process.readAll());
    }

    QString stop()
    {
        ::kill(pid_t(m_process.processId()), SIGINT);
        if (!m_process.waitForFinished(10000))
            return u"dumpcap did not stop"_s;
        if (m_process.exitStatus() != QProcess::NormalExit || m_process.exitCode() != 0)
            return u"dumpcap failed: "_s + QString::fromLocal8Bit(m_process.readAll());
        return {};
    }

private:
    QProcess m_process{};
};

// A short delay between the steps makes each one a TCP segment of its own (one write), so that
// a copy can lose one of them.
StepList sessionSteps(const QByteArray &tag)
{
    const Step pause = test::timerStep(Step::Kind::Delay, 0.02);
    StepList steps;
    Step message;
    message.kind = Step::Kind::Message;
    message.payload = "fragmented text " + tag;
    message.fragmentSize = 7;
    steps << message << pause;
    Step ping;
    ping.kind = Step::Kind::Ping;
    ping.payload = "ping " + tag;
    steps << ping << pause;
    FrameSpec binary;
    binary.opcode = quint8(Opcode::Binary);
    binary.payload = QByteArray("\x00\x01\xfe\xff", 4) + tag;
    steps << Step::makeFrame(binary) << pause;
    steps << test::closeStep(1000, "bye " + tag);
    return steps;
}

std::vector<const FrameRecord *> framesOf(const Trace &trace, Direction d)
{
    std::vector<const FrameRecord *> out;
    for (const FrameRecord &f : trace.frames()) {
        if (f.direction == d)
            out.push_back(&f);
    }
    return out;
}

QString eventText(const Trace &trace, TraceEvent::Kind kind)
{
    for (const TraceEvent &e : trace.events()) {
        if (e.kind == kind)
            return e.text;
    }
    return u"(none)"_s;
}

// The frames of one direction as the user sees them in the frame table.
void compareFrames(const Trace &back, const Trace &live, Direction d, size_t count)
{
    const auto a = framesOf(back, d);
    const auto b = framesOf(live, d);
    QVERIFY2(a.size() >= count && b.size() >= count,
             qPrintable(u"%1 and %2 frames"_s.arg(a.size()).arg(b.size())));
    for (size_t i = 0; i < count; ++i) {
        const FrameRecord &x = *a[i];
        const FrameRecord &y = *b[i];
        QCOMPARE(x.opcode, y.opcode);
        QCOMPARE(x.fin, y.fin);
        QCOMPARE(x.rsv, y.rsv);
        QCOMPARE(x.payloadLength, y.payloadLength);
        QCOMPARE(back.framePayload(x), live.framePayload(y));
        QCOMPARE(x.masked, y.masked);
        QCOMPARE(x.hasKey, y.hasKey);
        QCOMPARE(x.maskKey, y.maskKey);
        QCOMPARE(x.streamOffset, y.streamOffset);
        QCOMPARE(x.extendedLengthSize, y.extendedLengthSize);
        QCOMPARE(x.violations, y.violations);
        QCOMPARE(x.incomplete, y.incomplete);
    }
}

// The wire log's frame lines and their payload lines, as the report shows them.
QStringList frameLogLines(const Trace &trace)
{
    QStringList out;
    for (const WireLogLine &line : wireLog(trace)) {
        if (line.kind == WireLogKind::TxFrame || line.kind == WireLogKind::RxFrame)
            out << wireLogText(trace, line) + u" | "_s + wireLogPayloadText(trace, line);
    }
    return out;
}

void compareWhole(const Trace &back, const Trace &live)
{
    QCOMPARE(frameLogLines(back).join(u'\n'), frameLogLines(live).join(u'\n'));
    for (const Direction d : {Direction::Tx, Direction::Rx}) {
        QCOMPARE(back.octetCount(d), live.octetCount(d));
        QCOMPARE(back.streamOctets(d, 0, back.octetCount(d)),
                 live.streamOctets(d, 0, live.octetCount(d)));
        QCOMPARE(framesOf(back, d).size(), framesOf(live, d).size());
        compareFrames(back, live, d, framesOf(live, d).size());
    }
    QCOMPARE(eventText(back, TraceEvent::Kind::HandshakeRequest),
             eventText(live, TraceEvent::Kind::HandshakeRequest));
    QCOMPARE(eventText(back, TraceEvent::Kind::HandshakeResponse),
             eventText(live, TraceEvent::Kind::HandshakeResponse));
    QCOMPARE(eventText(back, TraceEvent::Kind::Connected),
             eventText(live, TraceEvent::Kind::Connected));
    const ClosingBehavior x = analyzeClosing(back);
    const ClosingBehavior y = analyzeClosing(live);
    QVERIFY(y.wasOpen && y.tcpClosed); // the live run did what the steps say
    QCOMPARE(x.wasOpen, y.wasOpen);
    QCOMPARE(x.closedByMe, y.closedByMe);
    QCOMPARE(x.failedByMe, y.failedByMe);
    QCOMPARE(x.droppedByMe, y.droppedByMe);
    QCOMPARE(x.wasClean, y.wasClean);
    QCOMPARE(x.wasNotCleanReason, y.wasNotCleanReason);
    QCOMPARE(x.localCloseCode, y.localCloseCode);
    QCOMPARE(x.localCloseReason, y.localCloseReason);
    QCOMPARE(x.remoteCloseCode, y.remoteCloseCode);
    QCOMPARE(x.remoteCloseReason, y.remoteCloseReason);
    QCOMPARE(x.tcpClosed, y.tcpClosed);
    QCOMPARE(x.tcpEnd, y.tcpEnd);
    QCOMPARE(x.state, y.state);
    // The capture's clock is the kernel's, the session's its own: OPEN to the end of TCP agrees
    // to well within the 20 ms pauses between the steps.
    QVERIFY2(qAbs(x.durationMs() - y.durationMs()) <= 10,
             qPrintable(u"%1 and %2 ms"_s.arg(x.durationMs()).arg(y.durationMs())));
    QCOMPARE(back.state(), SessionState::Closed);
}

// A classic pcap file's records, as (offset of the record header, captured octets).
struct PcapFile
{
    QByteArray header;
    QList<QPair<qint64, QByteArray>> records;
};

PcapFile readPcap(const QString &path)
{
    QFile f(path);
    PcapFile out;
    if (!f.open(QIODevice::ReadOnly))
        return out;
    const QByteArray all = f.readAll();
    if (all.size() < 24 || qFromLittleEndian<quint32>(all.constData()) != 0xa1b2c3d4u)
        return out; // dumpcap -P on this machine: little-endian, microseconds
    out.header = all.first(24);
    qint64 at = 24;
    while (at + 16 <= all.size()) {
        const quint32 captured = qFromLittleEndian<quint32>(all.constData() + at + 8);
        out.records.append({at, all.mid(at, 16 + captured)});
        at += 16 + captured;
    }
    return out;
}

std::optional<TcpSegment> segmentOf(const QByteArray &record)
{
    return parseTcpPacket(kLinkTypeEthernet, QByteArrayView(record).sliced(16));
}

bool writeFile(const QString &path, const QByteArray &data)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(data) == data.size();
}

// dumpcap writes what it captured a while later: wait until the file holds the whole connection
// (or give up and let the comparison say what is missing).
void waitForCapture(const QString &path, const Trace &live, std::optional<int> stream)
{
    for (int i = 0; i < 100; ++i) {
        ImportOptions o;
        o.stream = stream;
        const ImportResult r = importCapture(path, o);
        if (r.trace && r.trace->state() == SessionState::Closed &&
            r.trace->octetCount(Direction::Tx) == live.octetCount(Direction::Tx) &&
            r.trace->octetCount(Direction::Rx) == live.octetCount(Direction::Rx))
            return;
        QTest::qWait(100);
    }
}

} // namespace

class TestPcapImport : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir{QDir::tempPath() + u"/tst_pcapimport-XXXXXX"_s};
    EchoServer m_echo;
    test::SessionRun m_multi[2]; // the two sessions of the capture with three streams
    QString m_multiPath;         // classic pcap: a plain TCP stream, then two WebSocket sessions

    // Captures `sessions` sessions (after `before`) with dumpcap into `file`; their live traces
    // go to lives[0…]. Empty, or why it failed.
    QString runCaptured(const QString &file, bool classic, int sessions, test::SessionRun *lives,
                        const std::function<void()> &before = {})
    {
        Dumpcap dumpcap;
        const QString why = dumpcap.start(file, m_echo.port(), classic);
        if (!why.isEmpty())
            return why;
        if (before)
            before();
        for (int i = 0; i < sessions; ++i) {
            test::runSession(lives[i], test::settingsFor(m_echo.url()),
                             sessionSteps(QByteArray::number(i)));
            if (!lives[i].finished)
                return u"session %1 did not finish"_s.arg(i);
            waitForCapture(file, lives[i].trace,
                           sessions > 1 ? std::optional<int>(i + 1) : std::nullopt);
        }
        return dumpcap.stop();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(m_echo.listen(), qPrintable(m_echo.errorString()));
        // One capture with three TCP streams: a plain TCP exchange first, then two sessions.
        m_multiPath = m_dir.filePath(u"multi.pcap"_s);
        const quint16 port = m_echo.port();
        const QString why = runCaptured(m_multiPath, true, 2, m_multi, [port] {
            QTcpSocket plain;
            plain.connectToHost(u"127.0.0.1"_s, port);
            QVERIFY(plain.waitForConnected(5000));
            plain.write("HELLO THERE\r\n\r\n");
            QVERIFY(plain.waitForBytesWritten(5000));
            plain.waitForReadyRead(300); // no answer: the server waits for a request
            plain.disconnectFromHost();
            if (plain.state() != QAbstractSocket::UnconnectedState)
                plain.waitForDisconnected(2000);
        });
        QVERIFY2(why.isEmpty(), qPrintable(why));
    }

    // One real session captured by dumpcap, in each of its formats: the import rebuilds the
    // live trace's frames, octets, handshake heads and closing behaviour.
    void realCapture_data()
    {
        QTest::addColumn<bool>("classic");
        QTest::newRow("pcapng") << false;
        QTest::newRow("pcap") << true;
    }
    void realCapture()
    {
        QFETCH(bool, classic);
        const QString path = m_dir.filePath(classic ? u"one.pcap"_s : u"one.pcapng"_s);
        test::SessionRun run;
        const QString why = runCaptured(path, classic, 1, &run);
        const Trace &live = run.trace;
        QVERIFY2(why.isEmpty(), qPrintable(why));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray head = f.peek(24);
        QCOMPARE(looksLikePcap(head), classic); // dumpcap wrote the format asked for
        f.close();

        const LoadedCapture loaded = loadCapture(path);
        QVERIFY2(loaded.trace, qPrintable(loaded.error));
        QCOMPARE(loaded.error, QString());
        QVERIFY(loaded.foreign);
        QVERIFY2(loaded.warnings.isEmpty(), qPrintable(loaded.warnings.join(u'\n')));
        QCOMPARE(loaded.streams.size(), 1);
        QCOMPARE(loaded.stream, 0);
        QVERIFY(loaded.streams[0].webSocket);
        QCOMPARE(loaded.streams[0].summary.server.port, m_echo.port());
        QVERIFY(loaded.streams[0].summary.sawSyn);
        QCOMPARE(loaded.connection.url, u"ws://127.0.0.1:%1/"_s.arg(m_echo.port()));
        QCOMPARE(loaded.connection.peerAddress, u"127.0.0.1:%1"_s.arg(m_echo.port()));
        QCOMPARE(loaded.trace->url(), loaded.connection.url);
        // The first packet was a moment ago, not 1970.
        QVERIFY(qAbs(loaded.connection.startedAt.secsTo(QDateTime::currentDateTimeUtc())) < 120);
        const Trace &back = *loaded.trace;
        compareWhole(back, live);
        // What the steps sent and what came back: 3 fragments, a ping, a binary frame, a close.
        QCOMPARE(framesOf(back, Direction::Tx).size(), size_t(6));
        QCOMPARE(framesOf(back, Direction::Rx).size(), size_t(4)); // message, pong, binary, close
        QVERIFY(test::noteTexts(back).constFirst().startsWith(
            u"Reconstructed from a capture made by another tool"_s));
        QVERIFY(test::noteTexts(back).constFirst().contains(path));
        QVERIFY(test::noteTexts(back).constFirst().contains(
            u"Read-only: timers and sent-frame facts such as chop size are not known."_s));
        // The states a live session goes through, in its order.
        QStringList states;
        for (const TraceEvent &e : back.events()) {
            if (e.kind == TraceEvent::Kind::StateChanged)
                states << sessionStateName(e.state);
        }
        QCOMPARE(states.join(u' '), u"CONNECTING OPEN CLOSING CLOSED"_s);
        // The chunks have the stream's offsets and the TCP octets exactly.
        for (const OctetChunk &c : back.chunks()) {
            QVERIFY(c.isComplete());
            QCOMPARE(c.data, live.streamOctets(c.direction, c.streamOffset, c.size));
        }
    }

    // Three streams in one capture: the first WebSocket one is chosen, the others listed, and
    // an index opens any of them.
    void severalStreams()
    {
        const ImportResult r = importCapture(m_multiPath);
        QVERIFY2(r.trace, qPrintable(r.error));
        QCOMPARE(r.streams.size(), 3);
        QVERIFY(!r.streams[0].webSocket);
        QVERIFY(r.streams[1].webSocket);
        QVERIFY(r.streams[2].webSocket);
        QCOMPARE(r.chosen, 1);
        compareWhole(*r.trace, m_multi[0].trace);
        QCOMPARE(r.warnings.size(), 1);
        QCOMPARE(r.warnings[0],
                 u"the capture holds 3 TCP streams; stream 1 is shown; the others: "_s +
                     streamDescription(0, r.streams[0]) + u"; "_s +
                     streamDescription(2, r.streams[2]));
        QVERIFY(streamDescription(2, r.streams[2]).endsWith(u", WebSocket"_s));

        ImportOptions second;
        second.stream = 2;
        const ImportResult r2 = importCapture(m_multiPath, second);
        QVERIFY2(r2.trace, qPrintable(r2.error));
        QCOMPARE(r2.chosen, 2);
        compareWhole(*r2.trace, m_multi[1].trace);
        // Through loadCapture too.
        const LoadedCapture loaded = loadCapture(m_multiPath, {}, 2);
        QVERIFY(loaded.trace);
        QCOMPARE(loaded.stream, 2);
        QCOMPARE(loaded.streams.size(), 3);

        ImportOptions plain;
        plain.stream = 0;
        const ImportResult r0 = importCapture(m_multiPath, plain);
        QVERIFY2(r0.trace, qPrintable(r0.error));
        QVERIFY(r0.warnings.contains(u"TCP stream 0 does not begin with a WebSocket opening "
                                     "handshake (an HTTP GET with Upgrade: websocket)"_s));
        QCOMPARE(r0.trace->frames().size(), size_t(0));

        ImportOptions none;
        none.stream = 3;
        const ImportResult r3 = importCapture(m_multiPath, none);
        QVERIFY(!r3.trace);
        QCOMPARE(r3.error, u"there is no TCP stream 3: the capture holds 3 (0 to 2)"_s);
    }

    // A capture of a TCP connection that is not WebSocket: the stream is shown as octets, and the
    // message says why there are no frames.
    void notWebSocket()
    {
        const PcapFile pcap = readPcap(m_multiPath);
        QVERIFY(!pcap.records.isEmpty());
        QByteArray copy = pcap.header;
        std::optional<quint16> clientPort;
        for (const auto &record : pcap.records) {
            const std::optional<TcpSegment> s = segmentOf(record.second);
            QVERIFY(s);
            if (!clientPort)
                clientPort = s->source.port; // the plain connection's SYN comes first
            if (s->source.port == *clientPort || s->destination.port == *clientPort)
                copy += record.second;
        }
        const QString path = m_dir.filePath(u"plain.pcap"_s);
        QVERIFY(writeFile(path, copy));
        const LoadedCapture loaded = loadCapture(path);
        QVERIFY2(loaded.trace, qPrintable(loaded.error));
        QCOMPARE(loaded.streams.size(), 1);
        QVERIFY(!loaded.streams[0].webSocket);
        QCOMPARE(loaded.warnings,
                 QStringList{u"no TCP stream of the capture begins with a WebSocket opening "
                             "handshake (an HTTP GET with Upgrade: websocket); stream 0 is shown "
                             "as it is"_s});
        QCOMPARE(loaded.trace->frames().size(), size_t(0));
        QCOMPARE(loaded.trace->octetCount(Direction::Tx), qint64(15)); // "HELLO THERE\r\n\r\n"
        QVERIFY(!test::hasEvent(*loaded.trace, TraceEvent::Kind::HandshakeRequest));
        QVERIFY(!analyzeClosing(*loaded.trace).wasOpen);
        QVERIFY(test::noteTexts(*loaded.trace)
                    .contains(u"the client's first octets are not a WebSocket opening handshake "
                              "(an HTTP GET with Upgrade: websocket): the octets are shown, no "
                              "frames"_s));
    }

    // A connection the server refused (SYN answered by RST): no connection, as the live
    // session says it, and no Connected event.
    void refused()
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        const quint16 port = probe.serverPort();
        probe.close(); // nothing listens there now
        const QString path = m_dir.filePath(u"refused.pcapng"_s);
        test::SessionRun run;
        {
            Dumpcap dumpcap;
            const QString why = dumpcap.start(path, port, false);
            QVERIFY2(why.isEmpty(), qPrintable(why));
            test::runSession(run, test::settingsFor(QUrl(u"ws://127.0.0.1:%1/"_s.arg(port))), {});
            QVERIFY(run.finished);
            for (int i = 0; i < 100; ++i) {
                const ImportResult r = importCapture(path);
                if (r.trace && r.trace->state() == SessionState::Closed)
                    break;
                QTest::qWait(100);
            }
            const QString stopped = dumpcap.stop();
            QVERIFY2(stopped.isEmpty(), qPrintable(stopped));
        }
        const LoadedCapture loaded = loadCapture(path);
        QVERIFY2(loaded.trace, qPrintable(loaded.error));
        // (Qt's socket tries a refused address twice: one stream or two, each SYN and RST.)
        QVERIFY(!loaded.streams.isEmpty());
        QCOMPARE(loaded.stream, 0);
        for (const ImportedStream &s : loaded.streams) {
            QVERIFY(!s.webSocket);
            QCOMPARE(s.summary.packets, 2);
            QCOMPARE(s.summary.server.port, port);
        }
        const ClosingBehavior x = analyzeClosing(*loaded.trace);
        const ClosingBehavior y = analyzeClosing(run.trace);
        QCOMPARE(y.tcpEnd, TcpEnd::NoConnection);
        QCOMPARE(x.tcpEnd, y.tcpEnd);
        QCOMPARE(x.wasOpen, false);
        QCOMPARE(x.connectError, u"connection refused: the server answered with a reset"_s);
        QVERIFY(!test::hasEvent(*loaded.trace, TraceEvent::Kind::Connected));
        QCOMPARE(loaded.trace->state(), SessionState::Closed);
    }

    void notACapture()
    {
        const QString path = m_dir.filePath(u"text.txt"_s);
        QVERIFY(writeFile(path, "hello, world\n"));
        const LoadedCapture loaded = loadCapture(path);
        QVERIFY(!loaded.trace);
        QVERIFY(!loaded.foreign);
        QCOMPARE(
            loaded.error,
            u"not a capture: neither pcapng nor pcap (first octets 68 65 6c 6c 6f 2c 20 77)"_s);
        const QString empty = m_dir.filePath(u"empty"_s);
        QVERIFY(writeFile(empty, {}));
        QCOMPARE(loadCapture(empty).error,
                 u"not a capture: neither pcapng nor pcap (the file is empty)"_s);
    }

    // The same capture in the other classic layouts: big-endian, nanosecond timestamps (a
    // copy of dumpcap's little-endian microsecond file, rewritten field by field).
    void pcapLayouts()
    {
        const QString source = m_dir.filePath(u"one.pcap"_s);
        const PcapFile pcap = readPcap(source);
        QVERIFY(!pcap.records.isEmpty());
        const auto be32 = [](quint32 v) {
            QByteArray b(4, '\0');
            qToBigEndian(v, b.data());
            return b;
        };
        const auto le32 = [](const QByteArray &b, int at) {
            return qFromLittleEndian<quint32>(b.constData() + at);
        };
        QByteArray copy = be32(0xa1b23c4du);
        copy += QByteArray::fromHex("00020004"); // version 2.4, big-endian
        copy += be32(0) + be32(0) + be32(le32(pcap.header, 16)) + be32(le32(pcap.header, 20));
        for (const auto &record : pcap.records) {
            const QByteArray &r = record.second;
            copy += be32(le32(r, 0)) + be32(le32(r, 4) * 1000) + be32(le32(r, 8)) +
                    be32(le32(r, 12)) + r.sliced(16);
        }
        const QString path = m_dir.filePath(u"one-be-ns.pcap"_s);
        QVERIFY(writeFile(path, copy));
        QVERIFY(looksLikePcap(copy));
        const LoadedCapture a = loadCapture(source);
        const LoadedCapture b = loadCapture(path);
        QVERIFY2(a.trace && b.trace, qPrintable(a.error + b.error));
        QVERIFY2(b.warnings.isEmpty(), qPrintable(b.warnings.join(u'\n')));
        QCOMPARE(b.connection.startedAt, a.connection.startedAt);
        QCOMPARE(b.trace->chunks().size(), a.trace->chunks().size());
        for (size_t i = 0; i < a.trace->chunks().size(); ++i) {
            QCOMPARE(b.trace->chunks()[i].timeNs, a.trace->chunks()[i].timeNs);
            QCOMPARE(b.trace->chunks()[i].data, a.trace->chunks()[i].data);
        }
        for (const Direction d : {Direction::Tx, Direction::Rx}) {
            QCOMPARE(framesOf(*b.trace, d).size(), framesOf(*a.trace, d).size());
            compareFrames(*b.trace, *a.trace, d, framesOf(*a.trace, d).size());
        }
    }

    // A classic pcap cut inside a record: read up to the cut; the warning names the record.
    void truncatedPcap()
    {
        const PcapFile pcap = readPcap(m_dir.filePath(u"one.pcap"_s));
        QVERIFY(pcap.records.size() > 10);
        // Cut inside the last record that carries a payload (the server's close, or later).
        qsizetype cut = -1;
        for (qsizetype i = 0; i < pcap.records.size(); ++i) {
            if (segmentOf(pcap.records[i].second)->payloadLength > 0)
                cut = i;
        }
        QVERIFY(cut > 0);
        QByteArray copy = pcap.header;
        for (qsizetype i = 0; i < cut; ++i)
            copy += pcap.records[i].second;
        copy += pcap.records[cut].second.first(16 + 5);
        const QString path = m_dir.filePath(u"cut.pcap"_s);
        QVERIFY(writeFile(path, copy));
        const LoadedCapture loaded = loadCapture(path);
        QVERIFY2(loaded.trace, qPrintable(loaded.error));
        QCOMPARE(loaded.error, QString());
        const QString expected = u"the file is damaged; it was read up to the damage: record %1 "
                                 "(at octet %2) is cut short: the file ends after 5 of its %3 "
                                 "captured octets (the capture was truncated)"_s.arg(cut + 1)
                                     .arg(pcap.records[cut].first)
                                     .arg(pcap.records[cut].second.size() - 16);
        QVERIFY2(loaded.warnings.contains(expected), qPrintable(loaded.warnings.join(u'\n')));
        // Everything before the cut is there; the connection's end is not.
        QVERIFY(!test::hasEvent(*loaded.trace, TraceEvent::Kind::TcpClosed));
        QVERIFY(test::noteTexts(*loaded.trace)
                    .contains(u"the capture ends while the TCP connection is still open"_s));
        QVERIFY(loaded.trace->frames().size() >= 6);
    }

    // A packet of the client's dropped from a copy: a note says which octets are missing, the
    // offsets after the gap stay right, the frames before it are the live ones.
    void gap()
    {
        const LoadedCapture whole = loadCapture(m_dir.filePath(u"one.pcap"_s));
        QVERIFY2(whole.trace, qPrintable(whole.error));
        const PcapFile pcap = readPcap(m_dir.filePath(u"one.pcap"_s));
        // The client's payload packets: the request, then its frames; drop the third.
        quint32 clientIsn = 0;
        qsizetype dropped = -1;
        int payloads = 0;
        for (qsizetype i = 0; i < pcap.records.size() && dropped < 0; ++i) {
            const std::optional<TcpSegment> s = segmentOf(pcap.records[i].second);
            if (s->source.port == m_echo.port())
                continue;
            if (s->has(TcpSegment::Syn))
                clientIsn = s->seq;
            if (s->payloadLength > 0 && ++payloads == 3)
                dropped = i;
        }
        QVERIFY2(dropped > 0, qPrintable(u"%1 payload packets of the client"_s.arg(payloads)));
        const TcpSegment lost = *segmentOf(pcap.records[dropped].second);
        const qint64 from = qint64(lost.seq - clientIsn - 1);
        QByteArray copy = pcap.header;
        for (qsizetype i = 0; i < pcap.records.size(); ++i) {
            if (i != dropped)
                copy += pcap.records[i].second;
        }
        const QString path = m_dir.filePath(u"gap.pcap"_s);
        QVERIFY(writeFile(path, copy));
        const LoadedCapture loaded = loadCapture(path);
        QVERIFY2(loaded.trace, qPrintable(loaded.error));
        const Trace &back = *loaded.trace;
        const QString note = u"%1 octets the client sent (TX stream octets %2 to %3) are missing "
                             "from the capture: lost by it or cut by its snap length; the frames "
                             "from there on cannot be read"_s.arg(lost.payloadLength)
                                 .arg(from)
                                 .arg(from + lost.payloadLength - 1);
        QVERIFY2(test::noteTexts(back).contains(note),
                 qPrintable(test::noteTexts(back).join(u'\n')));
        QVERIFY(loaded.warnings.contains(
            u"%1 octets the client sent are missing from the capture (one gap): lost by the "
            "capture or cut by its snap length"_s.arg(lost.payloadLength)));
        // The offsets: the stream is as long as on the wire, every kept octet where it was.
        const Trace &ref = *whole.trace;
        for (const Direction d : {Direction::Tx, Direction::Rx})
            QCOMPARE(back.octetCount(d), ref.octetCount(d));
        bool sawGapChunk = false;
        for (const OctetChunk &c : back.chunks()) {
            if (c.data.isEmpty()) {
                sawGapChunk = true;
                QCOMPARE(c.streamOffset, from);
                QCOMPARE(c.size, lost.payloadLength);
                continue;
            }
            QCOMPARE(c.data, ref.streamOctets(c.direction, c.streamOffset, c.size));
        }
        QVERIFY(sawGapChunk);
        // The TX frames before the gap (the first fragment) are the live ones, none after; the
        // server's frames are all there.
        const auto tx = framesOf(back, Direction::Tx);
        QVERIFY(!tx.empty());
        for (const FrameRecord *f : tx)
            QVERIFY(f->streamOffset + f->headerSize() + qint64(f->payloadLength) <= from ||
                    f->incomplete);
        compareFrames(back, ref, Direction::Tx, tx.size());
        compareFrames(back, ref, Direction::Rx, framesOf(ref, Direction::Rx).size());
    }
};

QTEST_GUILESS_MAIN(TestPcapImport)
#include "tst_pcapimport.moc"
