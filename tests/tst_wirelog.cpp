// SPDX-License-Identifier: MIT
#include "testutils.h"
#include "trace/report.h"
#include "trace/trace.h"
#include "trace/wirelog.h"

#include <QJsonDocument>
#include <QTest>

#include <tuple>

using namespace wsi;
using namespace Qt::StringLiterals;
using wsi::test::hex;

Q_DECLARE_METATYPE(wsi::TraceRecord)
Q_DECLARE_METATYPE(wsi::WireLogKind)

namespace {

using Kind = TraceEvent::Kind;

// Hex written out by hand (not with QByteArray::toHex), so that the expectations do not share
// code with the implementation.
QString hexOf(const QByteArray &data)
{
    static constexpr char digits[] = "0123456789abcdef";
    QString out;
    for (char c : data) {
        out += QChar(QLatin1Char(digits[(uchar(c) >> 4) & 0xF]));
        out += QChar(QLatin1Char(digits[uchar(c) & 0xF]));
    }
    return out;
}

// 0x00, 0x01, 0x02, …: a slice taken from the wrong place shows.
QByteArray counting(int size)
{
    QByteArray out;
    for (int i = 0; i < size; ++i)
        out += char(i);
    return out;
}

// 0x80, 0x81, …: counting octets that are not UTF-8 (a continuation octet cannot start one).
QByteArray binary(int size)
{
    QByteArray out;
    for (int i = 0; i < size; ++i)
        out += char(0x80 + i % 0x80);
    return out;
}

OctetChunk chunk(Direction direction, const QByteArray &data, qint64 size = -1, bool sync = false)
{
    OctetChunk c;
    c.direction = direction;
    c.data = data;
    c.size = size < 0 ? data.size() : size;
    c.sync = sync;
    return c;
}

FrameRecord rxFrame(quint8 opcode, const QByteArray &payload)
{
    FrameRecord f;
    f.direction = Direction::Rx;
    f.opcode = opcode;
    f.payload = payload;
    f.payloadLength = quint64(payload.size());
    return f;
}

FrameRecord txFrame(quint8 opcode, const QByteArray &payload, std::optional<quint32> key)
{
    FrameRecord f;
    f.direction = Direction::Tx;
    f.opcode = opcode;
    f.payload = payload;
    f.payloadLength = quint64(payload.size());
    f.masked = key.has_value();
    f.hasKey = key.has_value();
    f.maskKey = key.value_or(0);
    TxFrameInfo tx;
    tx.basePayloadLength = payload.size();
    tx.maskMode = key ? MaskMode::Fixed : MaskMode::None;
    f.tx = makeTxInfo(tx);
    return f;
}

TraceEvent traceEvent(Kind kind, double seconds = 0, const QString &text = {}, bool flag = false)
{
    TraceEvent e;
    e.kind = kind;
    e.seconds = seconds;
    e.text = text;
    e.flag = flag;
    return e;
}

QString compact(const QJsonArray &array)
{
    return QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Compact));
}

// The "Wire Log" section of a text report, one string per line.
QStringList reportWireLog(const Trace &trace)
{
    ReportInput input;
    input.trace = &trace;
    const QStringList lines = textReport(input).split(u'\n');
    const qsizetype heading = lines.indexOf(u"Wire Log"_s);
    if (heading < 0)
        return {};
    QStringList out = lines.mid(heading + 2);
    while (!out.isEmpty() && out.last().isEmpty())
        out.removeLast();
    return out;
}

const QString kIndent(15, u' ');

} // namespace

class TestWireLog : public QObject
{
    Q_OBJECT

private slots:
    void binLogData_data();
    void binLogData();
    void asciiLogData_data();
    void asciiLogData();
    void kindOf();
    void tcpLine_data();
    void tcpLine();
    void halfCloseLine();
    void line_data();
    void line();
    void derivedPayload();
    void names();
    void outOfRange();
    void numbering();
    void wrapping_data();
    void wrapping();
};

void TestWireLog::binLogData_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<qint64>("totalSize");
    QTest::addColumn<QString>("expected");

    const QString first64 = hexOf(counting(64));
    QTest::newRow("0 octets") << QByteArray() << qint64(-1) << QString();
    QTest::newRow("1 octet") << hex("81") << qint64(-1) << u"81"_s;
    QTest::newRow("60 octets: in full") << counting(60) << qint64(-1) << hexOf(counting(60));
    QTest::newRow("61 octets: in full with marker")
        << counting(61) << qint64(-1) << hexOf(counting(61)) + u" ..."_s;
    QTest::newRow("64 octets: in full with marker")
        << counting(64) << qint64(-1) << first64 + u" ..."_s;
    QTest::newRow("65 octets: first 64") << counting(65) << qint64(-1) << first64 + u" ..."_s;
    QTest::newRow("300 octets: first 64") << counting(300) << qint64(-1) << first64 + u" ..."_s;
    QTest::newRow("kept 64 of 70000") << counting(64) << qint64(70000) << first64 + u" ..."_s;
    QTest::newRow("total 60 given") << counting(60) << qint64(60) << hexOf(counting(60));
}

void TestWireLog::binLogData()
{
    QFETCH(QByteArray, data);
    QFETCH(qint64, totalSize);
    QFETCH(QString, expected);
    QCOMPARE(wsi::binLogData(data, totalSize), expected);
}

void TestWireLog::asciiLogData_data()
{
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<qint64>("totalSize");
    QTest::addColumn<QString>("expected");

    const QByteArray a60(60, 'a');
    const QByteArray a64(64, 'a');
    QTest::newRow("0 octets") << QByteArray() << qint64(-1) << QString();
    QTest::newRow("ascii") << "Hello, world!"_ba << qint64(-1) << u"Hello, world!"_s;
    QTest::newRow("close 1000 is hex") << hex("03e8") << qint64(-1) << u"0x03e8"_s;
    QTest::newRow("multi-octet UTF-8")
        << hex("cebae1bdb9cf83cebcceb5") << qint64(-1) << u"\u03ba\u1f79\u03c3\u03bc\u03b5"_s;
    QTest::newRow("surrogate is hex")
        << hex("cebae1bdb9cf83cebcceb5eda080656469746564") << qint64(-1)
        << u"0xcebae1bdb9cf83cebcceb5eda080656469746564"_s;
    QTest::newRow("ends inside a code point") << hex("41ce") << qint64(-1) << u"0x41ce"_s;
    QTest::newRow("60 octets") << a60 << qint64(-1) << QString::fromLatin1(a60);
    QTest::newRow("61 octets") << QByteArray(61, 'a') << qint64(-1)
                               << QString(61, u'a') + u" ..."_s;
    QTest::newRow("64 octets") << a64 << qint64(-1) << QString(64, u'a') + u" ..."_s;
    QTest::newRow("65 octets") << QByteArray(65, 'a') << qint64(-1)
                               << QString(64, u'a') + u" ..."_s;
    // The cut at 64 octets splits "é" (c3 a9): the shown octets are not valid UTF-8.
    const QByteArray split = QByteArray(63, 'a') + hex("c3a9");
    QTest::newRow("cut inside a code point")
        << split << qint64(-1) << u"0x"_s + hexOf(split.left(64)) + u" ..."_s;
    QTest::newRow("invalid 65 octets")
        << binary(65) << qint64(-1) << u"0x"_s + hexOf(binary(64)) + u" ..."_s;
    QTest::newRow("kept 64 of 1000") << a64 << qint64(1000) << QString(64, u'a') + u" ..."_s;
}

void TestWireLog::asciiLogData()
{
    QFETCH(QByteArray, data);
    QFETCH(qint64, totalSize);
    QFETCH(QString, expected);
    QCOMPARE(wsi::asciiLogData(data, totalSize), expected);
}

void TestWireLog::kindOf()
{
    using WK = WireLogKind;
    Trace trace;
    std::vector<std::optional<WireLogKind>> expected;
    const auto add = [&](TraceRecord record, std::optional<WireLogKind> kind) {
        trace.append(std::move(record));
        expected.push_back(kind);
    };
    TraceEvent state = traceEvent(Kind::StateChanged);
    state.state = SessionState::Connecting;
    add(state, std::nullopt);
    add(traceEvent(Kind::Connected, 0, u"127.0.0.1:9001"_s), std::nullopt);
    add(traceEvent(Kind::HandshakeRequest, 0, u"GET / HTTP/1.1\r\n\r\n"_s), std::nullopt);
    add(chunk(Direction::Tx, QByteArray()), std::nullopt); // zero octets: no line
    add(chunk(Direction::Tx, hex("8882bebe1af6bd56")), WK::TxOctets);
    add(chunk(Direction::Rx, hex("880203e8")), WK::RxOctets);
    add(chunk(Direction::Rx, QByteArray()), std::nullopt);
    add(txFrame(8, hex("03e8"), 0xbebe1af6), WK::TxFrame);
    add(rxFrame(8, hex("03e8")), WK::RxFrame);
    FrameRecord cut = rxFrame(2, "abc"_ba);
    cut.payloadLength = 10;
    cut.incomplete = true; // the connection ended inside it: frame table only
    add(cut, std::nullopt);
    add(traceEvent(Kind::Delay, 1, u"A"_s), WK::Delay);
    add(traceEvent(Kind::DelayTimeout, 0, u"A"_s), WK::DelayTimeout);
    add(traceEvent(Kind::CloseAfter, 1), WK::CloseAfter);
    add(traceEvent(Kind::ClosingConnection), WK::ClosingConnection);
    add(traceEvent(Kind::FailAfter, 1), WK::FailAfter);
    add(traceEvent(Kind::FailingConnection), WK::FailingConnection);
    add(traceEvent(Kind::WireLogEnabled, 0, {}, true), WK::WireLogMarker);
    add(traceEvent(Kind::WireLogEnabled, 0, {}, false), WK::WireLogMarker);
    add(traceEvent(Kind::CloseSent), std::nullopt);
    add(traceEvent(Kind::CloseReceived), std::nullopt);
    add(traceEvent(Kind::FailedByMe), std::nullopt);
    add(traceEvent(Kind::Note, 0, u"note"_s), std::nullopt);
    add(traceEvent(Kind::ServerDropTimeout), std::nullopt);
    add(traceEvent(Kind::TcpClosed), WK::TcpDroppedByPeer);

    QCOMPARE(trace.entries().size(), expected.size());
    std::vector<WireLogLine> fromKinds;
    for (quint32 i = 0; i < expected.size(); ++i) {
        const auto kind = wireLogKindOf(trace, i);
        QVERIFY2(kind == expected[i], qPrintable(u"entry %1"_s.arg(i)));
        if (kind)
            fromKinds.push_back({*kind, i});
    }
    // wireLog() is the same classification in one pass.
    const std::vector<WireLogLine> lines = wireLog(trace);
    QCOMPARE(lines.size(), fromKinds.size());
    for (size_t i = 0; i < lines.size(); ++i) {
        QCOMPARE(lines[i].kind, fromKinds[i].kind);
        QCOMPARE(lines[i].entry, fromKinds[i].entry);
    }
}

void TestWireLog::tcpLine_data()
{
    QTest::addColumn<QList<int>>("events");   // TraceEvent::Kind values, in order
    QTest::addColumn<QList<int>>("expected"); // per TcpClosed: 1 = by me, 0 = by peer, -1 = none

    const int dropped = int(Kind::DroppedByMe);
    const int closed = int(Kind::TcpClosed);
    const int note = int(Kind::Note);
    QTest::newRow("peer dropped") << QList<int>{note, closed} << QList<int>{0};
    QTest::newRow("I dropped") << QList<int>{dropped, note, closed} << QList<int>{1};
    QTest::newRow("dropped after the close does not count")
        << QList<int>{closed, dropped} << QList<int>{0};
    QTest::newRow("only the first TcpClosed is logged")
        << QList<int>{dropped, closed, closed} << QList<int>{1, -1};
}

void TestWireLog::tcpLine()
{
    QFETCH(QList<int>, events);
    QFETCH(QList<int>, expected);
    Trace trace;
    for (int kind : events)
        trace.append(traceEvent(Kind(kind)));
    QList<int> found;
    QList<int> fromLog;
    for (quint32 i = 0; i < trace.entries().size(); ++i) {
        if (trace.events()[i].kind != Kind::TcpClosed)
            continue;
        const auto kind = wireLogKindOf(trace, i);
        found << (!kind ? -1 : *kind == WireLogKind::TcpDroppedByMe ? 1 : 0);
        if (kind) {
            QVERIFY(*kind == WireLogKind::TcpDroppedByMe || *kind == WireLogKind::TcpDroppedByPeer);
        }
    }
    QCOMPARE(found, expected);
    for (const WireLogLine &line : wireLog(trace))
        fromLog << (line.kind == WireLogKind::TcpDroppedByMe ? 1 : 0);
    QList<int> logged = expected;
    logged.removeAll(-1);
    QCOMPARE(fromLog, logged);
}

// Our FIN (a HalfClose step) is a line of the window's log and of a free session's text report,
// never of a case's report or of Autobahn's JSON (the reference has no half-close).
void TestWireLog::halfCloseLine()
{
    Trace trace;
    trace.append(chunk(Direction::Tx, "\x81\x80\x01\x02\x03\x04"));
    trace.append(traceEvent(Kind::HalfClosed, 2.0));
    trace.append(traceEvent(Kind::TcpClosed));
    const quint32 fin = 1;

    QVERIFY(!wireLogKindOf(trace, fin).has_value());
    QCOMPARE(wireLogKindOf(trace, fin, true), std::optional(WireLogKind::HalfClosed));
    const std::vector<WireLogLine> caseLog = wireLog(trace);
    QCOMPARE(caseLog.size(), size_t(2)); // TX OCTETS, TCP DROPPED BY PEER
    QVERIFY(caseLog[1].kind == WireLogKind::TcpDroppedByPeer);

    const std::vector<WireLogLine> ownLog = wireLog(trace, true);
    QCOMPARE(ownLog.size(), size_t(3));
    QVERIFY(ownLog[1].kind == WireLogKind::HalfClosed);
    QCOMPARE(ownLog[1].entry, fin);
    QCOMPARE(wireLogKindName(WireLogKind::HalfClosed), u"TX FIN"_s);
    QCOMPARE(
        wireLogText(trace, ownLog[1]),
        u"TX FIN (half-close: our sending side is shut down; the server has 2 sec to close)"_s);
    QVERIFY(!wireLogJson(trace, ownLog[1]).has_value());
    QVERIFY(reportWireLog(trace).join(u'\n').contains(u"TX FIN (half-close"_s));
}

void TestWireLog::line_data()
{
    QTest::addColumn<QList<TraceRecord>>("records"); // the last one is the line under test
    QTest::addColumn<WireLogKind>("kind");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("payload");
    QTest::addColumn<QString>("json"); // compact; empty for no JSON form

    using WK = WireLogKind;
    const auto one = [](TraceRecord r) { return QList<TraceRecord>{std::move(r)}; };

    QTest::newRow("RO") << one(chunk(Direction::Rx, hex("880203e8"))) << WK::RxOctets
                        << u"RX OCTETS: 880203e8"_s << QString() << u"[\"RO\",[4,\"880203e8\"]]"_s;
    const QString cutHex = hexOf(counting(64)) + u" ..."_s;
    QTest::newRow("RO kept 64 of 65536")
        << one(chunk(Direction::Rx, counting(64), 65536)) << WK::RxOctets
        << u"RX OCTETS: "_s + cutHex << QString() << u"[\"RO\",[65536,\""_s + cutHex + u"\"]]"_s;
    QTest::newRow("TO") << one(chunk(Direction::Tx, hex("88807cb9c812"))) << WK::TxOctets
                        << u"TX OCTETS: 88807cb9c812"_s << QString()
                        << u"[\"TO\",[6,\"88807cb9c812\"],false]"_s;
    QTest::newRow("TO sync") << one(chunk(Direction::Tx, hex("0189ca48"), -1, true)) << WK::TxOctets
                             << u"TX OCTETS: 0189ca48"_s << QString()
                             << u"[\"TO\",[4,\"0189ca48\"],true]"_s;

    QTest::newRow("RF close")
        << one(rxFrame(8, hex("03e8"))) << WK::RxFrame
        << u"RX FRAME : OPCODE=8, FIN=True, RSV=0, PAYLOAD-LEN=2, MASKED=False, MASK=None"_s
        << u"0x03e8"_s << u"[\"RF\",[2,\"0x03e8\"],8,true,0,false,null]"_s;
    FrameRecord masked = rxFrame(1, "Hi"_ba);
    masked.fin = false;
    masked.rsv = 4;
    masked.masked = true;
    masked.hasKey = true;
    masked.maskKey = 0x0a0b0c0d;
    QTest::newRow("RF masked, RSV, no FIN")
        << one(masked) << WK::RxFrame
        << u"RX FRAME : OPCODE=1, FIN=False, RSV=4, PAYLOAD-LEN=2, MASKED=True, MASK=0a0b0c0d"_s
        << u"Hi"_s << u"[\"RF\",[2,\"Hi\"],1,false,4,true,\"0a0b0c0d\"]"_s;
    QTest::newRow("RF empty") << one(rxFrame(8, {})) << WK::RxFrame
                              << u"RX FRAME : OPCODE=8, FIN=True, RSV=0, PAYLOAD-LEN=0, "
                                 u"MASKED=False, MASK=None"_s
                              << QString() << u"[\"RF\",[0,\"\"],8,true,0,false,null]"_s;
    FrameRecord big = rxFrame(2, binary(64));
    big.payloadLength = 100000;
    big.payloadTruncated = true;
    const QString binaryHex = hexOf(binary(64)) + u" ..."_s;
    QTest::newRow("RF payload kept in part")
        << one(big) << WK::RxFrame
        << u"RX FRAME : OPCODE=2, FIN=True, RSV=0, PAYLOAD-LEN=100000, MASKED=False, "
           u"MASK=None"_s
        << u"0x"_s + binaryHex
        << u"[\"RF\",[100000,\"0x"_s + binaryHex + u"\"],2,true,0,false,null]"_s;

    // From the MS 2.2 seed.
    QTest::newRow("TF ping")
        << one(txFrame(9, "Hello, world!"_ba, 0xaaeb0471)) << WK::TxFrame
        << u"TX FRAME : OPCODE=9, FIN=True, RSV=0, PAYLOAD-LEN=13, MASK=aaeb0471, "
           u"PAYLOAD-REPEAT-LEN=None, CHOPSIZE=None, SYNC=False"_s
        << u"Hello, world!"_s
        << u"[\"TF\",[13,\"Hello, world!\"],9,true,0,\"aaeb0471\",null,null,false]"_s;
    QTest::newRow("TF close")
        << one(txFrame(8, hex("03e8"), 0x6130f52a)) << WK::TxFrame
        << u"TX FRAME : OPCODE=8, FIN=True, RSV=0, PAYLOAD-LEN=2, MASK=6130f52a, "
           u"PAYLOAD-REPEAT-LEN=None, CHOPSIZE=None, SYNC=False"_s
        << u"0x03e8"_s << u"[\"TF\",[2,\"0x03e8\"],8,true,0,\"6130f52a\",null,null,false]"_s;
    // 7.1.6: PAYLOAD-LEN is the pattern's length, the wire carries the repeat length.
    FrameRecord repeated = txFrame(1, "BAsd7&jh23"_ba, 0x00000001);
    repeated.payloadLength = 262144;
    TxFrameInfo repeatInfo = *repeated.tx;
    repeatInfo.repeatLength = 262144;
    repeatInfo.chopSize = 1;
    repeatInfo.sync = true;
    repeated.tx = makeTxInfo(repeatInfo);
    repeated.fin = false;
    repeated.rsv = 7;
    QTest::newRow("TF repeat, chop, sync")
        << one(repeated) << WK::TxFrame
        << u"TX FRAME : OPCODE=1, FIN=False, RSV=7, PAYLOAD-LEN=10, MASK=00000001, "
           u"PAYLOAD-REPEAT-LEN=262144, CHOPSIZE=1, SYNC=True"_s
        << u"BAsd7&jh23"_s
        << u"[\"TF\",[10,\"BAsd7&jh23\"],1,false,7,\"00000001\",262144,1,true]"_s;
    QTest::newRow("TF unmasked")
        << one(txFrame(2, hex("00fffefd"), std::nullopt)) << WK::TxFrame
        << u"TX FRAME : OPCODE=2, FIN=True, RSV=0, PAYLOAD-LEN=4, MASK=None, "
           u"PAYLOAD-REPEAT-LEN=None, CHOPSIZE=None, SYNC=False"_s
        << u"0x00fffefd"_s << u"[\"TF\",[4,\"0x00fffefd\"],2,true,0,null,null,null,false]"_s;
    FrameRecord bitOnly = txFrame(1, "x"_ba, std::nullopt);
    bitOnly.masked = true;
    TxFrameInfo bitOnlyInfo = *bitOnly.tx;
    bitOnlyInfo.maskMode = MaskMode::BitOnly;
    bitOnly.tx = makeTxInfo(bitOnlyInfo);
    QTest::newRow("TF mask bit without key")
        << one(bitOnly) << WK::TxFrame
        << u"TX FRAME : OPCODE=1, FIN=True, RSV=0, PAYLOAD-LEN=1, MASK=bit-only, "
           u"PAYLOAD-REPEAT-LEN=None, CHOPSIZE=None, SYNC=False"_s
        << u"x"_s << u"[\"TF\",[1,\"x\"],1,true,0,\"bit-only\",null,null,false]"_s;

    QTest::newRow("CT") << one(traceEvent(Kind::Delay, 1, u"A"_s)) << WK::Delay
                        << u"DELAY 1.000000 sec for TAG A"_s << QString() << u"[\"CT\",1,\"A\"]"_s;
    QTest::newRow("CT without tag")
        << one(traceEvent(Kind::Delay, 0.25)) << WK::Delay << u"DELAY 0.250000 sec for TAG None"_s
        << QString() << u"[\"CT\",0.25,null]"_s;
    QTest::newRow("CTE") << one(traceEvent(Kind::DelayTimeout, 0, u"B"_s)) << WK::DelayTimeout
                         << u"DELAY TIMEOUT on TAG B"_s << QString() << u"[\"CTE\",\"B\"]"_s;
    QTest::newRow("CTE without tag")
        << one(traceEvent(Kind::DelayTimeout)) << WK::DelayTimeout << u"DELAY TIMEOUT on TAG None"_s
        << QString() << u"[\"CTE\",null]"_s;
    QTest::newRow("TI") << one(traceEvent(Kind::CloseAfter, 1)) << WK::CloseAfter
                        << u"CLOSE CONNECTION AFTER 1.000000 sec"_s << QString() << u"[\"TI\",1]"_s;
    QTest::newRow("TIE") << one(traceEvent(Kind::ClosingConnection)) << WK::ClosingConnection
                         << u"CLOSING CONNECTION"_s << QString() << u"[\"TIE\"]"_s;
    QTest::newRow("KL") << one(traceEvent(Kind::FailAfter, 2.5)) << WK::FailAfter
                        << u"FAIL CONNECTION AFTER 2.500000 sec"_s << QString()
                        << u"[\"KL\",2.5]"_s;
    QTest::newRow("KLE") << one(traceEvent(Kind::FailingConnection)) << WK::FailingConnection
                         << u"FAILING CONNECTION"_s << QString() << u"[\"KLE\"]"_s;
    QTest::newRow("WLM on") << one(traceEvent(Kind::WireLogEnabled, 0, {}, true))
                            << WK::WireLogMarker << u"WIRELOG ENABLED"_s << QString()
                            << u"[\"WLM\",true]"_s;
    QTest::newRow("WLM off") << one(traceEvent(Kind::WireLogEnabled, 0, {}, false))
                             << WK::WireLogMarker << u"WIRELOG DISABLED"_s << QString()
                             << u"[\"WLM\",false]"_s;
    QTest::newRow("TCP by peer") << one(traceEvent(Kind::TcpClosed)) << WK::TcpDroppedByPeer
                                 << u"TCP DROPPED BY PEER"_s << QString() << QString();
    QTest::newRow("TCP by me") << QList<TraceRecord>{traceEvent(Kind::DroppedByMe),
                                                     traceEvent(Kind::TcpClosed)}
                               << WK::TcpDroppedByMe << u"TCP DROPPED BY ME"_s << QString()
                               << QString();
}

void TestWireLog::line()
{
    QFETCH(QList<TraceRecord>, records);
    QFETCH(WireLogKind, kind);
    QFETCH(QString, text);
    QFETCH(QString, payload);
    QFETCH(QString, json);

    Trace trace;
    for (const TraceRecord &record : records)
        trace.append(record);
    const std::vector<WireLogLine> lines = wireLog(trace);
    QCOMPARE(lines.size(), size_t(1));
    const WireLogLine &line = lines.front();
    QCOMPARE(line.kind, kind);
    QCOMPARE(line.entry, quint32(trace.entries().size() - 1));
    QCOMPARE(wireLogText(trace, line), text);
    QCOMPARE(wireLogPayloadText(trace, line), payload);
    const std::optional<QJsonArray> array = wireLogJson(trace, line);
    QCOMPARE(array.has_value(), !json.isEmpty());
    if (array) {
        QCOMPARE(compact(*array), json);
        QCOMPARE(array->first().toString(), wireLogTag(kind));
    }
}

void TestWireLog::derivedPayload()
{
    // RX data frames whose payload the trace keeps only in its octet chunks: the wire log reads it
    // from there, unmasks it, and shows at most 64 octets.
    Trace trace;
    qint64 offset = 0;
    const auto rx = [&](const QByteArray &octets) {
        OctetChunk c = chunk(Direction::Rx, octets);
        c.streamOffset = offset;
        offset += octets.size();
        trace.append(c);
    };
    const auto frame = [&](qint64 at, quint8 opcode, quint64 length, int extended,
                           std::optional<quint32> key) {
        FrameRecord f = rxFrame(opcode, {});
        f.streamOffset = at;
        f.payloadLength = length;
        f.extendedLengthSize = quint8(extended);
        f.payloadDerived = true;
        f.masked = key.has_value();
        f.hasKey = key.has_value();
        f.maskKey = key.value_or(0);
        trace.append(f);
    };
    rx(hex("810548656c6c6f"));
    frame(0, 1, 5, 0, std::nullopt);
    // RFC 6455 §5.7: a masked "Hello", split over two reads.
    rx(hex("8185 37fa213d 7f9f"));
    rx(hex("4d5158"));
    frame(7, 1, 5, 0, 0x37fa213d);
    // 200 octets with a 16-bit length, in two reads: only the first 64 are shown.
    rx(hex("817e00c8") + QByteArray(100, 'b'));
    rx(QByteArray(100, 'b'));
    frame(18, 1, 200, 2, std::nullopt);

    QStringList texts;
    QStringList json;
    for (const WireLogLine &line : wireLog(trace)) {
        if (line.kind != WireLogKind::RxFrame)
            continue;
        texts << wireLogPayloadText(trace, line);
        json << compact(*wireLogJson(trace, line));
    }
    QCOMPARE(texts, (QStringList{u"Hello"_s, u"Hello"_s, QString(64, u'b') + u" ..."_s}));
    QCOMPARE(json.value(1), u"[\"RF\",[5,\"Hello\"],1,true,0,true,\"37fa213d\"]"_s);
    QCOMPARE(json.value(2),
             u"[\"RF\",[200,\""_s + QString(64, u'b') + u" ...\"],1,true,0,false,null]"_s);
}

void TestWireLog::names()
{
    using WK = WireLogKind;
    const QList<std::tuple<WK, QString, QString>> expected = {
        {WK::RxOctets, u"RO"_s, u"RX OCTETS"_s},
        {WK::TxOctets, u"TO"_s, u"TX OCTETS"_s},
        {WK::RxFrame, u"RF"_s, u"RX FRAME"_s},
        {WK::TxFrame, u"TF"_s, u"TX FRAME"_s},
        {WK::Delay, u"CT"_s, u"DELAY"_s},
        {WK::DelayTimeout, u"CTE"_s, u"DELAY TIMEOUT"_s},
        {WK::CloseAfter, u"TI"_s, u"CLOSE CONNECTION AFTER"_s},
        {WK::ClosingConnection, u"TIE"_s, u"CLOSING CONNECTION"_s},
        {WK::FailAfter, u"KL"_s, u"FAIL CONNECTION AFTER"_s},
        {WK::FailingConnection, u"KLE"_s, u"FAILING CONNECTION"_s},
        {WK::WireLogMarker, u"WLM"_s, u"WIRELOG"_s},
        {WK::TcpDroppedByMe, QString(), u"TCP DROPPED BY ME"_s},
        {WK::TcpDroppedByPeer, QString(), u"TCP DROPPED BY PEER"_s},
    };
    for (const auto &[kind, tag, name] : expected) {
        QCOMPARE(wireLogTag(kind), tag);
        QCOMPARE(wireLogKindName(kind), name);
    }
}

void TestWireLog::outOfRange()
{
    Trace trace;
    trace.append(chunk(Direction::Rx, hex("8800")));
    QVERIFY(!wireLogKindOf(trace, 1).has_value());
    QVERIFY(!wireLogKindOf(trace, 1000).has_value());
    // A line whose entry does not hold what its kind says yields nothing instead of garbage.
    const WireLogLine wrong{WireLogKind::RxFrame, 0};
    QCOMPARE(wireLogText(trace, wrong), QString());
    QVERIFY(!wireLogJson(trace, wrong).has_value());
    const WireLogLine missing{WireLogKind::RxOctets, 7};
    QCOMPARE(wireLogText(trace, missing), QString());
}

void TestWireLog::numbering()
{
    Trace trace;
    trace.append(chunk(Direction::Tx, QByteArray())); // not a line: does not take a number
    for (int i = 0; i < 1001; ++i)
        trace.append(traceEvent(Kind::ClosingConnection));
    trace.append(traceEvent(Kind::Note, 0, u"not a line"_s));
    trace.append(traceEvent(Kind::TcpClosed));
    const QStringList lines = reportWireLog(trace);
    QCOMPARE(lines.size(), 1002);
    QCOMPARE(lines[0], u"000 CLOSING CONNECTION"_s);
    QCOMPARE(lines[7], u"007 CLOSING CONNECTION"_s);
    QCOMPARE(lines[99], u"099 CLOSING CONNECTION"_s);
    QCOMPARE(lines[999], u"999 CLOSING CONNECTION"_s);
    QCOMPARE(lines[1000], u"1000 CLOSING CONNECTION"_s);
    QCOMPARE(lines[1001], u"1001 TCP DROPPED BY PEER"_s);
}

void TestWireLog::wrapping_data()
{
    QTest::addColumn<QList<TraceRecord>>("records");
    QTest::addColumn<QStringList>("expected");

    const QString h50 = hexOf(counting(50));
    QTest::newRow("50 octets: exactly one line")
        << QList<TraceRecord>{chunk(Direction::Tx, counting(50))}
        << QStringList{u"000 TX OCTETS: "_s + h50};
    const QString h60 = hexOf(counting(60));
    QTest::newRow("60 octets: 100 + 20")
        << QList<TraceRecord>{chunk(Direction::Rx, counting(60))}
        << QStringList{u"000 RX OCTETS: "_s + h60.left(100), kIndent + h60.mid(100)};
    const QString h61 = hexOf(counting(61));
    QTest::newRow("61 octets: 100 + 22 with marker")
        << QList<TraceRecord>{chunk(Direction::Tx, counting(61))}
        << QStringList{u"000 TX OCTETS: "_s + h61.left(100), kIndent + h61.mid(100) + u" ..."_s};
    const QString h64 = hexOf(binary(64));
    QTest::newRow("invalid payload: hex wrapped under the frame line")
        << QList<TraceRecord>{rxFrame(2, binary(65))}
        << QStringList{u"000 RX FRAME : OPCODE=2, FIN=True, RSV=0, PAYLOAD-LEN=65, MASKED=False, "
                       u"MASK=None"_s,
                       kIndent + u"0x"_s + h64.left(98), kIndent + h64.mid(98) + u" ..."_s};
    // Python textwrap: tabs expanded to 8 columns, other whitespace becomes a space, leading
    // whitespace of the first line kept.
    QTest::newRow("whitespace like textwrap")
        << QList<TraceRecord>{rxFrame(1, " x\ty\nz"_ba)}
        << QStringList{u"000 RX FRAME : OPCODE=1, FIN=True, RSV=0, PAYLOAD-LEN=6, MASKED=False, "
                       u"MASK=None"_s,
                       kIndent + u" x      y z"_s};
    // 30 × "a\t" expands to 240 columns: broken between words, the whitespace at the breaks
    // dropped (Python: textwrap.wrap("a\t" * 30, 100)).
    QString thirteen = u"a"_s;
    for (int i = 0; i < 12; ++i)
        thirteen += u"       a"_s;
    QTest::newRow("tabs: wrapped between words")
        << QList<TraceRecord>{rxFrame(1, QByteArray("a\t").repeated(30))}
        << QStringList{u"000 RX FRAME : OPCODE=1, FIN=True, RSV=0, PAYLOAD-LEN=60, MASKED=False, "
                       u"MASK=None"_s,
                       kIndent + thirteen, kIndent + thirteen, kIndent + thirteen.left(25)};
    QTest::newRow("blank payload: no text line")
        << QList<TraceRecord>{rxFrame(1, "   "_ba)}
        << QStringList{u"000 RX FRAME : OPCODE=1, FIN=True, RSV=0, PAYLOAD-LEN=3, MASKED=False, "
                       u"MASK=None"_s};
    QTest::newRow("frame line itself is never wrapped")
        << QList<TraceRecord>{txFrame(9, "Hello, world!"_ba, 0xaaeb0471)}
        << QStringList{u"000 TX FRAME : OPCODE=9, FIN=True, RSV=0, PAYLOAD-LEN=13, MASK=aaeb0471, "
                       u"PAYLOAD-REPEAT-LEN=None, CHOPSIZE=None, SYNC=False"_s,
                       kIndent + u"Hello, world!"_s};
}

void TestWireLog::wrapping()
{
    QFETCH(QList<TraceRecord>, records);
    QFETCH(QStringList, expected);
    Trace trace;
    for (const TraceRecord &record : records)
        trace.append(record);
    QCOMPARE(reportWireLog(trace), expected);
}

QTEST_GUILESS_MAIN(TestWireLog)
#include "tst_wirelog.moc"
