// SPDX-License-Identifier: MIT
// The capture layer below the trace mapping: pcapng blocks written and read back in both byte
// orders, every damage to a file named by block and offset, and the inspector's records
// (frames, events, the connection, annotations) through their CBOR encoding unchanged.
#include "capture/capturefile.h"
#include "capture/capturerecords.h"
#include "capture/pcapng.h"
#include "echo/echoserver.h"
#include "session/session.h"
#include "testutils.h"
#include "trace/closing.h"
#include "trace/report.h"
#include "trace/wirelog.h"
#include "tracecompare.h"

#include <QBuffer>
#include <QCborArray>
#include <QCborMap>
#include <QCborValue>
#include <QDir>
#include <QJsonArray>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtEndian>
#include <QTest>

#include <limits>
#include <set>

using namespace wsi;
using namespace wsi::capture;
using namespace Qt::StringLiterals;
using test::compareChunks;
using test::compareEvents;
using test::compareFrames;
using test::compareTraces;

namespace {

QByteArray u32le(quint32 v)
{
    QByteArray b(4, '\0');
    qToLittleEndian(v, b.data());
    return b;
}

// A small file: section, interface (nanoseconds), two packets with options, a custom block.
QByteArray sampleFile()
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    pcapng::Writer w(&buffer);
    pcapng::Options shb{{pcapng::kShbUserApplication, "test"}};
    pcapng::Options idb{{pcapng::kIfName, "lo"}, {pcapng::kIfTsResolution, QByteArray(1, 9)}};
    const bool ok = w.sectionHeader(shb) && w.interfaceDescription(1, 65535, idb) &&
                    w.enhancedPacket(0, 1'700'000'000'123'456'789ull, "abcde", 5,
                                     {{pcapng::kEpbFlags, u32le(pcapng::kEpbOutbound)},
                                      pcapng::Writer::customOption(pcapng::kOptCustomBinaryNoCopy,
                                                                   pcapng::kExamplePen, "xy")}) &&
                    w.custom(pcapng::kCustomNoCopy, pcapng::kExamplePen, "custom data") &&
                    w.enhancedPacket(0, 1'700'000'001'000'000'000ull, "ab", 9000, {});
    Q_ASSERT(ok);
    return buffer.data();
}

std::vector<pcapng::Block> readAll(const QByteArray &file, QString *error = nullptr)
{
    QBuffer buffer;
    buffer.setData(file);
    buffer.open(QIODevice::ReadOnly);
    pcapng::Reader r(&buffer);
    std::vector<pcapng::Block> out;
    while (std::optional<pcapng::Block> b = r.next())
        out.push_back(*std::move(b));
    if (error)
        *error = r.error();
    return out;
}

QString reportOf(const Trace &trace)
{
    ReportInput input;
    input.trace = &trace;
    input.closing = analyzeClosing(trace);
    input.closingVerdict = sessionClosingVerdict(trace, input.closing, {});
    input.agent = u"echo"_s;
    input.durationMs = input.closing.durationMs();
    return textReport(input);
}

// The same file in the other byte order: every header field swapped by hand, so that the
// reader's swapping is checked against a writer that is not its mirror.
QByteArray swapped(const QByteArray &file)
{
    QByteArray out = file;
    qsizetype at = 0;
    const auto swap32 = [&out](qsizetype p) {
        qToBigEndian(qFromLittleEndian<quint32>(out.constData() + p), out.data() + p);
    };
    const auto swap16 = [&out](qsizetype p) {
        qToBigEndian(qFromLittleEndian<quint16>(out.constData() + p), out.data() + p);
    };
    const auto swapOptions = [&](qsizetype p, qsizetype end) {
        while (p + 4 <= end) {
            const quint16 code = qFromLittleEndian<quint16>(out.constData() + p);
            const quint16 len = qFromLittleEndian<quint16>(out.constData() + p + 2);
            swap16(p);
            swap16(p + 2);
            if (code == 0)
                break;
            if (code == pcapng::kOptCustomBinaryNoCopy)
                swap32(p + 4); // its enterprise number

            p += 4 + ((len + 3) & ~3);
        }
    };
    while (at < out.size()) {
        const quint32 type = qFromLittleEndian<quint32>(out.constData() + at);
        const quint32 len = qFromLittleEndian<quint32>(out.constData() + at + 4);
        const qsizetype end = at + len - 4;
        swap32(at);
        swap32(at + 4);
        swap32(end);
        const qsizetype body = at + 8;
        switch (type) {
        case pcapng::kSectionHeader:
            swap32(body);
            swap16(body + 4);
            swap16(body + 6);
            std::reverse(out.data() + body + 8, out.data() + body + 16);
            swapOptions(body + 16, end);
            break;
        case pcapng::kInterfaceDescription:
            swap16(body);
            swap32(body + 4);
            swapOptions(body + 8, end);
            break;
        case pcapng::kEnhancedPacket: {
            const quint32 captured = qFromLittleEndian<quint32>(out.constData() + body + 12);
            for (int i = 0; i < 5; ++i)
                swap32(body + 4 * i);
            swapOptions(body + 20 + ((captured + 3) & ~3u), end);
            break;
        }
        case pcapng::kCustomNoCopy:
            swap32(body);
            break;
        }
        at += len;
    }
    return out;
}

FrameRecord sampleRxFrame()
{
    FrameRecord f;
    f.timeNs = 123'456'789;
    f.streamOffset = 129;
    f.payloadLength = 5;
    f.payload = "Hello";
    f.violations = Violations(Violation::ReservedOpcode) | Violation::UnmaskedClientFrame;
    f.utf8ErrorOffset = 3;
    f.opcode = 3;
    f.rsv = 5;
    f.direction = Direction::Rx;
    f.fin = false;
    return f;
}

FrameRecord sampleTxFrame()
{
    FrameRecord f;
    f.timeNs = 5;
    f.streamOffset = 210;
    f.payloadLength = std::numeric_limits<quint64>::max();
    f.payload = QByteArray("\x00\xff", 2);
    f.maskKey = 0xdeadbeef;
    f.opcode = 2;
    f.extendedLengthSize = 8;
    f.direction = Direction::Tx;
    f.masked = true;
    f.hasKey = true;
    f.payloadTruncated = true;
    f.incomplete = true;
    f.payloadDerived = true;
    TxFrameInfo tx;
    tx.basePayloadLength = 2;
    tx.repeatLength = 70000;
    tx.declaredLength = std::numeric_limits<quint64>::max();
    tx.lengthEncoding = LengthEncoding::Bits64;
    tx.maskMode = MaskMode::Fixed;
    tx.chopSize = 7;
    tx.sync = true;
    tx.encodedSize = 70014;
    f.tx = makeTxInfo(tx);
    return f;
}

template <typename T>
T roundTrip(const T &record)
{
    QString error;
    // Padding after the item, as a custom block has it, must not matter.
    const std::optional<CaptureRecord> back =
        decodeRecord(QByteArray(encode(record) + QByteArray(3, 0)), error);
    if (!back || !std::holds_alternative<T>(*back))
        qFatal("round trip failed: %s", qPrintable(error));
    return std::get<T>(*back);
}

} // namespace

class tst_Capture : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void blocksRoundTrip_data()
    {
        QTest::addColumn<bool>("bigEndian");
        QTest::newRow("little-endian") << false;
        QTest::newRow("big-endian") << true;
    }
    void blocksRoundTrip()
    {
        QFETCH(bool, bigEndian);
        const QByteArray file = bigEndian ? swapped(sampleFile()) : sampleFile();
        QVERIFY(pcapng::Reader::looksLikePcapng(file));
        QString error;
        const std::vector<pcapng::Block> blocks = readAll(file, &error);
        QCOMPARE(error, QString());
        QCOMPARE(blocks.size(), size_t(5));
        QCOMPARE(blocks[0].type, pcapng::kSectionHeader);
        QCOMPARE(blocks[0].majorVersion, quint16(1));
        QCOMPARE(pcapng::findOption(blocks[0].options, pcapng::kShbUserApplication),
                 QByteArray("test"));
        QCOMPARE(blocks[1].type, pcapng::kInterfaceDescription);
        QCOMPARE(blocks[1].linkType, quint16(1));
        QCOMPARE(blocks[1].snapLength, quint32(65535));
        QCOMPARE(pcapng::findOption(blocks[1].options, pcapng::kIfName), QByteArray("lo"));
        QCOMPARE(blocks[2].type, pcapng::kEnhancedPacket);
        QCOMPARE(blocks[2].timeNs, 1'700'000'000'123'456'789ll);
        QCOMPARE(blocks[2].data, QByteArray("abcde"));
        QCOMPARE(blocks[2].originalLength, 5);
        QCOMPARE(blocks[1].offset, 40); // 28 octets of header fields, 12 of options
        QCOMPARE(blocks[2].offset, 80);
        QCOMPARE(blocks[2].index, 2);
        QCOMPARE(pcapng::findCustomOption(blocks[2].options, pcapng::kOptCustomBinaryNoCopy,
                                          pcapng::kExamplePen),
                 QByteArray("xy"));
        QCOMPARE(pcapng::findCustomOption(blocks[2].options, pcapng::kOptCustomBinaryNoCopy, 1),
                 std::nullopt);
        QCOMPARE(blocks[3].type, pcapng::kCustomNoCopy);
        QCOMPARE(blocks[3].pen, pcapng::kExamplePen);
        QVERIFY(blocks[3].data.startsWith("custom data"));
        QCOMPARE(blocks[4].data, QByteArray("ab"));
        QCOMPARE(blocks[4].originalLength, 9000); // cut by the snap length
        QCOMPARE(blocks[4].timeNs, 1'700'000'001'000'000'000ll);
    }

    void timestampResolutions()
    {
        // The default (no if_tsresol) is microseconds; 0x80 | n is 2^-n seconds.
        const auto timeWith = [](const QByteArray &resolution, quint64 ts) {
            QBuffer buffer;
            buffer.open(QIODevice::WriteOnly);
            pcapng::Writer w(&buffer);
            pcapng::Options idb;
            if (!resolution.isEmpty())
                idb.append({pcapng::kIfTsResolution, resolution});
            const bool ok = w.sectionHeader({}) && w.interfaceDescription(1, 0, idb) &&
                            w.enhancedPacket(0, ts, "x", 1, {});
            Q_ASSERT(ok);
            QString error;
            const std::vector<pcapng::Block> blocks = readAll(buffer.data(), &error);
            return blocks.size() == 3 ? blocks[2].timeNs : qint64(-1);
        };
        QCOMPARE(timeWith({}, 1'500'000), 1'500'000'000ll);
        QCOMPARE(timeWith(QByteArray(1, 3), 1'500), 1'500'000'000ll);
        QCOMPARE(timeWith(QByteArray(1, 12), 1'500'000'000'000), 1'500'000'000ll);
        QCOMPARE(timeWith(QByteArray(1, char(0x80 | 10)), 1024 * 3 + 512), 3'500'000'000ll);
        // Past what nanoseconds since 1970 can hold: refused, not wrapped.
        QCOMPARE(timeWith({}, std::numeric_limits<quint64>::max()), qint64(-1));
    }

    void damagedFiles()
    {
        QString error;
        QVERIFY(readAll(QByteArray(), &error).empty());
        QCOMPARE(error, u"the file is empty: not a pcapng capture"_s);
        QVERIFY(readAll("GET / HTTP/1.1\r\nHost: x\r\n\r\n", &error).empty());
        QVERIFY2(error.contains(u"not a pcapng capture"_s), qPrintable(error));
        QVERIFY(!pcapng::Reader::looksLikePcapng("\xd4\xc3\xb2\xa1 classic pcap"));

        const QByteArray good = sampleFile();
        // Every cut of the file: the blocks before the cut, then an error naming the block. A
        // cut between blocks is a shorter file, not a damaged one.
        const std::vector<pcapng::Block> whole = readAll(good);
        std::set<qsizetype> boundaries;
        for (const pcapng::Block &b : whole)
            boundaries.insert(b.offset);
        for (qsizetype n = 1; n < good.size(); ++n) {
            const std::vector<pcapng::Block> blocks = readAll(good.left(n), &error);
            for (const pcapng::Block &b : blocks)
                QVERIFY(b.offset < n);
            if (boundaries.count(n)) {
                QCOMPARE(error, QString());
                QCOMPARE(blocks.back().offset + 0, *std::prev(boundaries.find(n)));
                continue;
            }
            QVERIFY2(!error.isEmpty(), qPrintable(u"cut at %1"_s.arg(n)));
            if (!blocks.empty()) {
                QVERIFY2(error.startsWith(u"block %1 (at octet %2): "_s.arg(blocks.size() + 1)
                                              .arg(whole[blocks.size()].offset)),
                         qPrintable(error));
                QVERIFY2(error.contains(u"truncated"_s), qPrintable(error));
            }
        }
        // A length that would be a 4 GiB allocation.
        QByteArray huge = good;
        qToLittleEndian<quint32>(0xfffffff0, huge.data() + 40 + 4);
        readAll(huge, &error);
        QCOMPARE(error, u"block 2 (at octet 40): the block length 4294967280 is over the limit of "
                        "134217728 octets"_s);
        QByteArray odd = good;
        qToLittleEndian<quint32>(13, odd.data() + 40 + 4);
        readAll(odd, &error);
        QVERIFY2(error.contains(u"block 2 (at octet 40): the block length 13 is impossible"_s),
                 qPrintable(error));
        QByteArray trailing = good;
        trailing[40 + 40 - 4] = char(44);
        readAll(trailing, &error);
        QCOMPARE(error, u"block 2 (at octet 40): the trailing block length differs from the "
                        "leading one"_s);
        // A packet's captured length past its block.
        QByteArray captured = good;
        qToLittleEndian<quint32>(500, captured.data() + 80 + 8 + 12);
        readAll(captured, &error);
        QVERIFY2(error.contains(u"block 3 (at octet 80): the captured length 500"_s),
                 qPrintable(error));
        // Random octets after a good start never crash, never loop.
        QRandomGenerator rng(7);
        for (int round = 0; round < 300; ++round) {
            QByteArray noisy = good;
            for (int k = 0; k < 4; ++k)
                noisy[qsizetype(rng.bounded(quint32(noisy.size())))] = char(rng.bounded(256));
            readAll(noisy, &error);
        }
    }

    void frameRecords()
    {
        compareFrames(roundTrip(sampleRxFrame()), sampleRxFrame());
        compareFrames(roundTrip(sampleTxFrame()), sampleTxFrame());
        FrameRecord plain;
        compareFrames(roundTrip(plain), plain);
        // A frame record stays small: a flood of 16-octet frames costs tens of octets each.
        FrameRecord small;
        small.timeNs = 1'000'000'000'000;
        small.streamOffset = 1'000'000'000;
        small.payloadLength = 16;
        small.opcode = 1;
        QVERIFY2(encode(small).size() < 48, qPrintable(QString::number(encode(small).size())));
        // Written octet by octet (the flood's path), the record is what Qt's own CBOR encoder
        // writes for the same value: shortest heads, definite lengths.
        FrameRecord negative = sampleRxFrame();
        negative.timeNs = -1;
        negative.streamOffset = 4'294'967'296; // a 64-bit head
        negative.utf8ErrorOffset = 65'535;     // a 16-bit head
        for (const FrameRecord &f : {sampleRxFrame(), sampleTxFrame(), plain, small, negative}) {
            const QByteArray octets = encode(f);
            QCborParserError error;
            const QCborValue value = QCborValue::fromCbor(octets, &error);
            QCOMPARE(error.error, QCborError::NoError);
            QCOMPARE(value.toCbor().toHex(), octets.toHex());
        }
        compareFrames(roundTrip(negative), negative);
    }

    void eventRecords()
    {
        for (int k = 0; k <= int(TraceEvent::Kind::ProxyFailed); ++k) {
            const auto kind = TraceEvent::Kind(k);
            QVERIFY(!eventKindName(kind).isEmpty());
            QCOMPARE(eventKindFromName(eventKindName(kind)), kind);
            TraceEvent e;
            e.kind = kind;
            e.timeNs = 42 + k;
            e.state = SessionState::Closing;
            e.seconds = 0.25;
            e.code = 1002;
            e.reason = "bye\xff";
            e.text = u"text ✓"_s;
            e.flag = true;
            e.tcpEnd = TcpEnd::PeerReset;
            e.streamOffset = 77;
            e.direction = Direction::Tx;
            const TraceEvent back = roundTrip(e);
            QCOMPARE(back.kind, kind);
            QCOMPARE(back.timeNs, e.timeNs);
            if (kind == TraceEvent::Kind::StateChanged)
                QCOMPARE(back.state, SessionState::Closing);
            QCOMPARE(back.seconds, 0.25);
            QCOMPARE(back.code, 1002);
            QCOMPARE(back.reason, e.reason);
            QCOMPARE(back.text, e.text);
            QCOMPARE(back.flag, true);
            QCOMPARE(back.tcpEnd, TcpEnd::PeerReset);
            QCOMPARE(back.streamOffset, 77);
            if (kind == TraceEvent::Kind::TraceLimitReached)
                QCOMPARE(back.direction, Direction::Tx);
        }
        TraceEvent connected;
        connected.kind = TraceEvent::Kind::Connected;
        auto *tls = new TlsInfo;
        tls->protocol = u"TLSv1.3"_s;
        tls->cipher = u"TLS_AES_256_GCM_SHA384"_s;
        TlsCertificateInfo leaf;
        leaf.subject = u"CN=localhost"_s;
        leaf.issuer = u"CN=Test CA"_s;
        leaf.notBefore = QDateTime(QDate(2026, 1, 1), QTime(0, 0), Qt::UTC);
        leaf.notAfter = QDateTime(QDate(2036, 1, 1), QTime(0, 0), Qt::UTC);
        leaf.sha256 = u"AB:CD"_s;
        tls->chain = {leaf, leaf};
        tls->certificateErrors = {u"self-signed"_s};
        tls->errorsIgnored = true;
        tls->sni = u"alt.example"_s;
        tls->alpnOffered = {u"h2"_s, u"http/1.1"_s};
        tls->alpn = u"http/1.1"_s;
        tls->clientCertificate = u"CN=client,O=Example"_s;
        tls->versionAsked = u"TLSv1.3"_s;
        connected.tls = TlsInfoPtr(tls);
        const TraceEvent back = roundTrip(connected);
        QVERIFY(back.tls);
        QCOMPARE(back.tls->protocol, tls->protocol);
        QCOMPARE(back.tls->cipher, tls->cipher);
        QCOMPARE(back.tls->chain, tls->chain);
        QCOMPARE(back.tls->certificateErrors, tls->certificateErrors);
        QCOMPARE(back.tls->errorsIgnored, true);
        QCOMPARE(back.tls->sni, tls->sni);
        QCOMPARE(back.tls->alpnOffered, tls->alpnOffered);
        QCOMPARE(back.tls->alpn, tls->alpn);
        QCOMPARE(back.tls->clientCertificate, tls->clientCertificate);
        QCOMPARE(back.tls->versionAsked, tls->versionAsked);

        // A record written before the server name, ALPN, client certificate and version asked
        // were kept (TLS keys 0-4 only, docs/captures.md §3.3) reads with them empty.
        QCborArray older = QCborValue::fromCbor(encode(connected)).toArray();
        QCborMap body = older.at(1).toMap();
        QCborMap olderTls = body.value(11).toMap();
        QCOMPARE(olderTls.size(), 10);
        for (int k = 5; k <= 9; ++k)
            olderTls.remove(k);
        body.insert(11, olderTls);
        older[1] = body;
        QString error;
        const std::optional<CaptureRecord> read = decodeRecord(older.toCborValue().toCbor(), error);
        QVERIFY2(read && std::holds_alternative<TraceEvent>(*read), qPrintable(error));
        const TraceEvent &old = std::get<TraceEvent>(*read);
        QVERIFY(old.tls);
        QCOMPARE(old.tls->protocol, tls->protocol);
        QCOMPARE(old.tls->chain, tls->chain);
        QCOMPARE(old.tls->errorsIgnored, true);
        QCOMPARE(old.tls->sni, QString());
        QCOMPARE(old.tls->alpnOffered, QStringList());
        QCOMPARE(old.tls->alpn, QString());
        QCOMPARE(old.tls->clientCertificate, QString());
        QCOMPARE(old.tls->versionAsked, QString());
    }

    void connectionAndAnnotation()
    {
        ConnectionRecord c;
        c.application = u"WebSocket Inspector 1.2.3"_s;
        c.url = u"wss://example.test:9443/chat?x=1"_s;
        c.startedAt = QDateTime(QDate(2026, 12, 4), QTime(18, 0, 1, 234), Qt::UTC);
        c.peerAddress = u"127.0.0.1:9443"_s;
        c.scenario = QJsonObject{{u"closeTimeout"_s, 1.5}, {u"headers"_s, QJsonArray{u"a"_s}}};
        const ConnectionRecord back = roundTrip(c);
        QCOMPARE(back.major, kFormatMajor);
        QCOMPARE(back.minor, kFormatMinor);
        QCOMPARE(back.application, c.application);
        QCOMPARE(back.url, c.url);
        QCOMPARE(back.startedAt, c.startedAt);
        QCOMPARE(back.peerAddress, c.peerAddress);
        QCOMPARE(back.scenario, c.scenario);

        AnnotationRecord a{u"case"_s, QJsonObject{{u"id"_s, u"1.1.1"_s}, {u"behavior"_s, u"OK"_s}}};
        const AnnotationRecord ab = roundTrip(a);
        QCOMPARE(ab.kind, a.kind);
        QCOMPARE(ab.data, a.data);

        ChunkFacts facts{1 << 20, 70000, true, 2};
        QString error;
        const std::optional<ChunkFacts> fb = decodeChunkFacts(encode(facts), error);
        QVERIFY2(fb, qPrintable(error));
        QCOMPARE(fb->streamOffset, facts.streamOffset);
        QCOMPARE(fb->size, facts.size);
        QCOMPARE(fb->sync, true);
        QCOMPARE(fb->part, 2);
    }

    // A live connection against the echo server (ws:// and wss://), recorded as it runs,
    // reopened: the same records in the same order, field by field, and the same report.
    void liveRoundTrip_data()
    {
        QTest::addColumn<bool>("tls");
        QTest::newRow("ws") << false;
        QTest::newRow("wss") << true;
    }
    void liveRoundTrip()
    {
        QFETCH(bool, tls);
        EchoServer echo;
        EchoServer::Options o;
        o.tls = tls;
        QVERIFY(echo.listen(o));
        SessionSettings settings = test::settingsFor(echo.url());
        settings.ignoreCertificateErrors = true;
        StepList steps;
        Step message;
        message.kind = Step::Kind::Message;
        message.payload = "fragmented into three";
        message.fragmentSize = 8;
        steps << message;
        FrameSpec chopped;
        chopped.payload = "chopped and synced";
        chopped.chopSize = 3;
        chopped.sync = true;
        steps << Step::makeFrame(chopped);
        Step ping;
        ping.kind = Step::Kind::Ping;
        ping.payload = "are you there?";
        steps << ping;
        FrameSpec big;
        big.opcode = 2;
        big.payload = QByteArray("\x00\x01\x02\xff", 4);
        big.repeatLength = 200000; // larger than one IP packet: several packets, one chunk
        steps << Step::makeFrame(big);
        steps << test::closeStep(1000, "bye");

        Trace live;
        live.setStartedAt(QDateTime::currentDateTimeUtc());
        live.setUrl(settings.url.toString());
        QBuffer file;
        QVERIFY(file.open(QIODevice::WriteOnly));
        CaptureWriter writer(&file);
        ConnectionRecord connection;
        connection.application = u"tst_capture"_s;
        connection.url = live.url();
        connection.startedAt = live.startedAt();
        QVERIFY2(writer.begin(connection), qPrintable(writer.errorString()));
        // The window's recorder, writing in a thread of its own, writes the same file.
        QTemporaryDir recordings;
        BackgroundRecorder background(recordings.filePath(u"recorded.pcapng"_s));
        QVERIFY2(background.begin(connection), qPrintable(background.errorString()));
        {
            SessionHost host;
            QObject::connect(&host, &SessionHost::traceBatch, &host,
                             [&](const TraceBatchPtr &batch) {
                                 QVERIFY(writer.append(*batch));
                                 QVERIFY(background.append(*batch));
                                 live.append(std::move(*batch));
                             });
            QSignalSpy finished(&host, &SessionHost::finished);
            host.start(settings, steps);
            QVERIFY(finished.wait(15000));
            QCoreApplication::processEvents();
        }
        QVERIFY(writer.annotate({u"case"_s, QJsonObject{{u"id"_s, u"x"_s}}}));
        QVERIFY(background.annotate({u"case"_s, QJsonObject{{u"id"_s, u"x"_s}}}));
        file.close();
        QVERIFY2(background.finish(), qPrintable(background.errorString()));
        QCOMPARE(background.written(), file.data().size());
        {
            QFile recorded(background.path());
            QVERIFY(recorded.open(QIODevice::ReadOnly));
            QVERIFY(recorded.readAll() == file.data());
        }
        // Finished: nothing more is taken.
        QVERIFY(!background.annotate({u"late"_s, QJsonObject()}));

        QBuffer in;
        in.setData(file.data());
        QVERIFY(in.open(QIODevice::ReadOnly));
        CaptureReader reader(&in);
        QVERIFY2(reader.open(), qPrintable(reader.error()));
        QCOMPARE(reader.connection().url, live.url());
        QCOMPARE(reader.connection().startedAt, live.startedAt());
        Trace back;
        back.setStartedAt(reader.connection().startedAt);
        back.setUrl(reader.connection().url);
        int batches = 0;
        while (std::optional<TraceBatch> batch = reader.next(16)) {
            back.append(std::move(*batch));
            ++batches;
        }
        QCOMPARE(reader.error(), QString());
        QVERIFY(reader.atEnd());
        QVERIFY(batches > 1); // read a batch at a time
        QCOMPARE(reader.annotations().size(), 1);
        QCOMPARE(reader.annotations()[0].data.value(u"id"_s).toString(), u"x"_s);

        // The run did what it should: the fragments, the chopped frame, the ping and its pong,
        // the large frame in one chunk spread over several packets, the close handshake.
        QVERIFY2(live.frames().size() >= 12, qPrintable(QString::number(live.frames().size())));
        int continued = 0;
        for (const pcapng::Block &b : readAll(file.data())) {
            const auto facts = pcapng::findCustomOption(b.options, pcapng::kOptCustomBinaryNoCopy,
                                                        pcapng::kExamplePen);
            QString why;
            if (facts && decodeChunkFacts(*facts, why)->part > 0)
                ++continued;
        }
        QVERIFY2(continued >= 2, qPrintable(QString::number(continued)));
        // What Wireshark makes of it: the same frames, opcode by opcode, each direction.
        QTemporaryDir dir;
        const QString path = dir.filePath(u"live.pcapng"_s);
        {
            QFile out(path);
            QVERIFY(out.open(QIODevice::WriteOnly));
            out.write(file.data());
        }
        const QString tshark = QStandardPaths::findExecutable(u"tshark"_s);
        QVERIFY2(!tshark.isEmpty(), "tshark not found: apt-get install tshark");
        QProcess p;
        p.start(tshark,
                {u"-r"_s, path, u"-Y"_s, u"websocket"_s, u"-T"_s, u"fields"_s, u"-e"_s,
                 u"tcp.srcport"_s, u"-e"_s, u"websocket.opcode"_s, u"-e"_s,
                 u"websocket.payload_length"_s, u"-e"_s, u"websocket.payload_length_ext_16"_s,
                 u"-e"_s, u"websocket.payload_length_ext_64"_s});
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 0);
        QStringList dissected;
        for (const QString &line : QString::fromUtf8(p.readAllStandardOutput()).split(u'\n')) {
            const QStringList f = line.split(u'\t');
            if (f.size() < 5)
                continue;
            // A packet that completes several frames lists them comma-separated; the extended
            // lengths only for the frames that have one (7-bit 126 and 127).
            const QStringList ops = f[1].split(u',');
            const QStringList lengths = f[2].split(u',');
            QStringList ext16 = f[3].split(u',', Qt::SkipEmptyParts);
            QStringList ext64 = f[4].split(u',', Qt::SkipEmptyParts);
            for (qsizetype k = 0; k < ops.size(); ++k) {
                QString length = lengths.value(k);
                if (length == u"126"_s && !ext16.isEmpty())
                    length = ext16.takeFirst();
                else if (length == u"127"_s && !ext64.isEmpty())
                    length = ext64.takeFirst();
                dissected << (f[0] == u"80"_s ? u"RX "_s : u"TX "_s) + ops[k] + u' ' + length;
            }
        }
        QStringList recorded;
        for (const FrameRecord &f : live.frames())
            recorded << (f.direction == Direction::Rx ? u"RX "_s : u"TX "_s) +
                            QString::number(f.opcode) + u' ' + QString::number(f.payloadLength);
        // Each direction in its order (across directions Wireshark lists a frame at the packet
        // that completes it, the trace a sent frame when it was queued).
        const auto only = [](const QStringList &list, const QString &direction) {
            return list.filter(QRegularExpression(u"^"_s + direction));
        };
        QCOMPARE(only(dissected, u"TX"_s), only(recorded, u"TX"_s));
        QCOMPARE(only(dissected, u"RX"_s), only(recorded, u"RX"_s));

        compareTraces(back, live);
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(back.state(), SessionState::Closed);
        QCOMPARE(reportOf(back), reportOf(live));
        QVERIFY(reportOf(back).contains(u"fragmented into three"_s));
        if (tls)
            QVERIFY(tlsInfo(back) && !tlsInfo(back)->protocol.isEmpty());
    }

    // A trace saved at once (the window's Save) is written atomically and reads back the same.
    void saveAndLoad()
    {
        Trace trace;
        trace.setStartedAt(QDateTime(QDate(2026, 12, 4), QTime(12, 0), Qt::UTC));
        trace.setUrl(u"ws://127.0.0.1:9001/"_s);
        TraceEvent connected;
        connected.kind = TraceEvent::Kind::Connected;
        connected.text = u"127.0.0.1:9001"_s;
        trace.append(connected);
        OctetChunk request;
        request.timeNs = 10;
        request.size = 5;
        request.data = "GET /";
        request.direction = Direction::Tx;
        trace.append(request);
        trace.append(sampleRxFrame());
        QTemporaryDir dir;
        const QString path = dir.filePath(u"saved.pcapng"_s);
        ConnectionRecord c;
        c.url = trace.url();
        c.startedAt = trace.startedAt();
        QString error;
        QVERIFY2(saveCapture(path, c, trace, {{u"case"_s, {}}}, &error), qPrintable(error));
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{u"saved.pcapng"_s});
        const LoadedCapture loaded = loadCapture(path);
        QCOMPARE(loaded.error, QString());
        QVERIFY(loaded.trace);
        QVERIFY(!loaded.foreign); // ours: read by CaptureReader, record by record
        QCOMPARE(loaded.trace->entries().size(), size_t(3));
        compareChunks(loaded.trace->chunks()[0], request);
        compareFrames(loaded.trace->frames()[0], sampleRxFrame());
        QCOMPARE(loaded.annotations.size(), 1);
        // A file that cannot be written leaves nothing behind and says why.
        QVERIFY(!saveCapture(dir.filePath(u"no/such/dir/x.pcapng"_s), c, trace, {}, &error));
        QVERIFY(!error.isEmpty());
        // Not a capture of ours: another tool's, opened by the importer (docs/captures.md §5),
        // which finds no TCP in these packets.
        QFile other(dir.filePath(u"other.pcapng"_s));
        QVERIFY(other.open(QIODevice::WriteOnly));
        other.write(sampleFile());
        other.close();
        const LoadedCapture foreign = loadCapture(other.fileName());
        QVERIFY(!foreign.trace);
        QVERIFY(foreign.foreign);
        QCOMPARE(foreign.error, u"the capture holds no TCP packets"_s);
    }

    // A capture cut anywhere reads up to the cut and says where the damage is.
    void backgroundRecorderRefusesAFolderItCannotWrite()
    {
        // A full device: the first blocks cannot be written, and the user is told why.
        BackgroundRecorder full(u"/dev/full"_s);
        ConnectionRecord connection;
        connection.url = u"ws://127.0.0.1:1/"_s;
        QVERIFY(!full.begin(connection));
        QVERIFY2(full.errorString().contains(u"space"_s, Qt::CaseInsensitive),
                 qPrintable(full.errorString()));
        TraceBatch batch;
        OctetChunk c;
        c.size = 1;
        c.data = "x";
        batch.add(std::move(c));
        QVERIFY(!full.append(batch));
        QVERIFY(!full.finish());
        // Under a regular file: not even created.
        QTemporaryDir dir;
        QFile plain(dir.filePath(u"plain"_s));
        QVERIFY(plain.open(QIODevice::WriteOnly));
        plain.close();
        BackgroundRecorder nowhere(dir.filePath(u"plain/x.pcapng"_s));
        QVERIFY(!nowhere.begin(connection));
        QVERIFY(!nowhere.errorString().isEmpty());
    }

    void truncatedCapture()
    {
        Trace trace;
        trace.setStartedAt(QDateTime(QDate(2026, 12, 4), QTime(12, 0), Qt::UTC));
        TraceEvent connected;
        connected.kind = TraceEvent::Kind::Connected;
        connected.text = u"127.0.0.1:9001"_s;
        trace.append(connected);
        for (int i = 0; i < 5; ++i) {
            OctetChunk c;
            c.timeNs = 100 + i;
            c.streamOffset = i * 3;
            c.size = 3;
            c.data = "abc";
            c.direction = Direction::Tx;
            trace.append(c);
        }
        QBuffer buffer;
        QVERIFY(buffer.open(QIODevice::WriteOnly));
        CaptureWriter writer(&buffer);
        ConnectionRecord c;
        c.startedAt = trace.startedAt();
        QVERIFY(writer.begin(c) && writer.append(trace));
        const QByteArray whole = buffer.data();
        for (qsizetype n = 0; n < whole.size(); n += 7) {
            QBuffer in;
            in.setData(whole.left(n));
            QVERIFY(in.open(QIODevice::ReadOnly));
            CaptureReader reader(&in);
            if (!reader.open()) {
                QVERIFY(!reader.error().isEmpty());
                continue;
            }
            Trace back;
            while (std::optional<TraceBatch> batch = reader.next())
                back.append(std::move(*batch));
            QVERIFY(back.chunks().size() <= 5);
            if (!reader.error().isEmpty())
                QVERIFY2(reader.error().contains(u"(at octet "_s), qPrintable(reader.error()));
        }
    }

    void badRecords()
    {
        QString error;
        QVERIFY(!decodeRecord("", error));
        QVERIFY2(error.contains(u"not valid CBOR"_s), qPrintable(error));
        QVERIFY(!decodeRecord(QCborValue(5).toCbor(), error));
        QCOMPARE(error, u"the record is not [kind, map]"_s);
        // A wrong type in a field is named.
        QCborMap frame{{0, u"soon"_s}};
        QVERIFY(!decodeRecord(QCborArray{2, frame}.toCborValue().toCbor(), error));
        QCOMPARE(error, u"a frame record's field 0 should be an integer"_s);
        QCborMap opcode{{7, 16}, {10, u"rx"_s}};
        QVERIFY(!decodeRecord(QCborArray{2, opcode}.toCborValue().toCbor(), error));
        QCOMPARE(error, u"a frame record's field 7 should be 0–15"_s);
        // A record kind of a later version: skipped, no error.
        QVERIFY(!decodeRecord(QCborArray{99, QCborMap()}.toCborValue().toCbor(), error));
        QCOMPARE(error, QString());
        // An event kind of a later version: kept as a note that says so.
        QCborMap later{{1, u"SomethingNew"_s}};
        const std::optional<CaptureRecord> note =
            decodeRecord(QCborArray{3, later}.toCborValue().toCbor(), error);
        QVERIFY(note && std::holds_alternative<TraceEvent>(*note));
        QCOMPARE(std::get<TraceEvent>(*note).kind, TraceEvent::Kind::Note);
        QVERIFY(std::get<TraceEvent>(*note).text.contains(u"SomethingNew"_s));
        // Every cut and random damage of good records: an error or a record, never a crash.
        const QByteArray good = encode(sampleTxFrame());
        for (qsizetype n = 0; n < good.size(); ++n) {
            const std::optional<CaptureRecord> r = decodeRecord(good.left(n), error);
            QVERIFY(r || !error.isEmpty());
        }
        QRandomGenerator rng(11);
        for (int round = 0; round < 500; ++round) {
            QByteArray noisy = good;
            noisy[qsizetype(rng.bounded(quint32(noisy.size())))] = char(rng.bounded(256));
            (void)decodeRecord(noisy, error);
        }
    }
};

QTEST_GUILESS_MAIN(tst_Capture)
#include "tst_capture.moc"
