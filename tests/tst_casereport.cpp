// SPDX-License-Identifier: MIT
// The Autobahn-compatible report directory: file names, the master table's cells, index.json,
// and HTML pages that stay inert whatever a hostile server sends (its Server: header, its close
// reason, its messages all end up in the pages).
#include "scriptedpeer.h"
#include "suite/casereport.h"
#include "testutils.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

using namespace wsi;
using namespace wsi::test;
using namespace Qt::StringLiterals;

namespace {

const QByteArray kHostileAgent = R"(<script>alert("agent")</script>)";
const QByteArray kHostileMessage = "</pre><script>alert(2)</script>";
const QByteArray kHostileReason = "<img src=x onerror=alert(1)>";

// The only elements the pages may contain: anything else came from the data.
const QSet<QString> kAllowedTags = {
    u"!doctype"_s, u"html"_s, u"head"_s,  u"meta"_s, u"title"_s, u"style"_s, u"body"_s, u"a"_s,
    u"h1"_s,       u"h2"_s,   u"h3"_s,    u"p"_s,    u"b"_s,     u"i"_s,     u"br"_s,   u"span"_s,
    u"hr"_s,       u"pre"_s,  u"table"_s, u"tr"_s,   u"td"_s,    u"div"_s,
};

QSet<QString> tagsOf(const QString &html)
{
    static const QRegularExpression tag(u"<(/?)([A-Za-z!][A-Za-z0-9]*)"_s);
    QSet<QString> tags;
    for (const QRegularExpressionMatch &m : tag.globalMatch(html))
        tags.insert(m.captured(2).toLower());
    return tags;
}

// The text a browser shows: tags removed, entities decoded.
QString plainText(const QString &html)
{
    static const QRegularExpression tag(u"<[^>]*>"_s);
    QString text = html;
    text.remove(tag);
    return text.replace(u"&lt;"_s, u"<"_s)
        .replace(u"&gt;"_s, u">"_s)
        .replace(u"&quot;"_s, u"\""_s)
        .replace(u"&amp;"_s, u"&"_s);
}

// The lines of one element kind: "<pre class="X">TEXT</pre>" → (X, TEXT).
QList<QPair<QString, QString>> wireLogRows(const QString &html)
{
    static const QRegularExpression row(u"<pre class=\"(wirelog_[a-z_]+)\">([^<]*)</pre>"_s);
    QList<QPair<QString, QString>> rows;
    for (const QRegularExpressionMatch &m : row.globalMatch(html))
        rows << qMakePair(m.captured(1), m.captured(2));
    return rows;
}

QByteArray closeFrame(int code, const QByteArray &reason)
{
    QByteArray payload;
    payload.append(char(code >> 8)).append(char(code & 0xff)).append(reason);
    return QByteArray(1, char(0x88)) + char(payload.size()) + payload;
}

QByteArray textFrame(const QByteArray &payload)
{
    return QByteArray(1, char(0x81)) + char(payload.size()) + payload;
}

// A case of our own (not the library's), so that its texts can carry markup.
CaseDefinition hostileCase()
{
    CaseDefinition def;
    def.id = u"1.1.1"_s;
    def.description = u"Line one<br>line <b>two</b> & more"_s;
    def.expectation = u"Echo, then <i>close</i>."_s;
    Step message;
    message.kind = Step::Kind::Message;
    message.payload = "hello";
    def.steps = {message};
    def.expected = {{Verdict::Ok, {PeerEvent::message(kHostileMessage)}}};
    return def;
}

// One run of hostileCase() against a scripted server that names itself with markup, answers the
// message with markup and closes with a markup reason, then drops TCP: a clean close.
struct HostileRun
{
    CaseDefinition def = hostileCase();
    CaseResult result;
};

std::shared_ptr<HostileRun> runHostileCase()
{
    auto out = std::make_shared<HostileRun>();
    ScriptedPeer peer;
    peer.onHandshake = [](ScriptedPeer &p, const QByteArray &head) {
        p.send("HTTP/1.1 101 Switching Protocols\r\nServer: " + kHostileAgent +
               "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
               computeAccept(ScriptedPeer::keyOf(head)) + "\r\n\r\n");
    };
    peer.onFrame = [](ScriptedPeer &p, const DecodedFrame &f) {
        if (f.opcode == 1) {
            p.send(textFrame(kHostileMessage));
        } else if (f.opcode == 8) {
            p.send(closeFrame(1000, kHostileReason));
            p.closeGracefully();
        }
    };
    auto run = std::make_shared<SessionRun>();
    run->trace.setStartedAt(QDateTime::currentDateTimeUtc());
    run->trace.setUrl(peer.url().toString());
    auto received = std::make_shared<PeerEventList>();
    SessionSettings settings;
    settings.url = peer.url();
    runSession(*run, settings, out->def.steps, [received](ClientSession &s, const PeerEvent &e) {
        received->append(PeerEvent::message(e.payload, e.binary));
        s.close(1000, {});
    });
    if (!run->finished)
        return nullptr;

    CaseResult &r = out->result;
    r.definition = &out->def;
    r.index = 1;
    r.trace = std::shared_ptr<const Trace>(run, &run->trace);
    r.started = run->trace.startedAt();
    r.closing = analyzeClosing(run->trace);
    r.durationMs = r.closing.durationMs();
    r.serverHeader = serverHeaderOf(run->trace);
    r.agent = r.serverHeader;
    r.observation.received = *received;
    r.verdict = evaluateCase(out->def, r.observation, r.closing);
    return out;
}

// Records appended by hand, with increasing times and stream offsets.
class TraceBuilder
{
public:
    Trace trace;

    void chunk(Direction d, const QByteArray &octets, bool sync = false)
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
    void event(TraceEvent::Kind kind, bool flag = false)
    {
        TraceEvent e;
        e.timeNs = tick();
        e.kind = kind;
        e.flag = flag;
        trace.append(std::move(e));
    }

private:
    qint64 tick() { return m_time += 1000; }
    qint64 m_time = 0;
    qint64 m_offset[2] = {0, 0};
};

} // namespace

class tst_CaseReport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fileNames_data()
    {
        QTest::addColumn<QString>("agent");
        QTest::addColumn<QString>("clean");
        QTest::newRow("autobahn") << u"AutobahnServer/0.4.10"_s << u"autobahnserver_0_4_10"_s;
        QTest::newRow("microsoft") << u"Microsoft-HTTPAPI/2.0"_s << u"microsoft_httpapi_2_0"_s;
        QTest::newRow("spaces kept as _")
            << u"websock secure server"_s << u"websock_secure_server"_s;
        QTest::newRow("runs not merged") << u"a -- b"_s << u"a____b"_s;
        QTest::newRow("ends trimmed") << u"  (Echo)!  "_s << u"echo"_s;
        QTest::newRow("non-ASCII letters dropped") << u"Ünïcode"_s << u"n_code"_s;
        QTest::newRow("markup") << QString::fromLatin1(kHostileAgent)
                                << u"script_alert__agent____script"_s;
        QTest::newRow("path") << u"../../etc/passwd"_s << u"etc_passwd"_s;
        QTest::newRow("empty") << QString() << QString();
    }
    void fileNames()
    {
        QFETCH(QString, agent);
        QFETCH(QString, clean);
        QCOMPARE(cleanForFilename(agent), clean);
        QCOMPARE(caseReportFileName(agent, u"7.1.2"_s, u"html"_s), clean + u"_case_7_1_2.html"_s);
    }

    void behaviorCells_data()
    {
        QTest::addColumn<QString>("behavior");
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("cssClass");
        QTest::newRow("OK") << u"OK"_s << u"Pass"_s << u"case_ok"_s;
        QTest::newRow("NON-STRICT") << u"NON-STRICT"_s << u"Non-Strict"_s << u"case_non_strict"_s;
        QTest::newRow("INFORMATIONAL") << u"INFORMATIONAL"_s << u"Info"_s << u"case_info"_s;
        QTest::newRow("UNIMPLEMENTED")
            << u"UNIMPLEMENTED"_s << u"Unimplemented"_s << u"case_unimplemented"_s;
        QTest::newRow("no result") << QString() << u"Missing"_s << u"case_missing"_s;
        QTest::newRow("FAILED") << u"FAILED"_s << u"Fail"_s << u"case_failed"_s;
    }
    void behaviorCells()
    {
        QFETCH(QString, behavior);
        QFETCH(QString, text);
        QFETCH(QString, cssClass);
        QCOMPARE(behaviorCell(verdictFromText(behavior)), (ReportCell{text, cssClass}));
    }

    // docs/reports.md §2.2: the close code for the verdicts where the peer's code is the news, else
    // a word.
    void closeCells_data()
    {
        QTest::addColumn<QString>("behaviorClose");
        QTest::addColumn<int>("code"); // -1: none
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("cssClass");
        QTest::newRow("OK 1000") << u"OK"_s << 1000 << u"1000"_s << u"case_ok"_s;
        QTest::newRow("OK no code") << u"OK"_s << -1 << u"None"_s << u"case_ok"_s;
        QTest::newRow("FAILED BY CLIENT")
            << u"FAILED BY CLIENT"_s << 1000 << u"1000"_s << u"case_almost"_s;
        QTest::newRow("WRONG CODE") << u"WRONG CODE"_s << 1002 << u"1002"_s << u"case_non_strict"_s;
        QTest::newRow("INFORMATIONAL") << u"INFORMATIONAL"_s << -1 << u"None"_s << u"case_info"_s;
        QTest::newRow("UNCLEAN") << u"UNCLEAN"_s << 1000 << u"Unclean"_s << u"case_failed"_s;
        QTest::newRow("FAILED") << u"FAILED"_s << 1002 << u"Fail"_s << u"case_failed"_s;
    }
    void closeCells()
    {
        QFETCH(QString, behaviorClose);
        QFETCH(int, code);
        QFETCH(QString, text);
        QFETCH(QString, cssClass);
        const std::optional<int> remote = code < 0 ? std::nullopt : std::optional<int>(code);
        const std::optional<CloseVerdict> verdict = closeVerdictFromText(behaviorClose);
        QVERIFY(verdict);
        QCOMPARE(closeCell(*verdict, remote), (ReportCell{text, cssClass}));
    }

    void casePageIsInert()
    {
        const auto run = runHostileCase();
        QVERIFY(run);
        const CaseResult &r = run->result;
        QCOMPARE(r.agent, QString::fromLatin1(kHostileAgent));
        QCOMPARE(verdictText(r.verdict.behavior), u"OK"_s);
        QCOMPARE(verdictText(r.verdict.closing.verdict), u"OK"_s);
        QCOMPARE(r.closing.remoteCloseReason,
                 std::optional<QString>(QString::fromLatin1(kHostileReason)));

        const QString html = htmlReport(reportInputFor(r));
        const QSet<QString> unexpected = tagsOf(html) - kAllowedTags;
        QVERIFY2(unexpected.isEmpty(), qPrintable(QStringList(unexpected.values()).join(u' ')));
        QVERIFY(!html.contains(u"<script"_s, Qt::CaseInsensitive));
        QVERIFY(!html.contains(u"<img"_s, Qt::CaseInsensitive));
        QVERIFY(html.contains(u"&lt;img src=x onerror=alert(1)&gt;"_s));
        // The case texts keep their <br> line breaks, nothing else.
        QVERIFY(html.contains(u"Line one<br>line &lt;b&gt;two&lt;/b&gt; &amp; more"_s));
        QVERIFY(html.contains(u"Echo, then &lt;i&gt;close&lt;/i&gt;."_s));

        // What a reader sees, section by section.
        const QString text = plainText(html);
        static const QRegularExpression title(
            uR"(<script>alert\("agent"\)</script> - Case 1\.1\.1 : Pass - \d+ ms @ )"
            uR"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)"_s);
        QVERIFY2(title.match(text).hasMatch(), qPrintable(text.left(600)));
        for (const QString &heading :
             {u"Case Description"_s, u"Case Expectation"_s, u"Case Outcome"_s, u"Expected:"_s,
              u"Observed:"_s, u"Case Closing Behavior"_s, u"Opening Handshake"_s,
              u"Closing Behavior"_s, u"Wire Statistics"_s, u"Octets Received by Chop Size"_s,
              u"Octets Transmitted by Chop Size"_s, u"Frames Received by Opcode"_s,
              u"Frames Transmitted by Opcode"_s, u"Wire Log"_s})
            QVERIFY2(text.contains(heading), qPrintable(heading));
        QVERIFY(text.contains(u"Actual events match at least one expected."_s));
        QVERIFY(
            text.contains(u"{'OK': [('message', u'</pre><script>alert(2)</script>', False)]}"_s));
        QVERIFY(text.contains(u"Connection was properly closed (OK)"_s));
        QVERIFY(text.contains(u"GET / HTTP/1.1"_s));
        QVERIFY(text.contains(u"Server: "_s + QString::fromLatin1(kHostileAgent)));
        QVERIFY(!text.contains(u"Wire log after handshake disabled!"_s));
        // The 13 closing fields, each with its value.
        QCOMPARE(closingFields().size(), 13);
        for (const ClosingField &field : closingFields()) {
            const QString row =
                QString::fromLatin1(field.key) + closingFieldValue(r.closing, field.key);
            QVERIFY2(text.contains(row), field.key);
        }
        QVERIFY(text.contains(u"remoteCloseReason"_s + QString::fromLatin1(kHostileReason)));

        // The wire log: one numbered row per entry, in the entry's class.
        const QList<QPair<QString, QString>> rows = wireLogRows(html);
        const std::vector<WireLogLine> entries = wireLog(*r.trace);
        qsizetype numbered = 0;
        for (const auto &[cssClass, line] : rows) {
            if (!line.startsWith(u' '))
                ++numbered;
            else
                QVERIFY2(line.startsWith(QString(15, u' ')), qPrintable(line));
        }
        QCOMPARE(numbered, qsizetype(entries.size()));
        QCOMPARE(rows.first().first, u"wirelog_tx_octets"_s);
        QVERIFY(rows.first().second.startsWith(u"000 TX OCTETS: 474554202f"_s));
        QCOMPARE(rows.last().first, u"wirelog_tcp_closed_by_peer"_s);
        QCOMPARE(rows.last().second,
                 u"%1 TCP DROPPED BY PEER"_s.arg(entries.size() - 1, 3, 10, QChar(u'0')));
        bool sawMessage = false;
        for (qsizetype i = 1; i < rows.size(); ++i) {
            if (rows[i].first == u"wirelog_rx_frame"_s &&
                rows[i].second ==
                    u"               &lt;/pre&gt;&lt;script&gt;alert(2)&lt;/script&gt;"_s)
                sawMessage = rows[i - 1].second.contains(u"RX FRAME : OPCODE=1"_s);
        }
        QVERIFY(sawMessage);
        QVERIFY(html.contains(u"<pre class=\"wirelog_tx_frame\">"_s));
    }

    void caseJsonHasTheAutobahnKeys()
    {
        const auto run = runHostileCase();
        QVERIFY(run);
        const QJsonObject o = caseJsonReport(run->result);
        for (const char *key : {"agent",
                                "id",
                                "case",
                                "description",
                                "expectation",
                                "started",
                                "duration",
                                "reportTime",
                                "behavior",
                                "behaviorClose",
                                "result",
                                "resultClose",
                                "expected",
                                "expectedClose",
                                "received",
                                "wirelog",
                                "createWirelog",
                                "createStats",
                                "rxOctetStats",
                                "txOctetStats",
                                "rxFrameStats",
                                "txFrameStats",
                                "httpRequest",
                                "httpResponse",
                                "isServer",
                                "closedByMe",
                                "failedByMe",
                                "droppedByMe",
                                "wasClean",
                                "wasNotCleanReason",
                                "wasServerConnectionDropTimeout",
                                "wasOpenHandshakeTimeout",
                                "wasCloseHandshakeTimeout",
                                "localCloseCode",
                                "localCloseReason",
                                "remoteCloseCode",
                                "remoteCloseReason"})
            QVERIFY2(o.contains(QLatin1String(key)), key);
        // JSON is not HTML: the peer's strings are kept as they were.
        QCOMPARE(o.value(u"agent"_s).toString(), QString::fromLatin1(kHostileAgent));
        QCOMPARE(o.value(u"remoteCloseReason"_s).toString(), QString::fromLatin1(kHostileReason));
        QCOMPARE(o.value(u"id"_s).toString(), u"1.1.1"_s);
        QCOMPARE(o.value(u"case"_s).toInt(), 1);
        QCOMPARE(o.value(u"behavior"_s).toString(), u"OK"_s);
        QCOMPARE(o.value(u"createWirelog"_s).toBool(), true);
        static const QRegularExpression started(uR"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$)"_s);
        QVERIFY(started.match(o.value(u"started"_s).toString()).hasMatch());
        QCOMPARE(
            o.value(u"received"_s).toArray(),
            QJsonArray({QJsonArray{u"message"_s, QString::fromLatin1(kHostileMessage), false}}));
    }

    // A case that switched its wire log off and never on again (a 9.x case without its echo):
    // the page says so and shows the octets before the switch only; data is wrapped at 100
    // columns with 15-column continuation lines; synced TX octets get the sync class.
    void wireLogDisabledAndWrapped()
    {
        TraceBuilder b;
        b.trace.setStartedAt(QDateTime::currentDateTimeUtc());
        b.chunk(Direction::Tx, QByteArray(200, 'A'), true);
        b.event(TraceEvent::Kind::WireLogSwitched, false);
        b.chunk(Direction::Rx, "hidden");
        b.event(TraceEvent::Kind::TcpClosed);
        QVERIFY(!wireLogEnabledAtEnd(b.trace));

        ReportInput input;
        input.trace = &b.trace;
        input.caseId = u"9.1.1"_s;
        input.agent = u"Peer"_s;
        const QString html = htmlReport(input);
        QVERIFY(html.contains(u"Wire log after handshake disabled!"_s));
        const QString hex = QString::fromLatin1(QByteArray(64, 'A').toHex());
        const QList<QPair<QString, QString>> rows = wireLogRows(html);
        const QList<QPair<QString, QString>> expected = {
            {u"wirelog_tx_octets_sync"_s, u"000 TX OCTETS: "_s + hex.left(100)},
            {u"wirelog_tx_octets_sync"_s, QString(15, u' ') + hex.mid(100) + u" ..."_s},
            {u"wirelog_tcp_closed_by_peer"_s, u"001 TCP DROPPED BY PEER"_s},
        };
        QCOMPARE(rows, expected);

        CaseDefinition def;
        def.id = u"9.1.1"_s;
        CaseResult r;
        r.definition = &def;
        r.trace = std::make_shared<Trace>(std::move(b.trace));
        QCOMPARE(caseJsonReport(r).value(u"createWirelog"_s).toBool(), false);
    }

    void compressionRatios_data()
    {
        QTest::addColumn<std::optional<double>>("incoming");
        QTest::addColumn<std::optional<double>>("outgoing");
        QTest::addColumn<QString>("text");
        using R = std::optional<double>;
        QTest::newRow("both") << R(0.262) << R(0.31) << u" [0.262/0.310]"_s;
        QTest::newRow("rounded as %.3f") << R(0.12351) << R(0.99961) << u" [0.124/1.000]"_s;
        QTest::newRow("nothing received") << R() << R(0.5) << u" [-/0.500]"_s;
        QTest::newRow("no data messages") << R() << R() << u" [-/-]"_s;
    }
    void compressionRatios()
    {
        QFETCH(std::optional<double>, incoming);
        QFETCH(std::optional<double>, outgoing);
        QFETCH(QString, text);
        QCOMPARE(compressionRatioText(incoming, outgoing), text);
    }

    // 12.x/13.x in the reports: reportCompressionRatio, and trafficStats only for a case that
    // ended OK (the reference copies them at that moment), so only its overview cell shows the
    // ratios after the duration. A 9.x case keeps the defaults.
    void compressionInTheReports()
    {
        TraceBuilder b;
        b.trace.setStartedAt(QDateTime::currentDateTimeUtc());
        b.event(TraceEvent::Kind::TcpClosed);
        const auto trace = std::make_shared<Trace>(std::move(b.trace));

        const CaseDefinition *deflate = findCase(u"12.1.1"_s);
        QVERIFY(deflate);
        CaseResult ok;
        ok.definition = deflate;
        ok.agent = u"Peer"_s;
        ok.trace = trace;
        ok.durationMs = 420;
        ok.verdict.behavior = Verdict::Ok;
        ok.verdict.closing.verdict = CloseVerdict::Ok;
        ok.closing.remoteCloseCode = 1000;
        CaseResult failed = ok;
        failed.definition = findCase(u"12.1.2"_s);
        failed.verdict.behavior = Verdict::Failed;
        CaseResult timed = ok;
        timed.definition = findCase(u"9.7.1"_s);

        const QJsonObject okJson = caseJsonReport(ok);
        QCOMPARE(okJson.value(u"reportCompressionRatio"_s).toBool(), true);
        QCOMPARE(okJson.value(u"reportTime"_s).toBool(), true);
        const QJsonObject stats = okJson.value(u"trafficStats"_s).toObject();
        QCOMPARE(stats.keys(),
                 (QStringList{u"incomingCompressionRatio"_s, u"incomingOctetsAppLevel"_s,
                              u"incomingOctetsWebSocketLevel"_s, u"outgoingCompressionRatio"_s,
                              u"outgoingOctetsAppLevel"_s, u"outgoingOctetsWebSocketLevel"_s}));
        // No data message in this trace: no ratio either way.
        QVERIFY(stats.value(u"incomingCompressionRatio"_s).isNull());
        QVERIFY(stats.value(u"outgoingCompressionRatio"_s).isNull());
        const QJsonObject failedJson = caseJsonReport(failed);
        QCOMPARE(failedJson.value(u"reportCompressionRatio"_s).toBool(), true);
        QVERIFY(failedJson.value(u"trafficStats"_s).isNull());
        const QJsonObject timedJson = caseJsonReport(timed);
        QCOMPARE(timedJson.value(u"reportCompressionRatio"_s).toBool(), false);
        QVERIFY(timedJson.value(u"trafficStats"_s).isNull());

        const QString html = indexHtml({ok, failed, timed});
        QVERIFY2(html.contains(u"peer_case_12_1_1.html\">Pass</a><br><span "
                               u"class=\"case_duration\">420 ms [-/-]</span>"_s),
                 qPrintable(html));
        QVERIFY(html.contains(u"peer_case_12_1_2.html\">Fail</a><br><span "
                              u"class=\"case_duration\">420 ms</span>"_s));
        QVERIFY(html.contains(u"peer_case_9_7_1.html\">Pass</a><br><span "
                              u"class=\"case_duration\">420 ms</span>"_s));
        const QString text = plainText(html);
        QVERIFY(text.contains(u"12 WebSocket Compression (different payloads)"_s));
        QVERIFY(text.contains(u"12.1 Large JSON data file (utf8, 194056 bytes)"_s));
    }

    void indexShape()
    {
        const auto run = runHostileCase();
        QVERIFY(run);
        const QString agent = QString::fromLatin1(kHostileAgent);

        CaseDefinition skippedDef;
        skippedDef.id = u"2.2"_s;
        skippedDef.description = u"Send ping with small text payload."_s;
        CaseResult skipped;
        skipped.definition = &skippedDef;
        skipped.skipped = u"skipped: no connection to the server (Connection refused)"_s;
        skipped.verdict.behavior = Verdict::Failed;

        CaseDefinition timedDef;
        timedDef.id = u"9.1.1"_s;
        timedDef.reportTime = true;
        CaseResult timed;
        timed.definition = &timedDef;
        timed.agent = agent;
        timed.durationMs = 1234;
        timed.verdict.behavior = Verdict::Failed;
        timed.verdict.closing.verdict = CloseVerdict::WrongCode;
        timed.closing.remoteCloseCode = 1002;

        const QList<CaseResult> results = {timed, skipped, run->result};
        const QJsonObject index = indexJson(results);
        QCOMPARE(index.keys(),
                 QStringList{agent}); // the skipped case is listed under the run's agent
        const QJsonObject cases = index.value(agent).toObject();
        QCOMPARE(cases.keys(), (QStringList{u"1.1.1"_s, u"2.2"_s, u"9.1.1"_s}));
        const QStringList entryKeys = {u"behavior"_s, u"behaviorClose"_s, u"duration"_s,
                                       u"remoteCloseCode"_s, u"reportfile"_s};
        const QJsonObject ran = cases.value(u"1.1.1"_s).toObject();
        QCOMPARE(ran.keys(), entryKeys);
        QCOMPARE(ran.value(u"behavior"_s).toString(), u"OK"_s);
        QCOMPARE(ran.value(u"behaviorClose"_s).toString(), u"OK"_s);
        QCOMPARE(ran.value(u"remoteCloseCode"_s).toInt(), 1000);
        QCOMPARE(ran.value(u"duration"_s).toInteger(), run->result.durationMs);
        QCOMPARE(ran.value(u"reportfile"_s).toString(),
                 u"script_alert__agent____script_case_1_1_1.json"_s);
        const QJsonObject missing = cases.value(u"2.2"_s).toObject();
        QCOMPARE(missing.keys(), QStringList(entryKeys) << u"skipped"_s);
        QCOMPARE(missing.value(u"behavior"_s).toString(), u"FAILED"_s);
        QVERIFY(missing.value(u"reportfile"_s).isNull());
        QVERIFY(missing.value(u"remoteCloseCode"_s).isNull());
        QCOMPARE(missing.value(u"skipped"_s).toString(), skipped.skipped);
        QCOMPARE(cases.value(u"9.1.1"_s).toObject().value(u"remoteCloseCode"_s).toInt(), 1002);

        const QString html = indexHtml(results);
        const QSet<QString> unexpected = tagsOf(html) - kAllowedTags;
        QVERIFY2(unexpected.isEmpty(), qPrintable(QStringList(unexpected.values()).join(u' ')));
        QVERIFY(html.contains(u"<td class=\"agent close_flex\" colspan=\"2\">"_s
                              u"&lt;script&gt;alert(&quot;agent&quot;)&lt;/script&gt;</td>"_s));
        // Rows in case-id order under the library's group titles.
        const QString text = plainText(html);
        const qsizetype framing = text.indexOf(u"1 Framing"_s);
        const qsizetype textMessages = text.indexOf(u"1.1 Text Messages"_s);
        const qsizetype pings = text.indexOf(u"2 Pings/Pongs"_s);
        const qsizetype limits = text.indexOf(u"9 Limits/Performance"_s);
        QVERIFY(framing >= 0 && framing < textMessages && textMessages < pings && pings < limits);
        // Cells: content and close, each linking to the case page.
        QVERIFY(html.contains(u"<td class=\"case_ok\"><a "
                              u"href=\"script_alert__agent____script_case_1_1_1.html\">Pass</a>"
                              u"</td><td class=\"close case_ok\"><a "
                              u"href=\"script_alert__agent____script_case_1_1_1.html\">"
                              u"<span class=\"close_code\">1000</span></a></td>"_s));
        // A timed case shows its duration; WRONG CODE is coloured like non-strict.
        QVERIFY(html.contains(u"<td class=\"case_failed\"><a href=\"script_alert__agent____script_"
                              u"case_9_1_1.html\">Fail</a><br><span class=\"case_duration\">1234 ms"
                              u"</span></td><td class=\"close case_non_strict\">"_s));
        // The case that did not run: Missing, with its reason.
        QVERIFY(html.contains(u"<td class=\"case_missing close_flex\" colspan=\"2\""_s));
        QVERIFY(text.contains(u"Missing"_s + skipped.skipped));
        QVERIFY(html.contains(u"<a href=\"#case_desc_2_2\">Case 2.2</a>"_s));
        QVERIFY(html.contains(u"<a id=\"case_desc_2_2\"></a>"_s));
        QVERIFY(text.contains(u"Send ping with small text payload."_s));
        QVERIFY(html.contains(u"Line one<br>line &lt;b&gt;two&lt;/b&gt;"_s));
    }

    void writesTheDirectory()
    {
        const auto run = runHostileCase();
        QVERIFY(run);
        QTemporaryDir tmp;
        const QString dir = tmp.filePath(u"reports/servers"_s);
        QCOMPARE(prepareReportDirectory(dir), QString());
        QCOMPARE(writeCaseReport(dir, run->result), QString());
        CaseDefinition skippedDef;
        skippedDef.id = u"2.2"_s;
        CaseResult skipped;
        skipped.definition = &skippedDef;
        skipped.skipped = u"cancelled"_s;
        QCOMPARE(writeCaseReport(dir, skipped), QString()); // nothing to write
        const QList<CaseResult> results = {run->result, skipped};
        QCOMPARE(writeReportIndex(dir, results), QString());

        QCOMPARE(QDir(dir).entryList(QDir::Files, QDir::Name),
                 (QStringList{u"index.html"_s, u"index.json"_s,
                              u"script_alert__agent____script_case_1_1_1.html"_s,
                              u"script_alert__agent____script_case_1_1_1.json"_s}));
        QFile json(QDir(dir).filePath(u"script_alert__agent____script_case_1_1_1.json"_s));
        QVERIFY(json.open(QIODevice::ReadOnly));
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(json.readAll(), &error);
        QCOMPARE(error.error, QJsonParseError::NoError);
        QCOMPARE(doc.object().value(u"id"_s).toString(), u"1.1.1"_s);
        QFile index(QDir(dir).filePath(u"index.json"_s));
        QVERIFY(index.open(QIODevice::ReadOnly));
        QCOMPARE(QJsonDocument::fromJson(index.readAll()).object(), indexJson(results));
        QFile html(QDir(dir).filePath(u"script_alert__agent____script_case_1_1_1.html"_s));
        QVERIFY(html.open(QIODevice::ReadOnly));
        QCOMPARE(QString::fromUtf8(html.readAll()), htmlReport(reportInputFor(run->result)));
    }

    void unwritableDirectory()
    {
        QTemporaryDir tmp;
        const QString file = tmp.filePath(u"plain-file"_s);
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.close();

        const QString onFile = prepareReportDirectory(file);
        QVERIFY2(onFile.contains(QDir::toNativeSeparators(file)), qPrintable(onFile));
        QVERIFY(onFile.contains(u"not a directory"_s));
        const QString below = prepareReportDirectory(file + u"/reports"_s);
        QVERIFY2(below.contains(u"cannot create the report directory"_s), qPrintable(below));

        CaseDefinition def;
        def.id = u"1.1.1"_s;
        CaseResult r;
        r.definition = &def;
        r.agent = u"Peer"_s;
        const QString write = writeCaseReport(file + u"/reports"_s, r);
        QVERIFY2(write.startsWith(u"cannot write "_s), qPrintable(write));
        QVERIFY(write.contains(u"peer_case_1_1_1.json"_s));
        QVERIFY(!writeReportIndex(file + u"/reports"_s, {r}).isEmpty());
    }
};

QTEST_GUILESS_MAIN(tst_CaseReport)
#include "tst_casereport.moc"
