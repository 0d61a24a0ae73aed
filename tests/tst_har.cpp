// SPDX-License-Identifier: MIT
// HAR files (docs/captures.md §6): a live connection exported with Chrome's fields and read
// back message by message; HAR files as Chrome and Firefox save them imported as read-only
// connections; hostile and broken files refused with a message naming where.
#include "capture/har.h"
#include "echo/echoserver.h"
#include "session/session.h"
#include "testutils.h"
#include "trace/messages.h"

#include <QBuffer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace wsi;
using namespace wsi::capture;
using namespace Qt::StringLiterals;

namespace {

QByteArray readData(const QString &name)
{
    QFile file(QStringLiteral(WSI_TESTS_DIR "/data/har/") + name);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

// The frame records of a trace, in order.
std::vector<FrameRecord> framesOf(const Trace &trace)
{
    std::vector<FrameRecord> out;
    for (size_t i = 0; i < trace.frames().size(); ++i)
        out.push_back(trace.frames()[i]);
    return out;
}

QString eventText(const Trace &trace, TraceEvent::Kind kind)
{
    for (const TraceEvent &e : trace.events()) {
        if (e.kind == kind)
            return e.text;
    }
    return {};
}

// A minimal HAR around one WebSocket entry's messages.
QByteArray harWithMessages(const QJsonArray &messages)
{
    const QJsonObject entry{
        {u"startedDateTime"_s, u"2026-11-30T10:15:30.123Z"_s},
        {u"_resourceType"_s, u"websocket"_s},
        {u"request"_s, QJsonObject{{u"method"_s, u"GET"_s}, {u"url"_s, u"ws://h/"_s}}},
        {u"response"_s, QJsonObject{{u"status"_s, 101}}},
        {u"_webSocketMessages"_s, messages},
    };
    return QJsonDocument(QJsonObject{{u"log"_s, QJsonObject{{u"version"_s, u"1.2"_s},
                                                            {u"entries"_s, QJsonArray{entry}}}}})
        .toJson();
}

QJsonObject message(const QString &type, double time, int opcode, const QString &data)
{
    return QJsonObject{
        {u"type"_s, type}, {u"time"_s, time}, {u"opcode"_s, opcode}, {u"data"_s, data}};
}

constexpr double kChromeStart = 1796033730.123; // 2026-11-30T10:15:30.123Z

struct Expected
{
    Direction direction;
    int opcode;
    QByteArray payload;
    double secondsAfterStart;
};

void compareImported(const Trace &trace, const std::vector<Expected> &expected)
{
    const std::vector<FrameRecord> frames = framesOf(trace);
    QCOMPARE(frames.size(), expected.size());
    for (size_t i = 0; i < frames.size(); ++i) {
        const FrameRecord &f = frames[i];
        const Expected &e = expected[i];
        QCOMPARE(f.direction, e.direction);
        QCOMPARE(int(f.opcode), e.opcode);
        QCOMPARE(f.payload, e.payload);
        QCOMPARE(f.payloadLength, quint64(e.payload.size()));
        QVERIFY(f.fin);
        // The octets are unknown: no place in a stream, no mask invented.
        QCOMPARE(f.streamOffset, qint64(-1));
        QVERIFY(!f.hasKey);
        QVERIFY2(std::abs(double(f.timeNs) / 1e9 - e.secondsAfterStart) < 1e-3,
                 qPrintable(QString::number(f.timeNs)));
    }
    QCOMPARE(trace.chunks().size(), size_t(0));
}

} // namespace

class tst_Har : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // A live session against the echo server: text, binary, a fragmented message, a ping and a
    // close, exported and read back: the same data messages in the same order.
    void liveRoundTrip()
    {
        EchoServer echo;
        QVERIFY(echo.listen());
        SessionSettings settings = test::settingsFor(echo.url());
        StepList steps;
        Step text = Step::makeKind(Step::Kind::Message);
        text.payload = "hello, HAR";
        steps << text;
        Step binary = Step::makeKind(Step::Kind::Message);
        binary.binary = true;
        binary.payload = QByteArray("\x00\x01\x02\xfe\xff", 5);
        steps << binary;
        Step fragmented = Step::makeKind(Step::Kind::Message);
        fragmented.payload = "fragmented into several frames";
        fragmented.fragmentSize = 7;
        steps << fragmented;
        FrameSpec repeated;
        repeated.opcode = 2;
        repeated.payload = "ab";
        repeated.repeatLength = 1001; // the wire carried the pattern repeated
        steps << Step::makeFrame(repeated);
        Step ping = Step::makeKind(Step::Kind::Ping);
        ping.payload = "not in a HAR";
        steps << ping;
        steps << test::closeStep(1000, "bye");

        test::SessionRun run;
        run.trace.setStartedAt(QDateTime::currentDateTimeUtc());
        run.trace.setUrl(settings.url.toString());
        test::runSession(run, settings, steps);
        QVERIFY(run.finished);

        // The messages as the core assembles them: the fragmented one is one message.
        const std::vector<TraceMessage> all = traceMessages(run.trace);
        std::vector<TraceMessage> data;
        for (const TraceMessage &m : all) {
            if (!m.isControl())
                data.push_back(m);
        }
        QCOMPARE(data.size(), size_t(8)); // four sent, four echoed
        std::vector<TraceMessage> sent;
        for (const TraceMessage &m : data) {
            if (m.direction == Direction::Tx)
                sent.push_back(m);
        }
        QCOMPARE(sent.size(), size_t(4));
        QCOMPARE(sent[0].payload, QByteArray("hello, HAR"));
        QCOMPARE(sent[1].payload, QByteArray("\x00\x01\x02\xfe\xff", 5));
        QCOMPARE(sent[2].payload, QByteArray("fragmented into several frames"));
        QCOMPARE(sent[2].frames.size(), size_t(5));
        QCOMPARE(sent[3].payload.size(), 1001);
        QCOMPARE(sent[3].payload.left(4), QByteArray("abab"));
        QVERIFY(std::all_of(data.begin(), data.end(),
                            [](const TraceMessage &m) { return m.complete; }));
        bool sawPing = false;
        for (const TraceMessage &m : all)
            sawPing = sawPing || m.opcode == quint8(Opcode::Ping);
        QVERIFY(sawPing);

        QBuffer file;
        QVERIFY(file.open(QIODevice::WriteOnly));
        QString error;
        QStringList warnings;
        HarInfo info;
        info.creatorVersion = u"9.9.9"_s;
        QVERIFY2(writeHar(file, run.trace, info, &error, &warnings), qPrintable(error));
        QCOMPARE(warnings, QStringList());

        // The fields Chrome's importer reads.
        QJsonParseError parseError;
        const QJsonDocument doc = QJsonDocument::fromJson(file.data(), &parseError);
        QCOMPARE(parseError.error, QJsonParseError::NoError);
        const QJsonObject log = doc.object().value(u"log"_s).toObject();
        QCOMPARE(log.value(u"version"_s).toString(), u"1.2"_s);
        QCOMPARE(log.value(u"creator"_s).toObject().value(u"name"_s).toString(),
                 u"WebSocket Inspector"_s);
        QCOMPARE(log.value(u"creator"_s).toObject().value(u"version"_s).toString(), u"9.9.9"_s);
        const QJsonArray entries = log.value(u"entries"_s).toArray();
        QCOMPARE(entries.size(), 1);
        const QJsonObject entry = entries.first().toObject();
        QCOMPARE(entry.value(u"_resourceType"_s).toString(), u"websocket"_s);
        const QString started = entry.value(u"startedDateTime"_s).toString();
        QVERIFY2(QRegularExpression(u"^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z$"_s)
                     .match(started)
                     .hasMatch(),
                 qPrintable(started));
        QCOMPARE(QDateTime::fromString(started, Qt::ISODateWithMs), run.trace.startedAt());
        QVERIFY(entry.value(u"time"_s).isDouble());
        const QJsonObject request = entry.value(u"request"_s).toObject();
        QCOMPARE(request.value(u"method"_s).toString(), u"GET"_s);
        QCOMPARE(request.value(u"url"_s).toString(), settings.url.toString());
        QVERIFY(request.value(u"url"_s).toString().startsWith(u"ws://"_s));
        QCOMPARE(request.value(u"httpVersion"_s).toString(), u"HTTP/1.1"_s);
        QCOMPARE(request.value(u"cookies"_s).toArray().size(), 0);
        QCOMPARE(request.value(u"bodySize"_s).toInt(), 0);
        QVERIFY(request.value(u"queryString"_s).isArray());
        QCOMPARE(request.value(u"headersSize"_s).toInt(),
                 eventText(run.trace, TraceEvent::Kind::HandshakeRequest).size());
        bool sawKey = false;
        for (const QJsonValue &h : request.value(u"headers"_s).toArray()) {
            if (h.toObject().value(u"name"_s).toString() == u"Sec-WebSocket-Key"_s)
                sawKey = eventText(run.trace, TraceEvent::Kind::HandshakeRequest)
                             .contains(h.toObject().value(u"value"_s).toString());
        }
        QVERIFY(sawKey);
        const QJsonObject response = entry.value(u"response"_s).toObject();
        QCOMPARE(response.value(u"status"_s).toInt(), 101);
        QCOMPARE(response.value(u"statusText"_s).toString(), u"Switching Protocols"_s);
        QCOMPARE(response.value(u"httpVersion"_s).toString(), u"HTTP/1.1"_s);
        QVERIFY(!response.value(u"headers"_s).toArray().isEmpty());
        QCOMPARE(response.value(u"content"_s).toObject().value(u"size"_s).toInt(), 0);
        QCOMPARE(response.value(u"content"_s).toObject().value(u"mimeType"_s).toString(),
                 QString());
        QCOMPARE(response.value(u"redirectURL"_s).toString(), QString());
        QCOMPARE(response.value(u"bodySize"_s).toInt(), 0);
        QVERIFY(entry.value(u"cache"_s).isObject());
        const QJsonObject timings = entry.value(u"timings"_s).toObject();
        for (const QString &name :
             {u"blocked"_s, u"dns"_s, u"connect"_s, u"send"_s, u"wait"_s, u"receive"_s, u"ssl"_s})
            QVERIFY2(timings.value(name).isDouble(), qPrintable(name));
        QVERIFY(timings.value(u"wait"_s).toDouble() >= 0);
        QCOMPARE(entry.value(u"serverIPAddress"_s).toString(), u"127.0.0.1"_s);
        QCOMPARE(entry.value(u"connection"_s).toString(), QString::number(echo.port()));
        const QJsonArray messages = entry.value(u"_webSocketMessages"_s).toArray();
        QCOMPARE(messages.size(), 8); // no ping, pong or close: Chrome has none
        // In the trace's order: the echo of a message may come before our next one.
        QJsonArray sentJson;
        for (const QJsonValue &m : messages) {
            if (m.toObject().value(u"type"_s).toString() == u"send"_s)
                sentJson.append(m);
        }
        QCOMPARE(sentJson.size(), 4);
        QCOMPARE(sentJson.at(0).toObject().value(u"opcode"_s).toInt(), 1);
        QCOMPARE(sentJson.at(0).toObject().value(u"data"_s).toString(), u"hello, HAR"_s);
        const QJsonObject binaryMessage = sentJson.at(1).toObject();
        QCOMPARE(binaryMessage.value(u"opcode"_s).toInt(), 2);
        QCOMPARE(binaryMessage.value(u"data"_s).toString(), u"AAEC/v8="_s);
        QCOMPARE(sentJson.at(2).toObject().value(u"data"_s).toString(),
                 u"fragmented into several frames"_s);
        QCOMPARE(messages.at(0).toObject().value(u"data"_s).toString(), u"hello, HAR"_s);
        const double firstTime = messages.at(0).toObject().value(u"time"_s).toDouble();
        const double startSeconds = double(run.trace.startedAt().toMSecsSinceEpoch()) / 1000;
        QVERIFY(firstTime >= startSeconds && firstTime < startSeconds + 15);

        // Back in: the same messages, in order, each one frame.
        const HarImport back = readHar(file.data());
        QCOMPARE(back.error, QString());
        QCOMPARE(back.warnings, QStringList());
        QCOMPARE(back.connections.size(), size_t(1));
        const HarConnection &c = back.connections.front();
        QCOMPARE(c.connection.url, settings.url.toString());
        QCOMPARE(c.trace->url(), settings.url.toString());
        QCOMPARE(c.trace->startedAt(), run.trace.startedAt());
        QCOMPARE(c.connection.peerAddress, u"127.0.0.1"_s);
        std::vector<Expected> expected;
        for (const TraceMessage &m : data)
            expected.push_back({m.direction, m.opcode, m.payload, double(m.firstTimeNs) / 1e9});
        compareImported(*c.trace, expected);
        // The handshake heads, rebuilt from the header lists, carry the same headers.
        const QString requestHead = eventText(*c.trace, TraceEvent::Kind::HandshakeRequest);
        QVERIFY2(requestHead.startsWith(u"GET / HTTP/1.1\r\n"_s), qPrintable(requestHead));
        QVERIFY(requestHead.endsWith(u"\r\n\r\n"_s));
        QCOMPARE(requestHead.size(),
                 eventText(run.trace, TraceEvent::Kind::HandshakeRequest).size());
        QVERIFY(eventText(*c.trace, TraceEvent::Kind::HandshakeResponse)
                    .startsWith(u"HTTP/1.1 101 Switching Protocols\r\n"_s));
        QCOMPARE(c.trace->state(), SessionState::Open);
        const QString allNotes = test::noteTexts(*c.trace).join(u'\n');
        QVERIFY(allNotes.contains(u"rebuilt from the HAR's header lists"_s));
        QVERIFY(allNotes.contains(u"fragmentation, masking keys and the octets on the wire are "
                                  u"unknown"_s));

        // saveHar: the same file, written atomically.
        QTemporaryDir dir;
        const QString path = dir.filePath(u"live.har"_s);
        QVERIFY2(saveHar(path, run.trace, info, &error), qPrintable(error));
        const HarImport loaded = loadHar(path);
        QCOMPARE(loaded.error, QString());
        QCOMPARE(loaded.connections.size(), size_t(1));
        compareImported(*loaded.connections.front().trace, expected);
        QVERIFY(!saveHar(dir.filePath(u"missing/dir/x.har"_s), run.trace, info, &error));
        QVERIFY(!error.isEmpty());
    }

    // A HAR as Chrome's DevTools save it ("Save all as HAR with content"): a page, an ordinary
    // HTTP entry that is not a connection, and a WebSocket entry.
    void chromeHar()
    {
        const HarImport har = readHar(readData(u"chrome-websocket.har"_s));
        QCOMPARE(har.error, QString());
        QCOMPARE(har.warnings, QStringList());
        QCOMPARE(har.entryCount, qint64(2));
        QCOMPARE(har.connections.size(), size_t(1));
        const HarConnection &c = har.connections.front();
        QCOMPARE(c.entryIndex, 1);
        QCOMPARE(c.connection.url, u"wss://chat.example.org/socket?room=7&lang=en"_s);
        QCOMPARE(c.connection.application, u"WebInspector 537.36"_s);
        QCOMPARE(c.connection.peerAddress, u"203.0.113.10"_s);
        QCOMPARE(c.trace->startedAt(),
                 QDateTime(QDate(2026, 11, 30), QTime(10, 15, 30, 123), Qt::UTC));
        compareImported(*c.trace, {{Direction::Tx, 1, "{\"hello\":\"chat\",\"room\":7}", 0.0605},
                                   {Direction::Rx, 1,
                                    "{\"welcome\":\"Gr\xc3\xbc\xc3\x9f"
                                    "e\"}",
                                    0.1012},
                                   {Direction::Tx, 2, QByteArray("\x00\x01\x02\xfe\xff", 5), 1.25},
                                   {Direction::Rx, 2, "\x89PNG\r\n\x1a\n", 1.3},
                                   {Direction::Rx, 1, "", 2.0}});
        const QString request = eventText(*c.trace, TraceEvent::Kind::HandshakeRequest);
        QVERIFY2(request.startsWith(u"GET /socket?room=7&lang=en HTTP/1.1\r\n"_s),
                 qPrintable(request));
        QVERIFY(request.contains(u"\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"_s));
        QVERIFY(request.contains(u"\r\nOrigin: https://chat.example.org\r\n"_s));
        const QString response = eventText(*c.trace, TraceEvent::Kind::HandshakeResponse);
        QVERIFY(response.startsWith(u"HTTP/1.1 101 Switching Protocols\r\n"_s));
        QVERIFY(response.contains(u"\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"_s));
        // The response came 45.25 ms after the start (the entry's wait), before any message.
        for (const TraceEvent &e : c.trace->events()) {
            if (e.kind == TraceEvent::Kind::HandshakeResponse)
                QCOMPARE(e.timeNs, qint64(45'250'000));
        }
        QCOMPARE(eventText(*c.trace, TraceEvent::Kind::Connected), u"203.0.113.10"_s);
    }

    // Firefox saves no _resourceType: the entry is known by its wss:// URL and its 101; its
    // times carry a local offset.
    void firefoxHar()
    {
        const HarImport har = readHar(readData(u"firefox-websocket.har"_s));
        QCOMPARE(har.error, QString());
        QCOMPARE(har.warnings, QStringList());
        QCOMPARE(har.connections.size(), size_t(1));
        const HarConnection &c = har.connections.front();
        QCOMPARE(c.entryIndex, 1);
        QCOMPARE(c.connection.url, u"wss://echo.example.net/"_s);
        QCOMPARE(c.connection.application, u"Firefox 133.0"_s);
        QCOMPARE(c.trace->startedAt(),
                 QDateTime(QDate(2026, 11, 30), QTime(10, 15, 30, 123), Qt::UTC));
        compareImported(*c.trace, {{Direction::Tx, 1, "ping from firefox", 0.5},
                                   {Direction::Rx, 1, "ping from firefox", 0.5125},
                                   {Direction::Tx, 2, QByteArray("\x00\xff\x10", 3), 0.75},
                                   {Direction::Rx, 2, QByteArray("\x00\xff\x10", 3), 0.7625}});
        QVERIFY(eventText(*c.trace, TraceEvent::Kind::HandshakeRequest)
                    .contains(u"\r\nConnection: keep-alive, Upgrade\r\n"_s));
        // connect (12 ms) + dns (1 ms) before the request; the response 30 ms after it.
        for (const TraceEvent &e : c.trace->events()) {
            if (e.kind == TraceEvent::Kind::HandshakeRequest)
                QCOMPARE(e.timeNs, qint64(13'000'000));
            if (e.kind == TraceEvent::Kind::HandshakeResponse)
                QCOMPARE(e.timeNs, qint64(43'000'000));
        }
    }

    void notJson()
    {
        const HarImport har = readHar("{\"log\": {\"entries\": [ }");
        QVERIFY(har.connections.empty());
        QVERIFY2(har.error.startsWith(u"The HAR file is not JSON: "_s), qPrintable(har.error));
        QVERIFY2(har.error.contains(u"at offset 23"_s), qPrintable(har.error));
    }

    void noEntries()
    {
        for (const QByteArray &json :
             {QByteArray("{}"), QByteArray("{\"log\": {}}"), QByteArray("[1, 2]"),
              QByteArray("{\"log\": {\"entries\": {}}}")}) {
            const HarImport har = readHar(json);
            QVERIFY(har.connections.empty());
            QCOMPARE(har.error,
                     u"The file is JSON but has no log.entries array: it is not a HAR file."_s);
        }
    }

    // Only HTTP entries (Chrome's own HTTP entry of the fixture): nothing to show, said plainly;
    // the file is only read, never changed.
    void noWebSocketEntries()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"http.har"_s);
        QJsonObject root = QJsonDocument::fromJson(readData(u"chrome-websocket.har"_s)).object();
        QJsonObject log = root.value(u"log"_s).toObject();
        QJsonArray entries = log.value(u"entries"_s).toArray();
        entries.removeLast();
        entries.append(entries.first());
        entries.append(QJsonValue(u"not an entry"_s));
        log.insert(u"entries"_s, entries);
        root.insert(u"log"_s, log);
        const QByteArray bytes = QJsonDocument(root).toJson();
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QCOMPARE(file.write(bytes), bytes.size());
        file.close();
        const HarImport har = loadHar(path);
        QVERIFY(har.connections.empty());
        QCOMPARE(har.error, u"The HAR file has 3 entries and none is a WebSocket connection."_s);
        QCOMPARE(har.warnings, QStringList{u"Entry 2 is not an object; it is left out."_s});
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), bytes);
    }

    // Bad messages are left out with a warning naming the entry and the message; the rest is
    // imported.
    void badMessages()
    {
        const double t = kChromeStart;
        const QJsonArray messages{
            message(u"send"_s, t + 0.1, 1, u"first"_s),
            message(u"send"_s, t + 0.2, 9, u"a ping"_s),
            message(u"receive"_s, t + 0.3, 2, u"not*base64!"_s),
            message(u"shout"_s, t + 0.4, 1, u"what"_s),
            QJsonObject{{u"type"_s, u"send"_s}, {u"opcode"_s, 1}, {u"data"_s, u"no time"_s}},
            QJsonValue(42),
            message(u"error"_s, t + 0.5, -1, u"net::ERR_CONNECTION_RESET"_s),
            message(u"receive"_s, t + 0.6, 2, u"AAE="_s),
        };
        const HarImport har = readHar(harWithMessages(messages));
        QCOMPARE(har.error, QString());
        QCOMPARE(har.warnings,
                 QStringList({
                     u"entry 0, message 1 has opcode 9: only text (1) and binary (2) messages "
                     u"are read; it is left out"_s,
                     u"entry 0, message 2 is a binary message whose data is not base64; it is "
                     u"left out"_s,
                     u"entry 0, message 3 has type \"shout\" (not \"send\" or \"receive\"); it "
                     u"is left out"_s,
                     u"entry 0, message 4 has no valid time (seconds since 1970); it is left "
                     u"out"_s,
                     u"entry 0, message 5 is not an object; it is left out"_s,
                 }));
        QCOMPARE(har.connections.size(), size_t(1));
        compareImported(
            *har.connections.front().trace,
            {{Direction::Tx, 1, "first", 0.1}, {Direction::Rx, 2, QByteArray("\x00\x01", 2), 0.6}});
        QVERIFY(test::noteTexts(*har.connections.front().trace)
                    .contains(u"The browser reported an error: net::ERR_CONNECTION_RESET"_s));
    }

    // A file larger than the cap is refused by its size before it is read (a sparse file: the
    // disk holds nothing of it).
    void oversizedFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"huge.har"_s);
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QVERIFY(file.write("{\"log\": {\"entries\": [") > 0);
        QVERIFY(file.resize(300ll * 1024 * 1024));
        file.close();
        const HarImport har = loadHar(path);
        QVERIFY(har.connections.empty());
        QCOMPARE(har.error, u"The HAR file has 314572800 octets; at most 268435456 (256 MiB) are "
                            u"read."_s);
        QVERIFY(loadHar(dir.filePath(u"absent.har"_s)).error.startsWith(u"Cannot open "_s));
    }

    // Nesting a hostile file uses to exhaust a recursive parser's stack: refused with the offset.
    void deeplyNested()
    {
        const int depth = 100000;
        const QByteArray json =
            QByteArray("{\"log\": ") + QByteArray(depth, '[') + QByteArray(depth, ']') + '}';
        const HarImport har = readHar(json);
        QVERIFY(har.connections.empty());
        QVERIFY2(har.error.startsWith(u"The HAR file is not JSON: "_s), qPrintable(har.error));
        QVERIFY2(har.error.contains(u"at offset "_s), qPrintable(har.error));
    }

    // The export's limit: a trace whose messages need more than 128 MiB is refused, the file
    // untouched.
    void exportTooLarge()
    {
        Trace trace;
        trace.setStartedAt(QDateTime::currentDateTimeUtc());
        trace.setUrl(u"ws://h/"_s);
        FrameSpec spec;
        spec.opcode = 2;
        spec.payload = "x";
        spec.repeatLength = 100ll * 1024 * 1024; // 100 MiB binary: 133 MiB of base64
        trace.append(txFrameRecord(spec, 0, 1, 0));
        QTemporaryDir dir;
        const QString path = dir.filePath(u"big.har"_s);
        QString error;
        QVERIFY(!saveHar(path, trace, {}, &error));
        QCOMPARE(error, u"The messages need 139810136 octets in a HAR file; an export holds at "
                        u"most 134217728 (128 MiB)."_s);
        QVERIFY(!QFile::exists(path));
    }

    // traceMessages() reads no further than its cap, and says a capped message is not whole.
    void messagesCapped()
    {
        Trace trace;
        FrameSpec spec;
        spec.opcode = 1;
        spec.fin = false;
        spec.payload = "abc";
        spec.repeatLength = 3000;
        trace.append(txFrameRecord(spec, 0, 1, 0));
        FrameSpec last;
        last.opcode = 0;
        last.payload = "xyz";
        trace.append(txFrameRecord(last, 0, 2, 0));
        MessageOptions options;
        options.maxTotalPayload = 1000;
        const std::vector<TraceMessage> capped = traceMessages(trace, options);
        QCOMPARE(capped.size(), size_t(1));
        QCOMPARE(capped[0].size, qint64(3003));
        QCOMPARE(capped[0].payload.size(), 1000);
        QVERIFY(!capped[0].payloadComplete());
        QVERIFY(capped[0].complete);
        QCOMPARE(capped[0].frames, (std::vector<qint64>{0, 1}));
        const std::vector<TraceMessage> whole = traceMessages(trace);
        QCOMPARE(whole[0].payload, repeatPattern("abc", 3000) + "xyz");
        QVERIFY(whole[0].payloadComplete());
        QCOMPARE(whole[0].firstTimeNs, qint64(1));
        QCOMPARE(whole[0].lastTimeNs, qint64(2));
    }

    // wirePayload(): what crossed the wire, whoever stores it: an RX payload read back from the
    // octets (and unmasked), a TX pattern repeated to its length; never more than asked.
    void wirePayloadOfAFrame()
    {
        Trace trace;
        OctetChunk chunk;
        chunk.timeNs = 1;
        chunk.direction = Direction::Rx;
        chunk.data = test::hex("82 83 01 02 03 04") + QByteArray("abc");
        chunk.size = chunk.data.size();
        applyMask(chunk.data.data() + 6, 3, 0x01020304);
        trace.append(chunk);
        FrameRecord rx;
        rx.timeNs = 2;
        rx.direction = Direction::Rx;
        rx.opcode = 2;
        rx.streamOffset = 0;
        rx.payloadLength = 3;
        rx.masked = rx.hasKey = true;
        rx.maskKey = 0x01020304;
        rx.payloadDerived = true;
        QCOMPARE(wirePayload(trace, rx), QByteArray("abc"));
        QCOMPARE(wirePayload(trace, rx, 2), QByteArray("ab"));
        FrameSpec spec;
        spec.payload = "ab";
        spec.repeatLength = 7;
        const FrameRecord tx = txFrameRecord(spec, 13, 3, 0);
        QCOMPARE(wirePayload(trace, tx), QByteArray("abababa"));
        QCOMPARE(wirePayload(trace, tx, 5), QByteArray("ababa"));
        QCOMPARE(wirePayload(trace, tx, 0), QByteArray());
    }
};

QTEST_GUILESS_MAIN(tst_Har)
#include "tst_har.moc"
