// SPDX-License-Identifier: MIT
#include "testutils.h"
#include "trace/closing.h"
#include "trace/report.h"
#include "trace/trace.h"
#include "trace/wirelog.h"

#include <QBuffer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTest>

using namespace wsi;
using namespace Qt::StringLiterals;
using wsi::test::hex;

namespace {

using Kind = TraceEvent::Kind;

// Appends records the way a session records them: increasing times, stream offsets per direction.
class Recorder
{
public:
    Trace trace;

    void tx(const QByteArray &octets, bool sync = false) { chunk(Direction::Tx, octets, sync); }
    void rx(const QByteArray &octets) { chunk(Direction::Rx, octets, false); }

    // A frame we send; recorded before its octets, as the reference client does
    // (docs/sending.md §1.1).
    void txFrame(quint8 opcode, const QByteArray &payload, quint32 key, qint64 encodedSize)
    {
        FrameRecord f;
        f.timeNs = tick();
        f.direction = Direction::Tx;
        f.streamOffset = m_offset[int(Direction::Tx)];
        f.opcode = opcode;
        f.payload = payload;
        f.payloadLength = quint64(payload.size());
        f.masked = true;
        f.hasKey = true;
        f.maskKey = key;
        TxFrameInfo info;
        info.basePayloadLength = payload.size();
        info.maskMode = MaskMode::Fixed;
        info.encodedSize = encodedSize;
        f.tx = makeTxInfo(info);
        trace.append(std::move(f));
    }

    // A frame we received: the last `frameSize` octets of the RX stream are its octets.
    void rxFrame(quint8 opcode, const QByteArray &payload, qint64 frameSize)
    {
        FrameRecord f;
        f.timeNs = tick();
        f.direction = Direction::Rx;
        f.streamOffset = m_offset[int(Direction::Rx)] - frameSize;
        f.opcode = opcode;
        f.payload = payload;
        f.payloadLength = quint64(payload.size());
        trace.append(std::move(f));
    }

    void event(Kind kind, double seconds = 0, const QString &text = {})
    {
        TraceEvent e;
        e.timeNs = tick();
        e.kind = kind;
        e.seconds = seconds;
        e.text = text;
        trace.append(std::move(e));
    }

    void state(SessionState s)
    {
        TraceEvent e;
        e.timeNs = tick();
        e.kind = Kind::StateChanged;
        e.state = s;
        trace.append(std::move(e));
    }

    void close(Kind kind, std::optional<int> code, const QByteArray &reason = {},
               bool isReply = false)
    {
        TraceEvent e;
        e.timeNs = tick();
        e.kind = kind;
        e.code = code;
        e.reason = reason;
        e.flag = isReply;
        trace.append(std::move(e));
    }

private:
    void chunk(Direction d, const QByteArray &octets, bool sync)
    {
        OctetChunk c;
        c.timeNs = tick();
        c.direction = d;
        c.streamOffset = m_offset[int(d)];
        c.size = octets.size();
        c.data = octets;
        c.sync = sync;
        m_offset[int(d)] += octets.size();
        trace.append(std::move(c));
    }

    qint64 tick() { return m_time += 1000; }

    qint64 m_time = 0;
    qint64 m_offset[2] = {0, 0};
};

QStringList seedLines(const QString &name)
{
    QFile file(QString::fromUtf8(WSI_SEEDS_DIR) + u'/' + name);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll()).split(u'\n');
}

// The lines of a block: after `heading` and one blank line, up to the next blank line.
QStringList block(const QStringList &lines, const QString &heading)
{
    const qsizetype at = lines.indexOf(heading);
    if (at < 0)
        return {u"<no heading "_s + heading + u'>'};
    QStringList out;
    for (qsizetype i = at + 2; i < lines.size() && !lines[i].isEmpty(); ++i)
        out << lines[i];
    return out;
}

// Everything from `first` up to (not including) `last`.
QStringList span(const QStringList &lines, const QString &first, const QString &last)
{
    const qsizetype from = lines.indexOf(first);
    const qsizetype to = lines.indexOf(last, from);
    if (from < 0 || to < 0)
        return {u"<no span>"_s};
    return lines.mid(from, to - from);
}

QStringList wireLogSection(const QStringList &lines)
{
    const qsizetype at = lines.indexOf(u"Wire Log"_s);
    if (at < 0)
        return {u"<no wire log>"_s};
    QStringList out = lines.mid(at + 2);
    while (!out.isEmpty() && out.last().isEmpty())
        out.removeLast();
    return out;
}

// A wire-log entry: its numbered line and its indented continuation lines.
struct LogEntry
{
    QString head;
    QStringList more;
};

QList<LogEntry> logEntries(const QStringList &lines)
{
    QList<LogEntry> out;
    for (const QString &line : lines) {
        if (line.startsWith(QString(15, u' ')) && !out.isEmpty())
            out.last().more << line.trimmed();
        else
            out << LogEntry{line, {}};
    }
    return out;
}

// The seed's tables print their cells without separators ("1971197" = 197, 1, 197), so ours are
// compared the same way: cells joined.
QStringList joinedRows(const QStringList &tableBlock)
{
    QStringList out;
    for (qsizetype i = 1; i < tableBlock.size(); ++i) // without the header
        out << QString(tableBlock[i]).remove(u' ');
    return out;
}

QString compact(const QJsonValue &value)
{
    if (value.isArray())
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
}

QString crlfHead(const QStringList &lines)
{
    return lines.join(u"\r\n"_s) + u"\r\n\r\n"_s;
}

// microsoft-httpapi-case-2.2.txt, record by record: handshake, ping, pong, close after 1 s, our
// close, the server's empty close, the server does not drop TCP, we do after 1 s.
Recorder recordMs22()
{
    const QStringList seed = seedLines(u"microsoft-httpapi-case-2.2.txt"_s);
    const QStringList heads = block(seed, u"Opening Handshake"_s);
    const QString request = crlfHead(heads.mid(0, 9));
    const QString response = crlfHead(heads.mid(9));

    Recorder r;
    r.trace.setStartedAt(QDateTime(QDate(2021, 1, 2), QTime(8, 45, 17, 502), Qt::UTC));
    r.trace.setUrl(u"ws://127.0.0.1:9001"_s);
    r.state(SessionState::Connecting);
    r.event(Kind::Connected, 0, u"127.0.0.1:9001"_s);
    r.event(Kind::HandshakeRequest, 0, request);
    r.tx(request.toUtf8());
    r.rx(response.toUtf8());
    r.event(Kind::HandshakeResponse, 0, response);
    r.state(SessionState::Open);
    r.txFrame(9, "Hello, world!"_ba, 0xaaeb0471, 19);
    r.tx(hex("898daaeb0471e28e681dc5c72406c59968158b"));
    r.event(Kind::CloseAfter, 1.0);
    r.rx(hex("8a0d48656c6c6f2c20776f726c6421"));
    r.rxFrame(10, "Hello, world!"_ba, 15);
    r.txFrame(8, hex("03e8"), 0x6130f52a, 8);
    r.close(Kind::CloseSent, 1000);
    r.state(SessionState::Closing);
    r.tx(hex("88826130f52a62d8"));
    r.rx(hex("8800"));
    r.rxFrame(8, {}, 2);
    r.close(Kind::CloseReceived, std::nullopt);
    r.event(Kind::ClosingConnection); // closeAfter fires in CLOSING: nothing to send
    r.event(Kind::ServerDropTimeout);
    r.event(Kind::DroppedByMe, 0, u"server drop timeout"_s);
    r.state(SessionState::Closed);
    r.event(Kind::TcpClosed);
    return r;
}

ReportInput inputMs22(const Trace &trace)
{
    ReportInput in;
    in.trace = &trace;
    in.closing = analyzeClosing(trace);
    in.closingVerdict = closingVerdict(in.closing, ExpectedClose{});
    in.agent = u"Microsoft-HTTPAPI/2.0"_s;
    in.caseId = u"2.2"_s;
    in.caseIndex = 2;
    in.description = u"Send ping with small text payload."_s;
    in.expectation =
        u"Pong with payload echo'ed is sent in reply to Ping. Clean close with normal code."_s;
    in.behavior = Verdict::Ok;
    in.result = u"Actual events match at least one expected."_s;
    in.expectedText = u"{'OK': [('pong', u'Hello, world!')]}"_s;
    in.observedText = u"[('pong', u'Hello, world!')]"_s;
    in.durationMs = 1016;
    return in;
}

// autobahnserver-case-7.1.2.txt: close 1000 through the close API, a second close as a raw frame,
// failAfter(1), the server's close 1000, the server drops TCP. Its handshake hex is complete.
Recorder record712()
{
    const QStringList log = wireLogSection(seedLines(u"autobahnserver-case-7.1.2.txt"_s));
    const QList<LogEntry> entries = logEntries(log);
    const auto octets = [&entries](qsizetype i) {
        if (i >= entries.size())
            return QByteArray();
        return QByteArray::fromHex(
            (entries[i].head.mid(15) + entries[i].more.join(QString())).toLatin1());
    };
    const QByteArray request = octets(0);
    const QByteArray response = octets(1);

    Recorder r;
    r.trace.setStartedAt(QDateTime(QDate(2012, 1, 9), QTime(14, 43, 20), Qt::UTC));
    r.state(SessionState::Connecting);
    r.event(Kind::HandshakeRequest, 0, QString::fromUtf8(request));
    r.tx(request);
    r.rx(response);
    r.event(Kind::HandshakeResponse, 0, QString::fromUtf8(response));
    r.state(SessionState::Open);
    r.txFrame(8, hex("03e8"), 0xbebe1af6, 8);
    r.close(Kind::CloseSent, 1000);
    r.state(SessionState::Closing);
    r.tx(hex("8882bebe1af6bd56"));
    r.txFrame(8, {}, 0x7cb9c812, 6); // sendFrame: no CloseSent, closedByMe unchanged
    r.tx(hex("88807cb9c812"));
    r.event(Kind::FailAfter, 1.0);
    r.rx(hex("880203e8"));
    r.rxFrame(8, hex("03e8"), 4);
    r.close(Kind::CloseReceived, 1000);
    r.state(SessionState::Closed);
    r.event(Kind::TcpClosed);
    return r;
}

ReportInput input712(const Trace &trace)
{
    ReportInput in;
    in.trace = &trace;
    in.closing = analyzeClosing(trace);
    in.closingVerdict = closingVerdict(in.closing, ExpectedClose{});
    in.agent = u"AutobahnServer/0.4.10"_s;
    in.caseId = u"7.1.2"_s;
    in.description = u"Send two close frames"_s;
    in.expectation = u"Clean close with normal code. Second close frame ignored."_s;
    in.behavior = Verdict::Ok;
    in.result = u"Actual events match at least one expected."_s;
    in.expectedText = u"{'OK': []}"_s;
    in.observedText = u"[]"_s;
    in.durationMs = 0;
    return in;
}

// The closing table of a seed (cells without separators) against closingFields(): every row the
// seed has must be key + our value + description. Old seeds spell "WebSockets closing" and lack
// wasOpenHandshakeTimeout.
void compareClosingWithSeed(const QStringList &seed, const ClosingBehavior &behavior)
{
    const QStringList rows = block(seed, u"Closing Behavior"_s);
    QCOMPARE(rows.value(0), u"KeyValueDescription"_s);
    qsizetype matched = 0;
    for (const ClosingField &field : closingFields()) {
        const QString key = QString::fromLatin1(field.key);
        const QString expected =
            key + closingFieldValue(behavior, field.key) + QString::fromUtf8(field.description);
        bool present = false;
        for (qsizetype i = 1; i < rows.size(); ++i) {
            const QString row =
                QString(rows[i]).replace(u"WebSockets closing"_s, u"WebSocket closing"_s);
            if (!row.startsWith(key)) // no key is a prefix of another
                continue;
            present = true;
            QCOMPARE(row, expected);
        }
        if (present)
            ++matched;
        else
            QCOMPARE(key, u"wasOpenHandshakeTimeout"_s);
    }
    QCOMPARE(matched, rows.size() - 1);
}

// Our closing table: every row in closingFields() order, the value and description columns
// aligned under their headers.
void checkClosingTable(const QStringList &report, const ClosingBehavior &behavior)
{
    const QStringList rows = block(report, u"Closing Behavior"_s);
    const QList<ClosingField> fields = closingFields();
    QCOMPARE(rows.size(), fields.size() + 1);
    const QString header = rows[0];
    QVERIFY(header.startsWith(u"Key "_s));
    const qsizetype valueColumn = header.indexOf(u"Value"_s);
    const qsizetype descriptionColumn = header.indexOf(u"Description"_s);
    QVERIFY(valueColumn > 0 && descriptionColumn > valueColumn);
    for (qsizetype i = 0; i < fields.size(); ++i) {
        const QString &row = rows[i + 1];
        QCOMPARE(row.left(valueColumn).trimmed(), QString::fromLatin1(fields[i].key));
        QCOMPARE(row.mid(valueColumn, descriptionColumn - valueColumn).trimmed(),
                 closingFieldValue(behavior, fields[i].key));
        QCOMPARE(row.mid(descriptionColumn), QString::fromUtf8(fields[i].description));
    }
}

const char *const kStatisticsTables[] = {
    "Octets Received by Chop Size", "Octets Transmitted by Chop Size", "Frames Received by Opcode",
    "Frames Transmitted by Opcode"};

} // namespace

class TestReport : public QObject
{
    Q_OBJECT

private slots:
    void seedsPresent();
    void ms22Closing();
    void ms22Text();
    void ms22WireLog();
    void ms22Statistics();
    void ms22Json();
    void seed712Closing();
    void seed712Text();
    void seed712WireLog();
    void seed712Statistics();
    void statisticsText();
    void handshakeText();
    void verdictWord_data();
    void verdictWord();
    void manualSession();
    void outcomeIsLimited();
    void jsonCloseReasons();
    void jsonDefaults();
    void nullTrace();
    void jsonIsQtsIndentedFormat();
    void jsonStringsRoundTrip();
    void textEscapesControlCharacters();
    void streamingMemoryIsBounded();
};

void TestReport::seedsPresent()
{
    QVERIFY(seedLines(u"microsoft-httpapi-case-2.2.txt"_s).size() > 100);
    QVERIFY(seedLines(u"autobahnserver-case-7.1.2.txt"_s).size() > 80);
}

void TestReport::ms22Closing()
{
    const Recorder r = recordMs22();
    const ClosingBehavior b = analyzeClosing(r.trace);
    QVERIFY(b.closedByMe);
    QVERIFY(b.droppedByMe);
    QVERIFY(!b.wasClean);
    QVERIFY(b.wasServerConnectionDropTimeout);
    compareClosingWithSeed(seedLines(u"microsoft-httpapi-case-2.2.txt"_s), b);
}

void TestReport::ms22Text()
{
    const Recorder r = recordMs22();
    const QStringList seed = seedLines(u"microsoft-httpapi-case-2.2.txt"_s);
    const ReportInput in = inputMs22(r.trace);
    const QString text = textReport(in);
    QVERIFY(text.endsWith(u"012 TCP DROPPED BY ME\n"_s));
    const QStringList report = text.split(u'\n');

    QCOMPARE(report.value(0), u"WebSocket Inspector Report"_s);
    QCOMPARE(report.value(2), seed.value(3));
    QCOMPARE(report.value(2),
             u"Microsoft-HTTPAPI/2.0 - Case 2.2 : Pass - 1016 ms @ 2021-01-02T08:45:17.502Z"_s);
    QCOMPARE(block(report, u"Case Description"_s), block(seed, u"Case Description"_s));
    QCOMPARE(block(report, u"Case Expectation"_s), block(seed, u"Case Expectation"_s));
    QCOMPARE(span(report, u"Case Outcome"_s, u"Case Closing Behavior"_s),
             span(seed, u"Case Outcome"_s, u"Case Closing Behavior"_s));
    QCOMPARE(block(report, u"Case Closing Behavior"_s), block(seed, u"Case Closing Behavior"_s));
    QCOMPARE(block(report, u"Opening Handshake"_s), block(seed, u"Opening Handshake"_s));
    checkClosingTable(report, in.closing);

    // The sections in the seeds' order.
    qsizetype last = -1;
    for (const QString &heading :
         {u"Case Description"_s, u"Case Expectation"_s, u"Case Outcome"_s,
          u"Case Closing Behavior"_s, u"Opening Handshake"_s, u"Closing Behavior"_s,
          u"Wire Statistics"_s, u"Octets Received by Chop Size"_s,
          u"Octets Transmitted by Chop Size"_s, u"Frames Received by Opcode"_s,
          u"Frames Transmitted by Opcode"_s, u"Wire Log"_s}) {
        const qsizetype at = report.indexOf(heading);
        QVERIFY2(at > last, qPrintable(heading));
        QVERIFY2(report.value(at - 1).isEmpty() && report.value(at + 1).isEmpty(),
                 qPrintable(heading));
        last = at;
    }
}

void TestReport::ms22WireLog()
{
    const Recorder r = recordMs22();
    const QStringList seed = seedLines(u"microsoft-httpapi-case-2.2.txt"_s);
    const QStringList report = textReport(inputMs22(r.trace)).split(u'\n');
    const QStringList expected = wireLogSection(seed);
    QCOMPARE(expected.size(), 18);
    const QStringList actual = wireLogSection(report);
    for (qsizetype i = 0; i < std::min(expected.size(), actual.size()); ++i)
        QCOMPARE(actual[i], expected[i]);
    QCOMPARE(actual.size(), expected.size());
}

void TestReport::ms22Statistics()
{
    const Recorder r = recordMs22();
    const QStringList seed = seedLines(u"microsoft-httpapi-case-2.2.txt"_s);
    const QStringList report = textReport(inputMs22(r.trace)).split(u'\n');
    for (const char *table : kStatisticsTables) {
        const QString heading = QString::fromLatin1(table);
        QCOMPARE(joinedRows(block(report, heading)), joinedRows(block(seed, heading)));
    }
    // Spot checks with the cells apart.
    QCOMPARE(block(report, u"Octets Received by Chop Size"_s).last().simplified(),
             u"Total 3 214"_s);
    QCOMPARE(block(report, u"Octets Transmitted by Chop Size"_s).value(3).simplified(),
             u"240 1 240"_s);
    QCOMPARE(block(report, u"Frames Transmitted by Opcode"_s),
             (QStringList{u"Opcode  Count"_s, u"     8      1"_s, u"     9      1"_s,
                          u" Total      2"_s}));
}

void TestReport::ms22Json()
{
    const Recorder r = recordMs22();
    ReportInput in = inputMs22(r.trace);
    in.expectedJson = QJsonObject{{u"OK"_s, QJsonArray{QJsonArray{u"pong"_s, u"Hello, world!"_s}}}};
    in.receivedJson = QJsonArray{QJsonArray{u"pong"_s, u"Hello, world!"_s}};
    in.expectedCloseJson = QJsonObject{{u"closedByMe"_s, true}, {u"requireClean"_s, true}};
    const QJsonObject json = jsonReport(in);

    for (const QString &key : {u"agent"_s,         u"id"_s,
                               u"case"_s,          u"description"_s,
                               u"expectation"_s,   u"started"_s,
                               u"duration"_s,      u"reportTime"_s,
                               u"behavior"_s,      u"behaviorClose"_s,
                               u"result"_s,        u"resultClose"_s,
                               u"expected"_s,      u"expectedClose"_s,
                               u"received"_s,      u"wirelog"_s,
                               u"createWirelog"_s, u"createStats"_s,
                               u"rxOctetStats"_s,  u"txOctetStats"_s,
                               u"rxFrameStats"_s,  u"txFrameStats"_s,
                               u"httpRequest"_s,   u"httpResponse"_s,
                               u"trafficStats"_s}) {
        QVERIFY2(json.contains(key), qPrintable(key));
    }
    for (const ClosingField &field : closingFields())
        QVERIFY2(json.contains(QString::fromLatin1(field.key)), field.key);

    QCOMPARE(json[u"agent"_s].toString(), u"Microsoft-HTTPAPI/2.0"_s);
    QCOMPARE(json[u"id"_s].toString(), u"2.2"_s);
    QCOMPARE(json[u"case"_s].toInt(), 2);
    QCOMPARE(json[u"started"_s].toString(), u"2021-01-02T08:45:17.502Z"_s);
    QCOMPARE(json[u"duration"_s].toInteger(), 1016);
    QCOMPARE(json[u"behavior"_s].toString(), u"OK"_s);
    QCOMPARE(json[u"behaviorClose"_s].toString(), u"UNCLEAN"_s);
    QCOMPARE(json[u"resultClose"_s].toString(),
             u"The spec requires the connection to be failed cleanly here"_s);
    QCOMPARE(json[u"expected"_s].toObject(), in.expectedJson);
    QCOMPARE(json[u"expectedClose"_s].toObject(), in.expectedCloseJson);
    QCOMPARE(json[u"received"_s].toArray(), in.receivedJson);
    QCOMPARE(json[u"createWirelog"_s], QJsonValue(true));
    QCOMPARE(json[u"createStats"_s], QJsonValue(true));
    QVERIFY(json[u"trafficStats"_s].isNull());
    QCOMPARE(json[u"httpRequest"_s].toString(), handshakeRequestText(r.trace));
    QVERIFY(json[u"httpRequest"_s].toString().startsWith(u"GET / HTTP/1.1\r\nUser-Agent: "_s));
    QVERIFY(json[u"httpResponse"_s].toString().endsWith(u"CST\r\n\r\n"_s));

    QCOMPARE(compact(json[u"rxOctetStats"_s]), u"{\"15\":1,\"197\":1,\"2\":1}"_s);
    QCOMPARE(compact(json[u"txOctetStats"_s]), u"{\"19\":1,\"240\":1,\"8\":1}"_s);
    QCOMPARE(compact(json[u"rxFrameStats"_s]), u"{\"10\":1,\"8\":1}"_s);
    QCOMPARE(compact(json[u"txFrameStats"_s]), u"{\"8\":1,\"9\":1}"_s);

    // The 13 fields as the seed shows them, None → null.
    QCOMPARE(json[u"isServer"_s], QJsonValue(false));
    QCOMPARE(json[u"closedByMe"_s], QJsonValue(true));
    QCOMPARE(json[u"failedByMe"_s], QJsonValue(false));
    QCOMPARE(json[u"droppedByMe"_s], QJsonValue(true));
    QCOMPARE(json[u"wasClean"_s], QJsonValue(false));
    QCOMPARE(json[u"wasNotCleanReason"_s].toString(),
             u"server did not drop TCP connection (in time)"_s);
    QCOMPARE(json[u"wasServerConnectionDropTimeout"_s], QJsonValue(true));
    QCOMPARE(json[u"wasOpenHandshakeTimeout"_s], QJsonValue(false));
    QCOMPARE(json[u"wasCloseHandshakeTimeout"_s], QJsonValue(false));
    QCOMPARE(json[u"localCloseCode"_s].toInt(), 1000);
    QVERIFY(json[u"localCloseReason"_s].isNull());
    QVERIFY(json[u"remoteCloseCode"_s].isNull());
    QVERIFY(json[u"remoteCloseReason"_s].isNull());

    // The wire log without the synthesized TCP line.
    const QJsonArray wirelog = json[u"wirelog"_s].toArray();
    QCOMPARE(wirelog.size(), 12);
    const QString handshakeHex =
        u"474554202f20485454502f312e310d0a557365722d4167656e743a204175746f6261686e546573745375"
        u"6974652f302e372e352d302e31302e390d0a486f7374 ..."_s;
    QCOMPARE(compact(wirelog[0]), u"[\"TO\",[240,\""_s + handshakeHex + u"\"],false]"_s);
    QCOMPARE(compact(wirelog[2]),
             u"[\"TF\",[13,\"Hello, world!\"],9,true,0,\"aaeb0471\",null,null,false]"_s);
    QCOMPARE(compact(wirelog[3]),
             u"[\"TO\",[19,\"898daaeb0471e28e681dc5c72406c59968158b\"],false]"_s);
    QCOMPARE(compact(wirelog[4]), u"[\"TI\",1]"_s);
    QCOMPARE(compact(wirelog[5]), u"[\"RO\",[15,\"8a0d48656c6c6f2c20776f726c6421\"]]"_s);
    QCOMPARE(compact(wirelog[6]), u"[\"RF\",[13,\"Hello, world!\"],10,true,0,false,null]"_s);
    QCOMPARE(compact(wirelog[7]),
             u"[\"TF\",[2,\"0x03e8\"],8,true,0,\"6130f52a\",null,null,false]"_s);
    QCOMPARE(compact(wirelog[9]), u"[\"RO\",[2,\"8800\"]]"_s);
    QCOMPARE(compact(wirelog[10]), u"[\"RF\",[0,\"\"],8,true,0,false,null]"_s);
    QCOMPARE(compact(wirelog[11]), u"[\"TIE\"]"_s);
}

void TestReport::seed712Closing()
{
    const Recorder r = record712();
    const ClosingBehavior b = analyzeClosing(r.trace);
    QVERIFY(b.closedByMe);
    QVERIFY(b.wasClean);
    QVERIFY(!b.droppedByMe);
    QCOMPARE(b.remoteCloseCode, std::optional<int>(1000));
    compareClosingWithSeed(seedLines(u"autobahnserver-case-7.1.2.txt"_s), b);
}

void TestReport::seed712Text()
{
    const Recorder r = record712();
    const QStringList seed = seedLines(u"autobahnserver-case-7.1.2.txt"_s);
    const ReportInput in = input712(r.trace);
    const QStringList report = textReport(in).split(u'\n');
    // The 2012 report printed whole seconds.
    QCOMPARE(report.value(2).replace(u".000Z"_s, u"Z"_s), seed.value(3));
    QCOMPARE(block(report, u"Case Description"_s), block(seed, u"Case Description"_s));
    QCOMPARE(span(report, u"Case Outcome"_s, u"Case Closing Behavior"_s),
             span(seed, u"Case Outcome"_s, u"Case Closing Behavior"_s));
    QCOMPARE(block(report, u"Case Closing Behavior"_s), block(seed, u"Case Closing Behavior"_s));
    QCOMPARE(block(report, u"Case Closing Behavior"_s).value(0),
             u"Connection was properly closed (OK)"_s);
    QCOMPARE(block(report, u"Opening Handshake"_s), block(seed, u"Opening Handshake"_s));
    checkClosingTable(report, in.closing);
}

void TestReport::seed712WireLog()
{
    const Recorder r = record712();
    const QStringList seed = seedLines(u"autobahnserver-case-7.1.2.txt"_s);
    const QList<LogEntry> expected = logEntries(wireLogSection(seed));
    const QList<LogEntry> actual =
        logEntries(wireLogSection(textReport(input712(r.trace)).split(u'\n')));
    QCOMPARE(expected.size(), 10);
    QCOMPARE(actual.size(), expected.size());
    static const QRegularExpression payloadLen(u", PAYLOAD-LEN=\\d+"_s);
    for (qsizetype i = 0; i < expected.size(); ++i) {
        const LogEntry &e = expected[i];
        const LogEntry &a = actual[i];
        QCOMPARE(a.head.left(4), e.head.left(4));
        if (e.head.mid(4).contains(u"OCTETS: "_s)) {
            // The 2012 report printed all octets; today's 60/64 rule applies to the same octets.
            QCOMPARE(a.head.mid(4, 11), e.head.mid(4, 11));
            const QString seedHex = e.head.mid(15) + e.more.join(QString());
            const QString expectedHex =
                seedHex.size() > 120 ? seedHex.left(128) + u" ..."_s : seedHex;
            QCOMPARE(a.head.mid(15) + a.more.join(QString()), expectedHex);
            continue;
        }
        // The 2012 report had no PAYLOAD-LEN and did not print the close payload 03e8.
        QCOMPARE(QString(a.head).remove(payloadLen), e.head);
        QVERIFY(e.more.isEmpty());
        const bool closeWithCode = i == 2 || i == 8;
        QCOMPARE(a.more, closeWithCode ? QStringList{u"0x03e8"_s} : QStringList());
    }
    QCOMPARE(actual[2].head,
             u"002 TX FRAME : OPCODE=8, FIN=True, RSV=0, PAYLOAD-LEN=2, "
             u"MASK=bebe1af6, PAYLOAD-REPEAT-LEN=None, CHOPSIZE=None, SYNC=False"_s);
    QCOMPARE(actual[9].head, u"009 TCP DROPPED BY PEER"_s);
}

void TestReport::seed712Statistics()
{
    const Recorder r = record712();
    const QStringList seed = seedLines(u"autobahnserver-case-7.1.2.txt"_s);
    const QStringList report = textReport(input712(r.trace)).split(u'\n');
    for (const char *table : kStatisticsTables) {
        const QString heading = QString::fromLatin1(table);
        QCOMPARE(joinedRows(block(report, heading)), joinedRows(block(seed, heading)));
    }
    QCOMPARE(block(report, u"Frames Transmitted by Opcode"_s).value(1).simplified(), u"8 2"_s);
}

void TestReport::statisticsText()
{
    WireStatistics stats;
    stats.rxOctets = {{197, 1}, {2, 1}, {15, 1}};
    stats.rxFrames = {{10, 1}, {8, 1}};
    stats.txFrames = {{9, 2}, {0, 4}, {8, 1}, {1, 1}};
    const QString expected = u"Octets Received by Chop Size\n"
                             u"\n"
                             u"Chop Size  Count  Octets\n"
                             u"        2      1       2\n"
                             u"       15      1      15\n"
                             u"      197      1     197\n"
                             u"    Total      3     214\n"
                             u"\n"
                             u"Octets Transmitted by Chop Size\n"
                             u"\n"
                             u"Chop Size  Count  Octets\n"
                             u"    Total      0       0\n"
                             u"\n"
                             u"Frames Received by Opcode\n"
                             u"\n"
                             u"Opcode  Count\n"
                             u"     8      1\n"
                             u"    10      1\n"
                             u" Total      2\n"
                             u"\n"
                             u"Frames Transmitted by Opcode\n"
                             u"\n"
                             u"Opcode  Count\n"
                             u"     0      4\n"
                             u"     1      1\n"
                             u"     8      1\n"
                             u"     9      2\n"
                             u" Total      8\n"_s;
    QCOMPARE(wsi::statisticsText(stats), expected);

    // Octets = size × count, totals over all rows.
    WireStatistics big;
    big.txOctets = {{1, 300}, {65536, 17}};
    const QStringList lines = wsi::statisticsText(big).split(u'\n');
    const qsizetype at = lines.indexOf(u"Octets Transmitted by Chop Size"_s);
    QCOMPARE(lines.value(at + 3).simplified(), u"1 300 300"_s);
    QCOMPARE(lines.value(at + 4).simplified(), u"65536 17 1114112"_s);
    QCOMPARE(lines.value(at + 5).simplified(), u"Total 317 1114412"_s);
}

void TestReport::handshakeText()
{
    Trace trace;
    QCOMPARE(handshakeRequestText(trace), QString());
    QCOMPARE(handshakeResponseText(trace), QString());
    TraceEvent request;
    request.kind = Kind::HandshakeRequest;
    request.text = u"GET /chat HTTP/1.1\r\nHost: a\r\n\r\n"_s;
    TraceEvent response;
    response.kind = Kind::HandshakeResponse;
    response.text = u"HTTP/1.1 101 Switching Protocols\r\n\r\n"_s;
    trace.append(request);
    trace.append(response);
    QCOMPARE(handshakeRequestText(trace), request.text);
    QCOMPARE(handshakeResponseText(trace), response.text);

    ReportInput in;
    in.trace = &trace;
    const QStringList report = textReport(in).split(u'\n');
    QCOMPARE(block(report, u"Opening Handshake"_s),
             (QStringList{u"GET /chat HTTP/1.1"_s, u"Host: a"_s,
                          u"HTTP/1.1 101 Switching Protocols"_s}));
    QVERIFY(!textReport(in).contains(u'\r'));
}

void TestReport::verdictWord_data()
{
    QTest::addColumn<QString>("behavior");
    QTest::addColumn<QString>("word");
    // The words of the reference detail report's title line.
    QTest::newRow("OK") << u"OK"_s << u"Pass"_s;
    QTest::newRow("NON-STRICT") << u"NON-STRICT"_s << u"Non-Strict"_s;
    QTest::newRow("INFORMATIONAL") << u"INFORMATIONAL"_s << u"Informational"_s;
    QTest::newRow("UNIMPLEMENTED") << u"UNIMPLEMENTED"_s << u"Unimplemented"_s;
    QTest::newRow("FAILED") << u"FAILED"_s << u"Fail"_s;
    QTest::newRow("no verdict") << QString() << u"Fail"_s;
}

void TestReport::verdictWord()
{
    QFETCH(QString, behavior);
    QFETCH(QString, word);
    Trace trace;
    trace.setStartedAt(QDateTime(QDate(2020, 2, 3), QTime(4, 5, 6, 7), Qt::UTC));
    ReportInput in;
    in.trace = &trace;
    in.agent = u"Agent"_s;
    in.caseId = u"1.1.1"_s;
    in.behavior = verdictFromText(behavior); // none: a case result without a verdict
    in.durationMs = 3;
    QCOMPARE(textReport(in).split(u'\n').value(2),
             u"Agent - Case 1.1.1 : "_s + word + u" - 3 ms @ 2020-02-03T04:05:06.007Z"_s);
}

void TestReport::manualSession()
{
    Recorder r;
    r.trace.setStartedAt(QDateTime(QDate(2024, 5, 6), QTime(7, 8, 9, 10), Qt::UTC));
    r.trace.setUrl(u"ws://localhost:9001/chat"_s);
    r.state(SessionState::Open);
    r.event(Kind::TcpClosed);
    ReportInput in;
    in.trace = &r.trace;
    in.agent = u"AutobahnTestSuite/0.8.2"_s;
    in.closing = analyzeClosing(r.trace);
    in.closingVerdict = {CloseVerdict::Ok, u"Connection was properly closed"_s};
    in.durationMs = 12;
    const QStringList report = textReport(in).split(u'\n');
    QCOMPARE(report.value(2), u"AutobahnTestSuite/0.8.2 - ws://localhost:9001/chat : OK - 12 ms @ "
                              u"2024-05-06T07:08:09.010Z"_s);
    QVERIFY(!report.contains(u"Case Description"_s));
    QVERIFY(!report.contains(u"Case Outcome"_s));
    // A free session's block also says how TCP ended (here: nothing more is known than a drop).
    QCOMPARE(
        block(report, u"Case Closing Behavior"_s),
        QStringList({u"Connection was properly closed (OK)"_s, u"TCP: the server dropped TCP"_s}));
    QCOMPARE(wireLogSection(report), QStringList{u"000 TCP DROPPED BY PEER"_s});

    const QJsonObject json = jsonReport(in);
    QCOMPARE(json[u"id"_s].toString(), QString());
    QCOMPARE(json[u"started"_s].toString(), u"2024-05-06T07:08:09.010Z"_s);
    QCOMPARE(json[u"behaviorClose"_s].toString(), u"OK"_s);
}

void TestReport::outcomeIsLimited()
{
    Trace trace;
    ReportInput in = inputMs22(trace);
    in.expectedText = QString(996, u'e');
    in.observedText = QString(997, u'o');
    const QStringList report = textReport(in).split(u'\n');
    const qsizetype expected = report.indexOf(u"Expected:"_s);
    const qsizetype observed = report.indexOf(u"Observed:"_s);
    QCOMPARE(report.value(expected + 1), QString(996, u'e'));
    QCOMPARE(report.value(observed + 1), QString(996, u'o') + u" ..."_s);
}

void TestReport::jsonCloseReasons()
{
    Recorder r;
    r.state(SessionState::Open);
    // 7.5.1: a reason that is not UTF-8, sent on purpose; the peer answers with a reason.
    r.close(Kind::CloseSent, 1000, hex("cebae1bdb9cf83cebcceb5eda080656469746564"));
    r.state(SessionState::Closing);
    r.close(Kind::CloseReceived, 1002, "bye"_ba);
    r.state(SessionState::Closed);
    r.event(Kind::TcpClosed);
    ReportInput in;
    in.trace = &r.trace;
    in.closing = analyzeClosing(r.trace);
    const QJsonObject json = jsonReport(in);
    QCOMPARE(json[u"localCloseCode"_s].toInt(), 1000);
    QCOMPARE(json[u"localCloseReason"_s].toString(), u"cebae1bdb9cf83cebcceb5eda080656469746564"_s);
    QCOMPARE(json[u"remoteCloseCode"_s].toInt(), 1002);
    QCOMPARE(json[u"remoteCloseReason"_s].toString(), u"bye"_s);
    QCOMPARE(json[u"wasClean"_s], QJsonValue(true));
    QVERIFY(json[u"wasNotCleanReason"_s].isNull());
}

void TestReport::jsonDefaults()
{
    Recorder r;
    ReportInput in;
    in.trace = &r.trace;
    in.reportTime = true;
    const QJsonObject json = jsonReport(in);
    QCOMPARE(json[u"expected"_s], QJsonValue(QJsonObject()));
    QCOMPARE(json[u"expectedClose"_s], QJsonValue(QJsonObject()));
    QCOMPARE(json[u"received"_s], QJsonValue(QJsonArray()));
    QCOMPARE(json[u"wirelog"_s], QJsonValue(QJsonArray()));
    QCOMPARE(json[u"reportTime"_s], QJsonValue(true));
    QCOMPARE(json[u"rxOctetStats"_s], QJsonValue(QJsonObject()));
    QVERIFY(json[u"started"_s].isNull()); // the trace never started
    QVERIFY(json[u"localCloseCode"_s].isNull());
    QVERIFY(json[u"wasNotCleanReason"_s].isNull());
}

void TestReport::nullTrace()
{
    const ReportInput in;
    const QStringList report = textReport(in).split(u'\n');
    for (const QString &heading :
         {u"Opening Handshake"_s, u"Closing Behavior"_s, u"Wire Statistics"_s, u"Wire Log"_s})
        QVERIFY2(report.contains(heading), qPrintable(heading));
    QVERIFY(jsonReport(in)[u"wirelog"_s].toArray().isEmpty());
}

// The streamed JSON is what QJsonDocument::toJson(Indented) made of the same object before.
void TestReport::jsonIsQtsIndentedFormat()
{
    const Recorder ms22 = recordMs22();
    const Recorder r712 = record712();
    Recorder empty;
    ReportInput none;
    none.trace = &empty.trace;
    for (const ReportInput &in : {inputMs22(ms22.trace), input712(r712.trace), none}) {
        QBuffer buffer;
        QVERIFY(buffer.open(QIODevice::WriteOnly));
        QVERIFY(writeJsonReport(in, buffer));
        const QJsonDocument parsed = QJsonDocument::fromJson(buffer.data());
        QVERIFY(parsed.isObject());
        QCOMPARE(buffer.data(), parsed.toJson(QJsonDocument::Indented));
    }
}

// Every string survives: quotes, backslashes, each control character, DEL, C1, characters
// outside the BMP. None of the control characters is written raw.
void TestReport::jsonStringsRoundTrip()
{
    QString nasty = u"quote \" backslash \\ slash / "_s;
    for (char16_t c = 0; c < 0xa0; ++c)
        nasty += QChar(c);
    nasty += u"é € \U0001F600 \u2028"_s;
    Recorder r;
    r.state(SessionState::Open);
    r.close(Kind::CloseReceived, 1000, nasty.toUtf8());
    r.event(Kind::TcpClosed);
    ReportInput in;
    in.trace = &r.trace;
    in.closing = analyzeClosing(r.trace);
    in.agent = nasty;
    in.description = nasty;
    in.expectedJson = QJsonObject{{nasty, QJsonArray{nasty, 1.5, -3, true, QJsonValue()}}};
    QBuffer buffer;
    QVERIFY(buffer.open(QIODevice::WriteOnly));
    QVERIFY(writeJsonReport(in, buffer));
    for (const char c : buffer.data())
        QVERIFY2(uchar(c) >= 0x20 || c == '\n', QByteArray::number(uchar(c)).constData());
    QVERIFY(!buffer.data().contains('\x7f'));
    QVERIFY(!buffer.data().contains("\xc2\x9b"));
    QVERIFY(buffer.data().contains("\\u009b"));
    QJsonParseError error;
    const QJsonObject json = QJsonDocument::fromJson(buffer.data(), &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(json[u"agent"_s].toString(), nasty);
    QCOMPARE(json[u"description"_s].toString(), nasty);
    QCOMPARE(json[u"remoteCloseReason"_s].toString(), nasty);
    QCOMPARE(json[u"expected"_s].toObject(), in.expectedJson);
    QCOMPARE(jsonReport(in), json);
}

// What comes from the peer (agent, status line, headers, payloads, close reason) is written with
// its control characters escaped; the report's own line breaks stay.
void TestReport::textEscapesControlCharacters()
{
    const QByteArray title = "\x1b]0;owned\x07";
    Recorder r;
    r.trace.setUrl(u"ws://h/"_s);
    r.event(Kind::HandshakeResponse, 0,
            QString::fromLatin1("HTTP/1.1 101 OK" + title + "\r\nServer: S\x9b" + "2J\r\n\r\n"));
    r.state(SessionState::Open);
    const QByteArray payload = "a\x00"
                               "b\x1b[31mc\x7f\xc2\x9b"
                               "d\te\nf"_ba;
    r.rx(QByteArray("\x81") + char(payload.size()) + payload);
    r.rxFrame(1, payload, payload.size() + 2);
    r.close(Kind::CloseReceived, 1000, "bye" + title);
    r.event(Kind::TcpClosed);
    ReportInput in;
    in.trace = &r.trace;
    in.closing = analyzeClosing(r.trace);
    in.agent = QString::fromLatin1("S\x9b"
                                   "2J" +
                                   title);
    const QString text = textReport(in);
    for (const QChar c : text) {
        QVERIFY2(c == u'\n' || (c.unicode() >= 0x20 && c.unicode() != 0x7f &&
                                (c.unicode() < 0x80 || c.unicode() > 0x9f)),
                 qPrintable(QString::number(c.unicode(), 16)));
    }
    const QStringList lines = text.split(u'\n');
    QVERIFY2(lines.value(2).startsWith(u"S\\x9b2J\\x1b]0;owned\\x07 - ws://h/ : "_s),
             qPrintable(lines.value(2)));
    QVERIFY(lines.contains(u"HTTP/1.1 101 OK\\x1b]0;owned\\x07"_s));
    QVERIFY(lines.contains(u"Server: S\\x9b2J"_s));
    // Tabs and line breaks of a payload become spaces as in the reference's wrapping; the rest
    // is escaped.
    QVERIFY2(lines.contains(QString(15, u' ') + u"a\\x00b\\x1b[31mc\\x7f\\x9bd        e f"_s),
             qPrintable(text));
    const qsizetype reason = lines.indexOf(QRegularExpression(u"^remoteCloseReason .*"_s));
    QVERIFY(reason > 0);
    QVERIFY2(lines[reason].contains(u" bye\\x1b]0;owned\\x07 "_s), qPrintable(lines[reason]));
    // The closing table stays aligned: the escapes are measured, so the description column
    // starts where it does in the heading row.
    const qsizetype heading = lines.indexOf(QRegularExpression(u"^Key +Value +Description$"_s));
    QVERIFY(heading > 0);
    const qsizetype column = lines[heading].indexOf(u"Description"_s);
    for (const ClosingField &field : closingFields()) {
        if (QByteArrayView(field.key) == "remoteCloseReason")
            QCOMPARE(lines[reason].mid(column), QString::fromUtf8(field.description));
    }
}

namespace {

// Counts what is written and keeps nothing but the last octets; samples the resident size at
// every write.
class DiscardDevice final : public QIODevice
{
public:
    qint64 written = 0;
    qint64 peakResidentKiB = 0;
    QByteArray tail;

protected:
    qint64 readData(char *, qint64) override { return -1; }
    qint64 writeData(const char *data, qint64 size) override
    {
        written += size;
        tail = QByteArray(tail + QByteArrayView(data, size)).right(64);
        peakResidentKiB = std::max(peakResidentKiB, test::memoryInUseKiB());
        return size;
    }
};

} // namespace

// 1,000,000 received 16-octet frames (18 MB on the wire): writing either report costs a bounded
// amount of memory beyond the trace (docs/cli.md), where building it in memory cost over 1 GB.
void TestReport::streamingMemoryIsBounded()
{
    QVERIFY2(test::procStatusKiB("VmRSS") > 0, "reads /proc/self/status (Linux)");
    constexpr qint64 kFrames = 1'000'000;
    constexpr qint64 kFrameSize = 18;
    constexpr qint64 kChunkSize = 64 * 1024;
    // The bound of docs/cli.md: 8 octets a wire-log line plus a fixed 24 MiB.
    constexpr qint64 kBoundKiB = (kFrames * 8 + 24 * 1024 * 1024) / 1024;
    Trace trace;
    {
        const QByteArray payload(16, 'x');
        const QByteArray frame = QByteArray("\x82\x10") + payload;
        QByteArray stream;
        stream.reserve(kChunkSize);
        TraceBatch batch;
        qint64 time = 0;
        qint64 chunkStart = 0;
        const auto flushChunk = [&] {
            OctetChunk c;
            c.timeNs = ++time;
            c.direction = Direction::Rx;
            c.streamOffset = chunkStart;
            c.size = stream.size();
            c.data = stream;
            batch.add(std::move(c));
            chunkStart += stream.size();
            stream.clear();
        };
        TraceEvent open;
        open.kind = Kind::StateChanged;
        open.state = SessionState::Open;
        batch.add(std::move(open));
        for (qint64 i = 0; i < kFrames; ++i) {
            stream += frame;
            if (stream.size() >= kChunkSize)
                flushChunk();
            FrameRecord f;
            f.timeNs = ++time;
            f.direction = Direction::Rx;
            f.streamOffset = i * kFrameSize;
            f.opcode = 2;
            f.payload = payload; // shared, as far as memory goes
            f.payloadLength = 16;
            batch.add(std::move(f));
        }
        flushChunk();
        TraceEvent closed;
        closed.timeNs = ++time;
        closed.kind = Kind::TcpClosed;
        batch.add(std::move(closed));
        trace.append(std::move(batch));
    }
    QCOMPARE(trace.frameCount(Direction::Rx), kFrames);
    ReportInput in;
    in.trace = &trace;
    in.closing = analyzeClosing(trace);
    in.agent = u"Flood"_s;

    for (const bool json : {false, true}) {
        const qint64 before = test::memoryInUseKiB();
        const bool peakReset = test::resetPeakResident();
        DiscardDevice sink;
        QVERIFY(sink.open(QIODevice::WriteOnly));
        QVERIFY(json ? writeJsonReport(in, sink) : writeTextReport(in, sink));
        const qint64 peak =
            std::max(sink.peakResidentKiB, peakReset ? test::procStatusKiB("VmHWM") : 0);
        qInfo("%s report: %lld MB written, in use %lld KiB before, peak %lld KiB (bound +%lld)",
              json ? "JSON" : "text", sink.written >> 20, before, peak, kBoundKiB);
        QVERIFY2(peak - before < kBoundKiB, qPrintable(u"%1 KiB more"_s.arg(peak - before)));
        // The whole report was written: every frame, then the end.
        QVERIFY(sink.written > kFrames * 60);
        QVERIFY2(sink.tail.endsWith(json ? "\n}\n" : "TCP DROPPED BY PEER\n"),
                 sink.tail.constData());
    }
}

QTEST_GUILESS_MAIN(TestReport)
#include "tst_report.moc"
